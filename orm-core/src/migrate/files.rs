//! Migration files: `<dir>/<version>_<name>/`, holding `up.sql` and
//! `down.sql` for every backend, or each backend's own (`up.postgres.sql`,
//! `up.mysql.sql`, `up.sqlite.sql`, with their `down`s) where its SQL
//! differs, and `schema.json`, the models' schema after the migration, where
//! `ormlet migrate diff` wrote it.

use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::error::{Error, Result};

/// The backends a migration folder can hold scripts for, and their files' tag.
pub const BACKENDS: [(Backend, &str); 3] =
    [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres"), (Backend::MySql, "mysql")];

/// The tag a backend's own scripts carry: `up.<tag>.sql`.
pub fn file_tag(backend: Backend) -> &'static str {
    BACKENDS.iter().find(|(b, _)| *b == backend).map_or("sql", |(_, tag)| tag)
}

/// The file holding the models' schema after a migration.
pub const SCHEMA_FILE: &str = "schema.json";

/// One migration as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The version: the UTC timestamp the folder starts with (`20261128103000`).
    pub version: i64,
    /// The name after the version.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// `up.sql`: what every backend without a script of its own runs (empty
    /// when the folder has none).
    pub up: String,
    /// `down.sql` (may be empty: the migration cannot be reverted).
    pub down: String,
    /// Backends' own scripts, which they run instead of `up.sql`/`down.sql`.
    pub scripts: Vec<BackendScripts>,
    /// `schema.json`: the models' schema after this migration, where
    /// `ormlet migrate diff` recorded it.
    pub schema: Option<String>,
}

/// One backend's own `up.<tag>.sql` and `down.<tag>.sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendScripts {
    /// The backend that runs them.
    pub backend: Backend,
    /// `up.<tag>.sql`.
    pub up: String,
    /// `down.<tag>.sql` (may be empty).
    pub down: String,
}

impl Migration {
    /// A migration held in memory (built in code rather than read from a folder).
    pub fn new(version: i64, name: &str, up: String, down: String) -> Migration {
        Migration { version, name: name.to_owned(), dir: PathBuf::new(), up, down, scripts: Vec::new(), schema: None }
    }

    /// With `backend`'s own scripts, which it runs instead of `up`/`down`.
    pub fn with_backend(mut self, backend: Backend, up: String, down: String) -> Migration {
        self.scripts.retain(|s| s.backend != backend);
        self.scripts.push(BackendScripts { backend, up, down });
        self
    }

    /// With the models' schema after it (`schema.json`).
    pub fn with_schema(mut self, schema: String) -> Migration {
        self.schema = Some(schema);
        self
    }

    fn own(&self, backend: Backend) -> Option<&BackendScripts> {
        self.scripts.iter().find(|s| s.backend == backend)
    }

    /// The up script `backend` runs: its own, else `up.sql`; an error naming
    /// the files when the folder has neither.
    pub fn up_for(&self, backend: Backend) -> Result<&str> {
        match self.own(backend) {
            Some(s) => Ok(&s.up),
            None if !self.up.is_empty() || self.scripts.is_empty() => Ok(&self.up),
            None => Err(Error::Migration {
                version: Some(self.version),
                message: format!(
                    "`{}` has no script for {}: add up.sql (every backend) or up.{}.sql",
                    self.name,
                    backend.name(),
                    file_tag(backend)
                ),
            }),
        }
    }

    /// The down script `backend` runs: its own, else `down.sql`.
    pub fn down_for(&self, backend: Backend) -> &str {
        self.own(backend).map_or(&self.down, |s| &s.down)
    }

    /// The checksum recorded when `backend` applies it: of the up script
    /// that backend runs.
    pub fn checksum_for(&self, backend: Backend) -> String {
        checksum(self.up_for(backend).unwrap_or_default())
    }

    /// The file `backend` runs, for messages.
    pub fn up_file(&self, backend: Backend) -> PathBuf {
        match self.own(backend) {
            Some(_) => self.dir.join(format!("up.{}.sql", file_tag(backend))),
            None => self.dir.join("up.sql"),
        }
    }
}

/// A stable checksum of a migration's text (FNV-1a, 64 bits, hex): an edit
/// anywhere changes it, whitespace included.
pub fn checksum(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Migration { version: None, message: format!("cannot read {}: {e}", path.display()) }
}

