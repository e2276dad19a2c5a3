//! Relations: belongs_to, has_many, many_to_many; lazy and eager loading,
//! nesting and composition, dangling keys, chunked key lists, relation
//! filters and per-parent counts, each with its number of queries asserted.

use ormlet::prelude::*;
use ormlet::profiler::{assert_num_queries, profile};
use ormlet::sqlite::{AsyncDb, Db};

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "authors", has_many(posts = Post, via = author, edited = Post, via = editor))]
pub struct Author {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "posts", has_many(comments = Comment))]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Author, index)]
    pub author_id: i64,
    #[ormlet(belongs_to = Author)]
    pub editor_id: Option<i64>,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "comments")]
pub struct Comment {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Post, relation = "parent")]
    pub post_id: i64,
    pub text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "tags")]
pub struct Tag {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "articles", many_to_many(tags = Tag, through = ArticleTag))]
pub struct Article {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "article_tags")]
pub struct ArticleTag {
    #[ormlet(primary_key, belongs_to = Article)]
    pub article_id: i64,
    #[ormlet(primary_key, belongs_to = Tag)]
    pub tag_id: i64,
}

fn schema(db: &Db) {
    db.create_table::<Author>().unwrap();
    db.create_table::<Post>().unwrap();
    db.create_table::<Comment>().unwrap();
    db.create_table::<Tag>().unwrap();
    db.create_table::<Article>().unwrap();
    db.create_table::<ArticleTag>().unwrap();
}

/// 3 authors; Ann has 2 posts, Bob 1, Cid none; 2 comments on Ann's first.
/// Articles: "a1" tagged rust+sql, "a2" tagged rust, "a3" untagged.
fn seeded() -> Db {
    let db = Db::connect("sqlite::memory:").unwrap();
    schema(&db);
    let mut ids = Vec::new();
    for name in ["Ann", "Bob", "Cid"] {
        ids.push(Author { id: Auto::new(), name: name.into() }.insert(&db).unwrap());
    }
    let posts = [(ids[0], Some(ids[1]), "Ann 1"), (ids[0], None, "Ann 2"), (ids[1], None, "Bob 1")];
    let mut post_ids = Vec::new();
    for (author_id, editor_id, title) in posts {
        post_ids.push(Post { id: Auto::new(), author_id, editor_id, title: title.into() }.insert(&db).unwrap());
    }
    for text in ["first!", "second"] {
        Comment { id: Auto::new(), post_id: post_ids[0], text: text.into() }.insert(&db).unwrap();
    }
    let rust = Tag { id: Auto::new(), label: "rust".into() }.insert(&db).unwrap();
    let sql = Tag { id: Auto::new(), label: "sql".into() }.insert(&db).unwrap();
    let mut articles = Vec::new();
    for title in ["a1", "a2", "a3"] {
        articles.push(Article { id: Auto::new(), title: title.into() }.insert(&db).unwrap());
    }
    for (article_id, tag_id) in [(articles[0], rust), (articles[0], sql), (articles[1], rust)] {
        ArticleTag { article_id, tag_id }.insert(&db).unwrap();
    }
    db
}

fn names(authors: &[Author]) -> Vec<&str> {
    authors.iter().map(|a| a.name.as_str()).collect()
}

#[test]
fn belongs_to_lazy_is_one_query_and_eager_is_two_for_any_number_of_rows() {
    let db = seeded();
    let post = Post::find().filter(Post::TITLE.eq("Ann 1")).one(&db).unwrap();
    let author = assert_num_queries(1, || post.author(&db).unwrap());
    assert_eq!(author.name, "Ann");

    let posts = assert_num_queries(2, || Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).all(&db).unwrap());
    let authors: Vec<&str> = posts.iter().map(|p| p.author().name.as_str()).collect();
    assert_eq!(authors, ["Ann", "Ann", "Bob"]);
    // `get` with the constant reads the same thing; the row derefs to the model.
    assert_eq!(posts[2].get(Post::AUTHOR).name, "Bob");
    assert_eq!(posts[2].title, "Bob 1");
}

