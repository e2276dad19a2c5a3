//! Diesel's benchmark suite on SQLite, four sides in one run: ormlet,
//! Diesel, and hand-written rusqlite twice — with a statement prepared once
//! and held across iterations (Diesel's `rusqlite_by_id`, the physical
//! limit, which every ratio is taken against) and through `prepare_cached`
//! (a hash lookup per iteration, what most hand-written code does). Each
//! side has its own in-memory database holding the same rows.

use std::hint::black_box;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ormlet::prelude::*;
use ormlet::sqlite::Db;
use rusqlite::Connection as Rusqlite;

use crate::cases::keys;
use crate::diesel_models::{self as d, load_associations};
use crate::harness::{CaseResult, Peers, Plan, Side, compare_sides};
use crate::models::{
    Comment, Grouped, Post, PostRelations, RawPost, RawUser, SCHEMA, User, UserRelations, group, raw_comment, raw_post,
    raw_user,
};

/// The rows a case starts with: `users` users (hair colour by index), each
/// with `posts` posts, each with `comments` comments.
struct Rows {
    users: usize,
    hair: fn(usize) -> Option<&'static str>,
    posts: usize,
    comments: usize,
}

impl Rows {
    fn users(users: usize, hair: fn(usize) -> Option<&'static str>) -> Self {
        Rows { users, hair, posts: 0, comments: 0 }
    }
}

pub(crate) fn black_or_brown(i: usize) -> Option<&'static str> {
    Some(if i.is_multiple_of(2) { "black" } else { "brown" })
}

/// Three databases with the same rows: ormlet's, Diesel's and one for both
/// rusqlite sides.
fn databases(rows: &Rows) -> (Db, SqliteConnection, Rusqlite) {
    let db = Db::connect("sqlite::memory:").expect("ormlet db");
    db.execute_batch(SCHEMA).expect("schema");
    let mut diesel = SqliteConnection::establish(":memory:").expect("diesel db");
    diesel.batch_execute(SCHEMA).expect("schema");
    let raw = crate::models::raw_database();
    raw.set_prepared_statement_cache_capacity(256);

    let users: Vec<User> = (0..rows.users)
        .map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: (rows.hair)(i).map(Into::into) })
        .collect();
    let posts: Vec<Post> = (1..=rows.users as i32)
        .flat_map(|u| (0..rows.posts).map(move |i| (u, i)))
        .map(|(u, i)| Post { id: Auto::new(), user_id: u, title: format!("Post {i} by user {u}"), body: None })
        .collect();
    let comments: Vec<Comment> = (1..=posts.len() as i32)
        .flat_map(|p| (0..rows.comments).map(move |i| (p, i)))
        .map(|(p, i)| Comment { id: Auto::new(), post_id: p, text: format!("Comment {i} on post {p}") })
        .collect();

    User::insert_many(&db, &users).expect("seed ormlet");
    Post::insert_many(&db, &posts).expect("seed ormlet");
    Comment::insert_many(&db, &comments).expect("seed ormlet");

    let new_users: Vec<d::NewUser> =
        users.iter().map(|u| d::NewUser { name: u.name.clone(), hair_color: u.hair_color.clone() }).collect();
    let new_posts: Vec<d::NewPost> =
        posts.iter().map(|p| d::NewPost { user_id: p.user_id, title: p.title.clone(), body: p.body.clone() }).collect();
    let new_comments: Vec<d::NewComment> =
        comments.iter().map(|c| d::NewComment { post_id: c.post_id, text: c.text.clone() }).collect();
    // In chunks: one statement holds at most SQLite's 32,766 values.
    for chunk in new_users.chunks(5_000) {
        diesel::insert_into(d::users::table).values(chunk).execute(&mut diesel).expect("seed diesel");
    }
    for chunk in new_posts.chunks(5_000) {
        diesel::insert_into(d::posts::table).values(chunk).execute(&mut diesel).expect("seed diesel");
    }
    for chunk in new_comments.chunks(5_000) {
        diesel::insert_into(d::comments::table).values(chunk).execute(&mut diesel).expect("seed diesel");
    }

    {
        let mut stmt = raw.prepare("INSERT INTO users (name, hair_color) VALUES (?, ?)").expect("prepare");
        for u in &users {
            stmt.execute(rusqlite::params![u.name, u.hair_color]).expect("seed raw");
        }
        let mut stmt = raw.prepare("INSERT INTO posts (user_id, title, body) VALUES (?, ?, ?)").expect("prepare");
        for p in &posts {
            stmt.execute(rusqlite::params![p.user_id, p.title, p.body]).expect("seed raw");
        }
        let mut stmt = raw.prepare("INSERT INTO comments (post_id, text) VALUES (?, ?)").expect("prepare");
        for c in &comments {
            stmt.execute(rusqlite::params![c.post_id, c.text]).expect("seed raw");
        }
    }
    (db, diesel, raw)
}

