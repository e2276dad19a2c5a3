//! Fingerprint normalisation, case by case, and a property test that no input panics.

use ormlet_profiler::fingerprint::{Fingerprint, normalize};
use proptest::prelude::*;

const CASES: &[(&str, &str, &str)] = &[
    ("placeholder ?", "SELECT * FROM users WHERE id = ?", "SELECT * FROM users WHERE id = ?"),
    ("placeholder ?NNN", "SELECT * FROM users WHERE id = ?12", "SELECT * FROM users WHERE id = ?"),
    ("placeholder $N", "SELECT * FROM u WHERE id = $1 AND n = $2", "SELECT * FROM u WHERE id = ? AND n = ?"),
    ("placeholder :name", "SELECT * FROM users WHERE id = :id", "SELECT * FROM users WHERE id = ?"),
    ("placeholder @p", "SELECT * FROM users WHERE id = @p1", "SELECT * FROM users WHERE id = ?"),
    ("IN of one", "SELECT * FROM u WHERE id IN (?)", "SELECT * FROM u WHERE id IN (?)"),
    ("IN of literals", "SELECT * FROM u WHERE id IN (1, 2, 3, 4)", "SELECT * FROM u WHERE id IN (?)"),
    ("NOT IN", "SELECT * FROM u WHERE id NOT IN ($1, $2)", "SELECT * FROM u WHERE id NOT IN (?)"),
    ("tuple IN", "SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))", "SELECT * FROM t WHERE (a, b) IN ((?, ?))"),
    ("= ANY", "SELECT * FROM u WHERE id = ANY($1)", "SELECT * FROM u WHERE id = ANY(?)"),
    ("VALUES of one", "INSERT INTO t (a, b) VALUES (?, ?)", "INSERT INTO t (a, b) VALUES (?, ?)"),
    ("VALUES of three", "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (1, 'x')", "INSERT INTO t (a, b) VALUES (?, ?)"),
    ("string with ''", "SELECT 'it''s' FROM t", "SELECT ? FROM t"),
    ("string with \\'", "SELECT 'back\\'slash' FROM t", "SELECT ? FROM t"),
    ("E-string", "SELECT E'x\\n' FROM t", "SELECT ? FROM t"),
    ("line comment", "SELECT x FROM t -- note\nWHERE y = 1", "SELECT x FROM t WHERE y = ?"),
    ("block comment", "SELECT x /* why */ FROM t", "SELECT x FROM t"),
    ("sqlcommenter", "SELECT 1 /*controller='users',route='%2Fu'*/", "SELECT ?"),
    ("keyword case", "select X from T where Y = 1", "SELECT X FROM T WHERE Y = ?"),
    ("whitespace", "SELECT\n\t a ,b\n  FROM   t", "SELECT a, b FROM t"),
    ("multi-statement", "SELECT 1; SELECT 'two'", "SELECT ?; SELECT ?"),
    ("numbers and hex", "SELECT 0x1F, X'ABCD', 1.5e-3, .5 FROM t", "SELECT ?, ?, ?, ? FROM t"),
    ("booleans and NULL", "SELECT * FROM t WHERE a IS NULL AND b = TRUE", "SELECT * FROM t WHERE a IS ? AND b = ?"),
    (
        "quoted identifiers kept",
        r#"SELECT "u"."id" FROM "u" WHERE "u"."id" = ?"#,
        r#"SELECT "u"."id" FROM "u" WHERE "u"."id" = ?"#,
    ),
    ("backticks kept", "SELECT `a` FROM `t` WHERE `a` = ?", "SELECT `a` FROM `t` WHERE `a` = ?"),
    ("function call", "SELECT COUNT(*), lower(name) FROM t", "SELECT COUNT(*), lower(name) FROM t"),
    ("cast", "SELECT a::text FROM t", "SELECT a::text FROM t"),
    ("unterminated string", "SELECT 'oops", "SELECT ?"),
    ("unterminated comment", "SELECT 1 /* oops", "SELECT ?"),
    ("garbage", ")))(((,,,", "))) (((,,,"),
    ("empty", "", ""),
    ("unicode", "SELECT 'ünïcödé 🦀' FROM tâble", "SELECT ? FROM tâble"),
];

#[test]
fn normalisation_table() {
    let mut failures = Vec::new();
    for (name, input, expected) in CASES {
        let got = normalize(input);
        if got != *expected {
            failures.push(format!("{name}: {input:?}\n  expected {expected:?}\n  got      {got:?}"));
        }
    }
    assert!(CASES.len() >= 25);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn list_lengths_do_not_change_the_fingerprint() {
    let list = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let one = Fingerprint::of(&format!("SELECT * FROM u WHERE id IN ({})", list(1)));
    let hundred = Fingerprint::of(&format!("SELECT * FROM u WHERE id IN ({})", list(100)));
    assert_eq!(one, hundred);
    let rows = |n: usize| vec!["(?, ?)"; n].join(", ");
    let v1 = Fingerprint::of(&format!("INSERT INTO t (a, b) VALUES {}", rows(1)));
    let v50 = Fingerprint::of(&format!("INSERT INTO t (a, b) VALUES {}", rows(50)));
    assert_eq!(v1, v50);
}

#[test]
fn placeholder_styles_and_literals_share_a_fingerprint() {
    let a = Fingerprint::of("SELECT * FROM u WHERE id = ?");
    for other in
        ["select * from u where id = 42", "SELECT * FROM u WHERE id = $1", "SELECT  *  FROM u WHERE id = :id -- x"]
    {
        assert_eq!(Fingerprint::of(other).hash, a.hash, "{other}");
    }
    assert_ne!(Fingerprint::of("SELECT * FROM v WHERE id = ?").hash, a.hash, "identifiers are kept");
}

#[test]
fn the_hash_is_stable_across_runs() {
    // FNV-1a 64 of the normalised text "SELECT ?", computed independently:
    // the same on every platform and release of this fingerprint version.
    assert_eq!(Fingerprint::of("select   42").hex(), "199e7dca63ea8858");
    assert_eq!(ormlet_profiler::FINGERPRINT_VERSION, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_any_string(s in "\\PC*") {
        let _ = Fingerprint::of(&s);
    }

    #[test]
    fn never_panics_on_sql_like_noise(s in "[ \\t\\n'\"`\\[\\]()?:$@#;,.*=<>!|/\\-0-9a-zA-Z_éß🦀]{0,200}") {
        let fp = Fingerprint::of(&s);
        // Normalising twice changes nothing more.
        prop_assert_eq!(normalize(&fp.normalized), fp.normalized.clone());
    }
}
