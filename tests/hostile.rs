//! Values are bound, never spliced: hostile strings round-trip unchanged.

mod common;

use common::{User, db};
use ormlet::prelude::*;

const HOSTILE: &[&str] = &[
    "'; DROP TABLE users; --",
    "\" OR \"1\"=\"1",
    "' OR '1'='1",
    "Robert'); DROP TABLE posts;--",
    "back\\slash \\' \\\" \\0",
    "nul \0 inside",
    "unicode ✓ 日本語 🦀 \u{202e}rtl",
    "%_ like wildcards %",
    "$1 ? :name @p placeholders",
    "",
    "   ",
    "line\nbreak\r\ttab",
];

#[test]
fn hostile_strings_round_trip_and_harm_no_table() -> ormlet::Result<()> {
    let db = db();
    for (i, s) in HOSTILE.iter().enumerate() {
        let mut u = User::new(&format!("{i}{s}"), s, None);
        let id = u.insert(&db)?;
        assert_eq!(User::get(&db, id)?.name, *s);
        let found = User::find().filter(User::NAME.eq(*s)).all(&db)?;
        assert!(found.iter().any(|f| f.id == id), "filter by {s:?}");
        let raw: Vec<User> = db.raw("SELECT * FROM users WHERE display_name = ?", params![*s]).all()?;
        assert!(raw.iter().any(|f| f.id == id), "raw filter by {s:?}");
        User::update_where(User::ID.eq(id), [User::NAME.set(*s)]).exec(&db)?;
    }
    assert_eq!(User::find().count(&db)?, HOSTILE.len() as i64);
    // Both tables still exist and answer.
    assert_eq!(common::Post::find().count(&db)?, 0);
    assert_eq!(User::find().filter(User::NAME.like("%DROP TABLE%")).count(&db)?, 2);
    Ok(())
}

#[test]
fn hostile_values_in_in_lists_and_like() -> ormlet::Result<()> {
    let db = db();
    for (i, s) in HOSTILE.iter().enumerate() {
        User::new(&format!("{i}@x.io"), s, None).insert(&db)?;
    }
    let n = User::find().filter(User::NAME.is_in(HOSTILE.iter().copied())).count(&db)?;
    assert_eq!(n, HOSTILE.len() as i64);
    assert_eq!(User::find().filter(User::NAME.like("'; DROP%")).count(&db)?, 1);
    Ok(())
}
