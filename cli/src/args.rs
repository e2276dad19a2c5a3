//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// ormlet's command line tool.
#[derive(Parser, Debug)]
#[command(name = "ormlet", version, about = "ormlet's command line tool: migrations and databases")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create, apply, revert and inspect migrations.
    Migrate(Migrate),
    /// Create, drop, reset or set up the database at DATABASE_URL.
    Database(Database),
}

#[derive(Parser, Debug)]
pub struct Database {
    /// The database: sqlite://path, postgres://.../name, mysql://.../name (or set DATABASE_URL, also read from .env).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// The migrations folder (for reset and setup).
    #[arg(long, default_value = "migrations", global = true)]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub action: DatabaseAction,
}

#[derive(Subcommand, Debug)]
pub enum DatabaseAction {
    /// Create the database, if it does not exist.
    Create,
    /// Drop the database and everything in it (asks first).
    Drop {
        /// Do not ask.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Drop the database (asks first), create it, and run every migration.
    Reset {
        /// Do not ask.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Create the database if it does not exist, and run every pending migration.
    Setup,
}

#[derive(Parser, Debug)]
pub struct Migrate {
    /// The database: sqlite://path, postgres://..., mysql://... (or set DATABASE_URL, also read from .env).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// The migrations folder.
    #[arg(long, default_value = "migrations", global = true)]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub action: Action,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create `<dir>/<UTC timestamp>_<name>/` with an empty up.sql and down.sql.
    New {
        /// What the migration does, e.g. `create_users`.
        name: String,
    },
    /// Apply every pending migration, in order.
    Run {
        /// Stop after this version.
        #[arg(long)]
        to: Option<i64>,
    },
    /// Revert the last applied migrations with their down.sql.
    Revert {
        /// How many.
        #[arg(long, default_value_t = 1)]
        steps: usize,
    },
    /// Revert the last applied migration and apply it again.
    Redo,
    /// List migrations: applied, pending, changed since applied, or missing.
    Status,
    /// Write the next migration: what changed in the models' schema snapshot
    /// (`Snapshot::of::<(User, Post)>().to_json()`) since the schema the last
    /// migration recorded, for SQLite, PostgreSQL and MySQL in one folder,
    /// with the snapshot recorded beside it. Needs no database.
    Diff {
        /// The models' snapshot: JSON written by `ormlet::migrate::Snapshot::to_json`.
        #[arg(long)]
        snapshot: PathBuf,
        /// The new migration's name.
        #[arg(long, default_value = "schema_change")]
        name: String,
        /// Drop the tables, columns, indexes and foreign keys the models no
        /// longer declare (refused without it, listing them). With
        /// --from-database: also drop what the database has and the models
        /// never declared (left as it is without it, and listed).
        #[arg(long)]
        drop: bool,
        /// Compare with the database at --database-url instead of the
        /// recorded history (once, for migrations that recorded no schema).
        #[arg(long)]
        from_database: bool,
    },
    /// Compare the database with the schema its applied migrations record;
    /// exits non-zero, listing each difference, when they differ (drift).
    Check,
}
