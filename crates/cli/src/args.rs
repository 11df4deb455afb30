//! The command line as typed: clap definitions and nothing else.
//!
//! These are raw flags. They are not checked against each other, the environment or the config
//! file here; `config.rs` does that in one step and hands the commands a validated `Config`.
//! Keep flag names those of the Python tool this replaces (`scripts/backup.py`), so existing
//! scripts and muscle memory keep working. There is deliberately no `--password` flag: a
//! password on the command line ends up in shell history and in `ps` output.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ENV_HELP: &str = "\
Environment:
  DATABASE_URL                 database to back up: sqlite:///rel.db, sqlite:////abs.db or a path
  BACKUP_DIR                   backup folder
  BACKUP_ENCRYPTION_PASSWORD   password of encrypted backups
  BACKUP_ENCRYPTION_ENABLED    default of --encrypt/--no-encrypt (true/false, 1/0, yes/no)
  BACKUP_COMPRESSION_ENABLED   default of --compress/--no-compress
  BACKUP_VERIFY_AFTER_CREATE   default of create's --verify/--no-verify
  BACKUP_MAX_BACKUPS           cleanup's --keep when no cleanup flag is given
  BACKUP_RETENTION_DAYS        cleanup's --older-than when no cleanup flag is given
  NO_COLOR                     no colour in the output

Exit codes: 0 success, 1 a verification found a problem, 2 usage or operational error,
3 the backup folder is busy with another operation, 130 cancelled (Ctrl-C).

Examples:
  keepsake --db app.db create --description 'before upgrade' --tags release
  keepsake list --limit 5
  keepsake restore backup_20250101_020000 --to restored.db --yes";

/// Back up, verify and restore SQLite databases.
#[derive(Debug, Parser)]
#[command(name = "keepsake", version, after_help = ENV_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

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

    /// Config file to read [default: <OS config dir>/keepsake/config.toml, when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read the encryption password from the first line of FILE
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Back up the database; prints the new backup's id
    #[command(after_help = "Examples:\n  keepsake --db app.db create\n  \
        keepsake create --no-encrypt --description 'before migration' --tags prod deploy --verify\n  \
        id=$(keepsake create) && keepsake verify \"$id\"")]
    Create(CreateArgs),

    /// List backups, newest first
    #[command(after_help = "Examples:\n  keepsake list\n  keepsake list --limit 5 --json")]
    List {
        /// Show at most N backups
        #[arg(long, short = 'n', value_name = "N")]
        limit: Option<usize>,
    },

    /// Check a backup end to end: checksum, decryption, decompression, SQLite integrity
    #[command(after_help = "Exits with 1 when the backup is damaged, 0 when it is sound.\n\n\
        Examples:\n  keepsake verify backup_20250101_020000\n  \
        keepsake verify backup_20250101_020000 --json | jq .ok")]
    Verify {
        /// Id of the backup (see `keepsake list`)
        id: String,
    },

    /// Replace the database (or write --to PATH) with a backup
    #[command(after_help = "Without --yes, restore asks for confirmation on a terminal and refuses \
        to run without one.\n\nExamples:\n  keepsake restore backup_20250101_020000\n  \
        keepsake restore backup_20250101_020000 --to /tmp/check.db --yes")]
    Restore(RestoreArgs),

    /// Delete one backup
    #[command(after_help = "Examples:\n  keepsake delete backup_20250101_020000\n  \
        keepsake delete backup_20250101_020000 --yes")]
    Delete {
        /// Id of the backup (see `keepsake list`)
        id: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },

    /// Delete old backups according to a retention policy
    #[command(after_help = "A backup is kept when any rule keeps it. With no flag, the policy comes \
        from BACKUP_MAX_BACKUPS and BACKUP_RETENTION_DAYS (or max_backups and retention_days in the \
        config file); with none of those either, cleanup refuses to guess.\n\n\
        Examples:\n  keepsake cleanup --keep 30\n  keepsake cleanup --older-than 90 --keep 5 --dry-run")]
    Cleanup(CleanupArgs),

    /// Show figures over all backups
    #[command(after_help = "Examples:\n  keepsake stats\n  keepsake stats --json")]
    Stats,

    /// Show past runs (backups, verifications, restores...), failed ones too
    #[command(after_help = "Examples:\n  keepsake history\n  keepsake history --limit 20 --json")]
    History {
        /// Show at most N runs
        #[arg(long, short = 'n', value_name = "N")]
        limit: Option<usize>,
    },

    /// Maintain the catalog of the backup folder
    #[command(subcommand, after_help = "Examples:\n  keepsake catalog rebuild")]
    Catalog(CatalogCommand),

    /// Write the plain SQLite database inside a backup to a new file
    #[command(after_help = "Examples:\n  keepsake decrypt backup_20250101_020000 --to plain.db")]
    Decrypt {
        /// Id of the backup (see `keepsake list`)
        id: String,
        /// File to write; it must not exist yet
        #[arg(long, value_name = "PATH")]
        to: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Make the catalog again from the backup files in the folder
    #[command(after_help = "Use it after copying backup files into the folder by hand, or when the \
        catalog file was lost. Verification results are forgotten (every backup becomes unverified); \
        the run history is kept.\n\n\
        Examples:\n  keepsake catalog rebuild")]
    Rebuild,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Encrypt the backup (AES-256-GCM) [default: BACKUP_ENCRYPTION_ENABLED, else on]
    #[arg(long, overrides_with = "no_encrypt")]
    pub encrypt: bool,
    /// Do not encrypt the backup
    #[arg(long, overrides_with = "encrypt")]
    pub no_encrypt: bool,

    /// Compress the backup (gzip) [default: BACKUP_COMPRESSION_ENABLED, else on]
    #[arg(long, overrides_with = "no_compress")]
    pub compress: bool,
    /// Do not compress the backup
    #[arg(long, overrides_with = "compress")]
    pub no_compress: bool,

    /// gzip level, 1 (fastest) to 9 (smallest) [default: the config file, else 6]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    pub level: Option<u32>,

    /// A note stored with the backup
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// Tags stored with the backup
    #[arg(long, value_name = "TAG", num_args = 1..)]
    pub tags: Vec<String>,

    /// Verify the backup right after writing it [default: BACKUP_VERIFY_AFTER_CREATE, else off]
    #[arg(long, overrides_with = "no_verify")]
    pub verify: bool,
    /// Do not verify after writing
    #[arg(long, overrides_with = "verify")]
    pub no_verify: bool,

    /// Why the backup is made, as recorded in the catalog
    #[arg(long = "type", value_enum, value_name = "TYPE", default_value_t = TypeArg::Manual)]
    pub backup_type: TypeArg,
}

