//! Diesel's benchmark suite on PostgreSQL, four sides in one run: ormlet
//! (its pool of one connection), raw sqlx on one `PgConnection` (no pool,
//! no ping), tokio-postgres with a statement prepared once and held, and
//! Diesel on libpq. Ratios are taken against the faster of raw sqlx and
//! tokio-postgres. All four share one schema made for the run.

use std::hint::black_box;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ormlet::prelude::*;
use sqlx::{Connection as _, Row};

use crate::diesel_models as d;
use crate::diesel_models::load_associations;
use crate::diesel_suite::black_or_brown;
use crate::harness::{CaseResult, PgPeers, Plan, Side, compare_sides};
use crate::models::{Comment, Grouped, Post, PostRelations, RawComment, RawPost, RawUser, User, UserRelations, group};
use crate::postgres::{leak, raw_user};

const SCHEMA: &str = "
    CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR NOT NULL, hair_color VARCHAR);
    CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR NOT NULL, body TEXT);
    CREATE TABLE comments (id SERIAL PRIMARY KEY, post_id INTEGER NOT NULL, text TEXT NOT NULL);
";

/// Every side's connection to one schema, dropped at the end.
struct Peers {
    rt: tokio::runtime::Runtime,
    db: ormlet::postgres::Db,
    sqlx: sqlx::PgConnection,
    client: tokio_postgres::Client,
    diesel: PgConnection,
    url: String,
    schema: String,
}

impl Drop for Peers {
    fn drop(&mut self) {
        crate::postgres::drop_schema(&self.rt, &self.url, &self.schema);
    }
}

/// A schema holding `n` users (black or brown hair by index), or the reason
/// there is none.
fn setup(n: usize) -> Result<Peers, String> {
    setup_with(n, 0)
}

/// [`setup`], each user with `per` posts and each post with `per` comments.
fn setup_with(n: usize, per: usize) -> Result<Peers, String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = crate::postgres::url();
    let schema = format!("ormlet_bench_peers_{}", std::process::id());
    let own = format!("{url}?options=-c%20search_path%3D{schema}");
    let (db, sqlx, client) = rt.block_on(async {
        let admin = ormlet::postgres::Db::connect(&url).await.map_err(|e| e.to_string())?;
        let script = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
        admin.execute_batch(&script).await.map_err(|e| e.to_string())?;
        let db = ormlet::postgres::Db::options(&own).pool_size(1).open().await.map_err(|e| e.to_string())?;
        db.execute_batch(SCHEMA).await.map_err(|e| e.to_string())?;
        let users: Vec<User> = (0..n)
            .map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: black_or_brown(i).map(Into::into) })
            .collect();
        User::insert_many(&db, &users).await.map_err(|e| e.to_string())?;
        let posts: Vec<Post> = (1..=n as i32)
            .flat_map(|u| (0..per).map(move |i| (u, i)))
            .map(|(u, i)| Post { id: Auto::new(), user_id: u, title: format!("Post {i} by user {u}"), body: None })
            .collect();
        Post::insert_many(&db, &posts).await.map_err(|e| e.to_string())?;
        let comments: Vec<Comment> = (1..=posts.len() as i32)
            .flat_map(|p| (0..per).map(move |i| (p, i)))
            .map(|(p, i)| Comment { id: Auto::new(), post_id: p, text: format!("Comment {i} on post {p}") })
            .collect();
        Comment::insert_many(&db, &comments).await.map_err(|e| e.to_string())?;
        let sqlx = sqlx::PgConnection::connect(&own).await.map_err(|e| e.to_string())?;
        let (client, connection) =
            tokio_postgres::connect(&own, tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok::<_, String>((db, sqlx, client))
    })?;
    let mut diesel = PgConnection::establish(&own).map_err(|e| e.to_string())?;
    diesel.batch_execute("SELECT 1").map_err(|e| e.to_string())?;
    Ok(Peers { rt, db, sqlx, client, diesel, url, schema })
}

fn skipped(name: &str, reason: &str) -> CaseResult {
    eprintln!("  ({name} skipped: {reason})");
    CaseResult {
        name: name.into(),
        ormlet_ns: f64::NAN,
        baseline: "sqlx, one connection (no server)",
        baseline_ns: f64::NAN,
        ratio: f64::NAN,
        peers: None,
        pg_peers: None,
    }
}

