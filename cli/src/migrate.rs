//! `ormlet migrate ...`: each action calls the engine and prints one line a step.

use std::process::ExitCode;

use ormlet_core::AnyDb;
use ormlet_core::Executor;
use ormlet_core::migrate::{Migrator, Snapshot, State, create, plan};

use crate::args::{Action, Cli, Command, Migrate};

/// Runs the command; every failure is one line on stderr and a non-zero exit.
pub async fn run(cli: Cli) -> ExitCode {
    let Command::Migrate(m) = cli.command;
    match migrate(m).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(m: &Migrate) -> Result<AnyDb, String> {
    let url = m.database_url.as_deref().ok_or(
        "no database: pass --database-url or set DATABASE_URL (e.g. sqlite://app.db, postgres://user@host/db)",
    )?;
    AnyDb::connect(url).await.map_err(|e| e.to_string())
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
        Action::Diff { snapshot, name } => diff(&m, snapshot, name).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Compares the database with the snapshot and writes the migration between them.
async fn diff(m: &Migrate, snapshot: &std::path::Path, name: &str) -> Result<(), String> {
    let json = std::fs::read_to_string(snapshot).map_err(|e| {
        format!(
            "cannot read the snapshot {}: {e} (write one with `Snapshot::of::<(User, Post)>().to_json()`)",
            snapshot.display()
        )
    })?;
    let err = |e: ormlet_core::Error| e.to_string();
    let target = Snapshot::from_json(&json).map_err(|e| format!("{}: {e}", snapshot.display()))?;
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
    let plan = plan(&db, &target).await.map_err(err)?;
    if plan.is_empty() {
        println!("the database already matches {}: no migration written", snapshot.display());
        return Ok(());
    }
    let header = format!(
        "Written by `ormlet migrate diff --snapshot {}` against {}.\nReview it before running it.",
        snapshot.display(),
        db.backend().name()
    );
    let folder = plan.write(&m.dir, name, &header, std::time::SystemTime::now()).map_err(err)?;
    println!("created {}", folder.display());
    println!("  up.sql: {} statement(s), down.sql: {}", plan.up.len(), plan.down.len());
    for loss in &plan.losses {
        println!("  note: up.sql drops {loss}, and the data in it");
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
