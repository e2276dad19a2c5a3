//! `ormlet database ...`: create, drop, reset and set up the database a URL
//! names, with sqlx-cli's conventions. The engine is `ormlet::database`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use ormlet_core::AnyDb;
use ormlet_core::database::redacted;

use crate::args::{Database, DatabaseAction};
use crate::migrate::{database_url, run_all};

/// Runs the command; every failure is one line on stderr and a non-zero exit.
pub async fn run(d: Database) -> ExitCode {
    match database(d).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn database(d: Database) -> Result<(), String> {
    let url = database_url(d.database_url.as_deref())?;
    let err = |e: ormlet_core::Error| e.to_string();
    match d.action {
        DatabaseAction::Create => create(url).await,
        DatabaseAction::Drop { yes } => drop(url, yes).await,
        DatabaseAction::Reset { yes } => {
            drop(url, yes).await?;
            create(url).await?;
            run_all(&AnyDb::connect(url).await.map_err(err)?, &d.dir).await
        }
        DatabaseAction::Setup => {
            create(url).await?;
            run_all(&AnyDb::connect(url).await.map_err(err)?, &d.dir).await
        }
    }
}

async fn create(url: &str) -> Result<(), String> {
    if ormlet_core::database::create(url).await.map_err(|e| e.to_string())? {
        println!("created the database at {}", redacted(url));
    } else {
        println!("the database at {} exists already", redacted(url));
    }
    Ok(())
}

async fn drop(url: &str, yes: bool) -> Result<(), String> {
    if !ormlet_core::database::exists(url).await.map_err(|e| e.to_string())? {
        println!("no database at {}: nothing to drop", redacted(url));
        return Ok(());
    }
    if !yes && !confirm(&format!("Drop the database at {} and everything in it? [y/N] ", redacted(url))) {
        return Err("not dropped (answer y, or pass -y)".to_owned());
    }
    ormlet_core::database::drop(url).await.map_err(|e| e.to_string())?;
    println!("dropped the database at {}", redacted(url));
    Ok(())
}

/// Asks on the terminal; anything but y or yes (or no answer) is no.
fn confirm(question: &str) -> bool {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
