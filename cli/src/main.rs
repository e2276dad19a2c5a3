//! `ormlet`, the command line tool: `ormlet migrate new|run|revert|redo|status`.
//! The engine is `ormlet::migrate`; this only parses and prints.

mod args;
mod migrate;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A `.env` file may hold DATABASE_URL; a missing one is fine.
    let _ = dotenvy::dotenv();
    let args = args::Cli::parse();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt.block_on(migrate::run(args)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
