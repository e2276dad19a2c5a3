//! Query fingerprints: the SQL with every value replaced by `?`, lists of any
//! length collapsed to one element, comments dropped, whitespace collapsed and
//! keywords upper-cased, plus a stable 64-bit hash of that text.
//!
//! A small lexer rather than regexes: it understands quotes, comments and
//! placeholders, never panics, and runs once per distinct SQL text.

use std::fmt;

/// Bumped whenever normalisation changes, so stored fingerprints are comparable.
pub const FINGERPRINT_VERSION: u32 = 1;

/// A normalised query and its stable hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// FNV-1a 64 of `normalized`.
    pub hash: u64,
    /// The normalised SQL text.
    pub normalized: String,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.hash)
    }
}

impl Fingerprint {
    /// Fingerprints any input, SQL or not.
    pub fn of(sql: &str) -> Fingerprint {
        let normalized = normalize(sql);
        Fingerprint { hash: fnv1a(normalized.as_bytes()), normalized }
    }

    /// The hash as 16 hex digits (the form used in JSON and allow lists).
    pub fn hex(&self) -> String {
        self.to_string()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A bare word: keyword (upper-cased) or identifier (kept).
    Word(String),
    /// A quoted identifier, kept with its quotes.
    Quoted(String),
    /// A literal or placeholder.
    Value,
    /// Any other character or operator.
    Punct(String),
}

const KEYWORDS: &[&str] = &[
    "ALL",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASE",
    "COMMIT",
    "CREATE",
    "CROSS",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NOTHING",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "RELEASE",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "THEN",
    "UNION",
    "UPDATE",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
    "CONFLICT",
    "DUPLICATE",
    "KEY",
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "IGNORE",
    "REPLACE",
    "TO",
    "TRANSACTION",
    "IMMEDIATE",
    "TABLE",
    "INDEX",
    "IF",
];

const LITERAL_WORDS: &[&str] = &["TRUE", "FALSE", "NULL"];

fn lex(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    while let Some(c) = at(i) {
        // Comments: `-- ...` to end of line, `/* ... */` (sqlcommenter too), `#` (MySQL).
        if c == '-' && at(i + 1) == Some('-') || c == '#' {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            continue;
        }
        if c == '/' && at(i + 1) == Some('*') {
            i += 2;
            while at(i).is_some() && !(at(i) == Some('*') && at(i + 1) == Some('/')) {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // String literals: '...' with '' or \' inside; E'..', N'..', X'..' prefixes.
        let prefixed = matches!(c, 'E' | 'e' | 'N' | 'n' | 'X' | 'x' | 'B' | 'b') && at(i + 1) == Some('\'');
        if c == '\'' || prefixed {
            i += if prefixed { 2 } else { 1 };
            while let Some(d) = at(i) {
                i += 1;
                if d == '\\' {
                    i += 1;
                } else if d == '\'' {
                    if at(i) == Some('\'') {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            out.push(Tok::Value);
            continue;
        }
        // Quoted identifiers: "..." and `...` and [...] are names, kept.
        if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let start = i;
            i += 1;
            while let Some(d) = at(i) {
                i += 1;
                if d == close {
                    if at(i) == Some(close) && close != ']' {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            out.push(Tok::Quoted(chars[start..i.min(chars.len())].iter().collect()));
            continue;
        }
        // Numbers, including 0x.. hex, decimals and exponents.
        if c.is_ascii_digit() || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            i += 1;
            while let Some(d) = at(i) {
                let exp_sign = (d == '+' || d == '-') && matches!(at(i - 1), Some('e' | 'E'));
                if d.is_ascii_alphanumeric() || d == '.' || exp_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Value);
            continue;
        }
        // Placeholders: ?, ?NNN, $N, :name, @p / @name.
        if c == '?' {
            i += 1;
            while at(i).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
            }
            out.push(Tok::Value);
            continue;
        }
        if (c == '$' || c == '@' || c == ':')
            && at(i + 1).is_some_and(|d| d.is_alphanumeric() || d == '_')
            && !(c == ':' && at(i.wrapping_sub(1)) == Some(':'))
        {
            i += 1;
            while at(i).is_some_and(|d| d.is_alphanumeric() || d == '_') {
                i += 1;
            }
            out.push(Tok::Value);
            continue;
        }
        // A run of colons is one token (`:`, `::` casts, or noise like `:::`).
        if c == ':' {
            let start = i;
            while at(i) == Some(':') {
                i += 1;
            }
            out.push(Tok::Punct(chars[start..i].iter().collect()));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_some_and(|d| d.is_alphanumeric() || d == '_' || d == '$') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let upper = word.to_uppercase();
            if LITERAL_WORDS.contains(&upper.as_str()) {
                out.push(Tok::Value);
            } else if KEYWORDS.contains(&upper.as_str()) {
                out.push(Tok::Word(upper));
            } else {
                out.push(Tok::Word(word));
            }
            continue;
        }
        // Two-character operators stay together.
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if matches!(two.as_str(), "<=" | ">=" | "<>" | "!=" | "||" | "->" | "=>") {
            out.push(Tok::Punct(two));
            i += 2;
            continue;
        }
        out.push(Tok::Punct(c.to_string()));
        i += 1;
    }
    out
}

fn is_punct(t: Option<&Tok>, p: &str) -> bool {
    matches!(t, Some(Tok::Punct(x)) if x == p)
}

/// If `toks[start]` opens a parenthesised list, the index just past its `)`.
fn group_end(toks: &[Tok], start: usize) -> Option<usize> {
    if !is_punct(toks.get(start), "(") {
        return None;
    }
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(start) {
        match t {
            Tok::Punct(p) if p == "(" => depth += 1,
            Tok::Punct(p) if p == ")" => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `IN (?, ?, ?)` → `IN (?)`, and `IN ((?, ?), (?, ?))` → `IN ((?, ?))`: a
/// list whose elements are all the same value or tuple of values.
fn collapse_in_list(toks: &[Tok], start: usize) -> Option<(usize, std::ops::Range<usize>)> {
    let end = group_end(toks, start)?;
    let mut elements = Vec::new();
    let mut j = start + 1;
    while j < end - 1 {
        let el_end = match &toks[j] {
            Tok::Value => j + 1,
            Tok::Punct(p) if p == "(" => {
                let e = group_end(toks, j)?;
                let inner = &toks[j + 1..e - 1];
                let values = inner
                    .iter()
                    .enumerate()
                    .all(|(k, t)| if k % 2 == 0 { *t == Tok::Value } else { is_punct(Some(t), ",") });
                if !values {
                    return None;
                }
                e
            }
            _ => return None,
        };
        elements.push(j..el_end);
        j = el_end;
        if j < end - 1 {
            if !is_punct(toks.get(j), ",") {
                return None;
            }
            j += 1;
        }
    }
    let first = elements.first()?.clone();
    elements.iter().all(|r| toks[r.clone()] == toks[first.clone()]).then_some((end, first))
}

fn collapse(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // IN (v, v, ...) → IN (?)
        if matches!(t, Tok::Word(w) if w == "IN")
            && let Some((end, first)) = collapse_in_list(&toks, i + 1)
        {
            out.extend([Tok::Word("IN".into()), Tok::Punct("(".into())]);
            out.extend(toks[first].iter().cloned());
            out.push(Tok::Punct(")".into()));
            i = end;
            continue;
        }
        // VALUES (..), (..), ... → VALUES (..): rows of the same shape collapse.
        if matches!(t, Tok::Word(w) if w == "VALUES")
            && let Some(first_end) = group_end(&toks, i + 1)
        {
            let row = &toks[i + 1..first_end];
            out.push(t.clone());
            out.extend(row.iter().cloned());
            let mut j = first_end;
            while is_punct(toks.get(j), ",") {
                match group_end(&toks, j + 1) {
                    Some(e) if toks[j + 1..e] == *row => j = e,
                    _ => break,
                }
            }
            i = j;
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// The normalised text of `sql`.
pub fn normalize(sql: &str) -> String {
    let toks = collapse(lex(sql));
    let mut s = String::with_capacity(sql.len());
    let mut prev: Option<&Tok> = None;
    let mut before_prev: Option<&Tok> = None;
    for t in &toks {
        let text = match t {
            Tok::Word(w) | Tok::Quoted(w) | Tok::Punct(w) => w.as_str(),
            Tok::Value => "?",
        };
        // Colon runs stick to what precedes them and, for casts (`::`), to what
        // follows; two runs never touch, so the output lexes back the same.
        let colons = |t: Option<&Tok>| match t {
            Some(Tok::Punct(p)) if p.starts_with(':') => p.len(),
            _ => 0,
        };
        let tight_before = matches!(t, Tok::Punct(p) if [")", ",", ".", ";"].contains(&p.as_str()))
            || (colons(Some(t)) > 0 && colons(prev) == 0);
        let tight_after =
            matches!(prev, Some(Tok::Punct(p)) if p == "(" || p == ".") || (colons(prev) >= 2 && colons(Some(t)) == 0);
        // `COUNT(`, `ANY(`, `lower(`: a call. `IN (`, `VALUES (`, `INTO t (`: a list.
        let call = matches!(t, Tok::Punct(p) if p == "(")
            && matches!(prev, Some(Tok::Word(w)) if !SPACED_BEFORE_PAREN.contains(&w.as_str()))
            && !matches!(before_prev, Some(Tok::Word(w)) if w == "INTO" || w == "TABLE" || w == "JOIN");
        if prev.is_some() && !tight_before && !tight_after && !call {
            s.push(' ');
        }
        s.push_str(text);
        before_prev = prev;
        prev = Some(t);
    }
    s
}

/// Keywords after which `(` opens a list or sub-expression rather than a call.
const SPACED_BEFORE_PAREN: &[&str] = &[
    "IN", "VALUES", "EXISTS", "AND", "OR", "NOT", "ON", "WHERE", "AS", "FROM", "SELECT", "JOIN", "USING", "INTO",
    "SET", "HAVING", "WITH", "UNION", "THEN", "ELSE", "WHEN", "BY",
];
