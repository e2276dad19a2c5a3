//! The terminal report.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use crate::detect::{Finding, FindingKind};
use crate::format::{ms, printable, site, terminal};
use crate::profile::{Profile, RecordedQuery};

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

impl Profile {
    /// The text report, coloured when stderr is a terminal and `NO_COLOR` is unset.
    pub fn to_text(&self) -> String {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
        self.to_text_with(color)
    }

    /// The text report: summary line, findings, then the numbered queries
    /// (consecutive repeats of one query from one line folded into `×N`).
    pub fn to_text_with(&self, color: bool) -> String {
        let p = Paint(color);
        let mut s = String::new();
        let _ = writeln!(s, "{}", p.bold(&format!("ormlet: {}", self.summary())));
        for f in self.findings() {
            write_finding(&mut s, f, &p);
        }
        if self.queries().is_empty() {
            return s;
        }
        let _ = writeln!(s);
        let rows = fold(self.queries());
        let site_w = rows.iter().map(|r| r.site.len()).max().unwrap_or(0).max(9);
        let _ = writeln!(
            s,
            "{}",
            p.dim(&format!("{:>7}  {:>9}  {:>6}  {:<site_w$}  sql", "#", "time", "rows", "call site"))
        );
        for r in rows {
            let _ = writeln!(
                s,
                "{:>7}  {:>9}  {:>6}  {:<site_w$}  {}",
                r.label,
                r.time,
                r.rows,
                r.site,
                terminal(&r.sql, 100)
            );
            if let Some(values) = &r.values {
                let _ = writeln!(s, "{:>7}  {}", "", p.dim(&format!("values: {}", terminal(values, 200))));
            }
        }
        if self.query_count() > self.kept() as u64 {
            let _ = writeln!(
                s,
                "{}",
                p.dim(&format!("… {} more queries not kept", self.query_count() - self.kept() as u64))
            );
        }
        s
    }
}

fn write_finding(s: &mut String, f: &Finding, p: &Paint) {
    let head = match f.kind {
        FindingKind::NPlusOne | FindingKind::Budget => p.red(f.kind.label()),
        _ => p.yellow(f.kind.label()),
    };
    let _ = writeln!(s, "\n{head} ×{}  {} total, {} max", f.count, ms(f.total), ms(f.max));
    if !f.sql.is_empty() {
        let _ = writeln!(s, "  {}", terminal(&f.sql, 300));
    }
    for l in &f.call_sites {
        let _ = writeln!(s, "  at {}", printable(&site(l)));
    }
    let _ = writeln!(s, "  {} {}", p.bold("fix:"), printable(&f.suggestion.to_string()));
    if let Some(plan) = &f.plan {
        let _ = writeln!(s, "  plan:");
        for line in plan.lines() {
            let _ = writeln!(s, "    {}", printable(line));
        }
    }
}

struct Row {
    label: String,
    time: String,
    rows: String,
    site: String,
    sql: String,
    /// The bound values, when the configuration keeps them: one query's,
    /// or a folded loop's first and last.
    values: Option<String>,
}

/// Consecutive queries with one fingerprint from one call site become one row.
fn fold(queries: &[RecordedQuery]) -> Vec<Row> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < queries.len() {
        let q = &queries[i];
        let mut j = i + 1;
        while j < queries.len()
            && queries[j].fingerprint().hash == q.fingerprint().hash
            && *queries[j].call_site == *q.call_site
        {
            j += 1;
        }
        let group = &queries[i..j];
        let n = group.len();
        let total: Duration = group.iter().map(|q| q.duration).sum();
        let rows: u64 = group.iter().map(|q| q.rows).sum();
        let sql = match &q.error {
            Some(e) => format!("{}  [error: {}]", q.sql, terminal(e, 80)),
            None => q.sql.to_string(),
        };
        let values = q.values.as_ref().map(|first| match group[n - 1].values.as_ref() {
            Some(last) if n > 1 => format!("{} … {}", first.join(", "), last.join(", ")),
            _ => first.join(", "),
        });
        out.push(Row {
            label: if n == 1 { q.seq.to_string() } else { format!("{}–{}", q.seq, group[n - 1].seq) },
            time: ms(total),
            rows: rows.to_string(),
            site: if n == 1 { site(q.call_site) } else { format!("{} ×{n}", site(q.call_site)) },
            sql,
            values,
        });
        i = j;
    }
    out
}
