//! The same cases on PostgreSQL: ormlet against hand-written sqlx, in one
//! process, on one server. The baseline is what a careful sqlx user writes:
//! a `&'static str` query (prepared and cached by sqlx), `bind`, rows read
//! by index with `Row::get`. Both sides share one pooled connection.

use std::hint::black_box;

use ormlet::prelude::*;
use sqlx::Row;

use crate::harness::{CaseResult, Plan, compare};
use crate::models::{Post, RawUser, User};

/// Both sides' handles on one schema created for the run.
struct Pg {
    rt: tokio::runtime::Runtime,
    db: ormlet::postgres::Db,
    raw: sqlx::PgPool,
    url: String,
    schema: String,
}

impl Drop for Pg {
    fn drop(&mut self) {
        drop_schema(&self.rt, &self.url, &self.schema);
    }
}

/// Drops a schema a run made, on `rt`.
pub(crate) fn drop_schema(rt: &tokio::runtime::Runtime, url: &str, schema: &str) {
    rt.block_on(async move {
        if let Ok(admin) = ormlet::postgres::Db::connect(url).await {
            let _ = admin.execute_batch(&format!("DROP SCHEMA {schema} CASCADE")).await;
        }
    });
}

pub(crate) fn url() -> String {
    std::env::var("ORMLET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema with `n` users, or `None` (with the reason) when no server answers.
fn setup(n: usize) -> Option<Pg> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = url();
    let schema = format!("ormlet_bench_{}", std::process::id());
    let made: ormlet::Result<(ormlet::postgres::Db, sqlx::PgPool)> = rt.block_on(async {
        let admin = ormlet::postgres::Db::connect(&url).await?;
        admin.execute_batch(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await?;
        admin.execute_batch(&format!("CREATE SCHEMA {schema}")).await?;
        let own = format!("{url}?options=-c%20search_path%3D{schema}");
        let db = ormlet::postgres::Db::options(&own).pool_size(1).open().await?;
        db.create_table::<User>().await?;
        db.create_table::<Post>().await?;
        let users: Vec<User> =
            (0..n).map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: None }).collect();
        User::insert_many(&db, &users).await?;
        // The baseline runs on the very same pooled connection: one server
        // process serves both sides, so scheduling noise cannot favour either.
        let raw = db.pool().clone();
        ormlet::Result::Ok((db, raw))
    });
    match made {
        Ok((db, raw)) => Some(Pg { rt, db, raw, url, schema }),
        Err(e) => {
            eprintln!("  (PostgreSQL cases skipped: {e})");
            None
        }
    }
}

fn skipped(name: &str) -> CaseResult {
    CaseResult {
        name: name.into(),
        ormlet_ns: f64::NAN,
        baseline: "sqlx (no server)",
        baseline_ns: f64::NAN,
        ratio: f64::NAN,
        pg_peers: None,
        peers: None,
    }
}

pub(crate) fn raw_user(row: &sqlx::postgres::PgRow) -> RawUser {
    RawUser { id: row.get(0), name: row.get(1), hair_color: row.get(2) }
}

/// The SQL ormlet sends, as the `&'static str` a hand-written query would be.
pub(crate) fn leak(sql: String) -> &'static str {
    Box::leak(sql.into_boxed_str())
}

pub fn select_10k_rows(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let Some(pg) = setup(n) else { return skipped("pg_select_10k_rows") };
    let sql = leak(User::find().to_sql(ormlet::Backend::Postgres).0);
    compare(
        plan,
        "pg_select_10k_rows",
        "sqlx",
        || {
            let users: Vec<User> = pg.rt.block_on(User::find().all(&pg.db)).expect("ormlet");
            assert_eq!(users.len(), n);
            black_box(users);
        },
        || {
            let rows = pg.rt.block_on(sqlx::query(sql).fetch_all(&pg.raw)).expect("sqlx");
            let users: Vec<RawUser> = rows.iter().map(raw_user).collect();
            assert_eq!(users.len(), n);
            black_box(users);
        },
    )
}

pub fn get_by_pk(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let Some(pg) = setup(n) else { return skipped("pg_get_by_pk") };
    let sql = leak(format!("{} WHERE \"users\".\"id\" = $1", User::find().to_sql(ormlet::Backend::Postgres).0));
    let (mut ko, mut kb) = (crate::cases::keys(n), crate::cases::keys(n));
    compare(
        plan,
        "pg_get_by_pk",
        "sqlx",
        || {
            black_box(pg.rt.block_on(User::get(&pg.db, ko())).expect("ormlet"));
        },
        || {
            let row = pg.rt.block_on(sqlx::query(sql).bind(kb()).fetch_one(&pg.raw)).expect("sqlx");
            black_box(raw_user(&row));
        },
    )
}

pub fn insert_1(plan: &Plan) -> CaseResult {
    let Some(pg) = setup(0) else { return skipped("pg_insert_1") };
    let sql = leak("INSERT INTO \"users\" (\"name\", \"hair_color\") VALUES ($1, $2) RETURNING \"id\"".to_owned());
    compare(
        plan,
        "pg_insert_1",
        "sqlx",
        || {
            let mut u = User { id: Auto::new(), name: "Ann".into(), hair_color: None };
            black_box(pg.rt.block_on(u.insert(&pg.db)).expect("ormlet"));
        },
        || {
            let row =
                pg.rt.block_on(sqlx::query(sql).bind("Ann").bind(None::<String>).fetch_one(&pg.raw)).expect("sqlx");
            black_box(row.get::<i32, _>(0));
        },
    )
}