/// Times the four sides and reports each against the held statement.
fn run(plan: &Plan, name: &str, held: Side<'_>, cached: Side<'_>, diesel: Side<'_>, ormlet: Side<'_>) -> CaseResult {
    let timed = compare_sides(plan, vec![held, cached, diesel, ormlet]);
    CaseResult {
        name: name.to_owned(),
        ormlet_ns: timed.ns[3],
        baseline: "rusqlite, statement held",
        baseline_ns: timed.ns[0],
        ratio: timed.ratio[3],
        pg_peers: None,
        peers: Some(Peers {
            held_ns: timed.ns[0],
            cached_ns: timed.ns[1],
            diesel_ns: timed.ns[2],
            ormlet_ratio_to_held: timed.ratio[3],
            diesel_ratio_to_held: timed.ratio[2],
            cached_ratio_to_held: timed.ratio[1],
        }),
    }
}

/// Every user: `SELECT id, name, hair_color FROM users`.
pub fn trivial_query(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let (db, mut diesel, raw) = databases(&Rows::users(n, |_| None));
    let sql = User::find().to_sql(ormlet::Backend::Sqlite).0;
    let mut held = raw.prepare(&sql).expect("prepare");
    let read = |stmt: &mut rusqlite::Statement<'_>| {
        let users: Vec<RawUser> = stmt.query_map([], raw_user).expect("query").collect::<Result<_, _>>().expect("rows");
        assert_eq!(users.len(), n);
        black_box(users);
    };
    run(
        plan,
        name,
        Side::new(|| read(&mut held)),
        Side::new(|| read(&mut raw.prepare_cached(&sql).expect("prepare"))),
        Side::new(|| {
            let users = d::users::table.load::<d::DieselUser>(&mut diesel).expect("diesel");
            assert_eq!(users.len(), n);
            black_box(users);
        }),
        Side::new(|| {
            let users: Vec<User> = User::find().all(&db).expect("ormlet");
            assert_eq!(users.len(), n);
            black_box(users);
        }),
    )
}

/// One user by primary key, keys spread over 10,000 users (not one of
/// Diesel's cases; `users.find(id).get_result()` on its side).
pub fn get_by_pk(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, mut diesel, raw) = databases(&Rows::users(n, |_| None));
    let sql = format!("{} WHERE \"users\".\"id\" = ?", User::find().to_sql(ormlet::Backend::Sqlite).0);
    let mut held = raw.prepare(&sql).expect("prepare");
    let (mut kh, mut kc, mut kd, mut ko) = (keys(n), keys(n), keys(n), keys(n));
    run(
        plan,
        "get_by_pk",
        Side::new(|| {
            black_box(held.query_row([kh()], raw_user).expect("row"));
        }),
        Side::new(|| {
            black_box(raw.prepare_cached(&sql).expect("prepare").query_row([kc()], raw_user).expect("row"));
        }),
        Side::new(|| {
            black_box(d::users::table.find(kd()).get_result::<d::DieselUser>(&mut diesel).expect("diesel"));
        }),
        Side::new(|| {
            black_box(User::get(&db, ko()).expect("ormlet"));
        }),
    )
}