#[test]
fn a_nullable_foreign_key_loads_as_an_option() {
    let db = seeded();
    let posts = Post::find().order_by(Post::ID.asc()).with(Post::EDITOR).all(&db).unwrap();
    let editors: Vec<Option<&str>> = posts.iter().map(|p| p.editor().as_ref().map(|a| a.name.as_str())).collect();
    assert_eq!(editors, [Some("Bob"), None, None]);
    let lazy = posts[1].model().editor(&db).unwrap();
    assert_eq!(lazy, None);
}

#[test]
fn has_many_groups_children_under_each_parent_and_childless_parents_get_an_empty_list() {
    let db = seeded();
    let authors =
        assert_num_queries(2, || Author::find().order_by(Author::ID.asc()).with(Author::POSTS).all(&db).unwrap());
    let counts: Vec<(String, Vec<String>)> =
        authors.iter().map(|a| (a.name.clone(), a.posts().iter().map(|p| p.title.clone()).collect())).collect();
    assert_eq!(
        counts,
        [
            ("Ann".into(), vec!["Ann 1".to_string(), "Ann 2".into()]),
            ("Bob".into(), vec!["Bob 1".into()]),
            ("Cid".into(), vec![])
        ]
    );
    let ann = authors[0].model();
    let lazy = assert_num_queries(1, || ann.posts(&db).unwrap());
    assert_eq!(lazy, authors[0].posts().clone());
}

#[test]
fn many_to_many_goes_through_the_join_model_in_one_query() {
    let db = seeded();
    let articles =
        assert_num_queries(2, || Article::find().order_by(Article::ID.asc()).with(Article::TAGS).all(&db).unwrap());
    let tags: Vec<Vec<&str>> = articles
        .iter()
        .map(|a| {
            let mut t: Vec<&str> = a.tags().iter().map(|t| t.label.as_str()).collect();
            t.sort_unstable();
            t
        })
        .collect();
    assert_eq!(tags, [vec!["rust", "sql"], vec!["rust"], vec![]]);
    let lazy = articles[1].model().tags(&db).unwrap();
    assert_eq!(lazy.len(), 1);
    assert_eq!(lazy[0].label, "rust");
}

#[test]
fn nested_and_composed_with_cost_one_query_per_relation() {
    let db = seeded();
    // authors → posts → comments, and posts' editors: 1 + 1 + 1 + 1 queries.
    let authors = assert_num_queries(4, || {
        Author::find()
            .order_by(Author::ID.asc())
            .with(Author::POSTS.with(Post::COMMENTS).with(Post::EDITOR))
            .all(&db)
            .unwrap()
    });
    let ann_posts = authors[0].posts();
    assert_eq!(ann_posts.len(), 2);
    let first = ann_posts.iter().find(|p| p.title == "Ann 1").unwrap();
    let texts: Vec<&str> = first.comments().iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["first!", "second"]);
    assert_eq!(first.editor().as_ref().map(|e| e.name.as_str()), Some("Bob"));

    // Composed at the top: two relations of the same rows.
    let posts = assert_num_queries(3, || {
        Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).with(Post::COMMENTS).all(&db).unwrap()
    });
    assert_eq!(posts[0].author().name, "Ann");
    assert_eq!(posts[0].comments().len(), 2);
    assert!(posts[1].comments().is_empty());
}

/// Loaded rows have a type a function can name, through `loaded!`.
type AuthorPage = ormlet::loaded!(Author, Author::POSTS.with(Post::COMMENTS, Post::EDITOR));
type PostPage = ormlet::loaded!(Post, Post::AUTHOR, Post::COMMENTS);

fn authors_with_posts_comments_and_editors(db: &Db) -> ormlet::Result<Vec<AuthorPage>> {
    Author::find().order_by(Author::ID.asc()).with(Author::POSTS.with(Post::COMMENTS).with(Post::EDITOR)).all(db)
}

fn posts_with_authors_and_comments(db: &Db) -> ormlet::Result<Vec<PostPage>> {
    Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).with(Post::COMMENTS).all(db)
}

