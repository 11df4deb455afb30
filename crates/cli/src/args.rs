//! The flags every command shares, as typed (each verb's own are in its file under
//! `commands/`). Raw flags: `config.rs` checks them against the environment and the config file.
//!
//! Keep flag names those of the Python tool this replaces (`scripts/backup.py`), so existing
//! scripts and muscle memory keep working. There is deliberately no `--password` flag: a
//! password on the command line ends up in shell history and in `ps` output.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// What `keepsake --help` says after the commands: the environment, the exit codes, examples.
pub const ENV_HELP: &str = "\
Environment:
  DATABASE_URL                 database to back up: sqlite:///rel.db, sqlite:////abs.db or a path
  BACKUP_DIR                   backup folder
  BACKUP_ENCRYPTION_PASSWORD   password of encrypted backups
  BACKUP_ENCRYPTION_ENABLED    default of --encrypt/--no-encrypt (true/false, 1/0, yes/no)
  BACKUP_COMPRESSION_ENABLED   default of --compress/--no-compress
  BACKUP_VERIFY_AFTER_CREATE   default of create's --verify/--no-verify
  BACKUP_MAX_BACKUPS           cleanup's --keep when no cleanup flag is given
  BACKUP_RETENTION_DAYS        cleanup's --older-than when no cleanup flag is given
  BACKUP_ENABLED               scheduled backups of the `default` source on or off
  BACKUP_SCHEDULE              schedule of the `default` source (a phrase or a cron expression)
  KEEPSAKE_SOURCES             sources file [default: <OS config dir>/keepsake/sources.toml]
  NO_COLOR                     no colour in the output

Exit codes: 0 success, 1 a problem found (a verification failed, the database failed its
integrity check, `diff` found differences, a content alert stands), 2 usage or operational error, 3 the backup folder is busy with another
operation, 130 cancelled (Ctrl-C).

Examples:
  keepsake --db app.db create --description 'before upgrade' --tags release
  keepsake list --limit 5
  keepsake restore backup_20250101_020000 --to restored.db --yes
  keepsake source add astro --db astro.db --schedule 'daily 02:00' && keepsake daemon";

/// Options accepted by every command, before or after its name.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The SQLite database to back up or restore [default: DATABASE_URL, then the config file]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Folder of the backups [default: BACKUP_DIR, then the config file, then <db folder>/backups]
    #[arg(long, global = true, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Use the database, backup folder and settings of source NAME (see `keepsake source`);
    /// `daemon`: run only these sources (repeat for several)
    #[arg(long = "source", global = true, value_name = "NAME")]
    pub source: Vec<String>,

    /// Sources file [default: KEEPSAKE_SOURCES, then <OS config dir>/keepsake/sources.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub sources: Option<PathBuf>,

    /// Config file to read [default: <OS config dir>/keepsake/config.toml, when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read the encryption password from the first line of FILE
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Forgot the password? Open encrypted backups with the recovery key of your emergency kit,
    /// read from FILE (the key, or what a QR reader printed); `-` asks for it on the terminal
    #[arg(long, global = true, value_name = "FILE")]
    pub recovery_key_file: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    // No doc comments here: clap would turn the one-line value list into a long table.
    Auto,
    Always,
    Never,
}

/// The calendar retention rules, shared by `source add` and `cleanup`.
#[derive(Debug, Args)]
pub struct CalendarKeep {
    /// Keep the newest backup of each of the last N days that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_daily: Option<u32>,

    /// Keep the newest backup of each of the last N weeks that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_weekly: Option<u32>,

    /// Keep the newest backup of each of the last N months that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_monthly: Option<u32>,
}

/// `Some(true)` for `--x`, `Some(false)` for `--no-x`, `None` when neither was given (the last
/// one typed wins, through clap's `overrides_with`).
pub fn switch(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}
