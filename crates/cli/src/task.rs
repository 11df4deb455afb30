//! What the CLI was asked to do, fully resolved ([`Config`]): the kinds of work and their
//! actions, as [`crate::config`] decides them from flags, environment and config file and
//! [`crate::commands`] runs them.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use keepsake_engine::Destination;
use keepsake_engine::RetentionPolicy;
use keepsake_engine::model::{BackupOptions, RestoreOptions};
use keepsake_engine::schedule::Schedule;
use keepsake_engine::seams::Password;
use keepsake_engine::sources::Source;

use crate::args::EmailCommand;
use crate::sources::SourcesFile;

/// What the CLI was asked to do, fully resolved.
#[derive(Debug)]
pub struct Config {
    pub secret: SecretSettings,
    pub task: Task,
}

/// The kinds of work, by what they need.
#[derive(Debug)]
pub enum Task {
    /// A command on one backup folder: the seed's commands, and `run`.
    Folder { backup_dir: PathBuf, action: Action },
    /// `source ...`: show or edit the sources file.
    Sources { file: SourcesFile, action: SourceAction },
    /// `schedule preview`.
    Preview { schedule: Schedule, count: usize, after: Option<DateTime<Utc>> },
    /// `daemon`: every scheduled source, or only those named with `--source`.
    Daemon { file: SourcesFile, only: Vec<String> },
    /// `dest ...`: show or edit the destinations.
    Dest { file: SourcesFile, action: DestAction },
    /// `list --from DEST`, `restore --from DEST`: a command on a destination's objects alone.
    /// `local_dir`: the local backup folder a restore keeps its safety backup in (never the
    /// destination).
    Remote { dest: Box<Destination>, action: Action, local_dir: Option<PathBuf> },
    /// `report`: the week of every source, printed or e-mailed.
    Report { file: SourcesFile, email: bool },
    /// `email ...`: the SMTP password, a test message.
    Email { file: SourcesFile, action: EmailCommand },
}

/// One `dest` subcommand, with its values checked.
#[derive(Debug)]
pub enum DestAction {
    /// A new destination, valid on its own; its secret from `secret_file`, the environment or a prompt.
    Add {
        dest: Box<Destination>,
        secret_file: Option<PathBuf>,
        test: bool,
    },
    List,
    Remove(String),
    /// One setting of a destination changed (`insecure_http`: plain http:// allowed as well).
    Set {
        name: String,
        field: String,
        value: String,
        insecure_http: bool,
    },
    /// A destination's secret given again (after its place changed).
    Secret {
        name: String,
        secret_file: Option<PathBuf>,
        key_file: Option<PathBuf>,
        test: bool,
    },
    Test(String),
}

/// What `keepsake copy` does at the destination.
#[derive(Debug)]
pub enum CopyWhat {
    /// One backup (with the backups it builds on).
    One(String),
    /// Every backup not there yet, oldest first.
    Missing,
    /// Read back every copy recorded there.
    Check,
}

/// One `source` subcommand, with its values checked.
#[derive(Debug)]
pub enum SourceAction {
    /// A new source, valid on its own (the file may still refuse it: a duplicate name or folder).
    Add(Box<Source>),
    List,
    Remove(String),
    Set {
        name: String,
        field: String,
        value: String,
    },
    Pause(String),
    Resume(String),
    Info(String),
}

/// One command on a backup folder, with every value it needs.
#[derive(Debug)]
pub enum Action {
    /// Run a source's scheduled backup now.
    Run {
        source: Box<Source>,
    },
    Create {
        source: PathBuf,
        opts: BackupOptions,
    },
    List {
        limit: Option<usize>,
    },
    Verify {
        id: String,
    },
    Diff {
        id: String,
        /// A later backup to compare with, instead of `database`.
        other: Option<String>,
        database: PathBuf,
        all: bool,
    },
    Show {
        id: String,
        table: Option<String>,
        search: Option<String>,
        offset: u64,
        limit: u64,
        all: bool,
        csv: bool,
    },
    Alerts {
        all: bool,
    },
    DismissAlert {
        id: i64,
    },
    Pin {
        id: String,
        on: bool,
    },
    Restore {
        id: String,
        target: PathBuf,
        opts: RestoreOptions,
        confirmed: bool,
    },
    Delete {
        id: String,
        confirmed: bool,
    },
    Cleanup {
        policy: RetentionPolicy,
        dry_run: bool,
        /// The copies at this destination instead of the folder.
        at: Option<Box<Destination>>,
    },
    Stats,
    History {
        limit: Option<usize>,
    },
    RebuildCatalog,
    Decrypt {
        id: String,
        dest: PathBuf,
    },
    Copy {
        dest: Box<Destination>,
        what: CopyWhat,
    },
}

/// Where the password may come from; `secret.rs` asks them lazily, in this order.
#[derive(Debug)]
pub struct SecretSettings {
    /// `--password-file` (or `password_file` in the config file).
    pub file: Option<PathBuf>,
    /// `BACKUP_ENCRYPTION_PASSWORD`.
    pub env: Option<Password>,
    /// A terminal is there to ask on.
    pub prompt: bool,
    /// Ask twice: the password is about to protect a new backup, and a typo would lock it for good.
    pub confirm: bool,
}

/// `p` made absolute (as it is when that fails).
pub fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}
