//! Unused eager loads: a `.with(rel)` whose rows nobody read before the
//! scope ended is a finding at that `.with(..)`, and every way of reading
//! loaded rows counts as a read.

use ormlet::prelude::*;
use ormlet::profiler::{FindingKind, Profile, profile, profile_async};
use ormlet::sqlite::{AsyncDb, Db};

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[ormlet(table = "authors", has_many(posts = Post))]
pub struct Author {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[ormlet(table = "posts", has_many(comments = Comment))]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Author)]
    pub author_id: i64,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[ormlet(table = "comments")]
pub struct Comment {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Post, relation = "parent")]
    pub post_id: i64,
    pub text: String,
}

/// Two authors with two posts each, each post with one comment.
fn seeded() -> Db {
    let db = Db::connect("sqlite::memory:").unwrap();
    db.create_table::<Author>().unwrap();
    db.create_table::<Post>().unwrap();
    db.create_table::<Comment>().unwrap();
    for name in ["Ann", "Bob"] {
        let author_id = Author { id: Auto::new(), name: name.into() }.insert(&db).unwrap();
        for n in 1..=2 {
            let title = format!("{name} {n}");
            let post_id = Post { id: Auto::new(), author_id, title }.insert(&db).unwrap();
            Comment { id: Auto::new(), post_id, text: "hi".into() }.insert(&db).unwrap();
        }
    }
    db
}

fn unused(p: &Profile) -> Vec<&ormlet::profiler::Finding> {
    p.findings_of(FindingKind::UnusedEagerLoad).collect()
}

#[test]
fn a_relation_nobody_reads_is_a_finding_at_its_with_line() {
    let db = seeded();
    let with_line = line!() + 4;
    let (posts, p) = profile(|| {
        let posts = Post::find()
            .with(Post::AUTHOR) // read below
            .with(Post::COMMENTS) // never read
            .all(&db)
            .unwrap();
        for post in &posts {
            assert!(!post.get(Post::AUTHOR).name.is_empty());
        }
        posts
    });
    let found = unused(&p);
    assert_eq!(found.len(), 1, "{}", p.to_text_with(false));
    let f = found[0];
    assert_eq!((f.call_sites[0].file(), f.call_sites[0].line()), (file!(), with_line));
    assert_eq!(
        f.suggestion.to_string(),
        format!(
            "`Post::COMMENTS` was loaded for 4 rows by `.with(..)` at {}:{with_line}:14 and never read: remove `.with(Post::COMMENTS)`",
            file!()
        )
    );
    // It covers the one query that loaded the comments.
    assert_eq!(f.count, 1);
    assert!(f.sql.contains("comments"), "{}", f.sql);
    assert!(p.to_text_with(false).contains("unused eager load"), "{}", p.to_text_with(false));
    assert!(p.summary().ends_with(", 1 unused eager load"), "{}", p.summary());
    assert!(p.to_json().contains("\"unused_eager_load\""));

    // Read after the scope ended: the scope has already judged it.
    assert_eq!(posts[0].get(Post::COMMENTS).len(), 1);
    assert_eq!(unused(&p).len(), 1);
}

/// `get`, the derive's accessors, `into_parts`, serialising, `Debug` and
/// `==` each count as reading, and so does reading through a clone.
#[test]
fn every_way_of_reading_loaded_rows_counts() {
    let db = seeded();
    let load = || Post::find().with(Post::AUTHOR).all(&db).unwrap();
    let reads: [(&str, &dyn Fn()); 7] = [
        ("get", &|| assert_eq!(load()[0].get(Post::AUTHOR).name, "Ann")),
        ("accessor", &|| assert_eq!(load()[0].author().name, "Ann")),
        ("into_parts", &|| {
            let (_, (author, ())) = load().remove(0).into_parts();
            assert_eq!(author.name, "Ann");
        }),
        ("serde", &|| assert!(serde_json::to_string(&load()).unwrap().contains("\"author\""))),
        ("Debug", &|| assert!(format!("{:?}", load()[0]).contains("Ann"))),
        ("==", &|| assert!(load()[0] == load()[0])),
        ("a clone", &|| assert_eq!(load()[0].clone().get(Post::AUTHOR).name, "Ann")),
    ];
    for (how, read) in reads {
        let ((), p) = profile(read);
        assert!(unused(&p).is_empty(), "read through {how}: {}", p.to_text_with(false));
    }
    // `into_inner` and the model's own fields do not read the relation.
    let ((), p) = profile(|| {
        let posts = load();
        assert_eq!(posts[0].title, "Ann 1");
        let _post: Post = posts.into_iter().next().unwrap().into_inner();
    });
    assert_eq!(unused(&p).len(), 1, "{}", p.to_text_with(false));
}

#[test]
fn a_nested_relation_is_judged_on_its_own_at_the_outer_with() {
    let db = seeded();
    let with_line = line!() + 2;
    let ((), p) = profile(|| {
        let authors = Author::find().with(Author::POSTS.with(Post::COMMENTS)).all(&db).unwrap();
        // The posts are read, their comments are not.
        assert_eq!(authors.iter().map(|a| a.posts().len()).sum::<usize>(), 4);
    });
    let found = unused(&p);
    assert_eq!(found.len(), 1, "{}", p.to_text_with(false));
    assert_eq!(found[0].call_sites[0].line(), with_line);
    assert!(found[0].suggestion.to_string().ends_with("remove `.with(Post::COMMENTS)`"));

    let ((), p) = profile(|| {
        let authors = Author::find().with(Author::POSTS.with(Post::COMMENTS)).all(&db).unwrap();
        let comments: usize = authors.iter().flat_map(|a| a.posts()).map(|p| p.comments().len()).sum();
        assert_eq!(comments, 4);
    });
    assert!(unused(&p).is_empty(), "{}", p.to_text_with(false));
}

/// One `.with(..)` that loads several times in a scope (a helper called
/// in a loop) is unused only if none of its loads was read.
#[test]
fn loads_from_one_with_are_judged_together() {
    let db = seeded();
    let posts_of = |author: i64| Post::find().filter(Post::AUTHOR_ID.eq(author)).with(Post::COMMENTS).all(&db).unwrap();
    let ((), p) = profile(|| {
        let first = posts_of(1);
        let _second = posts_of(2);
        assert_eq!(first[0].comments().len(), 1);
    });
    assert!(unused(&p).is_empty(), "{}", p.to_text_with(false));

    let ((), p) = profile(|| {
        for author in [1, 2] {
            assert_eq!(posts_of(author).len(), 2);
        }
    });
    let found = unused(&p);
    assert_eq!(found.len(), 1, "{}", p.to_text_with(false));
    assert_eq!(found[0].count, 2, "both loads' queries");
    assert!(found[0].suggestion.to_string().contains("loaded for 4 rows"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_scopes_and_enclosing_scopes_see_unused_eager_loads() {
    let db = AsyncDb::from(seeded());
    let ((), outer) = profile_async(async {
        let ((), inner) = profile_async(async {
            let posts = Post::find().with(Post::AUTHOR).all(&db).await.unwrap();
            assert_eq!(posts.len(), 4);
        })
        .await;
        assert_eq!(unused(&inner).len(), 1, "{}", inner.to_text_with(false));
        let posts = Post::find().with(Post::AUTHOR).all(&db).await.unwrap();
        assert_eq!(posts[0].author().name, "Ann");
    })
    .await;
    // The inner scope's load is the outer one's too, and still unread.
    assert_eq!(unused(&outer).len(), 1, "{}", outer.to_text_with(false));
}
