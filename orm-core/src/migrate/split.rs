//! Splitting a SQL script into statements, for servers that run one
//! statement per call (and to say which statement of a migration failed).
//!
//! A small lexer, not a parser: semicolons inside quotes, identifiers,
//! comments and PostgreSQL dollar-quoted bodies do not split.

/// The statements of `script`, trimmed, empty ones (and comment-only ones) left out.
pub fn statements(script: &str) -> Vec<&str> {
    let bytes = script.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    let mut meaningful = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' | b'`' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\\' && q != b'"' {
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
            b'$' => {
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
    use super::statements;

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
        assert_eq!(statements("x\\';y"), ["x\\';y"], "unterminated quote: one statement");
    }
}
