//! `ormlet`, the command line tool. Its commands (`ormlet migrate
//! new|run|revert|redo|status|diff`) are not built yet; until then it says so
//! and exits non-zero rather than pretending to work.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("ormlet: no commands yet — `ormlet migrate` is planned; see the README");
    ExitCode::from(2)
}
