//! One placeholder for hand-written SQL on every backend: `?`, rewritten to
//! `$1`, `$2`, ... for PostgreSQL. What `AnyDb::raw` takes, so one string
//! serves whichever backend the URL picked.

use crate::dialect::Dialect;

/// `sql` with each `?` outside quotes and comments written as `dialect`'s
/// placeholder, numbered from 1; `??` stands for a literal `?` (PostgreSQL's
/// JSON operators).
pub(crate) fn portable(sql: &str, dialect: &dyn Dialect) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                // Copy the quoted run as it is; a doubled quote stays inside.
                out.push(c);
                while let Some((_, q)) = chars.next() {
                    out.push(q);
                    if q == c {
                        if chars.peek().is_some_and(|&(_, next)| next == c) {
                            out.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if sql[i..].starts_with("--") => {
                let end = sql[i..].find('\n').map_or(sql.len(), |e| i + e);
                out.push_str(&sql[i..end]);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            '/' if sql[i..].starts_with("/*") => {
                let end = sql[i + 2..].find("*/").map_or(sql.len(), |e| i + 2 + e + 2);
                out.push_str(&sql[i..end]);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            '?' if chars.peek().is_some_and(|&(_, next)| next == '?') => {
                chars.next();
                out.push('?');
            }
            '?' => {
                n += 1;
                out.push_str(&dialect.placeholder(n));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::portable;
    use crate::dialect::{MySql, Postgres, Sqlite};

    #[test]
    fn question_marks_become_the_backends_placeholders_outside_quotes_and_comments() {
        let sql =
            "SELECT '?', \"a?\", x FROM t -- why?\nWHERE a = ? /* or ? */ AND b = ? AND j ?? 'k' AND s = 'it''s?'";
        assert_eq!(
            portable(sql, &Postgres),
            "SELECT '?', \"a?\", x FROM t -- why?\nWHERE a = $1 /* or ? */ AND b = $2 AND j ? 'k' AND s = 'it''s?'"
        );
        assert_eq!(
            portable(sql, &Sqlite),
            "SELECT '?', \"a?\", x FROM t -- why?\nWHERE a = ? /* or ? */ AND b = ? AND j ? 'k' AND s = 'it''s?'"
        );
        assert_eq!(portable("SELECT `?` FROM t WHERE é = ?", &MySql), "SELECT `?` FROM t WHERE é = ?");
        assert_eq!(portable("SELECT $1", &Postgres), "SELECT $1", "the backend's own form passes through");
    }
}