/// Times the four sides; ratios against the faster raw driver.
fn run(
    plan: &Plan,
    name: &str,
    sqlx: Side<'_>,
    tokio_postgres: Side<'_>,
    diesel: Side<'_>,
    ormlet: Side<'_>,
) -> CaseResult {
    let timed = compare_sides(plan, vec![sqlx, tokio_postgres, diesel, ormlet]);
    // Both ratios are to sqlx; dividing by tokio-postgres's (when it is the
    // faster) puts them against the fastest raw driver.
    let fastest = timed.ratio[1].min(1.0);
    CaseResult {
        name: name.to_owned(),
        ormlet_ns: timed.ns[3],
        baseline: "the faster of sqlx (one connection) and tokio-postgres",
        baseline_ns: timed.ns[0].min(timed.ns[1]),
        ratio: timed.ratio[3] / fastest,
        peers: None,
        pg_peers: Some(PgPeers {
            sqlx_ns: timed.ns[0],
            tokio_postgres_ns: timed.ns[1],
            diesel_ns: timed.ns[2],
            ormlet_ratio_to_fastest: timed.ratio[3] / fastest,
            diesel_ratio_to_fastest: timed.ratio[2] / fastest,
            ormlet_ratio_to_sqlx: timed.ratio[3],
            tokio_postgres_ratio_to_sqlx: timed.ratio[1],
        }),
    }
}

fn tp_user(row: &tokio_postgres::Row) -> RawUser {
    RawUser { id: row.get(0), name: row.get(1), hair_color: row.get(2) }
}

/// Every user.
pub fn trivial_query(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let mut pg = match setup(n) {
        Ok(pg) => pg,
        Err(reason) => return skipped(name, &reason),
    };
    let sql = leak(User::find().to_sql(ormlet::Backend::Postgres).0);
    let Peers { rt, db, sqlx, client, diesel, .. } = &mut pg;
    let statement = rt.block_on(client.prepare(sql)).expect("prepare");
    run(
        plan,
        name,
        Side::new(|| {
            let rows = rt.block_on(sqlx::query(sql).fetch_all(&mut *sqlx)).expect("sqlx");
            let users: Vec<RawUser> = rows.iter().map(raw_user).collect();
            assert_eq!(users.len(), n);
            black_box(users);
        }),
        Side::new(|| {
            let rows = rt.block_on(client.query(&statement, &[])).expect("tokio-postgres");
            let users: Vec<RawUser> = rows.iter().map(tp_user).collect();
            assert_eq!(users.len(), n);
            black_box(users);
        }),
        Side::new(|| {
            let users = d::users::table.load::<d::DieselUser>(&mut *diesel).expect("diesel");
            assert_eq!(users.len(), n);
            black_box(users);
        }),
        Side::new(|| {
            let users: Vec<User> = rt.block_on(User::find().all(&*db)).expect("ormlet");
            assert_eq!(users.len(), n);
            black_box(users);
        }),
    )
}

