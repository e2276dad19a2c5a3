//! The query API against SQLite: filters, order, pages, subsets, joins,
//! aggregates, subqueries, distinct, exists.

mod common;

use common::{Post, User, db, seed};
use ormlet::prelude::*;

#[test]
fn filters_combine_with_and_or_not() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 0);
    let names = |q: ormlet::Select<User, User>| -> ormlet::Result<Vec<String>> {
        Ok(q.order_by(User::NAME.asc()).all(&db)?.into_iter().map(|u| u.name).collect())
    };
    assert_eq!(names(User::find().filter(User::AGE.gte(18)))?, ["Ann"]);
    assert_eq!(names(User::find().filter(User::AGE.lt(18).or(User::AGE.is_null())))?, ["Bob", "Cid"]);
    assert_eq!(names(User::find().filter(!User::NAME.eq("Bob")))?, ["Ann", "Cid"]);
    assert_eq!(names(User::find().filter(User::NAME.ne("Bob").and(User::AGE.is_not_null())))?, ["Ann"]);
    assert_eq!(names(User::find().filter(User::AGE.between(10, 20)))?, ["Bob"]);
    assert_eq!(names(User::find().filter(User::NAME.is_in(["Cid", "Ann", "Zed"])))?, ["Ann", "Cid"]);
    assert_eq!(names(User::find().filter(User::NAME.not_in(["Cid"])))?, ["Ann", "Bob"]);
    assert_eq!(names(User::find().filter(User::NAME.is_in(Vec::<String>::new())))?, Vec::<String>::new());
    assert_eq!(names(User::find().filter(User::NAME.not_in(Vec::<&str>::new())))?.len(), 3);
    assert_eq!(names(User::find().filter(User::EMAIL.like("%b%")))?, ["Bob"]);
    assert_eq!(names(User::find().filter(User::EMAIL.not_like("%b%")))?, ["Ann", "Cid"]);
    assert_eq!(names(User::find().filter(User::AGE.gt(10)).filter(User::AGE.le(17)))?, ["Bob"]);
    Ok(())
}

#[test]
fn one_shape_with_new_values_gives_new_results() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 0);
    for (age, expected) in [(18, 1), (10, 2), (40, 0)] {
        assert_eq!(User::find().filter(User::AGE.gte(age)).count(&db)?, expected);
    }
    // IN lists of different lengths are different shapes.
    for list in [vec!["Ann"], vec!["Ann", "Bob"], vec!["Ann", "Bob", "Cid"]] {
        let n = list.len() as i64;
        assert_eq!(User::find().filter(User::NAME.is_in(list)).count(&db)?, n);
    }
    Ok(())
}

#[test]
fn order_limit_offset_and_pages() -> ormlet::Result<()> {
    let db = db();
    for i in 0..25 {
        User::new(&format!("u{i:02}@x.io"), &format!("U{i:02}"), Some(i)).insert(&db)?;
    }
    let page2 = User::find().order_by(User::AGE.desc()).page(2, 10).all(&db)?;
    assert_eq!(page2.first().map(|u| u.age), Some(Some(14)));
    assert_eq!(page2.len(), 10);
    let last = User::find().order_by(User::AGE.asc()).page(3, 10).all(&db)?;
    assert_eq!(last.len(), 5);
    let skip = User::find().order_by(User::AGE.asc()).limit(2).offset(5).all(&db)?;
    assert_eq!(skip.iter().map(|u| u.age).collect::<Vec<_>>(), [Some(5), Some(6)]);
    assert_eq!(User::find().limit(3).count(&db)?, 3, "count respects LIMIT");
    Ok(())
}

#[test]
fn first_one_exists() -> ormlet::Result<()> {
    let db = db();
    assert!(!User::find().exists(&db)?);
    assert_eq!(User::find().first(&db)?, None);
    assert!(User::find().one(&db).unwrap_err().is_not_found());
    seed(&db, 0);
    assert!(User::find().filter(User::NAME.eq("Bob")).exists(&db)?);
    assert!(!User::find().filter(User::NAME.eq("Zed")).exists(&db)?);
    assert_eq!(User::find().order_by(User::NAME.desc()).one(&db)?.name, "Cid");
    Ok(())
}

