//! `ormlet`, the command line tool: `ormlet migrate new|run|revert|redo|
//! status|diff|check` and `ormlet database create|drop|reset|setup`. The
//! engine is `ormlet::migrate` and `ormlet::database`; this only parses and prints.

mod args;
mod database;
mod migrate;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A `.env` file may hold DATABASE_URL; a missing one is fine.
    let _ = dotenvy::dotenv();
    let args = args::Cli::parse();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt.block_on(async {
            match args.command {
                args::Command::Migrate(m) => migrate::run(m).await,
                args::Command::Database(d) => database::run(d).await,
            }
        }),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