/// Users with black hair and their posts, if any (a LEFT JOIN and a filter).
pub fn medium_complex(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let (db, mut diesel, raw) = databases(&Rows::users(n, black_or_brown));
    let expected = n.div_ceil(2);
    let query = || User::find().left_join(User::POSTS).filter(User::HAIR_COLOR.eq("black"));
    let sql = query().to_sql(ormlet::Backend::Sqlite).0;
    let mut held = raw.prepare(&sql).expect("prepare");
    let read = |stmt: &mut rusqlite::Statement<'_>| {
        let rows: Vec<(RawUser, Option<RawPost>)> = stmt
            .query_map(["black"], |row| {
                let user = raw_user(row)?;
                let post = match row.get::<_, Option<i32>>(3)? {
                    None => None,
                    Some(id) => Some(RawPost { id, user_id: row.get(4)?, title: row.get(5)?, body: row.get(6)? }),
                };
                Ok((user, post))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), expected);
        black_box(rows);
    };
    run(
        plan,
        name,
        Side::new(|| read(&mut held)),
        Side::new(|| read(&mut raw.prepare_cached(&sql).expect("prepare"))),
        Side::new(|| {
            let rows = d::users::table
                .left_outer_join(d::posts::table)
                .filter(d::users::hair_color.eq("black"))
                .load::<(d::DieselUser, Option<d::DieselPost>)>(&mut diesel)
                .expect("diesel");
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
        Side::new(|| {
            let rows: Vec<(User, Option<Post>)> = query().all(&db).expect("ormlet");
            assert_eq!(rows.len(), expected);
            black_box(rows);
        }),
    )
}

/// `n` users in one INSERT statement.
pub fn insert(plan: &Plan, name: &str, n: usize) -> CaseResult {
    let (db, mut diesel, raw) = databases(&Rows::users(0, |_| None));
    let rows: Vec<User> = (0..n)
        .map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: Some("hair_color".into()) })
        .collect();
    let new_users: Vec<d::NewUser> =
        rows.iter().map(|u| d::NewUser { name: u.name.clone(), hair_color: u.hair_color.clone() }).collect();
    let placeholders = vec!["(?, ?)"; n].join(", ");
    let sql = format!("INSERT INTO \"users\" (\"name\", \"hair_color\") VALUES {placeholders}");
    let mut held = raw.prepare(&sql).expect("prepare");
    let write = |stmt: &mut rusqlite::Statement<'_>| {
        for (i, u) in rows.iter().enumerate() {
            stmt.raw_bind_parameter(2 * i + 1, &u.name).expect("bind");
            stmt.raw_bind_parameter(2 * i + 2, &u.hair_color).expect("bind");
        }
        black_box(stmt.raw_execute().expect("insert"));
    };
    let mut one = rows[0].clone();
    run(
        plan,
        name,
        Side::new(|| write(&mut held)),
        Side::new(|| write(&mut raw.prepare_cached(&sql).expect("prepare"))),
        // Every side inserts rows built once, outside the timing.
        Side::new(|| {
            black_box(diesel::insert_into(d::users::table).values(&new_users).execute(&mut diesel).expect("diesel"));
        }),
        Side::new(|| {
            if n == 1 {
                one.id = Auto::new();
                black_box(one.insert(&db).expect("ormlet"));
            } else {
                black_box(User::insert_many(&db, &rows).expect("ormlet"));
            }
        }),
    )
}

/// Diesel's "loading associations sequentially": users, their posts and
/// the posts' comments (10 each), three queries grouped in memory. Diesel
/// runs it with 9 users on SQLite.
pub fn load_associations(plan: &Plan) -> CaseResult {
    const USERS: usize = 9;
    let rows = Rows { users: USERS, hair: black_or_brown, posts: 10, comments: 10 };
    let (db, mut diesel, raw) = databases(&rows);
    let users_sql = "SELECT id, name, hair_color FROM users";
    let marks = |n: usize| vec!["?"; n].join(", ");
    let posts_sql = format!("SELECT id, user_id, title, body FROM posts WHERE user_id IN ({})", marks(USERS));
    let comments_sql = format!("SELECT id, post_id, text FROM comments WHERE post_id IN ({})", marks(USERS * 10));
    let mut held = (
        raw.prepare(users_sql).expect("prepare"),
        raw.prepare(&posts_sql).expect("prepare"),
        raw.prepare(&comments_sql).expect("prepare"),
    );
    let check = |loaded: usize, first_posts: usize, first_comments: usize| {
        assert_eq!((loaded, first_posts, first_comments), (USERS, 10, 10));
    };
    run(
        plan,
        "load_associations",
        Side::new(|| {
            let (u, p, c) = &mut held;
            let loaded = by_hand(u, p, c);
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let loaded = by_hand(
                &mut raw.prepare_cached(users_sql).expect("prepare"),
                &mut raw.prepare_cached(&posts_sql).expect("prepare"),
                &mut raw.prepare_cached(&comments_sql).expect("prepare"),
            );
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let loaded = load_associations!(&mut diesel);
            check(loaded.len(), loaded[0].1.len(), loaded[0].1[0].1.len());
            black_box(loaded);
        }),
        Side::new(|| {
            let loaded = User::find().with(User::POSTS.with(Post::COMMENTS)).all(&db).expect("ormlet");
            check(loaded.len(), loaded[0].posts().len(), loaded[0].posts()[0].comments().len());
            black_box(loaded);
        }),
    )
}

/// The association case in hand-written rusqlite: three queries, grouped
/// by hand.
fn by_hand(
    users: &mut rusqlite::Statement<'_>,
    posts: &mut rusqlite::Statement<'_>,
    comments: &mut rusqlite::Statement<'_>,
) -> Grouped {
    let users: Vec<RawUser> = users.query_map([], raw_user).expect("query").collect::<Result<_, _>>().expect("rows");
    let posts: Vec<RawPost> = posts
        .query_map(rusqlite::params_from_iter(users.iter().map(|u| u.id)), raw_post)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let comments: Vec<crate::models::RawComment> = comments
        .query_map(rusqlite::params_from_iter(posts.iter().map(|p| p.id)), raw_comment)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    group(users, posts, comments)
}
