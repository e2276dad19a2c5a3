//! How to fix a finding: kept as its parts, written when shown.
//!
//! Most findings are never shown (a test that passes, a request nobody
//! logs), so the detectors do not format text; reports and `tracing` do.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use ormlet_core::events::RelationLoad;

use crate::format::Site;
use crate::format::ms;

/// One line on how to fix a [`Finding`](crate::Finding): `Display` writes
/// it (`to_string()` gives it as text).
///
/// ```
/// # let ((), profile) = ormlet_profiler::profile(|| {});
/// for f in profile.findings() {
///     println!("{}: {}", f.kind.label(), f.suggestion);
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion(Fix);

#[derive(Debug, Clone, PartialEq)]
enum Fix {
    /// `n` queries from one line with different values, `distinct` of them.
    OneQuery { n: usize, distinct: usize, table: Option<&'static str>, at: &'static Location<'static> },
    /// `n` lazy loads of one relation from `at`, over `distinct` keys;
    /// `parents`: the line that loaded the parent rows, when known.
    EagerLoad {
        n: usize,
        distinct: usize,
        relation: RelationLoad,
        at: &'static Location<'static>,
        parents: Option<&'static Location<'static>>,
    },
    /// The same query with the same values `n` times, again at `again_at`.
    Reuse { n: usize, again_at: &'static Location<'static> },
    /// A query that took `took`, over `threshold`.
    Index { took: Duration, threshold: Duration, has_plan: bool },
    /// `relation`, loaded for `rows` rows by the `.with(..)` at `at`, never read.
    RemoveEager { relation: &'static str, rows: usize, at: &'static Location<'static> },
    /// `n` queries against a budget of `max`.
    QueryBudget { n: u64, max: usize },
    /// `took` in the database against a budget of `max`.
    TimeBudget { took: Duration, max: Duration },
}

impl Suggestion {
    pub(super) fn one_query(
        n: usize,
        distinct: usize,
        table: Option<&'static str>,
        at: &'static Location<'static>,
    ) -> Self {
        Suggestion(Fix::OneQuery { n, distinct, table, at })
    }

    pub(super) fn eager_load(
        n: usize,
        distinct: usize,
        relation: RelationLoad,
        at: &'static Location<'static>,
        parents: Option<&'static Location<'static>>,
    ) -> Self {
        Suggestion(Fix::EagerLoad { n, distinct, relation, at, parents })
    }

    pub(super) fn reuse(n: usize, again_at: &'static Location<'static>) -> Self {
        Suggestion(Fix::Reuse { n, again_at })
    }

    pub(super) fn index(took: Duration, threshold: Duration, has_plan: bool) -> Self {
        Suggestion(Fix::Index { took, threshold, has_plan })
    }

    pub(super) fn remove_eager(relation: &'static str, rows: usize, at: &'static Location<'static>) -> Self {
        Suggestion(Fix::RemoveEager { relation, rows, at })
    }

    pub(super) fn query_budget(n: u64, max: usize) -> Self {
        Suggestion(Fix::QueryBudget { n, max })
    }

    pub(super) fn time_budget(took: Duration, max: Duration) -> Self {
        Suggestion(Fix::TimeBudget { took, max })
    }
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Fix::OneQuery { n, distinct, table, at } => {
                write!(f, "{n} queries")?;
                if let Some(t) = table {
                    write!(f, " on `{t}`")?;
                }
                repeats(f, *n, *distinct, "values")?;
                write!(
                    f,
                    " from one line with different values: load them in one query at {} (collect the keys and filter with `.is_in(keys)`, or eager-load the relation)",
                    Site(at)
                )
            }
            Fix::EagerLoad { n, distinct, relation: rel, at, parents } => {
                write!(f, "{n} lazy loads of `{}`", rel.relation)?;
                repeats(f, *n, *distinct, "keys")?;
                match parents {
                    Some(p) => write!(
                        f,
                        " (at {}): use `.with({})` at {}, where the `{}` rows are loaded",
                        Site(at),
                        rel.relation,
                        Site(p),
                        rel.parent_table
                    ),
                    None => write!(
                        f,
                        " (at {}): load the `{}` rows with `.with({})`",
                        Site(at),
                        rel.parent_table,
                        rel.relation
                    ),
                }
            }
            Fix::Reuse { n, again_at } => write!(
                f,
                "the same query with the same values ran {n} times: reuse the first result (again at {})",
                Site(again_at)
            ),
            Fix::Index { took, threshold, has_plan } => write!(
                f,
                "took {} (threshold {}): {}; an index on its filter or order usually helps",
                ms(*took),
                ms(*threshold),
                if *has_plan { "see the plan below" } else { "check the plan with EXPLAIN" }
            ),
            Fix::RemoveEager { relation, rows, at } => write!(
                f,
                "`{relation}` was loaded for {rows} row{} by `.with(..)` at {} and never read: remove `.with({relation})`",
                if *rows == 1 { "" } else { "s" },
                Site(at)
            ),
            Fix::QueryBudget { n, max } => {
                write!(f, "{n} queries, budget {max}: remove N+1 and duplicate queries first")
            }
            Fix::TimeBudget { took, max } => write!(f, "{} in the database, budget {}", ms(*took), ms(*max)),
        }
    }
}

