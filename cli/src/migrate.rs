//! `ormlet migrate ...`: each action calls the engine and prints one line a step.

use std::process::ExitCode;

use ormlet_core::AnyDb;
use ormlet_core::Executor;
use ormlet_core::migrate::{Change, Migrator, SCHEMA_FILE, Snapshot, State, create, plan, plan_keeping_unknown};

use crate::args::{Action, Migrate};

/// Runs the command; every failure is one line on stderr and a non-zero exit.
pub async fn run(m: Migrate) -> ExitCode {
    match migrate(m).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(m: &Migrate) -> Result<AnyDb, String> {
    AnyDb::connect(database_url(m.database_url.as_deref())?).await.map_err(|e| e.to_string())
}

/// The URL given, or how to give one.
pub fn database_url(url: Option<&str>) -> Result<&str, String> {
    url.ok_or_else(|| {
        "no database: pass --database-url or set DATABASE_URL (e.g. sqlite://app.db, postgres://user@host/db)"
            .to_owned()
    })
}

/// Applies every pending migration in `dir`, printing each.
pub async fn run_all(db: &AnyDb, dir: &std::path::Path) -> Result<(), String> {
    let err = |e: ormlet_core::Error| e.to_string();
    let migrator = Migrator::from_dir(dir).map_err(err)?;
    let applied = migrator.run(db, None).await.map_err(err)?;
    report(&migrator, &applied, "applied");
    Ok(())
}

async fn migrate(m: Migrate) -> Result<ExitCode, String> {
    let err = |e: ormlet_core::Error| e.to_string();
    match &m.action {
        Action::New { name } => {
            let folder = create(&m.dir, name, std::time::SystemTime::now()).map_err(err)?;
            println!("created {}", folder.display());
            println!("  write the change in up.sql and how to undo it in down.sql");
        }
        Action::Run { to } => {
            let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
            let db = connect(&m).await?;
            let applied = migrator.run(&db, *to).await.map_err(err)?;
            report(&migrator, &applied, "applied");
        }
        Action::Revert { steps } => {
            let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
            let db = connect(&m).await?;
            let reverted = migrator.revert(&db, *steps).await.map_err(err)?;
            report(&migrator, &reverted, "reverted");
        }
        Action::Redo => {
            let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
            let db = connect(&m).await?;
            match migrator.redo(&db).await.map_err(err)? {
                Some(v) => report(&migrator, &[v], "redone"),
                None => println!("nothing applied: nothing to redo"),
            }
        }
        Action::Status => {
            let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
            let db = connect(&m).await?;
            let mut trouble = Vec::new();
            for s in migrator.status(&db).await.map_err(err)? {
                let state = match &s.state {
                    State::Applied { at } => format!("applied {at}"),
                    State::Pending => "pending".to_owned(),
                    State::Changed => {
                        trouble.push(format!("{} {} changed since it was applied", s.version, s.name));
                        "CHANGED since applied".to_owned()
                    }
                    State::Missing => "applied, folder missing".to_owned(),
                    _ => "unknown".to_owned(),
                };
                println!("{:<16} {:<32} {state}", s.version, s.name);
            }
            if !trouble.is_empty() {
                return Err(format!(
                    "{}: restore the file, or write a new migration for the change",
                    trouble.join("; ")
                ));
            }
        }
        Action::Diff { snapshot, name, drop, from_database } => {
            let models = read_snapshot(snapshot)?;
            if *from_database {
                diff_database(&m, &models, snapshot, name, *drop).await?
            } else {
                diff_history(&m, &models, snapshot, name, *drop)?
            }
        }
        Action::Check => return check(&m).await,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_snapshot(snapshot: &std::path::Path) -> Result<Snapshot, String> {
    let json = std::fs::read_to_string(snapshot).map_err(|e| {
        format!(
            "cannot read the snapshot {}: {e} (write one with `Snapshot::of::<(User, Post)>().to_json()`)",
            snapshot.display()
        )
    })?;
    Snapshot::from_json(&json).map_err(|e| format!("{}: {e}", snapshot.display()))
}

/// The models' snapshot against the schema the last migration recorded:
/// no database involved.
fn diff_history(
    m: &Migrate,
    models: &Snapshot,
    snapshot: &std::path::Path,
    name: &str,
    drop: bool,
) -> Result<(), String> {
    let err = |e: ormlet_core::Error| e.to_string();
    let change = Change::since(&m.dir, models).map_err(err)?;
    if change.is_empty() {
        println!("the models match the schema recorded in {}: no migration written", m.dir.display());
        return Ok(());
    }
    let header = format!(
        "Written by `ormlet migrate diff --snapshot {}` from the schema recorded in {}.\nReview it before running it.",
        snapshot.display(),
        m.dir.display()
    );
    let folder = change.write(&m.dir, name, &header, drop, std::time::SystemTime::now()).map_err(err)?;
    println!("created {}", folder.display());
    for (backend, up, down) in &change.scripts {
        println!("  {}: up {} statement(s), down {}", backend.name(), up.len(), down.len());
    }
    for (backend, why) in &change.skipped {
        println!("  note: no script for {}: {why}", backend.name());
    }
    for dropped in &change.drops {
        println!("  note: up drops {dropped}, and the data in it");
    }
    Ok(())
}

/// Compares the database with its applied migrations' recorded schema.
async fn check(m: &Migrate) -> Result<ExitCode, String> {
    let err = |e: ormlet_core::Error| e.to_string();
    let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
    let db = connect(m).await?;
    let drift = ormlet_core::migrate::check(&db, &migrator).await.map_err(err)?;
    for note in &drift.notes {
        println!("note: {note}");
    }
    if drift.is_clean() {
        println!("the database holds the schema migration {} records", drift.recorded_by);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "drift: the database differs from the schema migration {} records; bringing it back would run:",
        drift.recorded_by
    );
    for d in &drift.differences {
        println!("  {d}");
    }
    Ok(ExitCode::FAILURE)
}

/// Compares the live database with the snapshot and writes the migration
/// between them, recording the snapshot: how a project whose migrations
/// recorded no schema starts its history.
///
/// What the database has and the models do not declare is left as it is
/// and listed, unless `drop`.
async fn diff_database(
    m: &Migrate,
    target: &Snapshot,
    snapshot: &std::path::Path,
    name: &str,
    drop: bool,
) -> Result<(), String> {
    let err = |e: ormlet_core::Error| e.to_string();
    let db = connect(m).await?;
    // A diff against a database that lags its migrations would write them again.
    if m.dir.exists() {
        let migrator = Migrator::from_dir(&m.dir).map_err(err)?;
        let waiting: Vec<String> = migrator
            .status(&db)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|s| matches!(s.state, State::Pending | State::Changed))
            .map(|s| format!("{} {}", s.version, s.name))
            .collect();
        if !waiting.is_empty() {
            return Err(format!(
                "{} migration(s) not applied as written ({}): run `ormlet migrate run` first, then diff",
                waiting.len(),
                waiting.join(", ")
            ));
        }
    }
    let plan = if drop { plan(&db, target).await } else { plan_keeping_unknown(&db, target).await }.map_err(err)?;
    let header = format!(
        "Written by `ormlet migrate diff --from-database --snapshot {}` against {}.\nReview it before running it.",
        snapshot.display(),
        db.backend().name()
    );
    let folder = plan.write(&m.dir, name, &header, std::time::SystemTime::now()).map_err(err)?;
    std::fs::write(folder.join(SCHEMA_FILE), target.to_json())
        .map_err(|e| format!("cannot write {}: {e}", folder.join(SCHEMA_FILE).display()))?;
    println!("created {}", folder.display());
    println!("  up.sql: {} statement(s), down.sql: {} ({} only)", plan.up.len(), plan.down.len(), db.backend().name());
    for loss in &plan.losses {
        println!("  note: up.sql drops {loss}, and the data in it");
    }
    for note in &plan.notes {
        println!("  note: {note} (--drop drops it)");
    }
    Ok(())
}

fn report(migrator: &Migrator, versions: &[i64], done: &str) {
    if versions.is_empty() {
        println!("nothing to do");
    }
    for v in versions {
        let name = migrator.migrations().iter().find(|m| m.version == *v).map_or("", |m| m.name.as_str());
        println!("{done} {v} {name}");
    }
}
