//! Commit, rollback on Err and on panic, savepoints.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{User, db};
use ormlet::prelude::*;

#[test]
fn commit_on_ok() -> ormlet::Result<()> {
    let db = db();
    let id = db.transaction(|tx| User::new("a@x.io", "A", None).insert(tx))?;
    assert_eq!(User::get(&db, id)?.email, "a@x.io");
    Ok(())
}

#[test]
fn rollback_on_err() -> ormlet::Result<()> {
    let db = db();
    let result: Result<(), ormlet::Error> = db.transaction(|tx| {
        User::new("a@x.io", "A", None).insert(tx)?;
        User::new("a@x.io", "duplicate", None).insert(tx)?; // unique violation
        Ok(())
    });
    assert!(result.unwrap_err().as_constraint().is_some());
    assert_eq!(User::find().count(&db)?, 0);
    Ok(())
}

#[test]
fn rollback_on_a_user_error_type() -> ormlet::Result<()> {
    #[derive(Debug)]
    enum AppError {
        Db(#[allow(dead_code)] ormlet::Error),
        Refused,
    }
    impl From<ormlet::Error> for AppError {
        fn from(e: ormlet::Error) -> Self {
            AppError::Db(e)
        }
    }
    let db = db();
    let result: Result<(), AppError> = db.transaction_with(|tx| {
        User::new("a@x.io", "A", None).insert(tx)?;
        Err(AppError::Refused)
    });
    assert!(matches!(result, Err(AppError::Refused)));
    assert!(!matches!(result, Err(AppError::Db(_))));
    assert_eq!(User::find().count(&db)?, 0);
    Ok(())
}

#[test]
fn rollback_on_panic_and_the_connection_stays_usable() -> ormlet::Result<()> {
    let db = db();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _ = db.transaction(|tx| -> ormlet::Result<()> {
            User::new("a@x.io", "A", None).insert(tx)?;
            panic!("boom");
        });
    }));
    assert!(caught.is_err());
    assert_eq!(User::find().count(&db)?, 0);
    // No transaction is left open: a new one begins and commits.
    db.transaction(|tx| User::new("b@x.io", "B", None).insert(tx))?;
    assert_eq!(User::find().count(&db)?, 1);
    Ok(())
}

#[test]
fn savepoint_rolled_back_inside_a_committed_transaction() -> ormlet::Result<()> {
    let db = db();
    db.transaction(|tx| {
        assert_eq!(tx.depth(), 1);
        User::new("outer@x.io", "Outer", None).insert(tx)?;
        let inner: ormlet::Result<()> = tx.transaction(|sp| {
            assert_eq!(sp.depth(), 2);
            User::new("inner@x.io", "Inner", None).insert(sp)?;
            Err(ormlet::Error::NotFound { model: "test", key: None })
        });
        assert!(inner.is_err());
        tx.transaction(|sp| User::new("kept@x.io", "Kept", None).insert(sp).map(|_| ()))?;
        Ok(())
    })?;
    let emails: Vec<String> = User::find().order_by(User::ID.asc()).select(User::EMAIL).all(&db)?;
    assert_eq!(emails, ["outer@x.io", "kept@x.io"]);
    Ok(())
}

#[test]
fn a_panic_in_a_savepoint_rolls_back_only_the_savepoint_when_caught() -> ormlet::Result<()> {
    let db = db();
    db.transaction(|tx| {
        User::new("outer@x.io", "Outer", None).insert(tx)?;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            let _ = tx.transaction(|sp| -> ormlet::Result<()> {
                User::new("inner@x.io", "Inner", None).insert(sp)?;
                panic!("inner boom");
            });
        }));
        assert!(caught.is_err());
        assert_eq!(tx.depth(), 1);
        Ok(())
    })?;
    assert_eq!(User::find().count(&db)?, 1);
    Ok(())
}

#[test]
fn a_file_database_commits_across_connections() -> ormlet::Result<()> {
    let dir = std::env::temp_dir().join(format!("ormlet-tx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tx.db");
    let _ = std::fs::remove_file(&path);
    let db = ormlet::sqlite::Db::open(&path)?;
    db.create_table::<User>()?;
    db.transaction(|tx| User::new("a@x.io", "A", None).insert(tx))?;
    let other = ormlet::sqlite::Db::open(&path)?;
    assert_eq!(User::find().count(&other)?, 1);
    drop((db, other));
    std::fs::remove_dir_all(&dir).expect("cleanup");
    Ok(())
}

#[test]
fn a_conflict_is_run_again_with_the_applications_error_type() -> ormlet::Result<()> {
    use ormlet::transaction::{Retryable, TxOptions};
    #[derive(Debug)]
    enum AppError {
        Db(ormlet::Error),
    }
    impl From<ormlet::Error> for AppError {
        fn from(e: ormlet::Error) -> Self {
            AppError::Db(e)
        }
    }
    impl Retryable for AppError {
        fn is_conflict(&self) -> bool {
            matches!(self, AppError::Db(e) if e.is_conflict())
        }
    }
    let db = db();
    let mut runs = 0;
    let id = db.transaction_with_retry(TxOptions::new().attempts(3), |tx| {
        runs += 1;
        let id = User::new(&format!("a{runs}@x.io"), "A", None).insert(tx)?;
        if runs < 3 {
            // As the database says when another transaction holds the lock.
            return Err(AppError::Db(ormlet::Error::Conflict {
                kind: ormlet::ConflictKind::Busy,
                message: "database is locked".into(),
                sql: "INSERT".into(),
            }));
        }
        Ok(id)
    });
    let id = id.map_err(|AppError::Db(e)| e)?;
    assert_eq!(runs, 3);
    // The failed attempts rolled back; the last one committed.
    assert_eq!(User::find().count(&db)?, 1);
    assert_eq!(User::get(&db, id)?.email, "a3@x.io");
    // Out of attempts, the conflict is the answer.
    let mut tries = 0;
    let err = db
        .transaction_with_retry(TxOptions::new().attempts(2), |_tx| -> ormlet::Result<()> {
            tries += 1;
            Err(ormlet::Error::Conflict {
                kind: ormlet::ConflictKind::Deadlock,
                message: "deadlock".into(),
                sql: String::new(),
            })
        })
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(tries, 2);
    Ok(())
}

#[test]
fn a_read_only_transaction_refuses_writes_and_leaves_the_connection_writable() -> ormlet::Result<()> {
    use ormlet::transaction::TxOptions;
    let db = db();
    let err = db
        .transaction_with_options(TxOptions::new().read_only(), |tx| User::new("a@x.io", "A", None).insert(tx))
        .unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
    User::new("b@x.io", "B", None).insert(&db)?;
    assert_eq!(User::find().count(&db)?, 1);
    Ok(())
}
