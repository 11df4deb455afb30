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
    #[command(after_help = "With --from DEST, the backups are read from the destination's objects \
        alone (no local record is needed: the computer they were made on may be gone); they list \
        as foreign.\n\n\
        Examples:\n  keepsake list\n  keepsake list --limit 5 --json\n  keepsake list --from b2")]
    List {
        /// Show at most N backups
        #[arg(long, short = 'n', value_name = "N")]
        limit: Option<usize>,
        /// List the backups at a destination (see `keepsake dest list`) instead of the folder
        #[arg(long, value_name = "DEST")]
        from: Option<String>,
    },

    /// Check a backup end to end: checksum, decryption, decompression, SQLite integrity
    #[command(after_help = "Exits with 1 when the backup is damaged, 0 when it is sound.\n\n\
        Examples:\n  keepsake verify backup_20250101_020000\n  \
        keepsake verify backup_20250101_020000 --json | jq .ok")]
    Verify {
        /// Id of the backup (see `keepsake list`)
        id: String,
    },

    /// What restoring a backup would change in the database, row by row
    #[command(after_help = "Decodes the backup to a private temporary file (nothing is written \
        elsewhere) and compares it with the database by rowid or primary key: rows that come \
        back, rows whose values change back, rows added since that go. Exits 0 when the backup \
        holds the same rows as the database, 1 when they differ.\n\nExamples:\n  \
        keepsake diff backup_20250101_020000\n  \
        keepsake diff backup_20250101_020000 backup_20250108_020000\n  \
        keepsake diff backup_20250101_020000 --all --json")]
    Diff {
        /// Id of the backup (see `keepsake list`)
        id: String,
        /// A later backup to compare it with, instead of the database now
        #[arg(conflicts_with = "with")]
        id2: Option<String>,
        /// Compare with this database instead of the source's
        #[arg(long, value_name = "PATH")]
        with: Option<PathBuf>,
        /// Show internal tables too (SQLite's own, full-text indexes and their shadow tables)
        #[arg(long)]
        all: bool,
    },

    /// What is inside a backup, without restoring it: its tables, or one table's rows
    #[command(after_help = "Decodes the backup to a private temporary file (removed afterwards) \
        and reads it. Without --table: each table with its rows and columns (internal tables \
        only with --all). With --table: its rows, page by page, optionally only those with \
        --search TEXT in a value.\n\nExamples:\n  keepsake show backup_20250101_020000\n  \
        keepsake show backup_20250101_020000 --table invoices --search Smith\n  \
        keepsake show backup_20250101_020000 --table invoices --offset 50 --limit 50 --json\n  \
        keepsake show backup_20250101_020000 --table invoices --csv > invoices.csv")]
    Show {
        /// Id of the backup (see `keepsake list`)
        id: String,
        /// Show this table's rows
        #[arg(long, short = 't', value_name = "TABLE")]
        table: Option<String>,
        /// Only rows with this text in one of their values
        #[arg(long, value_name = "TEXT", requires = "table")]
        search: Option<String>,
        /// Skip this many rows
        #[arg(long, value_name = "N", default_value_t = 0, requires = "table")]
        offset: u64,
        /// Show at most N rows
        #[arg(long, short = 'n', value_name = "N", default_value_t = 50, requires = "table")]
        limit: u64,
        /// Show internal tables too (SQLite's own, full-text indexes and their shadow tables)
        #[arg(long)]
        all: bool,
        /// Write every row of --table as CSV to stdout (a header line, then the rows; a blob
        /// in hex, NULL as an empty field)
        #[arg(long, requires = "table", conflicts_with_all = ["search", "offset", "limit"])]
        csv: bool,
    },

    /// Content alerts: tables emptied, gone or losing many rows between backups, schema changes,
    /// a damaged database
    #[command(after_help = "Each backup is compared with the source's previous one; the last \
        backup before a change is pinned (kept by every retention rule). Exits 1 while an alert \
        stands. `keepsake source set NAME row_loss_alert_percent N` sets the share of lost rows \
        that raises one (default 20, 0 turns alerts off).\n\nExamples:\n  keepsake alerts\n  \
        keepsake alerts --all --json\n  keepsake alerts dismiss 3")]
    Alerts {
        #[command(subcommand)]
        action: Option<AlertsCommand>,
        /// Dismissed alerts too
        #[arg(long)]
        all: bool,
    },

    /// Pin a backup: every retention rule keeps it until it is unpinned
    #[command(after_help = "Examples:\n  keepsake pin backup_20250101_020000")]
    Pin {
        /// Id of the backup (see `keepsake list`)
        id: String,
    },

    /// Unpin a backup: retention rules apply to it again
    #[command(after_help = "Examples:\n  keepsake unpin backup_20250101_020000")]
    Unpin {
        /// Id of the backup (see `keepsake list`)
        id: String,
    },

    /// Replace the database (or write --to PATH) with a backup
    #[command(after_help = "Without --yes, restore asks for confirmation on a terminal and refuses \
        to run without one. With --table, only that table's rows go back (a safety backup of the \
        whole database first: restoring that safety backup undoes it, as for a full restore).\n\n\
        Examples:\n  keepsake restore backup_20250101_020000\n  \
        keepsake restore backup_20250101_020000 --to /tmp/check.db --yes\n  \
        keepsake restore backup_20250101_020000 --table invoices --yes")]
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
        With --at DEST it deletes copies at a destination instead, only those Keepsake recorded \
        sending there, by the destination's own rules (`keepsake dest set DEST keep_last N`) or, \
        without any, the same as the folder's. The background copier does this after each copy.\n\n\
        Examples:\n  keepsake cleanup --keep 30\n  keepsake cleanup --older-than 90 --keep 5 --dry-run\n  \
        keepsake cleanup --at b2 --dry-run")]
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

    /// Manage the sources: the databases backed up on a schedule, with their settings
    #[command(
        subcommand,
        after_help = "Sources live in <OS config dir>/keepsake/sources.toml (or \
        --sources FILE, or KEEPSAKE_SOURCES). DATABASE_URL and the BACKUP_* variables define or \
        override the source named `default`.\n\n\
        Examples:\n  keepsake source add astro --db astro.db --schedule 'daily 02:00'\n  \
        keepsake source list\n  keepsake source info astro"
    )]
    Source(SourceCommand),

    /// Describe a schedule and show its next run times
    #[command(subcommand, after_help = "Examples:\n  keepsake schedule preview '0 2 * * *' -n 5")]
    Schedule(ScheduleCommand),

    /// Run a source's scheduled backup now: back up, verify, apply its retention
    #[command(after_help = "The run is recorded as a scheduled backup, so it counts for the \
        source's current slot. Exits 1 when the new backup fails its verification, 3 when the \
        backup folder is busy (the run is recorded as skipped).\n\n\
        Examples:\n  keepsake run astro\n  keepsake run astro --json")]
    Run {
        /// Name of the source (see `keepsake source list`)
        name: String,
    },

    /// Run the sources' schedules in the foreground, logging one line per event
    #[command(after_help = "Runs every enabled, unpaused source with a schedule (or only those \
        given with --source), one backup at a time, and catches up missed runs once. Re-reads \
        the sources file, so `keepsake source set/pause/resume` take effect while it runs. \
        Stops cleanly on SIGTERM or Ctrl-C (a running backup is cancelled; nothing partial is \
        kept) and exits 0. The password comes from BACKUP_ENCRYPTION_PASSWORD or \
        --password-file; the daemon never prompts.\n\n\
        Examples:\n  keepsake daemon\n  keepsake daemon --source astro --json")]
    Daemon,

    /// Copy a backup to a destination elsewhere (S3, Azure Blob Storage, Google Cloud Storage,
    /// WebDAV, SFTP, another folder)
    #[command(after_help = "A copy counts once the whole file is at the destination and what was \
        sent matches the backup's record (size and SHA-256). An increment goes with the backups it \
        builds on. --missing sends every backup not yet there, oldest first; --check reads back \
        every copy recorded there and exits 1 when one is missing or changed. Secrets (an S3 secret \
        key, an Azure account key, a Google Cloud Storage service account's JSON key, a WebDAV \
        password) come from the OS keyring (saved by `keepsake dest add`) or \
        KEEPSAKE_DEST_SECRET_<NAME>.\n\n\
        Examples:\n  keepsake copy backup_20250101_020000_1a2b3c4d --to b2\n  \
        keepsake copy --missing --to nas\n  keepsake copy --check --to b2 --json")]
    Copy {
        /// Id of the backup (see `keepsake list`)
        #[arg(required_unless_present_any = ["missing", "check"], conflicts_with_all = ["missing", "check"])]
        id: Option<String>,
        /// The destination (see `keepsake dest list`)
        #[arg(long, value_name = "DEST")]
        to: String,
        /// Send every backup of the folder that is not at the destination yet, oldest first
        #[arg(long, conflicts_with = "check")]
        missing: bool,
        /// Read back every copy recorded at the destination and check it whole
        #[arg(long)]
        check: bool,
    },

    /// Manage the destinations backups are copied to (copies elsewhere)
    #[command(
        subcommand,
        after_help = "Destinations live in the sources file beside the sources: S3, Azure Blob \
        Storage, Google Cloud Storage, WebDAV, SFTP or a folder. Their secrets (an S3 secret key, an \
        Azure account key, a Google Cloud Storage service account's JSON key, a WebDAV password) \
        are kept in the OS keyring, never in a file; on a machine without one, set \
        KEEPSAKE_DEST_SECRET_<NAME> (the name in capitals, other characters as _; for Google, the \
        key file's whole JSON). `dest add` does not create the bucket or container: make it first, \
        in the provider's console.\n\n\
        Examples:\n  keepsake dest add b2 --kind s3 --endpoint https://s3.eu-central-003.backblazeb2.com \\\n      \
        --bucket family --access-key-id 003abc --prefix laptop\n  \
        keepsake dest add az --kind azure --account familyphotos --container backups\n  \
        keepsake dest add gcs --kind gcs --bucket family-backups --key-file ~/Downloads/key.json\n  \
        keepsake dest add nas --kind webdav --endpoint https://nas.local/dav --user ann\n  \
        keepsake dest add usb --kind folder --path /media/ann/backup\n  \
        keepsake source set astro copies_to b2,usb\n  keepsake dest test b2"
    )]
    Dest(DestCommand),

    /// The last seven days of every source: backups made, failed and checked, the room they take,
    /// copies elsewhere, alerts
    #[command(after_help = "With --email it is sent to the address of [email] in the sources file, as \
        `keepsake daemon` sends it each week.\n\nExamples:\n  keepsake report\n  keepsake report --json\n  \
        keepsake report --email")]
    Report {
        /// Send it by e-mail instead of printing it
        #[arg(long)]
        email: bool,
    },

    /// E-mail from `keepsake daemon`: each failed backup and the weekly summary
    #[command(
        subcommand,
        after_help = "The settings are the [email] table of the sources file:\n\n  [email]\n  \
        smtp_host = \"smtp.example.org\"\n  smtp_port = 587\n  user = \"ann@example.org\"\n  \
        from = \"Keepsake <ann@example.org>\"\n  to = \"ann@example.org\"\n  failures = true\n  \
        weekly = true\n\nMail goes over STARTTLS only. The password is kept in the OS keyring \
        (`keepsake email password`); on a server without one, set KEEPSAKE_SMTP_PASSWORD."
    )]
    Email(EmailCommand),

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
pub enum EmailCommand {
    /// Save the SMTP password in the OS keyring (asked for, or the first line of --secret-file)
    Password {
        #[arg(long, value_name = "FILE")]
        secret_file: Option<PathBuf>,
    },
    /// Send a test message to the address of [email]
    Test,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Dismiss an alert ("this was me"); the backup it pinned stays pinned
    Dismiss {
        /// Number of the alert (see `keepsake alerts`)
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Add a source: a database, its backup folder, schedule, retention and options
    #[command(after_help = "The database is --db PATH; the backup folder is --backup-dir DIR \
        (default: <database folder>/backups), and each source needs its own. Backups are \
        encrypted, compressed and verified unless told otherwise.\n\n\
        Examples:\n  keepsake source add astro --db ~/astro/astro.db --schedule 'daily 02:00' --keep-last 30\n  \
        keepsake source add notes --db notes.db --backup-dir /mnt/b/notes --schedule '0 */6 * * *' --no-encrypt")]
    Add(SourceAddArgs),

    /// List the sources
    #[command(after_help = "Examples:\n  keepsake source list\n  keepsake source list --json")]
    List,

    /// Remove a source from the sources file (its backups are kept)
    #[command(after_help = "Examples:\n  keepsake source remove astro")]
    Remove {
        /// Name of the source
        name: String,
    },

    /// Change one setting of a source
    #[command(after_help = "Fields: name, database, backup_dir, enabled, paused, schedule, keep_last, \
        keep_within_days, keep_daily, keep_weekly, keep_monthly, encrypt, compress, level, \
        verify_after_backup, overdue_after_days, incremental, row_loss_alert_percent, copies_to \
        (destinations, separated by commas; see `keepsake dest`). `none` \
        clears an optional field.\n\n\
        Examples:\n  keepsake source set astro schedule 'weekly sun 03:00'\n  \
        keepsake source set astro keep_last 10\n  keepsake source set astro keep_last none")]
    Set {
        /// Name of the source
        name: String,
        /// The setting to change
        field: String,
        /// Its new value
        #[arg(allow_hyphen_values = true)]
        value: String,
    },

    /// Pause a source's scheduled backups (a running daemon notices within 30 s)
    #[command(after_help = "Examples:\n  keepsake source pause astro")]
    Pause {
        /// Name of the source
        name: String,
    },

    /// Resume a paused source; missed runs are caught up with one backup
    #[command(after_help = "Examples:\n  keepsake source resume astro")]
    Resume {
        /// Name of the source
        name: String,
    },

    /// Show a source's job: schedule, next run, last run and its result, health
    #[command(after_help = "Examples:\n  keepsake source info astro\n  keepsake source info astro --json")]
    Info {
        /// Name of the source
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct SourceAddArgs {
    /// Name of the new source
    pub name: String,

    /// When to back up: a phrase (hourly, daily 02:00, weekly mon 02:00, monthly 1 02:00) or a
    /// cron expression (minute hour day month weekday), in local time
    #[arg(long, value_name = "SCHEDULE")]
    pub schedule: Option<String>,

    /// Keep the N newest backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_last: Option<u32>,

    /// Keep the backups made in the last DAYS days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_days: Option<u32>,

    #[command(flatten)]
    pub calendar: CalendarKeep,

    /// Do not encrypt this source's backups
    #[arg(long)]
    pub no_encrypt: bool,

    /// Do not compress this source's backups
    #[arg(long)]
    pub no_compress: bool,

    /// gzip level, 1 (fastest) to 9 (smallest) [default: 6]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    pub level: Option<u32>,

    /// Do not verify each backup after writing it
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Describe a schedule in plain English and list its next run times (local time)
    #[command(after_help = "Examples:\n  keepsake schedule preview '0 2 * * *' -n 5\n  \
        keepsake schedule preview 'weekly mon 02:00'\n  \
        keepsake schedule preview 'monthly last 23:30' --after 2026-12-01T00:00:00Z --json")]
    Preview {
        /// A phrase (hourly, hourly :15, daily 02:00, weekly mon 02:00, monthly 1 02:00, monthly
        /// last 02:00) or a cron expression (minute hour day month weekday)
        #[arg(allow_hyphen_values = true)]
        schedule: String,
        /// How many run times to show
        #[arg(long = "count", short = 'n', value_name = "N", default_value_t = 5,
              value_parser = clap::value_parser!(u16).range(1..=1000))]
        count: u16,
        /// Start from this time instead of now (RFC 3339, e.g. 2026-03-01T00:00:00Z)
        #[arg(long, value_name = "TIME")]
        after: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DestCommand {
    /// Add a destination, after testing that it can be reached, listed and written to
    #[command(after_help = "The bucket (S3, Google Cloud Storage) or container (Azure) must exist: \
        `dest add` does not create it, and says \"there is no such bucket\" when it is missing; make \
        it first in the provider's console. The secret (an S3 secret key, an Azure account key, a \
        WebDAV password) is asked for at a hidden prompt or read from --secret-file, a Google \
        Cloud Storage key from --key-file, then kept in the OS keyring. On a machine without a \
        keyring (a server), set KEEPSAKE_DEST_SECRET_<NAME> instead: the destination's name in \
        capitals, other characters as _ (KEEPSAKE_DEST_SECRET_MY_NAS for my-nas); for Google, the \
        key file's whole JSON.\n\n\
        Examples:\n  keepsake dest add b2 --kind s3 --endpoint https://s3.eu-central-003.backblazeb2.com \\\n      \
        --bucket family --access-key-id 003abc --prefix laptop\n  \
        keepsake dest add minio --kind s3 --endpoint http://127.0.0.1:9000 --bucket backups --path-style \\\n      \
        --access-key-id ann\n  \
        keepsake dest add az --kind azure --account familyphotos --container backups\n  \
        keepsake dest add gcs --kind gcs --bucket family-backups --key-file ~/Downloads/key.json\n  \
        keepsake dest add nas --kind webdav --endpoint https://nas.local/dav --user ann\n  \
        keepsake dest add box --kind sftp --endpoint box.local:22 --user ann --key-file ~/.ssh/id_ed25519\n  \
        KEEPSAKE_DEST_SECRET_B2=... keepsake dest add b2 --kind s3 --bucket family --access-key-id 003abc")]
    Add(Box<DestAddArgs>),
    /// List the destinations
    List,
    /// Remove a destination (what was copied there stays there) and forget its secret
    Remove {
        /// Name of the destination
        name: String,
    },
    /// Change one setting of a destination
    #[command(after_help = "Settings: endpoint, region, bucket, account, container, prefix, \
        access_key_id, path_style, insecure_http, user, key_file, path; upload_limit_kib (KiB per second, none: no limit); verify_every_days \
        (read every copy back this often, default 30, 0: only when asked); alert_after_hours (the \
        desktop app tells you once copying there has failed this long, default 24, 0: never); keep_last, \
        keep_within_days, keep_daily, keep_weekly, keep_monthly (the destination's own retention; \
        `retention source` goes back to the source's rules, `retention all` keeps every copy).\n\n\
        Examples:\n  keepsake dest set b2 keep_monthly 24\n  keepsake dest set nas upload_limit_kib 2048\n  \
        keepsake dest set b2 verify_every_days 7")]
    Set {
        /// Name of the destination
        name: String,
        /// The setting to change
        field: String,
        /// Its new value
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Allow a plain http:// endpoint to a server that is not on this computer (the secret
        /// and the backups then cross the network readable by anyone on the way)
        #[arg(long)]
        insecure_http: bool,
    },
    /// Give a destination its secret again (S3 secret key, Azure account key, Google service
    /// account key, WebDAV password), kept in the OS keyring
    #[command(after_help = "The secret is asked for at a hidden prompt, or read from the first line of \
        --secret-file FILE; a Google Cloud Storage destination takes --key-file KEY.json. It is tested \
        before it is saved (unless --no-test).\n\n\
        Examples:\n  keepsake dest secret b2\n  keepsake dest secret gcs --key-file ~/Downloads/key.json")]
    Secret {
        /// Name of the destination
        name: String,
        /// Read the secret from the first line of FILE
        #[arg(long, value_name = "FILE")]
        secret_file: Option<PathBuf>,
        /// For Google Cloud Storage: the service account's JSON key
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Save it without testing the connection first
        #[arg(long)]
        no_test: bool,
    },
    /// Check that a destination can be reached, listed and written to
    Test {
        /// Name of the destination
        name: String,
    },
}

/// `dest add`: which fields matter depends on the kind.
#[derive(Debug, Args)]
pub struct DestAddArgs {
    /// Name of the destination (`keepsake copy ID --to NAME`)
    pub name: String,
    /// folder, s3, azure, gcs, webdav or sftp
    #[arg(long)]
    pub kind: String,
    /// A folder destination's folder
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// The server: https://s3.example.com (S3; none: AWS), https://ACCOUNT.blob.core.windows.net
    /// (Azure; none: that one), https://storage.googleapis.com (Google Cloud Storage; none: that
    /// one), an emulator's http://127.0.0.1:PORT, https://nas.local/dav (WebDAV), or host:port
    /// for SFTP
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// S3 region (default us-east-1)
    #[arg(long)]
    pub region: Option<String>,
    /// S3 or Google Cloud Storage bucket
    #[arg(long)]
    pub bucket: Option<String>,
    /// Azure storage account (the account key is asked for, or read from --secret-file)
    #[arg(long)]
    pub account: Option<String>,
    /// Azure container
    #[arg(long)]
    pub container: Option<String>,
    /// The folder inside the bucket or on the server to write in
    #[arg(long, value_name = "PATH")]
    pub prefix: Option<String>,
    /// S3 access key id (the secret key is asked for, or read from --secret-file)
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// S3 path-style addressing (endpoint/bucket/key), as MinIO and most self-hosted servers want
    #[arg(long)]
    pub path_style: bool,
    /// Google Cloud Storage without a key: requests go unsigned (a public bucket, an emulator)
    #[arg(long)]
    pub unsigned: bool,
    /// WebDAV or SFTP user
    #[arg(long)]
    pub user: Option<String>,
    /// SFTP private key file (without one, the SSH agent's keys); for Google Cloud Storage, the
    /// service account's JSON key, whose contents go to the OS keyring
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Read the secret (S3 secret key, Azure account key, WebDAV password) from the first line of
    /// FILE (else it is asked for, or taken from KEEPSAKE_DEST_SECRET_<NAME>)
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Save it without testing the connection first
    #[arg(long)]
    pub no_test: bool,
    /// Allow a plain http:// endpoint to a server that is not on this computer (the secret and
    /// the backups then cross the network readable by anyone on the way)
    #[arg(long)]
    pub insecure_http: bool,
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