/// Users with black hair and their posts, if any.
pub fn medium_complex(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let mut pg = match setup(n) {
        Ok(pg) => pg,
        Err(reason) => return skipped(name, &reason),
    };
    let expected = n.div_ceil(2);
    let query = || User::find().left_join(User::POSTS).filter(User::HAIR_COLOR.eq("black"));
    let sql = leak(query().to_sql(ormlet::Backend::Postgres).0);
    let Peers { rt, db, sqlx, client, diesel, .. } = &mut pg;
    let statement = rt.block_on(client.prepare(sql)).expect("prepare");
    run(
        plan,
        name,
        Side::new(|| {
            let rows = rt.block_on(sqlx::query(sql).bind("black").fetch_all(&mut *sqlx)).expect("sqlx");
            let rows: Vec<(RawUser, Option<RawPost>)> = rows
                .iter()
                .map(|row| {
                    let post = row.get::<Option<i32>, _>(3).map(|id| RawPost {
                        id,
                        user_id: row.get(4),
                        title: row.get(5),
                        body: row.get(6),
                    });
                    (raw_user(row), post)
                })
                .collect();
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
        Side::new(|| {
            let rows = rt.block_on(client.query(&statement, &[&"black"])).expect("tokio-postgres");
            let rows: Vec<(RawUser, Option<RawPost>)> = rows
                .iter()
                .map(|row| {
                    let post = row.get::<_, Option<i32>>(3).map(|id| RawPost {
                        id,
                        user_id: row.get(4),
                        title: row.get(5),
                        body: row.get(6),
                    });
                    (tp_user(row), post)
                })
                .collect();
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
        Side::new(|| {
            let rows = d::users::table
                .left_outer_join(d::posts::table)
                .filter(d::users::hair_color.eq("black"))
                .load::<(d::DieselUser, Option<d::DieselPost>)>(&mut *diesel)
                .expect("diesel");
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
        Side::new(|| {
            let rows: Vec<(User, Option<Post>)> = rt.block_on(query().all(&*db)).expect("ormlet");
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
    )
}

/// `n` users in one INSERT statement (rows built once, outside the timing).
pub fn insert(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let mut pg = match setup(0) {
        Ok(pg) => pg,
        Err(reason) => return skipped(name, &reason),
    };
    let rows: Vec<User> = (0..n)
        .map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: Some("hair_color".into()) })
        .collect();
    let new_users: Vec<d::NewUser> =
        rows.iter().map(|u| d::NewUser { name: u.name.clone(), hair_color: u.hair_color.clone() }).collect();
    let values: Vec<String> = (0..n).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
    let sql = leak(format!("INSERT INTO \"users\" (\"name\", \"hair_color\") VALUES {}", values.join(", ")));
    let Peers { rt, db, sqlx, client, diesel, .. } = &mut pg;
    let statement = rt.block_on(client.prepare(sql)).expect("prepare");
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
        rows.iter().flat_map(|u| [&u.name as &(dyn tokio_postgres::types::ToSql + Sync), &u.hair_color as _]).collect();
    run(
        plan,
        name,
        Side::new(|| {
            let mut query = sqlx::query(sql);
            for u in &rows {
                query = query.bind(&u.name).bind(&u.hair_color);
            }
            black_box(rt.block_on(query.execute(&mut *sqlx)).expect("sqlx"));
        }),
        Side::new(|| {
            black_box(rt.block_on(client.execute(&statement, &params)).expect("tokio-postgres"));
        }),
        Side::new(|| {
            black_box(diesel::insert_into(d::users::table).values(&new_users).execute(&mut *diesel).expect("diesel"));
        }),
        Side::new(|| {
            black_box(rt.block_on(User::insert_many(&*db, &rows)).expect("ormlet"));
        }),
    )
}

/// Diesel's "loading associations sequentially" with 100 users (as Diesel
/// runs it on PostgreSQL), 10 posts each, 10 comments a post: three
/// queries, grouped in memory.
pub fn load_associations(plan: &Plan) -> CaseResult {
    const USERS: usize = 100;
    let name = "pg_load_associations";
    let mut pg = match setup_with(USERS, 10) {
        Ok(pg) => pg,
        Err(reason) => return skipped(name, &reason),
    };
    let users_sql = "SELECT id, name, hair_color FROM users";
    let posts_sql = "SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)";
    let comments_sql = "SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)";
    let Peers { rt, db, sqlx, client, diesel, .. } = &mut pg;
    let statements = rt.block_on(async {
        (client.prepare(users_sql).await, client.prepare(posts_sql).await, client.prepare(comments_sql).await)
    });
    let statements = (statements.0.expect("prepare"), statements.1.expect("prepare"), statements.2.expect("prepare"));
    let check = |loaded: usize, first_posts: usize, first_comments: usize| {
        assert_eq!((loaded, first_posts, first_comments), (USERS, 10, 10));
    };
    run(
        plan,
        name,
        Side::new(|| {
            let loaded: Grouped = rt.block_on(async {
                let users: Vec<RawUser> =
                    sqlx::query(users_sql).fetch_all(&mut *sqlx).await.expect("sqlx").iter().map(raw_user).collect();
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let rows = sqlx::query(posts_sql).bind(&ids).fetch_all(&mut *sqlx).await.expect("sqlx");
                let posts: Vec<RawPost> = rows
                    .iter()
                    .map(|r| RawPost { id: r.get(0), user_id: r.get(1), title: r.get(2), body: r.get(3) })
                    .collect();
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let rows = sqlx::query(comments_sql).bind(&ids).fetch_all(&mut *sqlx).await.expect("sqlx");
                let comments = rows.iter().map(|r| RawComment { id: r.get(0), post_id: r.get(1), text: r.get(2) });
                group(users, posts, comments.collect())
            });
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let (users_st, posts_st, comments_st) = &statements;
            let loaded: Grouped = rt.block_on(async {
                let rows = client.query(users_st, &[]).await.expect("tokio-postgres");
                let users: Vec<RawUser> = rows.iter().map(tp_user).collect();
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let rows = client.query(posts_st, &[&ids]).await.expect("tokio-postgres");
                let posts: Vec<RawPost> = rows
                    .iter()
                    .map(|r| RawPost { id: r.get(0), user_id: r.get(1), title: r.get(2), body: r.get(3) })
                    .collect();
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let rows = client.query(comments_st, &[&ids]).await.expect("tokio-postgres");
                let comments = rows.iter().map(|r| RawComment { id: r.get(0), post_id: r.get(1), text: r.get(2) });
                group(users, posts, comments.collect())
            });
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let loaded = load_associations!(&mut *diesel);
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let loaded = rt.block_on(User::find().with(User::POSTS.with(Post::COMMENTS)).all(&*db)).expect("ormlet");
            check(loaded.len(), loaded[0].posts().len(), loaded[0].posts()[0].comments().len());
            black_box(loaded);
        }),
    )
}