/// The backup types a person may ask for; `safety` is reserved to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    Manual,
    Scheduled,
    Auto,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Id of the backup (see `keepsake list`)
    pub id: String,

    /// Write the database to PATH instead of the configured database
    #[arg(long, value_name = "PATH")]
    pub to: Option<PathBuf>,

    /// Verify the backup before touching the database (the default)
    #[arg(long, overrides_with = "no_verify")]
    pub verify: bool,
    /// Skip the verification before restoring
    #[arg(long, overrides_with = "verify")]
    pub no_verify: bool,

    /// Do not back up the current database before replacing it
    #[arg(long)]
    pub no_safety_backup: bool,

    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Keep the N newest backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Keep the backups made in the last DAYS days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub older_than: Option<u32>,

    /// Keep the newest backup of each of the last N days that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_daily: Option<u32>,

    /// Keep the newest backup of each of the last N weeks that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_weekly: Option<u32>,

    /// Keep the newest backup of each of the last N months that have one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_monthly: Option<u32>,

    /// Show what would be deleted, and delete nothing
    #[arg(long)]
    pub dry_run: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn last_switch_wins() {
        let cli = Cli::try_parse_from(["keepsake", "create", "--encrypt", "--no-encrypt"]).expect("parses");
        let Command::Create(c) = cli.command else { panic!("not create") };
        assert_eq!(switch(c.encrypt, c.no_encrypt), Some(false));
        let cli = Cli::try_parse_from(["keepsake", "create", "--no-encrypt", "--encrypt"]).expect("parses");
        let Command::Create(c) = cli.command else { panic!("not create") };
        assert_eq!(switch(c.encrypt, c.no_encrypt), Some(true));
    }

    #[test]
    fn global_flags_go_after_the_command() {
        let cli = Cli::try_parse_from(["keepsake", "list", "--json", "--backup-dir", "b"]).expect("parses");
        assert!(cli.global.json);
        assert_eq!(cli.global.backup_dir, Some(PathBuf::from("b")));
    }
}
