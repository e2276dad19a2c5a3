//! A profile as a stable text for snapshot tests: what ran, in order, and
//! what was found, with nothing that changes from run to run (no timings,
//! no values, call sites without columns). A pull request that adds a
//! query changes the snapshot, and the diff shows which and from where.

use std::fmt::Write as _;

use crate::format::site;
use crate::profile::Profile;

impl Profile {
    /// The stable text of this profile: each statement's fingerprint (values
    /// replaced by `?`) with its call site as `file:line`, consecutive
    /// repeats from one line folded into `×N`, then the findings.
    ///
    /// ```
    /// use ormlet_core::{prelude::*, doc_models::User, sqlite::Db};
    /// let db = Db::connect("sqlite::memory:")?;
    /// db.create_table::<User>()?;
    /// let ((), p) = ormlet_profiler::profile(|| {
    ///     for id in [1, 2, 3] {
    ///         let _ = User::find().filter(User::ID.eq(id)).first(&db);
    ///     }
    /// });
    /// let snapshot = p.snapshot();
    /// assert!(snapshot.starts_with("3 queries\n"));
    /// assert!(snapshot.contains("×3  SELECT"));
    /// assert!(snapshot.contains("findings:\n  N+1 ×3 at "));
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    pub fn snapshot(&self) -> String {
        let mut s = String::new();
        let n = self.query_count();
        let _ = writeln!(s, "{n} quer{}", if n == 1 { "y" } else { "ies" });
        let queries = self.queries();
        let mut i = 0;
        while let Some(q) = queries.get(i) {
            let mut j = i + 1;
            while let Some(next) = queries.get(j)
                && next.fingerprint().hash == q.fingerprint().hash
                && line_of(next.call_site) == line_of(q.call_site)
            {
                j += 1;
            }
            let times = if j - i > 1 { format!("×{}  ", j - i) } else { String::new() };
            let _ = writeln!(s, "  {times}{}  at {}", q.fingerprint().normalized, line_of(q.call_site));
            i = j;
        }
        if self.query_count() > self.kept() as u64 {
            let _ = writeln!(s, "  … {} more not kept", self.query_count() - self.kept() as u64);
        }
        if !self.findings().is_empty() {
            let _ = writeln!(s, "findings:");
            for f in self.findings() {
                let sites: Vec<String> = f.call_sites.iter().map(|l| line_of(l)).collect();
                let _ = writeln!(s, "  {} ×{} at {}", f.kind.label(), f.count, sites.join(", "));
            }
        }
        s
    }
}

/// `file:line`, without the column (which moves with formatting).
fn line_of(l: &std::panic::Location<'_>) -> String {
    let full = site(l);
    match full.rsplit_once(':') {
        Some((file_line, _column)) => file_line.to_owned(),
        None => full,
    }
}
