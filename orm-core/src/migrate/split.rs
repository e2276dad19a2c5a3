//! Splitting a SQL script into statements, for servers that run one
//! statement per call (and to say which statement of a migration failed).
//!
//! A small lexer, not a parser: semicolons inside quotes, identifiers,
//! comments and PostgreSQL dollar-quoted bodies do not split. Where a
//! backslash escapes a quote depends on the dialect, and getting it wrong
//! splits inside a name: MySQL's backticks never take backslash escapes.

use crate::dialect::Dialect;

/// The statements of `script` as `dialect` reads it, trimmed, empty ones
/// (and comment-only ones) left out.
pub fn statements<'s>(script: &'s str, dialect: &dyn Dialect) -> Vec<&'s str> {
    let backslashes = dialect.backslash_escapes();
    let ident = dialect.ident_quote() as u8;
    let bytes = script.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    let mut meaningful = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' | b'`' => {
                let q = bytes[i];
                // Text literals take backslash escapes where the dialect says
                // so, and in PostgreSQL's E'...'; identifiers never do.
                let escaped_string = q == b'\''
                    && i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !(bytes[i - 2].is_ascii_alphanumeric() || bytes[i - 2] == b'_'));
                let escapes = q != ident && (backslashes || escaped_string);
                i += 1;
                while i < bytes.len() {
                    if escapes && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                meaningful = true;
            }
            b'#' if dialect.hash_comments() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b'$' if dialect.dollar_quotes() => {
                // $tag$ ... $tag$ (PostgreSQL function bodies)
                let tag_end = bytes[i + 1..].iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
                if let Some(n) = tag_end
                    && bytes.get(i + 1 + n) == Some(&b'$')
                {
                    let tag = &script[i..i + n + 2];
                    if let Some(end) = script[i + n + 2..].find(tag) {
                        i += n + 2 + end + tag.len() - 1;
                    } else {
                        i = bytes.len();
                    }
                }
                meaningful = true;
            }
            b';' => {
                if meaningful {
                    out.push(script[start..i].trim());
                }
                start = i + 1;
                meaningful = false;
            }
            b if !b.is_ascii_whitespace() => meaningful = true,
            _ => {}
        }
        i += 1;
    }
    if meaningful && start < script.len() {
        out.push(script[start..].trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::dialect::{MySql, Postgres, Sqlite};

    fn statements(script: &str) -> Vec<&str> {
        super::statements(script, &Postgres)
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let s = "CREATE TABLE a (x TEXT DEFAULT ';');\n-- a; comment\nINSERT INTO a VALUES ('it''s; fine');\n/* x; y */ DROP TABLE b;";
        assert_eq!(
            statements(s),
            [
                "CREATE TABLE a (x TEXT DEFAULT ';')",
                "-- a; comment\nINSERT INTO a VALUES ('it''s; fine')",
                "/* x; y */ DROP TABLE b"
            ]
        );
    }

    #[test]
    fn dollar_quoted_bodies_and_a_missing_final_semicolon() {
        let s = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2";
        assert_eq!(statements(s), ["CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "SELECT 2"]);
    }

    #[test]
    fn comments_and_blanks_alone_are_no_statements() {
        assert!(statements("-- nothing\n  \n/* at all */").is_empty());
        assert!(statements("").is_empty());
        assert_eq!(super::statements("x\\';y", &MySql), ["x\\';y"], "unterminated quote: one statement");
    }

    #[test]
    fn backslashes_escape_only_where_the_dialect_says() {
        // MySQL: in strings yes, in backtick names no.
        let s = "DROP INDEX `i\\` ON `p;`; SELECT 'a\\';b'; SELECT 1";
        assert_eq!(super::statements(s, &MySql), ["DROP INDEX `i\\` ON `p;`", "SELECT 'a\\';b'", "SELECT 1"]);
        // Standard strings: a backslash is a character; E'' strings escape.
        let s = "SELECT 'a\\'; SELECT \"p\\;\"; SELECT E'b\\';c'; SELECT 1";
        let expected = ["SELECT 'a\\'", "SELECT \"p\\;\"", "SELECT E'b\\';c'", "SELECT 1"];
        assert_eq!(super::statements(s, &Postgres), expected);
        assert_eq!(super::statements("SELECT 'a\\'; SELECT \"p\\;\"", &Sqlite), ["SELECT 'a\\'", "SELECT \"p\\;\""]);
    }

    #[test]
    fn hash_comments_on_mysql_and_dollars_on_postgres_only() {
        assert_eq!(super::statements("# it's\nSELECT 1; SELECT 2", &MySql), ["# it's\nSELECT 1", "SELECT 2"]);
        assert_eq!(super::statements("SELECT `a$$b`; SELECT $$;", &MySql), ["SELECT `a$$b`", "SELECT $$"]);
    }
}
