//! What differs between the backends' SQL, one type per backend.
//!
//! [`Dialect`]'s methods say what most databases do; [`Sqlite`],
//! [`Postgres`] and [`MySql`] override only what differs, the way
//! sea-query's builders do. Code elsewhere asks `backend.dialect()` and
//! never matches on the backend. Statements sea-query renders go through
//! `Backend::build` and `Backend::render`, the one place that picks a
//! sea-query builder.

mod mysql;
mod postgres;
mod sqlite;

use sea_query::{ColumnDef, QueryStatementWriter, SchemaStatementBuilder, Values};

pub use mysql::MySql;
pub use postgres::Postgres;
pub use sqlite::Sqlite;

use crate::backend::Backend;
pub use crate::query::ast::{LockWait, RowLock};
use crate::transaction::TxOptions;
use crate::types::SqlType;

/// How a backend's SQL differs from the common case. Implemented by
/// [`Sqlite`], [`Postgres`] and [`MySql`]; `backend.dialect()` gives one.
///
/// ```
/// use ormlet_core::Backend;
/// let [sqlite, pg, my] = [Backend::Sqlite, Backend::Postgres, Backend::MySql].map(Backend::dialect);
/// assert_eq!(sqlite.quote_ident("a\"b"), r#""a""b""#);
/// assert_eq!(pg.quote_ident("a\"b"), r#""a""b""#);
/// assert_eq!(my.quote_ident("a`b"), "`a``b`");
/// assert_eq!((sqlite.placeholder(2), pg.placeholder(2), my.placeholder(2)), ("?".into(), "$2".into(), "?".into()));
/// assert_eq!(pg.add_unique("users", "email"), r#"ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE ("email")"#);
/// assert_eq!(my.add_unique("users", "email"), "CREATE UNIQUE INDEX `email` ON `users` (`email`)");
/// assert_eq!(sqlite.explain(), "EXPLAIN QUERY PLAN ");
/// assert!(!my.supports_returning() && pg.returns_generated_key());
/// ```
pub trait Dialect: Send + Sync + 'static {
    /// The backend.
    fn backend(&self) -> Backend;

    /// The name used in messages and in `db.system.name`.
    fn name(&self) -> &'static str;

    /// The character identifiers are quoted with.
    fn ident_quote(&self) -> char {
        '"'
    }

    /// An identifier's text with its quote character doubled: what goes
    /// between the quotes. sea-query writes index and foreign-key names
    /// between quotes as given, so ormlet hands it names escaped with this.
    fn escape_ident(&self, name: &str) -> String {
        let q = self.ident_quote();
        name.replace(q, &format!("{q}{q}"))
    }

    /// Why the database would refuse or change `name` as an identifier, if
    /// it would: no backend takes NUL, and the servers limit the length
    /// (PostgreSQL would silently cut a longer name).
    fn identifier_problem(&self, name: &str) -> Option<String> {
        common_identifier_problem(name)
    }

    /// [`identifier_problem`](Dialect::identifier_problem) for a table's
    /// name, which some backends also store as a file name.
    fn table_name_problem(&self, name: &str) -> Option<String> {
        self.identifier_problem(name)
    }

    /// An identifier, quoted, its quote character doubled inside.
    fn quote_ident(&self, name: &str) -> String {
        let q = self.ident_quote();
        format!("{q}{}{q}", self.escape_ident(name))
    }

    /// The placeholder of the `n`th bound value (from 1) in hand-written SQL.
    fn placeholder(&self, n: usize) -> String {
        let _ = n;
        "?".to_owned()
    }

    /// Whether writes can return rows (`RETURNING`).
    fn supports_returning(&self) -> bool {
        true
    }

    /// Whether an `INSERT` reads its generated key back with `RETURNING`
    /// rather than asking the connection for the last one.
    fn returns_generated_key(&self) -> bool {
        false
    }

    /// Whether `ON CONFLICT ... DO NOTHING` exists.
    fn has_do_nothing(&self) -> bool {
        true
    }

    /// What goes before a read to get its plan as text rows (never one
    /// that runs the query again).
    fn explain(&self) -> &'static str {
        "EXPLAIN "
    }

    /// Declares a column of a model's type `ty` on `d`. `keyed` says an
    /// index or key covers it.
    fn column_type(&self, d: &mut ColumnDef, ty: SqlType, auto_increment: bool, keyed: bool) {
        let _ = (auto_increment, keyed);
        standard_column_type(d, ty);
    }

    /// What the catalogue reports for a column created from `ty`, as
    /// [`normalize_type`](Dialect::normalize_type) writes it.
    fn declared_type(&self, ty: SqlType, keyed: bool, auto_increment: bool) -> &'static str;

    /// A declared type as the schema comparison sees it.
    fn normalize_type(&self, declared: &str) -> String {
        declared.trim().to_ascii_lowercase()
    }

    /// The names the server's driver gives a date, a time of day, a date
    /// and time without a zone, and a point in time, in that order.
    fn time_type_names(&self) -> [&'static str; 4] {
        ["DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ"]
    }

    /// Whether `integer` is 64 bits wide (an auto-increment `integer`
    /// column then holds an `i64`).
    fn integer_is_64_bit(&self) -> bool {
        false
    }

    /// Whether the catalogue writes defaults with a trailing `::type` cast.
    fn casts_defaults(&self) -> bool {
        false
    }

    /// Whether text literals escape with backslashes.
    fn backslash_escapes(&self) -> bool {
        false
    }

    /// The operator dividing two integers with a whole-number result.
    fn integer_division(&self) -> &'static str {
        "/"
    }

    /// A collation that makes `LIKE` tell case apart, for a backend whose
    /// usual collations do not (MySQL's `_ci` ones).
    fn case_sensitive_collation(&self) -> Option<&'static str> {
        None
    }

    /// The statements that begin a transaction with `options`: one run
    /// before it (a setting for the next transaction), and the `BEGIN`.
    /// Only asked of the servers: SQLite's connection handles its options.
    fn begin_statements(&self, options: &TxOptions) -> (Option<String>, String) {
        let mut begin = String::from("BEGIN");
        if let Some(level) = options.isolation {
            begin.push_str(" ISOLATION LEVEL ");
            begin.push_str(level.sql());
        }
        if options.read_only {
            begin.push_str(" READ ONLY");
        }
        (None, begin)
    }

    /// The clause that locks a query's rows, or `None` where the backend
    /// has none: SQLite, whose transactions take the database's write lock
    /// at `BEGIN IMMEDIATE`, which covers every row.
    fn row_lock(&self, lock: RowLock) -> Option<String> {
        let _ = lock;
        None
    }

    /// The function counting a text's characters (not its bytes).
    fn char_length(&self) -> &'static str {
        "CHAR_LENGTH"
    }

    /// Whether `$tag$ ... $tag$` quotes a body (PostgreSQL functions).
    fn dollar_quotes(&self) -> bool {
        false
    }

    /// Whether `#` starts a comment to the end of the line.
    fn hash_comments(&self) -> bool {
        false
    }

    /// The statement that serialises migration runners inside a
    /// migration's transaction, if one is needed; `timeout_secs` where the
    /// lock takes a timeout.
    fn migration_lock(&self, timeout_secs: u64) -> Option<String> {
        let _ = timeout_secs;
        None
    }

    /// Where the lock statement returns `1` when it got the lock (and `0`
    /// on timeout), the query naming the connection that holds it.
    fn migration_lock_holder(&self) -> Option<&'static str> {
        None
    }

    /// The statement that releases [`migration_lock`](Dialect::migration_lock)
    /// before the commit, where the lock outlives transactions.
    fn migration_unlock(&self) -> Option<&'static str> {
        None
    }

    /// A query listing broken foreign keys, where they are checked only
    /// when asked (a migration runs with them off).
    fn foreign_key_check(&self) -> Option<&'static str> {
        None
    }

    /// Whether `ALTER TABLE` can change a column in place; where it cannot,
    /// a migration rebuilds the table.
    fn alters_columns(&self) -> bool {
        true
    }

    /// Whether a changed column is restated whole (`MODIFY COLUMN`) rather
    /// than altered a property at a time (`ALTER COLUMN ... TYPE`).
    fn restates_changed_columns(&self) -> bool {
        false
    }

    /// Whether an index may have a `WHERE` (a partial index).
    fn partial_indexes(&self) -> bool {
        true
    }

    /// Whether a foreign key may `SET DEFAULT` on delete or update.
    fn set_default_actions(&self) -> bool {
        true
    }

    /// Whether a foreign key makes an index under its own name when no
    /// other index serves it (one that outlives the key).
    fn foreign_keys_make_indexes(&self) -> bool {
        false
    }

    /// Makes `column` of `table` unique: an index named after the column.
    fn add_unique(&self, table: &str, column: &str) -> String {
        let (t, c) = (self.quote_ident(table), self.quote_ident(column));
        format!("CREATE UNIQUE INDEX {c} ON {t} ({c})")
    }

    /// Undoes [`add_unique`](Dialect::add_unique).
    fn drop_unique(&self, table: &str, column: &str) -> String {
        format!("DROP INDEX {} ON {}", self.quote_ident(column), self.quote_ident(table))
    }
}