/// " over 3 distinct keys; 5 were repeats", when some were: the repeats of
/// a loop are part of its one finding, not duplicates of their own.
fn repeats(f: &mut fmt::Formatter<'_>, n: usize, distinct: usize, what: &str) -> fmt::Result {
    if distinct < n {
        write!(f, " over {distinct} distinct {what}; {} were repeats", n - distinct)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each fix reads as one line naming the lines to change.
    #[test]
    fn suggestions_are_written_from_their_parts() {
        let at = Location::caller();
        let here = Site(at).to_string();
        let load = RelationLoad { relation: "Post::AUTHOR", parent_table: "posts", eager: false };
        let cases = [
            (
                Suggestion::one_query(3, 3, Some("users"), at),
                format!(
                    "3 queries on `users` from one line with different values: load them in one query at {here} (collect the keys and filter with `.is_in(keys)`, or eager-load the relation)"
                ),
            ),
            (
                Suggestion::eager_load(10, 10, load, at, Some(at)),
                format!(
                    "10 lazy loads of `Post::AUTHOR` (at {here}): use `.with(Post::AUTHOR)` at {here}, where the `posts` rows are loaded"
                ),
            ),
            (
                Suggestion::eager_load(10, 10, load, at, None),
                format!(
                    "10 lazy loads of `Post::AUTHOR` (at {here}): load the `posts` rows with `.with(Post::AUTHOR)`"
                ),
            ),
            (
                Suggestion::eager_load(8, 3, load, at, None),
                format!(
                    "8 lazy loads of `Post::AUTHOR` over 3 distinct keys; 5 were repeats (at {here}): load the `posts` rows with `.with(Post::AUTHOR)`"
                ),
            ),
            (
                Suggestion::reuse(2, at),
                format!("the same query with the same values ran 2 times: reuse the first result (again at {here})"),
            ),
            (Suggestion::query_budget(12, 10), "12 queries, budget 10: remove N+1 and duplicate queries first".into()),
            (
                Suggestion::remove_eager("Post::TAGS", 3, at),
                format!(
                    "`Post::TAGS` was loaded for 3 rows by `.with(..)` at {here} and never read: remove `.with(Post::TAGS)`"
                ),
            ),
        ];
        for (suggestion, text) in cases {
            assert_eq!(suggestion.to_string(), text);
        }
        let slow = Suggestion::index(Duration::from_millis(150), Duration::from_millis(100), false).to_string();
        assert!(
            slow.starts_with("took 150")
                && slow.ends_with("check the plan with EXPLAIN; an index on its filter or order usually helps"),
            "{slow}"
        );
    }
}