    /// Make a full backup, even where an increment (only the pages changed since the previous
    /// backup) could be made [default: the source's `incremental`, else increments for
    /// databases of 64 MiB and more]. The next --incremental builds on it.
    #[arg(long, overrides_with = "incremental")]
    pub full: bool,
    /// Make an increment (only the pages changed since this database's newest backup here,
    /// full or increment). A full backup is made instead, and the output says why, when there
    /// is no earlier backup to build on (or it is missing, damaged, encrypted differently, or
    /// made with another password), when more than half of the pages changed, or to start a
    /// new chain once its increments add up to more than 60 % of its full backup or number 24
    #[arg(long, overrides_with = "full")]
    pub incremental: bool,
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

    /// Restore from a destination's copy (see `keepsake dest list`), as on a new computer
    #[arg(long, value_name = "DEST")]
    pub from: Option<String>,

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

    /// Restore a foreign backup: one this installation did not make (`keepsake list` shows
    /// them apart). Its content comes from a file anyone with access to the folder could have
    /// put there
    #[arg(long)]
    pub allow_foreign: bool,

    /// Restore an unencrypted backup into a database whose backups are encrypted
    #[arg(long)]
    pub allow_unencrypted: bool,

    /// Take back only this table (repeat for several): its rows replace the table's rows in
    /// the database, in one transaction, after a safety backup; every other table stays as it is
    #[arg(long, short = 't', value_name = "TABLE", conflicts_with = "to")]
    pub table: Vec<String>,

    /// With --table: go ahead although rows of other tables would then refer to rows that are
    /// not there (foreign keys)
    #[arg(long, requires = "table")]
    pub allow_broken_references: bool,

    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
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

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Keep the N newest backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Keep the backups made in the last DAYS days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub older_than: Option<u32>,

    #[command(flatten)]
    pub calendar: CalendarKeep,

    /// Show what would be deleted, and delete nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Clean up the copies at this destination (see `keepsake dest list`), not the folder
    #[arg(long, value_name = "DEST")]
    pub at: Option<String>,
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
