//! Creating and dropping the database a URL names, as `ormlet database`
//! does (sqlx-cli's conventions): on a server, through its maintenance
//! database (`postgres` on PostgreSQL, `information_schema` on MySQL); on
//! SQLite, the file (with its `-wal` and `-shm` files when dropped).
//!
//! ```
//! # async fn demo() -> ormlet_core::Result<()> {
//! let url = format!("sqlite://{}/ormlet-doc-{}.db", std::env::temp_dir().display(), std::process::id());
//! assert!(ormlet_core::database::create(&url).await?, "created");
//! assert!(!ormlet_core::database::create(&url).await?, "there already");
//! assert!(ormlet_core::database::exists(&url).await?);
//! assert!(ormlet_core::database::drop(&url).await?);
//! assert!(!ormlet_core::database::exists(&url).await?);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```

use crate::error::{Error, Result};

/// `scheme://user:password@host/db` without the password, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Whether the database `url` names exists.
pub async fn exists(url: &str) -> Result<bool> {
    match Target::of(url)? {
        Target::Sqlite(path) => Ok(path.exists()),
        #[cfg(feature = "postgres")]
        Target::Postgres(t) => pg::exists(&t).await,
        #[cfg(feature = "mysql")]
        Target::MySql(t) => my::exists(&t).await,
    }
}

/// Creates the database `url` names; `false` when it was there already.
pub async fn create(url: &str) -> Result<bool> {
    match Target::of(url)? {
        Target::Sqlite(path) => {
            if path.exists() {
                return Ok(false);
            }
            crate::sqlite::Db::connect(url)?;
            Ok(true)
        }
        #[cfg(feature = "postgres")]
        Target::Postgres(t) => pg::create(&t).await,
        #[cfg(feature = "mysql")]
        Target::MySql(t) => my::create(&t).await,
    }
}

/// Drops the database `url` names, and everything in it; `false` when
/// there was none.
pub async fn drop(url: &str) -> Result<bool> {
    match Target::of(url)? {
        Target::Sqlite(path) => {
            if !path.exists() {
                return Ok(false);
            }
            for suffix in ["", "-wal", "-shm"] {
                let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
                match std::fs::remove_file(&file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(Error::Connection {
                            url: url.to_owned(),
                            message: format!("cannot remove {}: {e}", file.display()),
                        });
                    }
                }
            }
            Ok(true)
        }
        #[cfg(feature = "postgres")]
        Target::Postgres(t) => pg::drop(&t).await,
        #[cfg(feature = "mysql")]
        Target::MySql(t) => my::drop(&t).await,
    }
}

/// What a URL names.
enum Target {
    Sqlite(std::path::PathBuf),
    #[cfg(feature = "postgres")]
    Postgres(Named<sqlx::postgres::PgConnectOptions>),
    #[cfg(feature = "mysql")]
    MySql(Named<sqlx::mysql::MySqlConnectOptions>),
}

impl Target {
    fn of(url: &str) -> Result<Target> {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => match crate::sqlite::DbOptions::new(url)?.path() {
                Some(path) => Ok(Target::Sqlite(path.to_owned())),
                None => Err(Error::InvalidUrl {
                    url: url.to_owned(),
                    reason: "an in-memory database is neither created nor dropped: name a file, sqlite://app.db".into(),
                }),
            },
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => pg::parse(url).map(Target::Postgres),
            #[cfg(feature = "mysql")]
            "mysql" => my::parse(url).map(Target::MySql),
            #[cfg(feature = "mysql")]
            "mariadb" => my::parse(&format!("mysql{}", &url["mariadb".len()..])).map(Target::MySql),
            _ => Err(Error::InvalidUrl {
                url: redacted(url),
                reason: "expected `sqlite://path`, `postgres://.../name` or `mysql://.../name`".into(),
            }),
        }
    }
}

/// One server's database, and the options that reach its server.
#[cfg(any(feature = "postgres", feature = "mysql"))]
struct Named<O> {
    name: String,
    /// The URL without its password, for messages.
    url: String,
    admin: O,
}

/// The same code for each server, over its own sqlx types.
macro_rules! server_admin {
    ($module:ident, $feature:literal, $options:ty, $connection:ty, $backend:expr, $maintenance:literal, $exists:literal) => {
        #[cfg(feature = $feature)]
        mod $module {
            use std::str::FromStr;

            use sqlx::{ConnectOptions, Connection};

            use super::Named;
            use crate::error::{Error, Result};

            pub(super) fn parse(url: &str) -> Result<Named<$options>> {
                let shown = super::redacted(url);
                let invalid = |reason: String| Error::InvalidUrl { url: shown.clone(), reason };
                let options = <$options>::from_str(url).map_err(|e| invalid(e.to_string()))?;
                let name = options
                    .get_database()
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("the URL names no database: add it after the host, .../app".into()))?;
                if let Some(problem) = $backend.dialect().identifier_problem(&name) {
                    return Err(invalid(format!("the database name {problem}")));
                }
                Ok(Named { name, url: shown.clone(), admin: options.database($maintenance) })
            }

            async fn admin(t: &Named<$options>) -> Result<$connection> {
                t.admin.connect().await.map_err(|e| crate::server::connect_error(e, &t.url))
            }

            pub(super) async fn exists(t: &Named<$options>) -> Result<bool> {
                let mut conn = admin(t).await?;
                let found: Result<(i64,)> = sqlx::query_as($exists)
                    .bind(&t.name)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| crate::server::connect_error(e, &t.url));
                let _ = conn.close().await;
                Ok(found?.0 > 0)
            }

            pub(super) async fn create(t: &Named<$options>) -> Result<bool> {
                if exists(t).await? {
                    return Ok(false);
                }
                run(t, &format!("CREATE DATABASE {}", $backend.dialect().quote_ident(&t.name))).await?;
                Ok(true)
            }

            pub(super) async fn drop(t: &Named<$options>) -> Result<bool> {
                if !exists(t).await? {
                    return Ok(false);
                }
                run(t, &format!("DROP DATABASE {}", $backend.dialect().quote_ident(&t.name))).await?;
                Ok(true)
            }

            async fn run(t: &Named<$options>, sql: &str) -> Result<()> {
                let mut conn = admin(t).await?;
                let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await;
                let _ = conn.close().await;
                result.map(|_| ()).map_err(|e| Error::Database {
                    message: e.as_database_error().map_or_else(|| e.to_string(), |d| d.message().to_owned()),
                    sql: sql.to_owned(),
                    source: Some(Box::new(e)),
                })
            }
        }
    };
}

server_admin!(
    pg,
    "postgres",
    sqlx::postgres::PgConnectOptions,
    sqlx::postgres::PgConnection,
    crate::Backend::Postgres,
    "postgres",
    "SELECT COUNT(*) FROM pg_database WHERE datname = $1"
);
server_admin!(
    my,
    "mysql",
    sqlx::mysql::MySqlConnectOptions,
    sqlx::mysql::MySqlConnection,
    crate::Backend::MySql,
    "information_schema",
    "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?"
);