#[test]
fn select_a_subset_into_tuples_and_a_from_row_struct() -> ormlet::Result<()> {
    #[derive(FromRow, Debug, PartialEq)]
    struct NameAge {
        name: String,
        age: Option<i32>,
    }
    let db = db();
    seed(&db, 0);
    let pairs: Vec<(String, Option<i32>)> =
        User::find().select((User::NAME, User::AGE)).order_by(User::NAME.asc()).all(&db)?;
    assert_eq!(pairs[0], ("Ann".to_owned(), Some(31)));
    let ids: Vec<i64> = User::find().select(User::ID).order_by(User::ID.asc()).all(&db)?;
    assert_eq!(ids, [1, 2, 3]);
    let rows =
        User::find().select((User::NAME, User::AGE)).into_row::<NameAge>().filter(User::AGE.is_null()).all(&db)?;
    assert_eq!(rows, [NameAge { name: "Cid".into(), age: None }]);
    let raw: Vec<NameAge> = db.raw("SELECT display_name, age FROM users WHERE age > ?", params![20]).all()?;
    assert_eq!(raw, [NameAge { name: "Ann".into(), age: Some(31) }]);
    Ok(())
}

#[test]
fn distinct_values() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 2);
    let authors: Vec<i64> = Post::find().select(Post::AUTHOR_ID).distinct().order_by(Post::AUTHOR_ID.asc()).all(&db)?;
    assert_eq!(authors, [1, 2, 3]);
    assert_eq!(Post::find().select(Post::AUTHOR_ID).distinct().count(&db)?, 3);
    Ok(())
}

#[test]
fn inner_and_left_joins() -> ormlet::Result<()> {
    let db = db();
    let users = seed(&db, 0);
    let ann = users[0].id.get().unwrap();
    Post::new(ann, "one").insert(&db)?;
    Post::new(ann, "two").insert(&db)?;

    let inner: Vec<(User, Post)> =
        User::find().inner_join(User::ID.equals(Post::AUTHOR_ID)).order_by(Post::TITLE.desc()).all(&db)?;
    assert_eq!(inner.len(), 2);
    assert_eq!((inner[0].0.name.as_str(), inner[0].1.title.as_str()), ("Ann", "two"));

    let left: Vec<(User, Option<Post>)> = User::find()
        .left_join(User::ID.equals(Post::AUTHOR_ID))
        .filter(User::AGE.is_not_null())
        .order_by(User::NAME.asc())
        .order_by(Post::TITLE.asc())
        .all(&db)?;
    let shape: Vec<(&str, Option<&str>)> =
        left.iter().map(|(u, p)| (u.name.as_str(), p.as_ref().map(|p| p.title.as_str()))).collect();
    assert_eq!(shape, [("Ann", Some("one")), ("Ann", Some("two")), ("Bob", None)]);

    let titles: Vec<(String, String)> = Post::find()
        .inner_join(Post::AUTHOR_ID.equals(User::ID))
        .select((User::NAME, Post::TITLE))
        .filter(Post::TITLE.eq("one"))
        .all(&db)?;
    assert_eq!(titles, [("Ann".to_owned(), "one".to_owned())]);
    Ok(())
}

