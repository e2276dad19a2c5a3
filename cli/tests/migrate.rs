//! The `ormlet migrate` binary on a temporary SQLite file and on a
//! PostgreSQL schema of its own: the lifecycle, refusals, failed
//! migrations leaving nothing behind, concurrent runners, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ormlet_core::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_ormlet");

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("ormlet_cli_{tag}_{}_{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ormlet(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(["migrate", "--database-url", url])
        .args(args)
        .output()
        .expect("run ormlet")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A migration folder with the given scripts (versions given, not timestamps, for order).
fn write(dir: &Path, version: i64, name: &str, up: &str, down: &str) -> PathBuf {
    let folder = dir.join("migrations").join(format!("{version}_{name}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("up.sql"), up).unwrap();
    std::fs::write(folder.join("down.sql"), down).unwrap();
    folder
}

/// Failed without a panic, saying so on stderr.
fn failed_cleanly(o: &Output) {
    assert!(!o.status.success());
    let err = stderr(o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

fn one_error_line(o: &Output) {
    assert!(!o.status.success());
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn new_run_status_revert_redo_on_a_sqlite_file() {
    let dir = temp_dir("life");
    let url = format!("sqlite://{}", dir.join("app.db").display());
    let o = ormlet(&dir, &url, &["new", "create users"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = std::fs::read_dir(dir.join("migrations")).unwrap().next().unwrap().unwrap().path();
    assert!(folder.file_name().unwrap().to_string_lossy().ends_with("_create_users"));
    std::fs::write(folder.join("up.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);").unwrap();
    std::fs::write(folder.join("down.sql"), "DROP TABLE users;").unwrap();

    let o = ormlet(&dir, &url, &["run"]);
    assert!(o.status.success() && stdout(&o).starts_with("applied "), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&ormlet(&dir, &url, &["status"])).contains("applied 20"));
    let o = ormlet(&dir, &url, &["revert"]);
    assert!(o.status.success() && stdout(&o).starts_with("reverted "), "{}", stderr(&o));
    assert!(stdout(&ormlet(&dir, &url, &["status"])).contains("pending"));
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    let o = ormlet(&dir, &url, &["redo"]);
    assert!(o.status.success() && stdout(&o).starts_with("redone "), "{}", stderr(&o));
    assert!(stdout(&ormlet(&dir, &url, &["status"])).contains("applied 20"));

    // An applied migration edited afterwards: run and status refuse, naming it.
    std::fs::write(folder.join("up.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);").unwrap();
    for cmd in ["run", "status"] {
        let o = ormlet(&dir, &url, &[cmd]);
        assert!(!o.status.success(), "{cmd} must fail");
        assert!(stderr(&o).contains("create_users") && stderr(&o).contains("changed"), "{cmd}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Five migrations, then two `ormlet migrate run` started together; gives
/// how many each applied (both must succeed).
fn race(dir: &Path, url: &str) -> usize {
    for v in 1..=5 {
        write(dir, v, &format!("m{v}"), &format!("CREATE TABLE t{v} (x INTEGER);"), &format!("DROP TABLE t{v};"));
    }
    let spawn = || {
        Command::new(BIN)
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .args(["migrate", "--database-url", url, "run"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{} {}", stderr(&a), stderr(&b));
    let applied = |o: &Output| stdout(o).lines().filter(|l| l.starts_with("applied")).count();
    applied(&a) + applied(&b)
}

/// A good migration, then one whose second statement fails: the state
/// `state` reads must not change, and the error names the statement.
fn failing_second_statement<S: PartialEq + std::fmt::Debug>(dir: &Path, url: &str, state: impl Fn() -> S) {
    write(dir, 1, "first", "CREATE TABLE a (x INTEGER);", "DROP TABLE a;");
    assert!(ormlet(dir, url, &["run"]).status.success());
    let before = state();
    write(dir, 2, "broken", "CREATE TABLE b (x INTEGER);\nCREATE TABLEE c (y INTEGER);", "");
    let o = ormlet(dir, url, &["run"]);
    failed_cleanly(&o);
    assert!(stderr(&o).contains("statement 2") && stderr(&o).contains("TABLEE"), "{}", stderr(&o));
    assert_eq!(state(), before, "no table b, no record of migration 2");
}

fn sqlite_tables(db: &Path) -> (Vec<String>, i64) {
    let conn = ormlet_core::sqlite::Db::open(db).unwrap();
    let tables: Vec<String> =
        conn.raw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", vec![]).all().unwrap();
    let recorded: i64 = conn.raw("SELECT COUNT(*) FROM ormlet_migrations", vec![]).one().unwrap_or(0);
    (tables, recorded)
}

#[test]
fn a_failing_second_statement_leaves_a_sqlite_schema_as_it_was() {
    let dir = temp_dir("fail");
    let db = dir.join("app.db");
    failing_second_statement(&dir, &format!("sqlite://{}", db.display()), || sqlite_tables(&db));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_runners_started_together_apply_each_sqlite_migration_once() {
    let dir = temp_dir("race");
    let db = dir.join("app.db");
    assert_eq!(race(&dir, &format!("sqlite://{}", db.display())), 5, "each migration applied by exactly one runner");
    assert_eq!(sqlite_tables(&db).1, 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_one_line_and_a_non_zero_exit() {
    let dir = temp_dir("bad");
    write(&dir, 1, "m", "SELECT 1;", "");
    one_error_line(&ormlet(&dir, "nonsense://x", &["run"]));
    one_error_line(&ormlet(&dir, "sqlite::memory:", &["run", "--dir", "no_such_folder"]));
    let o =
        Command::new(BIN).current_dir(&dir).env_remove("DATABASE_URL").args(["migrate", "status"]).output().unwrap();
    one_error_line(&o);
    assert!(stderr(&o).contains("DATABASE_URL"), "{}", stderr(&o));
    if std::env::var("ORMLET_SKIP_SERVER_TESTS").as_deref() != Ok("1") {
        one_error_line(&ormlet(&dir, "postgres://u:secret@127.0.0.1:1/x", &["status"]));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Inputs that once made the tool panic: each is one line and a non-zero exit.
#[test]
fn no_input_makes_the_tool_panic() {
    let url = "sqlite::memory:";
    // The largest version there is: the next one would overflow.
    let dir = temp_dir("overflow");
    write(&dir, i64::MAX, "x", "SELECT 1;", "");
    let o = ormlet(&dir, url, &["new", "next"]);
    one_error_line(&o);
    assert!(stderr(&o).contains(&i64::MAX.to_string()), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);

    // A folder whose name is not a version, and one with no up.sql.
    let dir = temp_dir("names");
    std::fs::create_dir_all(dir.join("migrations/not_a_version")).unwrap();
    one_error_line(&ormlet(&dir, url, &["run"]));
    std::fs::remove_dir_all(dir.join("migrations/not_a_version")).unwrap();
    std::fs::create_dir_all(dir.join("migrations/7_no_up")).unwrap();
    one_error_line(&ormlet(&dir, url, &["status"]));
    std::fs::remove_dir_all(dir.join("migrations/7_no_up")).unwrap();

    // An empty up.sql applies as nothing.
    write(&dir, 8, "empty", "", "");
    let o = ormlet(&dir, url, &["run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

fn pg_url() -> String {
    std::env::var("ORMLET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Drops a test's PostgreSQL schema when the test ends, failing or not.
struct DropSchema(String);

impl Drop for DropSchema {
    fn drop(&mut self) {
        let name = self.0.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                if let Ok(admin) = ormlet_core::postgres::Db::connect(&pg_url()).await {
                    let _ = admin.execute_batch(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await;
                }
            });
        })
        .join();
    }
}

/// A PostgreSQL schema for one test: (admin, the URL whose search path is it, its name).
fn pg_schema(tag: &str) -> Option<(ormlet_core::postgres::Db, String, String, tokio::runtime::Runtime)> {
    if std::env::var("ORMLET_SKIP_SERVER_TESTS").as_deref() == Ok("1") {
        return None;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = pg_url();
    let name = format!("ormlet_cli_{tag}_{}", std::process::id());
    let admin = rt.block_on(ormlet_core::postgres::Db::connect(&url)).expect("PostgreSQL for the CLI tests");
    rt.block_on(admin.execute_batch(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"))).unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    Some((admin, format!("{url}{sep}options=-c%20search_path%3D{name}"), name, rt))
}

fn pg_state(rt: &tokio::runtime::Runtime, admin: &ormlet_core::postgres::Db, schema: &str) -> (Vec<String>, i64) {
    rt.block_on(async {
        let tables: Vec<String> = admin
            .raw(
                format!(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY 1"
                ),
                vec![],
            )
            .all()
            .await
            .unwrap();
        let n: i64 =
            admin.raw(format!("SELECT COUNT(*) FROM {schema}.ormlet_migrations"), vec![]).one().await.unwrap_or(0);
        (tables, n)
    })
}

#[test]
fn a_failing_second_statement_leaves_a_postgres_schema_as_it_was() {
    let Some((admin, url, schema, rt)) = pg_schema("fail") else { return };
    let _cleanup = DropSchema(schema.clone());
    let dir = temp_dir("pgfail");
    failing_second_statement(&dir, &url, || pg_state(&rt, &admin, &schema));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_runners_started_together_apply_each_postgres_migration_once() {
    let Some((admin, url, schema, rt)) = pg_schema("race") else { return };
    let _cleanup = DropSchema(schema.clone());
    let dir = temp_dir("pgrace");
    assert_eq!(race(&dir, &url), 5, "each migration applied by exactly one runner");
    assert_eq!(pg_state(&rt, &admin, &schema).1, 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A snapshot of one `users` table, as `Snapshot::of::<User>()` would write it.
fn users_snapshot(with_bio: bool) -> String {
    use ormlet_core::migrate::{ColumnSpec, IndexSpec, SNAPSHOT_VERSION, Snapshot, TableSpec};
    let col = |name: &str, sql_type: &str, nullable: bool, key: bool| ColumnSpec {
        name: name.into(),
        sql_type: sql_type.into(),
        nullable,
        primary_key: key,
        auto_increment: key,
        unique: false,
        default: None,
    };
    let mut columns = vec![col("id", "BigInt", false, true), col("name", "Text", false, false)];
    if with_bio {
        columns.push(col("bio", "Text", true, false));
    }
    let index =
        IndexSpec { name: "idx_users_name".into(), columns: vec!["name".into()], unique: false, where_clause: None };
    let users = TableSpec {
        name: "users".into(),
        columns,
        indexes: vec![index],
        foreign_keys: vec![],
        checks: vec![],
        renamed: vec![],
    };
    Snapshot { version: SNAPSHOT_VERSION, tables: vec![users] }.to_json()
}

/// `ormlet migrate` with no database at all.
fn offline(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .arg("migrate")
        .args(args)
        .output()
        .expect("run ormlet")
}

#[test]
fn diff_needs_no_database_and_writes_the_next_migration_from_the_recorded_schema() {
    let dir = temp_dir("diff");
    let url = format!("sqlite://{}", dir.join("app.db").display());
    let folders = || std::fs::read_dir(dir.join("migrations")).map_or(0, |d| d.count());
    std::fs::write(dir.join("schema.json"), users_snapshot(false)).unwrap();

    // No DATABASE_URL: the first migration creates the table, for every backend.
    let o = offline(&dir, &["diff", "--snapshot", "schema.json", "--name", "create users"]);
    assert!(o.status.success() && stdout(&o).starts_with("created "), "{}{}", stdout(&o), stderr(&o));
    let folder = std::fs::read_dir(dir.join("migrations")).unwrap().next().unwrap().unwrap().path();
    let file = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
    assert!(file("up.postgres.sql").starts_with("-- Written by `ormlet migrate diff --snapshot schema.json`"));
    assert!(file("up.postgres.sql").contains(r#"CREATE TABLE IF NOT EXISTS "users""#));
    assert!(file("up.mysql.sql").contains("CREATE TABLE IF NOT EXISTS `users`"));
    assert!(file("up.sqlite.sql").contains("AUTOINCREMENT"));
    assert_eq!(file("down.sqlite.sql").lines().last(), Some(r#"DROP TABLE "users";"#));
    assert_eq!(file("schema.json"), users_snapshot(false), "the models' schema is recorded beside it");
    let o = offline(&dir, &["diff", "--snapshot", "schema.json"]);
    assert!(o.status.success() && stdout(&o).contains("match the schema recorded"), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(folders(), 1, "nothing written when nothing changed");

    // The model gains a column: the next migration, still with no database.
    std::fs::write(dir.join("schema.json"), users_snapshot(true)).unwrap();
    let o = offline(&dir, &["diff", "--snapshot", "schema.json", "--name", "add bio"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(folders(), 2);
    // Both run on a database, which then holds the recorded schema.
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    let o = ormlet(&dir, &url, &["check"]);
    assert!(o.status.success() && stdout(&o).contains("holds the schema"), "{}{}", stdout(&o), stderr(&o));
    let (tables, applied) = sqlite_tables(&dir.join("app.db"));
    assert_eq!((tables.contains(&"users".to_owned()), applied), (true, 2));

    // Dropping it needs --drop, and says what goes.
    std::fs::write(dir.join("schema.json"), users_snapshot(false)).unwrap();
    let o = offline(&dir, &["diff", "--snapshot", "schema.json", "--name", "drop bio"]);
    one_error_line(&o);
    assert!(stderr(&o).contains("no longer declare column users.bio: pass --drop"), "{}", stderr(&o));
    assert_eq!(folders(), 2, "nothing written");
    let o = offline(&dir, &["diff", "--snapshot", "schema.json", "--name", "drop bio", "--drop"]);
    assert!(stdout(&o).contains("note: up drops column users.bio"), "{}{}", stdout(&o), stderr(&o));
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    assert!(ormlet(&dir, &url, &["check"]).status.success());

    // A missing or malformed snapshot is one line.
    one_error_line(&offline(&dir, &["diff", "--snapshot", "nope.json"]));
    std::fs::write(dir.join("bad.json"), "{").unwrap();
    one_error_line(&offline(&dir, &["diff", "--snapshot", "bad.json"]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_fails_on_drift_and_passes_after_run() {
    let dir = temp_dir("check");
    let url = format!("sqlite://{}", dir.join("app.db").display());
    std::fs::write(dir.join("schema.json"), users_snapshot(true)).unwrap();
    assert!(offline(&dir, &["diff", "--snapshot", "schema.json", "--name", "users"]).status.success());
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    assert!(ormlet(&dir, &url, &["check"]).status.success());

    // A column dropped by hand, and a hand-made partial index: the first is
    // drift, the second a note.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = ormlet_core::AnyDb::connect(&url).await.unwrap();
        db.execute_batch("ALTER TABLE users DROP COLUMN bio").await.unwrap();
        db.execute_batch("CREATE UNIQUE INDEX one_name_with_bio ON users (name) WHERE id > 0").await.unwrap();
    });
    let o = ormlet(&dir, &url, &["check"]);
    assert!(!o.status.success(), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("drift: the database differs") && out.contains("bio"), "{out}");
    assert!(out.contains("note: index one_name_with_bio on users is not in the recorded schema; left as is"), "{out}");

    // Put back by a migration: check passes again, the note stays.
    let folder = dir.join("migrations").join("99999999999999_restore_bio");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("up.sql"), "ALTER TABLE users ADD COLUMN bio TEXT;").unwrap();
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    let o = ormlet(&dir, &url, &["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("note: index one_name_with_bio"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_from_the_database_starts_a_history_for_older_migrations() {
    let dir = temp_dir("fromdb");
    let url = format!("sqlite://{}", dir.join("app.db").display());
    write(
        &dir,
        1,
        "by_hand",
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);\n\
         CREATE UNIQUE INDEX one_named_user ON users (name) WHERE id > 0;\n\
         CREATE TABLE audit (id INTEGER PRIMARY KEY);",
        "DROP TABLE audit; DROP TABLE users;",
    );
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    std::fs::write(dir.join("schema.json"), users_snapshot(true)).unwrap();
    // Migrations without a recorded schema: diff says how to start one.
    let o = offline(&dir, &["diff", "--snapshot", "schema.json"]);
    one_error_line(&o);
    assert!(stderr(&o).contains("--from-database"), "{}", stderr(&o));
    let o = ormlet(&dir, &url, &["diff", "--from-database", "--snapshot", "schema.json", "--name", "history"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // What the models never declared is left as it is, and said.
    let out = stdout(&o);
    assert!(out.contains("note: index one_named_user on users is not in the models; left as is"), "{out}");
    assert!(out.contains("note: table audit is not in the models; left as is"), "{out}");
    let written = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_history"))
        .expect("the history migration");
    for file in ["up.sql", "down.sql"] {
        let sql = std::fs::read_to_string(written.join(file)).unwrap();
        assert!(!sql.contains("one_named_user") && !sql.contains("audit"), "{file}: {sql}");
    }
    assert!(ormlet(&dir, &url, &["run"]).status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kept: Vec<(String,)> = rt.block_on(async {
        let db = ormlet_core::AnyDb::connect(&url).await.unwrap();
        let sql = "SELECT name FROM sqlite_master WHERE name IN ('one_named_user', 'audit') ORDER BY name";
        db.raw(sql, vec![]).all().await.unwrap()
    });
    assert_eq!(kept, [("audit".to_owned(),), ("one_named_user".to_owned(),)]);
    // From now on the history serves: nothing left to diff, offline.
    let o = offline(&dir, &["diff", "--snapshot", "schema.json"]);
    assert!(stdout(&o).contains("match the schema recorded"), "{}{}", stdout(&o), stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
