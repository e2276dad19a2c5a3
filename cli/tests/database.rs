//! `ormlet database create|drop|reset|setup` on PostgreSQL and MySQL (each
//! on a database of its own) and on a SQLite file; a missing database and
//! a refusing server are one line each, at once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ormlet");

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("ormlet_cli_db_{tag}_{}_{nanos}", std::process::id()));
    std::fs::create_dir_all(dir.join("migrations").join("1_notes")).unwrap();
    std::fs::write(dir.join("migrations/1_notes/up.sql"), "CREATE TABLE notes (id BIGINT PRIMARY KEY);").unwrap();
    std::fs::write(dir.join("migrations/1_notes/down.sql"), "DROP TABLE notes;").unwrap();
    dir
}

/// `ormlet <args>` in `dir` with `url`, `input` on its stdin.
fn ormlet(dir: &Path, url: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("DATABASE_URL", url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ormlet");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn one_error_line(o: &Output) -> String {
    assert!(!o.status.success(), "{}", out(o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: ") && !err.contains("panicked"), "{err}");
    err
}

/// The whole lifecycle on the database `url` names, which must not exist yet.
fn lifecycle(url: &str, tag: &str) {
    let dir = temp_dir(tag);
    let run = |args: &[&str], input: &str| ormlet(&dir, url, args, input);

    let o = run(&["database", "setup"], "");
    assert!(
        o.status.success() && out(&o).contains("created the database") && out(&o).contains("applied 1 notes"),
        "{}",
        out(&o)
    );
    let o = run(&["database", "setup"], "");
    assert!(
        o.status.success() && out(&o).contains("exists already") && out(&o).contains("nothing to do"),
        "{}",
        out(&o)
    );

    // Drop asks; no answer, or no, keeps it.
    let o = run(&["database", "drop"], "n\n");
    assert!(one_error_line(&o).contains("not dropped"));
    assert!(run(&["migrate", "status"], "").status.success(), "still there");
    let o = run(&["database", "drop"], "y\n");
    assert!(o.status.success() && out(&o).contains("dropped the database"), "{}", out(&o));

    // Gone: on a server, a missing database is one line that says what to
    // do, at once (SQLite opens a missing file as a new database).
    match url.strip_prefix("sqlite://") {
        Some(file) => assert!(!Path::new(file).exists(), "{file} removed"),
        None => {
            let started = Instant::now();
            let err = one_error_line(&run(&["migrate", "status"], ""));
            assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
            assert!(err.contains("does not exist") || err.contains("Unknown database"), "{err}");
            assert!(err.contains("(create it with `ormlet database create`)"), "{err}");
        }
    }
    let o = run(&["database", "drop", "-y"], "");
    assert!(o.status.success() && out(&o).contains("nothing to drop"), "{}", out(&o));

    // Create, then reset: dropped, created, migrated.
    assert!(run(&["database", "create"], "").status.success());
    let o = run(&["database", "reset", "-y"], "");
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    for step in ["dropped the database", "created the database", "applied 1 notes"] {
        assert!(text.contains(step), "{step} in {text}");
    }
    // The one migrations folder `diff` wrote with no database (the test
    // suite's), run by the CLI here, to the schema it records.
    assert!(run(&["database", "drop", "-y"], "").status.success());
    assert!(run(&["database", "create"], "").status.success());
    let history = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/history_fixture");
    let o = run(&["migrate", "--dir", history, "run"], "");
    assert!(o.status.success() && out(&o).contains("applied 20261128103001 release"), "{}", out(&o));
    let o = run(&["migrate", "--dir", history, "check"], "");
    assert!(o.status.success() && out(&o).contains("holds the schema migration 20261128103001 records"), "{}", out(&o));
    assert!(run(&["database", "drop", "-y"], "").status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Drops a server database when the test ends, failing or not.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new(BIN).env("DATABASE_URL", &self.0).args(["database", "drop", "-y"]).output();
    }
}

/// The server URL with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').expect("a URL with a database");
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

#[test]
fn the_lifecycle_on_a_sqlite_file() {
    let dir = temp_dir("sqlite_file");
    lifecycle(&format!("sqlite://{}", dir.join("app.db").display()), "sqlite");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_lifecycle_on_postgres() {
    let server =
        std::env::var("ORMLET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let url = with_database(&server, &format!("ormlet_cli_db_{}", std::process::id()));
    let _cleanup = Cleanup(url.clone());
    lifecycle(&url, "pg");
}

#[test]
fn the_lifecycle_on_mysql() {
    let server = std::env::var("ORMLET_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
    let url = with_database(&server, &format!("ormlet_cli_db_{}", std::process::id()));
    let _cleanup = Cleanup(url.clone());
    lifecycle(&url, "mysql");
}

#[test]
fn a_refusing_server_and_bad_urls_are_one_line_at_once() {
    let dir = temp_dir("refused");
    for url in ["postgres://postgres@127.0.0.1:1/app", "mysql://root@127.0.0.1:1/app"] {
        let started = Instant::now();
        let err = one_error_line(&ormlet(&dir, url, &["database", "create"], ""));
        assert!(started.elapsed() < Duration::from_secs(2), "{url}: {:?}", started.elapsed());
        assert!(err.contains("is the server running"), "{err}");
    }
    let err = one_error_line(&ormlet(&dir, "postgres://postgres@127.0.0.1:5432", &["database", "create"], ""));
    assert!(err.contains("names no database"), "{err}");
    let err = one_error_line(&ormlet(&dir, "sqlite::memory:", &["database", "drop", "-y"], ""));
    assert!(err.contains("in-memory"), "{err}");
    let err = one_error_line(&ormlet(&dir, "postgres://ann:s3cret@127.0.0.1:1/app", &["database", "create"], ""));
    assert!(!err.contains("s3cret"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