#[test]
fn loaded_names_the_type_of_loaded_rows_for_a_function_to_return() {
    let db = seeded();
    let authors = authors_with_posts_comments_and_editors(&db).unwrap();
    let first = authors[0].posts().iter().find(|p| p.title == "Ann 1").unwrap();
    assert_eq!(first.comments().len(), 2);
    assert_eq!(first.editor().as_ref().map(|e| e.name.as_str()), Some("Bob"));
    let posts = posts_with_authors_and_comments(&db).unwrap();
    assert_eq!((posts[0].author().name.as_str(), posts[0].comments().len()), ("Ann", 2));
}

#[test]
fn an_empty_result_loads_no_relations() {
    let db = seeded();
    let none = assert_num_queries(1, || {
        Author::find().filter(Author::NAME.eq("nobody")).with(Author::POSTS.with(Post::COMMENTS)).all(&db).unwrap()
    });
    assert!(none.is_empty());
    let first = assert_num_queries(1, || Post::find().filter(Post::ID.eq(-1)).with(Post::AUTHOR).first(&db).unwrap());
    assert!(first.is_none());
    let err = Post::find().filter(Post::ID.eq(-1)).with(Post::AUTHOR).one(&db).unwrap_err();
    assert!(matches!(err, ormlet::Error::NotFound { model: "Post", .. }), "{err:?}");
}