/// Reads every migration under `dir`, in version order. A folder that does
/// not start with a version, or holds no up script, is an error naming it.
pub fn read_dir(dir: &Path) -> Result<Vec<Migration>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Migration {
        version: None,
        message: format!(
            "cannot read the migrations folder {}: {e} (create it with `ormlet migrate new <name>`, or pass --dir)",
            dir.display()
        ),
    })?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        if folder.starts_with('.') {
            continue;
        }
        let (version, name) = folder
            .split_once('_')
            .and_then(|(v, n)| v.parse::<i64>().ok().map(|v| (v, n.to_owned())))
            .ok_or_else(|| Error::Migration {
                version: None,
                message: format!("{}: a migration folder is named `<version>_<name>`", path.display()),
            })?;
        let optional = |file: PathBuf| match std::fs::read_to_string(&file) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&file, e)),
        };
        let up = optional(path.join("up.sql"))?;
        let down = optional(path.join("down.sql"))?.unwrap_or_default();
        let mut scripts = Vec::new();
        for (backend, tag) in BACKENDS {
            if let Some(up) = optional(path.join(format!("up.{tag}.sql")))? {
                let down = optional(path.join(format!("down.{tag}.sql")))?.unwrap_or_default();
                scripts.push(BackendScripts { backend, up, down });
            }
        }
        if up.is_none() && scripts.is_empty() {
            return Err(Error::Migration {
                version: None,
                message: format!("{}: a migration folder holds up.sql, or up.<backend>.sql", path.display()),
            });
        }
        let schema = optional(path.join(SCHEMA_FILE))?;
        out.push(Migration { version, name, dir: path, up: up.unwrap_or_default(), down, scripts, schema });
    }
    out.sort_by_key(|m| m.version);
    if let Some(w) = out.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(Error::Migration {
            version: Some(w[0].version),
            message: format!("two migrations share version {}: {} and {}", w[0].version, w[0].name, w[1].name),
        });
    }
    Ok(out)
}

/// Creates `<dir>/<UTC timestamp>_<name>/{up,down}.sql`, empty but for a
/// comment; returns the folder.
pub fn create(dir: &Path, name: &str, now: std::time::SystemTime) -> Result<PathBuf> {
    write(dir, name, now, &format!("-- {name}: the change\n"), &format!("-- {name}: undo it\n"))
}

/// Creates a migration folder holding `up` and `down`. Its version is the
/// UTC time, or one past the newest migration already in `dir` when that is
/// later (two created in the same second still apply in order).
pub fn write(dir: &Path, name: &str, now: std::time::SystemTime, up: &str, down: &str) -> Result<PathBuf> {
    write_files(dir, name, now, &[("up.sql".to_owned(), up.to_owned()), ("down.sql".to_owned(), down.to_owned())])
}

/// Creates a migration folder holding `files` (name, text), versioned as
/// [`write`] does; gives the folder.
pub(crate) fn write_files(
    dir: &Path,
    name: &str,
    now: std::time::SystemTime,
    files: &[(String, String)],
) -> Result<PathBuf> {
    let clean: String =
        name.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if clean.trim_matches('_').is_empty() {
        return Err(Error::Migration { version: None, message: format!("`{name}` is not a usable migration name") });
    }
    let secs = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let newest = if dir.exists() { read_dir(dir)?.last().map(|m| m.version) } else { None };
    let after_newest = match newest {
        None => 0,
        Some(v) => v.checked_add(1).ok_or_else(|| Error::Migration {
            version: Some(v),
            message: format!(
                "{v} is the largest version there is, so no migration can follow it: renumber that folder"
            ),
        })?,
    };
    let version = utc_stamp(secs).max(after_newest);
    let folder = dir.join(format!("{version}_{clean}"));
    let fail = |e: std::io::Error| Error::Migration {
        version: Some(version),
        message: format!("cannot create {}: {e}", folder.display()),
    };
    std::fs::create_dir_all(&folder).map_err(fail)?;
    for (file, text) in files {
        std::fs::write(folder.join(file), text).map_err(fail)?;
    }
    Ok(folder)
}

/// `YYYYMMDDHHMMSS` in UTC for seconds since the epoch.
pub(crate) fn utc_stamp(secs: u64) -> i64 {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s) = ((rem / 3_600) as i64, ((rem % 3_600) / 60) as i64, (rem % 60) as i64);
    ((((y * 100 + m) * 100 + d) * 100 + h) * 100 + mi) * 100 + s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times() {
        assert_eq!(utc_stamp(0), 19_700_101_000_000);
        // 2026-11-28 10:30:00 UTC
        assert_eq!(utc_stamp(1_795_861_800), 20_261_128_103_000);
        assert_eq!(utc_stamp(951_782_400), 20_000_229_000_000, "a leap day");
    }

    #[test]
    fn checksums_change_with_any_edit() {
        assert_eq!(checksum("CREATE TABLE t (x INT);"), checksum("CREATE TABLE t (x INT);"));
        assert_ne!(checksum("CREATE TABLE t (x INT);"), checksum("CREATE TABLE t (x INT); "));
        assert_eq!(checksum("").len(), 16);
    }
}