/// The column types sea-query writes for each model type.
pub(crate) fn standard_column_type(d: &mut ColumnDef, ty: SqlType) {
    match ty {
        SqlType::TinyInt => d.tiny_integer(),
        SqlType::SmallInt => d.small_integer(),
        SqlType::Integer => d.integer(),
        SqlType::BigInt => d.big_integer(),
        SqlType::Float => d.float(),
        SqlType::Double => d.double(),
        SqlType::Boolean => d.boolean(),
        SqlType::Text => d.text(),
        SqlType::Blob => d.blob(),
        SqlType::Date => d.date(),
        SqlType::Time => d.time(),
        SqlType::DateTime => d.date_time(),
        SqlType::TimestampTz => d.timestamp_with_time_zone(),
        SqlType::Uuid => d.uuid(),
        SqlType::Json => d.json(),
    };
}

impl Backend {
    /// The backend's dialect.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Backend::Sqlite => &Sqlite,
            Backend::Postgres => &Postgres,
            Backend::MySql => &MySql,
        }
    }

    /// Renders a query with the backend's sea-query builder.
    pub(crate) fn build<Q: QueryStatementWriter>(self, q: &Q) -> (String, Values) {
        match self {
            Backend::Sqlite => q.build(sea_query::SqliteQueryBuilder),
            Backend::Postgres => q.build(sea_query::PostgresQueryBuilder),
            Backend::MySql => q.build(sea_query::MysqlQueryBuilder),
        }
    }

    /// Renders a schema statement with the backend's sea-query builder.
    pub(crate) fn render<S: SchemaStatementBuilder>(self, s: &S) -> String {
        match self {
            Backend::Sqlite => s.build(sea_query::SqliteQueryBuilder),
            Backend::Postgres => s.build(sea_query::PostgresQueryBuilder),
            Backend::MySql => s.build(sea_query::MysqlQueryBuilder),
        }
    }
}

/// What no backend takes in an identifier: nothing, or NUL (SQLite would
/// cut the statement there).
pub(crate) fn common_identifier_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("an identifier cannot be empty".to_owned())
    } else if name.contains('\0') {
        Some("identifiers cannot contain the NUL character".to_owned())
    } else {
        None
    }
}

/// `FOR UPDATE` / `FOR SHARE` with the wait modifier, in standard spelling.
pub(crate) fn standard_row_lock(lock: RowLock, share: &str) -> String {
    let mode = if lock.exclusive { "FOR UPDATE" } else { share };
    match lock.wait {
        LockWait::Wait => mode.to_owned(),
        LockWait::NoWait => format!("{mode} NOWAIT"),
        LockWait::SkipLocked => format!("{mode} SKIP LOCKED"),
    }
}
