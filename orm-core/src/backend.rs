//! The database backends and their SQL dialects.

/// A database backend. Each renders SQL through its sea-query builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite through rusqlite.
    Sqlite = 0,
    /// PostgreSQL.
    Postgres = 1,
    /// MySQL and MariaDB.
    MySql = 2,
}

impl Backend {
    pub(crate) const COUNT: usize = 3;

    /// The name used in messages and in `db.system.name`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
            Backend::MySql => "mysql",
        }
    }

    /// Whether `RETURNING` is available on writes.
    pub fn supports_returning(self) -> bool {
        !matches!(self, Backend::MySql)
    }
}

/// Runs `$body` with `$b` bound to the sea-query builder of `$backend`.
macro_rules! with_builder {
    ($backend:expr, |$b:ident| $body:expr) => {
        match $backend {
            $crate::Backend::Sqlite => {
                let $b = sea_query::SqliteQueryBuilder;
                $body
            }
            $crate::Backend::Postgres => {
                let $b = sea_query::PostgresQueryBuilder;
                $body
            }
            $crate::Backend::MySql => {
                let $b = sea_query::MysqlQueryBuilder;
                $body
            }
        }
    };
}
pub(crate) use with_builder;
