//! MySQL's and MariaDB's dialect.

use sea_query::ColumnDef;

use super::{Dialect, standard_column_type};
use crate::backend::Backend;
use crate::types::SqlType;

/// The name of the lock that serialises migration runners on one database.
macro_rules! migration_lock_name {
    () => {
        "CONCAT('ormlet_migrations:', DATABASE())"
    };
}

/// MySQL and MariaDB.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySql;

impl Dialect for MySql {
    fn backend(&self) -> Backend {
        Backend::MySql
    }

    fn name(&self) -> &'static str {
        "mysql"
    }

    fn identifier_problem(&self, name: &str) -> Option<String> {
        const MAX_CHARS: usize = 64;
        let chars = name.chars().count();
        super::common_identifier_problem(name).or_else(|| {
            if chars > MAX_CHARS {
                Some(format!("MySQL identifiers hold at most {MAX_CHARS} characters and this one has {chars}"))
            } else if name.ends_with(' ') {
                Some("MySQL identifiers cannot end with a space".to_owned())
            } else if name.chars().any(|c| u32::from(c) > 0xFFFF) {
                Some("MySQL identifiers cannot hold characters outside the Basic Multilingual Plane".to_owned())
            } else {
                None
            }
        })
    }

    fn ident_quote(&self) -> char {
        '`'
    }

    fn supports_returning(&self) -> bool {
        false
    }

    fn has_do_nothing(&self) -> bool {
        false
    }

    fn explain(&self) -> &'static str {
        "EXPLAIN FORMAT=JSON "
    }

    /// TEXT and BLOB hold 64 KiB, and keys need a bounded length; times keep
    /// no fractions of a second unless asked, and TIMESTAMP ends in 2038.
    fn column_type(&self, d: &mut ColumnDef, ty: SqlType, _auto_increment: bool, keyed: bool) {
        match ty {
            SqlType::Text if keyed => {
                d.string_len(255);
            }
            SqlType::Text => {
                d.custom("longtext");
            }
            SqlType::Blob if keyed => {
                d.custom("varbinary(255)");
            }
            SqlType::Blob => {
                d.custom("longblob");
            }
            SqlType::Time => {
                d.custom("time(6)");
            }
            SqlType::DateTime | SqlType::TimestampTz => {
                d.custom("datetime(6)");
            }
            _ => standard_column_type(d, ty),
        }
    }

    fn declared_type(&self, ty: SqlType, keyed: bool, _auto_increment: bool) -> &'static str {
        use SqlType::*;
        match ty {
            TinyInt => "tinyint",
            SmallInt => "smallint",
            Integer => "int",
            BigInt => "bigint",
            Float => "float",
            Double => "double",
            Boolean => "tinyint(1)",
            Text if keyed => "varchar(255)",
            // MariaDB's JSON is LONGTEXT with a check.
            Text | Json => "longtext",
            Blob if keyed => "varbinary(255)",
            Blob => "longblob",
            Date => "date",
            Time => "time(6)",
            DateTime | TimestampTz => "datetime(6)",
            Uuid => "binary(16)",
        }
    }

    /// Lower case, and without integer display widths (`bigint(20)`), which
    /// mean nothing (MySQL 8 no longer shows them).
    fn normalize_type(&self, declared: &str) -> String {
        let t = declared.trim().to_ascii_lowercase();
        if t == "json" {
            return "longtext".into();
        }
        for int in ["tinyint", "smallint", "mediumint", "int", "bigint"] {
            if let Some(rest) = t.strip_prefix(int).and_then(|r| r.strip_prefix('('))
                && t != "tinyint(1)"
                && let Some(close) = rest.find(')')
            {
                return format!("{int}{}", &rest[close + 1..]);
            }
        }
        t
    }

    fn time_type_names(&self) -> [&'static str; 4] {
        ["DATE", "TIME", "DATETIME", "TIMESTAMP"]
    }

    fn backslash_escapes(&self) -> bool {
        true
    }

    fn hash_comments(&self) -> bool {
        true
    }

    /// A table is a file named after it, each character but ASCII letters,
    /// digits and `_` written as `@` and up to four hex digits: the name
    /// must fit the file system's 255 bytes with room for the extension.
    fn table_name_problem(&self, name: &str) -> Option<String> {
        const MAX_FILE_NAME: usize = 250;
        let encoded: usize = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { 1 } else { 5 }).sum();
        self.identifier_problem(name).or_else(|| {
            (encoded > MAX_FILE_NAME).then(|| {
                format!(
                    "MySQL stores a table as a file named after it, and this name takes up to {encoded} bytes \
                     of the {MAX_FILE_NAME} a file name may have (each character other than ASCII letters, \
                     digits and `_` takes five)"
                )
            })
        })
    }

    /// The isolation level is a setting for the next transaction; `READ
    /// ONLY` goes with `START TRANSACTION`.
    fn begin_statements(&self, options: &crate::transaction::TxOptions) -> (Option<String>, String) {
        let setup = options.isolation.map(|level| format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql()));
        let begin = if options.read_only { "START TRANSACTION READ ONLY" } else { "START TRANSACTION" };
        (setup, begin.to_owned())
    }

    /// `LOCK IN SHARE MODE`: MariaDB has no `FOR SHARE`, and MySQL takes both.
    fn row_lock(&self, lock: super::RowLock) -> Option<String> {
        Some(super::standard_row_lock(lock, "LOCK IN SHARE MODE"))
    }

    fn case_sensitive_collation(&self) -> Option<&'static str> {
        Some("utf8mb4_bin")
    }

    fn integer_division(&self) -> &'static str {
        "DIV"
    }

    fn restates_changed_columns(&self) -> bool {
        true
    }

    fn foreign_keys_make_indexes(&self) -> bool {
        true
    }

    fn partial_indexes(&self) -> bool {
        false
    }

    /// InnoDB parses `SET DEFAULT` and refuses the table.
    fn set_default_actions(&self) -> bool {
        false
    }

    /// One lock per database (MySQL's named locks are server-wide), held
    /// until the session ends or it is released: the runner releases it on
    /// every path. Returns 1 when taken, 0 on timeout.
    fn migration_lock(&self, timeout_secs: u64) -> Option<String> {
        Some(format!(concat!("SELECT GET_LOCK(", migration_lock_name!(), ", {}"), timeout_secs) + ")")
    }

    fn migration_lock_holder(&self) -> Option<&'static str> {
        Some(concat!("SELECT IS_USED_LOCK(", migration_lock_name!(), ")"))
    }

    fn migration_unlock(&self) -> Option<&'static str> {
        Some(concat!("DO RELEASE_LOCK(", migration_lock_name!(), ")"))
    }
}
