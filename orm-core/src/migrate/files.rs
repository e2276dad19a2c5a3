//! Migration files: `<dir>/<version>_<name>/up.sql` and `down.sql`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One migration as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The version: the UTC timestamp the folder starts with (`20261128103000`).
    pub version: i64,
    /// The name after the version.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// `up.sql`.
    pub up: String,
    /// `down.sql` (may be empty: the migration cannot be reverted).
    pub down: String,
    /// Checksum of `up.sql`, recorded when applied.
    pub checksum: String,
}

impl Migration {
    /// A migration held in memory (built in code rather than read from a folder).
    pub fn new(version: i64, name: &str, up: String, down: String) -> Migration {
        Migration { version, name: name.to_owned(), dir: PathBuf::new(), checksum: checksum(&up), up, down }
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
/// not start with a version, or lacks `up.sql`, is an error naming it.
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
        let up_path = path.join("up.sql");
        let up = std::fs::read_to_string(&up_path).map_err(|e| io(&up_path, e))?;
        let down_path = path.join("down.sql");
        let down = match std::fs::read_to_string(&down_path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(&down_path, e)),
        };
        let checksum = checksum(&up);
        out.push(Migration { version, name, dir: path, up, down, checksum });
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
    std::fs::write(folder.join("up.sql"), up).map_err(fail)?;
    std::fs::write(folder.join("down.sql"), down).map_err(fail)?;
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