#[test]
fn a_dangling_foreign_key_is_a_typed_not_found_naming_the_target_and_key() {
    let db = Db::options("sqlite::memory:").unwrap().foreign_keys(false).open().unwrap();
    schema(&db);
    Post { id: Auto::new(), author_id: 404, editor_id: None, title: "orphan".into() }.insert(&db).unwrap();
    let err = Post::find().with(Post::AUTHOR).all(&db).unwrap_err();
    match err {
        ormlet::Error::NotFound { model, key } => {
            assert_eq!(model, "Author");
            assert_eq!(key.as_deref(), Some("404"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let post = Post::find().one(&db).unwrap();
    assert!(matches!(post.author(&db).unwrap_err(), ormlet::Error::NotFound { model: "Author", .. }));
}

#[test]
fn five_thousand_parents_are_loaded_in_chunks_under_the_parameter_limit() {
    let db = Db::options("sqlite::memory:").unwrap().max_bound_params(999).open().unwrap();
    schema(&db);
    let authors: Vec<Author> = (0..5000).map(|i| Author { id: Auto::new(), name: format!("a{i}") }).collect();
    Author::insert_many(&db, &authors).unwrap();
    let ids: Vec<i64> = Author::find().select(Author::ID).all(&db).unwrap();
    let posts: Vec<Post> =
        ids.iter().map(|&a| Post { id: Auto::new(), author_id: a, editor_id: None, title: format!("p{a}") }).collect();
    Post::insert_many(&db, &posts).unwrap();

    // 1 for the authors + ceil(5000 / 999) = 6 chunks.
    let loaded = assert_num_queries(7, || Author::find().with(Author::POSTS).all(&db).unwrap());
    assert_eq!(loaded.len(), 5000);
    assert!(loaded.iter().all(|a| a.posts().len() == 1 && a.id.get() == Some(a.posts()[0].author_id)));

    // belongs_to dedupes: 5000 posts, 5000 distinct authors, same 6 chunks.
    let (posts, profile) = profile(|| Post::find().with(Post::AUTHOR).all(&db).unwrap());
    assert_eq!(profile.query_count(), 7);
    assert!(posts.iter().all(|p| p.author().id.get() == Some(p.author_id)));
    // Chunks of one eager load are by design, not an N+1 (nor duplicates;
    // a busy machine may make one slow, and the rows are read after the
    // scope, neither of which is what this is about).
    use ormlet::profiler::FindingKind::{Duplicate, NPlusOne};
    assert!(!profile.findings().iter().any(|f| matches!(f.kind, NPlusOne | Duplicate)), "{}", profile.to_text());
}

#[test]
fn duplicate_keys_are_asked_for_once() {
    let db = seeded();
    let (posts, profile) = profile(|| Post::find().with(Post::AUTHOR).all(&db).unwrap());
    assert_eq!(posts.len(), 3);
    let load = &profile.queries()[1];
    // Ann twice and Bob once: two keys, padded to a power of two.
    assert_eq!(load.rows, 2);
}

#[test]
fn filters_across_a_relation_are_one_query() {
    let db = seeded();
    let by_ann = assert_num_queries(1, || {
        Post::find().filter(Post::AUTHOR.matches(Author::NAME.eq("Ann"))).order_by(Post::ID.asc()).all(&db).unwrap()
    });
    assert_eq!(by_ann.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["Ann 1", "Ann 2"]);

    let with_comments = assert_num_queries(1, || {
        Author::find().filter(Author::POSTS.any(Post::TITLE.like("%1"))).order_by(Author::ID.asc()).all(&db).unwrap()
    });
    assert_eq!(names(&with_comments), ["Ann", "Bob"]);

    let silent = Author::find().filter(Author::POSTS.exists().not()).all(&db).unwrap();
    assert_eq!(names(&silent), ["Cid"]);

    let no_ann_2 =
        Author::find().filter(Author::POSTS.none(Post::TITLE.eq("Ann 2"))).order_by(Author::ID.asc()).all(&db).unwrap();
    assert_eq!(names(&no_ann_2), ["Bob", "Cid"]);

    let sql_tagged = Article::find().filter(Article::TAGS.any(Tag::LABEL.eq("sql"))).all(&db).unwrap();
    assert_eq!(sql_tagged.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["a1"]);
}

#[test]
fn counts_per_parent_are_one_query() {
    let db = seeded();
    let counts = assert_num_queries(1, || {
        Author::find().order_by(Author::ID.asc()).annotate_count(Author::POSTS).all(&db).unwrap()
    });
    let counts: Vec<(&str, i64)> = counts.iter().map(|(a, n)| (a.name.as_str(), *n)).collect();
    assert_eq!(counts, [("Ann", 2), ("Bob", 1), ("Cid", 0)]);

    let tags = assert_num_queries(1, || {
        Article::find().order_by(Article::ID.asc()).annotate_count(Article::TAGS).all(&db).unwrap()
    });
    assert_eq!(tags.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 1, 0]);
}

#[test]
fn lazy_loads_in_a_loop_are_an_n_plus_one_whose_suggestion_names_the_relation() {
    let db = seeded();
    let ((), p) = profile(|| {
        let posts = Post::find().all(&db).unwrap();
        for post in &posts {
            post.author(&db).unwrap();
        }
    });
    let finding = p.findings().iter().find(|f| f.kind == ormlet::profiler::FindingKind::NPlusOne).unwrap();
    assert_eq!(finding.count, 3);
    let fix = finding.suggestion.to_string();
    assert!(fix.contains("`.with(Post::AUTHOR)`"), "{fix}");
    // It points at the query that loaded the posts, where `.with` goes.
    let load_line = line!() - 10;
    assert!(fix.contains(&format!("tests/relations.rs:{load_line}")), "{fix}");
}

#[test]
fn each_query_keeps_its_own_relation_when_loads_and_gets_share_sql() {
    let db = seeded();
    let post = Post::find().filter(Post::TITLE.eq("Ann 1")).one(&db).unwrap();
    // A scope keeps what executions of one query shape share once; a lazy
    // load and a plain `get` of the same row may be the same SQL text.
    let ((), p) = profile(|| {
        post.author(&db).unwrap();
        Author::get(&db, post.author_id).unwrap();
        post.author(&db).unwrap();
    });
    let relations: Vec<Option<&str>> = p.queries().iter().map(|q| q.relation.map(|r| r.relation)).collect();
    assert_eq!(relations, [Some("Post::AUTHOR"), None, Some("Post::AUTHOR")]);
    assert!(p.queries().iter().all(|q| q.table == Some("authors")), "{}", p.to_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_and_lazy_loading_work_through_the_async_face() {
    let db = AsyncDb::from(seeded());
    let authors = Author::find().order_by(Author::ID.asc()).with(Author::POSTS).all(&db).await.unwrap();
    assert_eq!(authors[0].posts().len(), 2);
    let post = Post::find().filter(Post::TITLE.eq("Bob 1")).one(&db).await.unwrap();
    assert_eq!(post.author(&db).await.unwrap().name, "Bob");
}
