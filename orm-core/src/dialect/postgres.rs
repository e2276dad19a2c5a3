//! PostgreSQL's dialect.

use super::Dialect;
use crate::backend::Backend;
use crate::types::SqlType;

/// PostgreSQL (and the engines that speak its protocol).
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn row_lock(&self, lock: super::RowLock) -> Option<String> {
        Some(super::standard_row_lock(lock, "FOR SHARE"))
    }

    fn dollar_quotes(&self) -> bool {
        true
    }

    fn identifier_problem(&self, name: &str) -> Option<String> {
        // NAMEDATALEN - 1: a longer name is cut to this many bytes, silently.
        const MAX_BYTES: usize = 63;
        super::common_identifier_problem(name).or_else(|| {
            (name.len() > MAX_BYTES).then(|| {
                format!("PostgreSQL identifiers hold at most {MAX_BYTES} bytes and this one has {}", name.len())
            })
        })
    }

    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    /// There is no last-insert-id on PostgreSQL.
    fn returns_generated_key(&self) -> bool {
        true
    }

    fn declared_type(&self, ty: SqlType, _keyed: bool, _auto_increment: bool) -> &'static str {
        use SqlType::*;
        match ty {
            TinyInt | SmallInt => "smallint",
            Integer => "integer",
            BigInt => "bigint",
            Float => "real",
            Double => "double precision",
            Boolean => "boolean",
            Text => "text",
            Blob => "bytea",
            Date => "date",
            Time => "time without time zone",
            DateTime => "timestamp without time zone",
            TimestampTz => "timestamp with time zone",
            Uuid => "uuid",
            Json => "json",
        }
    }

    fn casts_defaults(&self) -> bool {
        true
    }

    /// A UNIQUE constraint, named as PostgreSQL names one itself.
    fn add_unique(&self, table: &str, column: &str) -> String {
        let name = self.quote_ident(&format!("{table}_{column}_key"));
        format!("ALTER TABLE {} ADD CONSTRAINT {name} UNIQUE ({})", self.quote_ident(table), self.quote_ident(column))
    }

    fn drop_unique(&self, table: &str, column: &str) -> String {
        let name = self.quote_ident(&format!("{table}_{column}_key"));
        format!("ALTER TABLE {} DROP CONSTRAINT {name}", self.quote_ident(table))
    }

    /// A transaction-scoped advisory lock: released by the commit.
    fn migration_lock(&self, _timeout_secs: u64) -> Option<String> {
        Some("SELECT pg_advisory_xact_lock(726172746)".to_owned())
    }
}
