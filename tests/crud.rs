//! Insert, get, update, delete, set-based writes, upsert, RETURNING.

mod common;

use common::{Post, User, db, seed};
use ormlet::prelude::*;
use ormlet::{Error, OnConflict};

#[test]
fn insert_sets_the_generated_key_and_get_reads_it_back() -> ormlet::Result<()> {
    let db = db();
    let mut ann = User::new("ann@x.io", "Ann", Some(31));
    assert!(!ann.id.is_set());
    let id = ann.insert(&db)?;
    assert_eq!(ann.id, id);
    assert_eq!(User::get(&db, id)?, ann);
    let mut bob = User::new("bob@x.io", "Bob", None);
    assert_eq!(bob.insert(&db)?, id + 1);
    Ok(())
}

#[test]
fn get_of_a_missing_key_is_not_found_naming_model_and_key() {
    let db = db();
    let err = User::get(&db, 42).unwrap_err();
    assert!(matches!(&err, Error::NotFound { model: "User", key: Some(k) } if k == "42"), "{err:?}");
    assert_eq!(err.to_string(), "no `User` row found for key 42");
}

#[test]
fn update_and_delete_by_key() -> ormlet::Result<()> {
    let db = db();
    let mut users = seed(&db, 0);
    users[0].name = "Annie".into();
    users[0].age = None;
    users[0].update(&db)?;
    assert_eq!(User::get(&db, users[0].id.get().unwrap())?, users[0]);
    users[1].delete(&db)?;
    assert!(User::get(&db, users[1].id.get().unwrap()).unwrap_err().is_not_found());
    assert_eq!(User::find().count(&db)?, 2);
    // Deleting again: nothing matched.
    assert!(users[1].delete(&db).unwrap_err().is_not_found());
    Ok(())
}

#[test]
fn update_or_delete_before_insert_is_key_not_set() {
    let db = db();
    let u = User::new("a@x.io", "A", None);
    assert!(matches!(u.update(&db), Err(Error::KeyNotSet { model: "User", operation: "update" })));
    assert!(matches!(u.delete(&db), Err(Error::KeyNotSet { model: "User", operation: "delete" })));
}

#[test]
fn update_where_and_delete_where_report_rows() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 0);
    let n = User::update_where(User::AGE.lt(18), [User::AGE.set(18), User::NAME.set("Adult Bob")]).exec(&db)?;
    assert_eq!(n, 1);
    let bob = User::find().filter(User::EMAIL.eq("bob@x.io")).one(&db)?;
    assert_eq!((bob.name.as_str(), bob.age), ("Adult Bob", Some(18)));
    assert_eq!(User::delete_where(User::AGE.is_null()).exec(&db)?, 1);
    assert_eq!(User::find().count(&db)?, 2);
    Ok(())
}

#[test]
fn returning_gives_the_changed_rows() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 0);
    let changed = User::update_where(User::AGE.is_not_null(), [User::AGE.set(None)]).returning(&db)?;
    assert_eq!(changed.len(), 2);
    assert!(changed.iter().all(|u| u.age.is_none()));
    let gone = User::delete_where(User::NAME.eq("Cid")).returning(&db)?;
    assert_eq!(gone.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["cid@x.io"]);
    Ok(())
}

#[test]
fn upsert_updates_on_conflict_or_does_nothing() -> ormlet::Result<()> {
    let db = db();
    let mut ann = User::new("ann@x.io", "Ann", Some(31));
    ann.upsert(&db, OnConflict::columns(User::EMAIL))?;
    let id = ann.id.get().expect("key from RETURNING");
    let mut again = User::new("ann@x.io", "Ann B.", Some(32));
    again.upsert(&db, OnConflict::columns(User::EMAIL).update(User::AGE))?;
    let stored = User::get(&db, id)?;
    assert_eq!((stored.name.as_str(), stored.age), ("Ann", Some(32)), "only age updated");
    assert_eq!(again.id, id, "the existing row's key comes back");
    let mut third = User::new("ann@x.io", "Other", None);
    third.upsert(&db, OnConflict::columns(User::EMAIL).do_nothing())?;
    assert_eq!(User::get(&db, id)?.age, Some(32));
    assert_eq!(User::find().count(&db)?, 1);
    Ok(())
}

#[test]
fn insert_many_chunks_100_000_rows() -> ormlet::Result<()> {
    let db = db();
    let rows: Vec<Post> = (0..100_000).map(|i| Post::new(i % 7, &format!("post {i}"))).collect();
    assert_eq!(Post::insert_many(&db, &rows)?, 100_000);
    assert_eq!(Post::find().count(&db)?, 100_000);
    assert_eq!(Post::find().filter(Post::AUTHOR_ID.eq(3)).count(&db)?, 14_286);
    let last = Post::find().order_by(Post::ID.desc()).first(&db)?.expect("rows");
    assert_eq!(last.title, "post 99999");
    assert_eq!(Post::insert_many(&db, &[])?, 0);
    Ok(())
}

#[test]
fn insert_many_is_all_or_nothing() -> ormlet::Result<()> {
    let db = db();
    let mut rows: Vec<User> = (0..2_000).map(|i| User::new(&format!("u{i}@x.io"), "U", None)).collect();
    rows[1_999].email = "u0@x.io".into(); // duplicate in the last chunk
    let err = User::insert_many(&db, &rows).unwrap_err();
    assert!(err.as_constraint().is_some(), "{err}");
    assert_eq!(User::find().count(&db)?, 0, "earlier chunks were rolled back");
    Ok(())
}

#[test]
fn composite_keys_work_for_get_update_delete() -> ormlet::Result<()> {
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ormlet(table = "memberships")]
    struct Membership {
        #[ormlet(primary_key)]
        user_id: i64,
        #[ormlet(primary_key)]
        group_id: i64,
        role: String,
    }
    let db = ormlet::sqlite::Db::connect("sqlite::memory:")?;
    db.create_table::<Membership>()?;
    let mut m = Membership { user_id: 1, group_id: 2, role: "member".into() };
    assert_eq!(m.insert(&db)?, (1, 2));
    m.role = "admin".into();
    m.update(&db)?;
    assert_eq!(Membership::get(&db, (1, 2))?.role, "admin");
    let dup = Membership { user_id: 1, group_id: 2, role: "x".into() }.insert(&db).unwrap_err();
    assert_eq!(dup.as_constraint().map(|c| c.kind), Some(ormlet::ConstraintKind::PrimaryKey));
    m.delete(&db)?;
    assert!(Membership::get(&db, (1, 2)).unwrap_err().is_not_found());
    Ok(())
}