#[test]
fn a_join_after_a_selection_adds_the_joined_models_columns_after_the_selected_ones() -> ormlet::Result<()> {
    let db = db();
    let users = seed(&db, 0);
    let ann = users[0].id.get().unwrap();
    Post::new(ann, "one").insert(&db)?;

    let rows: Vec<(String, Option<String>, User)> =
        Post::find().select((Post::TITLE, Post::BODY)).inner_join(Post::AUTHOR_ID.equals(User::ID)).all(&db)?;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].0.as_str(), rows[0].2.name.as_str()), ("one", "Ann"));

    // Nothing selected: the first model's columns, then the joined one's.
    let q = Post::find().inner_join(Post::AUTHOR_ID.equals(User::ID));
    let sql = q.to_sql(ormlet::Backend::Sqlite).0;
    let (posts, users) = (sql.find(r#""posts"."title""#).unwrap(), sql.find(r#""users"."email""#).unwrap());
    assert!(posts < users, "{sql}");
    let both: Vec<(Post, User)> = q.all(&db)?;
    assert_eq!((both[0].0.title.as_str(), both[0].1.name.as_str()), ("one", "Ann"));
    Ok(())
}

#[test]
fn group_by_having_and_aggregates() -> ormlet::Result<()> {
    let db = db();
    seed(&db, 0);
    let ids: Vec<i64> = User::find().select(User::ID).order_by(User::ID.asc()).all(&db)?;
    for (id, n) in ids.iter().zip([3, 1, 2]) {
        for i in 0..n {
            Post::new(*id, &format!("p{i}")).insert(&db)?;
        }
    }
    let per_author: Vec<(i64, i64)> = Post::find()
        .select((Post::AUTHOR_ID, Post::ID.count()))
        .group_by(Post::AUTHOR_ID)
        .having(Post::ID.count().ge(2))
        .order_by(Post::AUTHOR_ID.asc())
        .all(&db)?;
    assert_eq!(per_author, [(1, 3), (3, 2)]);

    let (n, oldest, youngest, total, mean): (i64, Option<i32>, Option<i32>, Option<i64>, Option<f64>) = User::find()
        .select((count_all::<User>(), User::AGE.max(), User::AGE.min(), User::AGE.sum(), User::AGE.avg()))
        .one(&db)?;
    assert_eq!((n, oldest, youngest, total), (3, Some(31), Some(17), Some(48)));
    assert_eq!(mean, Some(24.0));

    let none: (Option<i32>, i64) =
        User::find().filter(User::AGE.gt(100)).select((User::AGE.max(), User::AGE.count())).one(&db)?;
    assert_eq!(none, (None, 0));
    Ok(())
}

#[test]
fn subqueries_in_and_exists() -> ormlet::Result<()> {
    let db = db();
    let users = seed(&db, 0);
    Post::new(users[1].id.get().unwrap(), "bob's").insert(&db)?;
    let authors = User::find().filter(User::ID.in_subquery(Post::find().select(Post::AUTHOR_ID))).all(&db)?;
    assert_eq!(authors.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["Bob"]);
    let any_posts = User::find().filter(exists(Post::find().filter(Post::TITLE.like("bob%")))).count(&db)?;
    assert_eq!(any_posts, 3);
    let no_posts = User::find().filter(not_exists(Post::find().filter(Post::TITLE.eq("x")))).count(&db)?;
    assert_eq!(no_posts, 3);
    Ok(())
}

#[test]
fn defaults_and_indexes_come_from_the_model() -> ormlet::Result<()> {
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ormlet(table = "settings", index(scope, key), unique(scope, name))]
    struct Setting {
        #[ormlet(primary_key)]
        id: Auto<i64>,
        scope: String,
        key: String,
        name: String,
        #[ormlet(default = 7)]
        level: i32,
        #[ormlet(default = "on")]
        state: String,
        #[ormlet(default = true)]
        enabled: bool,
        #[ormlet(default_sql = "CURRENT_TIMESTAMP")]
        created: Option<String>,
    }
    let db = ormlet::sqlite::Db::connect("sqlite::memory:")?;
    db.create_table::<Setting>()?;
    db.raw("INSERT INTO settings (scope, key, name) VALUES (?, ?, ?)", params!["s", "k", "n"]).exec()?;
    let s = Setting::find().one(&db)?;
    assert_eq!((s.level, s.state.as_str(), s.enabled), (7, "on", true));
    assert!(s.created.is_some());
    let dup = db.raw("INSERT INTO settings (scope, key, name) VALUES (?, ?, ?)", params!["s", "k2", "n"]).exec();
    assert_eq!(dup.unwrap_err().as_constraint().map(|c| c.columns.clone()), Some(vec!["scope".into(), "name".into()]));
    let indexes: Vec<String> = db
        .raw("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name", vec![])
        .all()?;
    assert_eq!(indexes, ["idx_settings_scope_key", "uq_settings_scope_name"]);
    Ok(())
}

#[test]
fn to_sql_is_pure_and_shows_bound_values() {
    let (sql, values) = User::find().filter(User::NAME.eq("x'; --")).limit(5).to_sql(ormlet::Backend::Postgres);
    assert!(sql.ends_with(r#"WHERE "users"."display_name" = $1 LIMIT $2"#), "{sql}");
    assert_eq!(values, [ormlet::Value::from("x'; --"), ormlet::Value::BigUnsigned(Some(5))]);
}
