//! The database backends; what differs between their SQL is in
//! [`dialect`](crate::dialect).

/// A database backend. [`Backend::dialect`] says how its SQL differs.
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
        self.dialect().name()
    }

    /// Whether `RETURNING` is available on writes.
    pub fn supports_returning(self) -> bool {
        self.dialect().supports_returning()
    }
}
