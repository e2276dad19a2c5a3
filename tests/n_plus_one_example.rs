//! `examples/n_plus_one.rs`: the N+1 report names its call site and the
//! `.with(...)` fix; with `--eager` the same page is 2 queries, no findings.

#[path = "../examples/n_plus_one.rs"]
#[allow(dead_code)]
mod example;

#[test]
fn the_naive_loop_is_reported_with_the_eager_fix() {
    let db = example::seeded_db().unwrap();
    let (lines, profile) = example::run(&db, false);
    assert_eq!(lines.unwrap().len(), 10);
    let json: serde_json::Value = serde_json::from_str(&profile.to_json()).unwrap();
    assert_eq!(json["query_count"], 11);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", profile.to_text());
    let f = &findings[0];
    assert_eq!(f["kind"], "n_plus_one");
    assert_eq!(f["count"], 10);
    assert!(f["call_sites"][0].as_str().unwrap().contains("examples/n_plus_one.rs:39:"), "{f}");
    let suggestion = f["suggestion"].as_str().unwrap();
    assert!(suggestion.contains("use `.with(Post::AUTHOR)` at "), "{suggestion}");
    assert!(suggestion.contains("examples/n_plus_one.rs:36:"), "{suggestion}");
    assert_eq!(json["queries"][1]["relation"], "Post::AUTHOR");
}

#[test]
fn with_eager_loading_the_same_page_is_two_queries_and_clean() {
    let db = example::seeded_db().unwrap();
    let (lines, profile) = example::run(&db, true);
    let lines = lines.unwrap();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[0], "Post 1 by Author 1");
    let json: serde_json::Value = serde_json::from_str(&profile.to_json()).unwrap();
    assert_eq!(json["query_count"], 2);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{}", profile.to_text());
}
