//! How the reports write times, call sites and text; shared by every report
//! and by the findings' suggestions. A leaf: it depends on nothing here.

use std::panic::Location;
use std::time::Duration;

/// `file:line:column`, the one way call sites are written in reports.
pub(crate) fn site(l: &Location<'_>) -> String {
    Site(l).to_string()
}

/// A call site as `file:line:column`, written where it is formatted.
pub(crate) struct Site<'a>(pub &'a Location<'a>);

impl std::fmt::Display for Site<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.0.file();
        // A file included with `#[path = "../x.rs"]` is named through `..`:
        // write the path it resolves to.
        if file.contains("/../") {
            write!(f, "{}:{}:{}", collapse_parents(file), self.0.line(), self.0.column())
        } else {
            write!(f, "{file}:{}:{}", self.0.line(), self.0.column())
        }
    }
}

/// `tests/../examples/app.rs` → `examples/app.rs`, lexically.
fn collapse_parents(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// A duration in milliseconds, with the decimals its size needs.
pub(crate) fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// A duration in milliseconds, to the microsecond (the JSON report's).
pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// `s`, cut to `max` characters with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

/// `s` as a terminal may show it: control characters (ESC, CR, BEL, ...)
/// written as escapes (`\u{1b}`), so text from the database or the
/// application cannot move the cursor, recolour or clear the screen.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text from outside, made printable and cut to `max` characters.
pub(crate) fn terminal(s: &str, max: usize) -> String {
    shorten(&printable(s), max)
}

/// Text made safe inside HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parent_segments_collapse_where_they_can() {
        assert_eq!(super::collapse_parents("tests/../examples/blog/app.rs"), "examples/blog/app.rs");
        assert_eq!(super::collapse_parents("../up/a.rs"), "../up/a.rs");
        assert_eq!(super::collapse_parents("/abs/x/../y.rs"), "/abs/y.rs");
    }

    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(printable("SELECT 1"), "SELECT 1");
        assert_eq!(printable("a\x1b[2Jb\r\u{7}"), "a\\u{1b}[2Jb\\r\\u{7}");
        assert_eq!(terminal("x\ny", 10), "x\\ny");
        assert!(!terminal("\x1b]0;title\x07", 100).chars().any(char::is_control));
    }
}
