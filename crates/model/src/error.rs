//! Errors of the engine.
//!
//! Policy: every failure a person can meet has a stable [`ErrorCode`] (part of the public
//! contract: the CLI documents them, the window has a plain-language wording for each), a
//! one-line technical message that names the file involved (for logs and `--json`), and
//! structured [`Facts`] (the path, the backup, the sizes) from which each front end writes its
//! own words and advice: what to do differs between a terminal (`--db`, `keepsake list`) and a
//! window (a button), so the engine says what happened, never what to click or type.
//! Codes are never renamed; new ones may be added. Low-level errors (I/O, SQLite) are classified
//! where they happen, because only the call site knows whether a path is the source, a backup or
//! the destination.

use std::fmt;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable machine-readable error codes.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The database to back up does not exist at its path.
    SourceNotFound,
    /// The database exists but cannot be read (usually its permissions).
    SourceUnreadable,
    /// The file given as the database is not a SQLite database, or not a file at all.
    NotADatabase,
    /// Another program held a lock on the database for longer than the busy timeout.
    SourceBusy,
    /// The operation needs the encryption password and none was given.
    PasswordRequired,
    /// The password does not open this encrypted backup.
    WrongPassword,
    /// No such backup: an unknown id, or its file is gone from the folder.
    BackupNotFound,
    /// The backup file is not what was written: changed bytes, a bad header or end marker.
    BackupDamaged,
    /// The backup file is cut short (an interrupted copy, a full disk, a crash).
    BackupTruncated,
    /// Not a Keepsake backup, or one in a format this Keepsake cannot read (made by a newer one).
    UnsupportedVersion,
    /// The database inside the backup fails SQLite's integrity check, or its schema is not the
    /// one recorded when the backup was made.
    IntegrityFailed,
    /// No room left where Keepsake was writing (the backup folder, a restore's target, its own files).
    DestinationFull,
    /// Keepsake may not write where it needs to (a read-only or forbidden folder or file).
    DestinationReadOnly,
    /// A database Keepsake must write (a restore's target, its own catalog) is locked by another program.
    TargetBusy,
    /// Another Keepsake operation is running on the backup folder (or a backup of the same
    /// source is still running); try again later.
    Busy,
    /// The operation was stopped on request (its cancel token: Ctrl-C, the window, a shutdown).
    Cancelled,
    /// A value given by the caller is not accepted (an option, a setting, a path, a schedule).
    InvalidInput,
    /// Any other I/O or SQLite failure; the message has the details.
    Io,
    /// A restore needs the person's explicit word first: the backup is foreign (not recorded
    /// by this installation) or unencrypted while its source encrypts (`facts.reason`).
    ConfirmationRequired,
    /// A restore would replace a file that is not a SQLite database.
    TargetNotADatabase,
    /// A copy elsewhere (S3, WebDAV, SFTP) could not be reached or refused the request;
    /// `facts.reason` says what to fix: `unreachable`, `credentials`, `no_bucket`,
    /// `clock_skew`, `certificate`, `quota`, `timeout`, `server`.
    RemoteFailed,
}

impl ErrorCode {
    /// Every code, for documentation and exhaustiveness tests.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::SourceNotFound,
        ErrorCode::SourceUnreadable,
        ErrorCode::NotADatabase,
        ErrorCode::SourceBusy,
        ErrorCode::PasswordRequired,
        ErrorCode::WrongPassword,
        ErrorCode::BackupNotFound,
        ErrorCode::BackupDamaged,
        ErrorCode::BackupTruncated,
        ErrorCode::UnsupportedVersion,
        ErrorCode::IntegrityFailed,
        ErrorCode::DestinationFull,
        ErrorCode::DestinationReadOnly,
        ErrorCode::TargetBusy,
        ErrorCode::Busy,
        ErrorCode::Cancelled,
        ErrorCode::InvalidInput,
        ErrorCode::Io,
        ErrorCode::ConfirmationRequired,
        ErrorCode::TargetNotADatabase,
        ErrorCode::RemoteFailed,
    ];

    /// The code written `name` (as [`ErrorCode::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The code as written in JSON and logs, e.g. `wrong_password`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::SourceNotFound => "source_not_found",
            ErrorCode::SourceUnreadable => "source_unreadable",
            ErrorCode::NotADatabase => "not_a_database",
            ErrorCode::SourceBusy => "source_busy",
            ErrorCode::PasswordRequired => "password_required",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::BackupNotFound => "backup_not_found",
            ErrorCode::BackupDamaged => "backup_damaged",
            ErrorCode::BackupTruncated => "backup_truncated",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::IntegrityFailed => "integrity_failed",
            ErrorCode::DestinationFull => "destination_full",
            ErrorCode::DestinationReadOnly => "destination_read_only",
            ErrorCode::TargetBusy => "target_busy",
            ErrorCode::Busy => "busy",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Io => "io",
            ErrorCode::ConfirmationRequired => "confirmation_required",
            ErrorCode::TargetNotADatabase => "target_not_a_database",
            ErrorCode::RemoteFailed => "remote_failed",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why, in one word, beyond the code: what front ends word an error by (`facts.reason`). Every
/// reason the engine, the stores and the app give is here, so a front end's table of words is
/// checked against this list (the window's through the generated TypeScript union).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // Confirmations a restore needs.
    /// The backup was not made by this installation.
    Foreign,
    /// The backup is not encrypted, and the database's backups are.
    Unencrypted,
    /// Both: not made here, and not encrypted.
    ForeignUnencrypted,
    /// Made with another key derivation setting: opened only when foreign backups are asked for.
    ForeignKdf,
    /// A listing stops opening planted files past its budget.
    ScanLimit,
    // Targets and files.
    /// The target file exists, and a new one was asked for.
    TargetExists,
    /// The file exists already.
    Exists,
    /// A path the window sends that was not picked in the file dialog.
    NotPicked,
    /// A key file that was not picked in the file dialog.
    KeyNotPicked,
    /// A file that is not a Google service account's key.
    KeyFile,
    /// A backup folder that cannot be a source's (it holds another source's backups, ...).
    BadBackupFolder,
    /// Not enough room on the disk.
    NoRoom,
    /// Another program (the app that owns the file) holds it open under an exclusive lock:
    /// close the app first.
    HeldByApp,
    // Backups and chains.
    /// The backup is of a file its app encrypts: Keepsake keeps it whole and cannot look
    /// inside it (no tables, rows or previews).
    Opaque,
    /// The backup is pinned.
    Pinned,
    /// Later backups (increments) are built on this one.
    NeededByLater,
    /// A backup a chain needs is missing.
    MissingLink,
    /// A backup of a chain does not follow the one before it.
    WrongLink,
    /// No such alert.
    NoSuchAlert,
    // Tables.
    /// The backup has no such table.
    NoSuchTable,
    /// A table SQLite keeps itself.
    InternalTable,
    /// The table has other columns now than in the backup.
    ColumnsChanged,
    /// Rows of other tables would refer to rows that are not there.
    BrokenReferences,
    /// The backup's schema holds SQL that is not a plain definition.
    UnsafeSchema,
    // Destinations.
    /// Another file has this name at the destination.
    NameTaken,
    /// The server refused the login.
    Credentials,
    /// There is no such bucket or container.
    NoBucket,
    /// The server's certificate is not trusted.
    Certificate,
    /// The server says this computer's clock is wrong.
    ClockSkew,
    /// The storage is full or over its quota.
    Quota,
    /// The server did not answer in time.
    Timeout,
    /// The server cannot be reached.
    Unreachable,
    /// The server failed (or said something not understood).
    Server,
    /// The endpoint is not a valid address.
    Endpoint,
    /// An SFTP server never seen before: its key is shown to be trusted.
    HostKeyUnknown,
    /// An SFTP server's key is not the one kept for it.
    HostKeyChanged,
    /// The OS keyring could not be read or written.
    Keyring,
    // Keys.
    /// A recovery key with a typo in it (its checksum does not match), or not a recovery key.
    RecoveryKeyTypo,
    /// A recovery key that does not open this backup (another kit's, or a newer backup's).
    WrongRecoveryKey,
    /// The password does not open this installation's key: it was changed elsewhere, or mistyped.
    PasswordNotCurrent,
    /// A reason this version does not know (from a newer one).
    #[serde(other)]
    Other,
}

impl Reason {
    /// The reason's word, as it is written in JSON (`no_bucket`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Foreign => "foreign",
            Reason::Unencrypted => "unencrypted",
            Reason::ForeignUnencrypted => "foreign_unencrypted",
            Reason::ForeignKdf => "foreign_kdf",
            Reason::ScanLimit => "scan_limit",
            Reason::TargetExists => "target_exists",
            Reason::Exists => "exists",
            Reason::NotPicked => "not_picked",
            Reason::KeyNotPicked => "key_not_picked",
            Reason::KeyFile => "key_file",
            Reason::BadBackupFolder => "bad_backup_folder",
            Reason::NoRoom => "no_room",
            Reason::HeldByApp => "held_by_app",
            Reason::Opaque => "opaque",
            Reason::Pinned => "pinned",
            Reason::NeededByLater => "needed_by_later",
            Reason::MissingLink => "missing_link",
            Reason::WrongLink => "wrong_link",
            Reason::NoSuchAlert => "no_such_alert",
            Reason::NoSuchTable => "no_such_table",
            Reason::InternalTable => "internal_table",
            Reason::ColumnsChanged => "columns_changed",
            Reason::BrokenReferences => "broken_references",
            Reason::UnsafeSchema => "unsafe_schema",
            Reason::NameTaken => "name_taken",
            Reason::Credentials => "credentials",
            Reason::NoBucket => "no_bucket",
            Reason::Certificate => "certificate",
            Reason::ClockSkew => "clock_skew",
            Reason::Quota => "quota",
            Reason::Timeout => "timeout",
            Reason::Unreachable => "unreachable",
            Reason::Server => "server",
            Reason::Endpoint => "endpoint",
            Reason::HostKeyUnknown => "host_key_unknown",
            Reason::HostKeyChanged => "host_key_changed",
            Reason::Keyring => "keyring",
            Reason::RecoveryKeyTypo => "recovery_key_typo",
            Reason::WrongRecoveryKey => "wrong_recovery_key",
            Reason::PasswordNotCurrent => "password_not_current",
            Reason::Other => "other",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an error is about, for front ends to word it: every field is optional, and each code
/// fills the ones that matter to it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The file or folder involved (the database, the backup file, the target).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub path: Option<std::path::PathBuf>,
    /// The backup involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub backup_id: Option<String>,
    /// Bytes needed, when there was not enough room.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub needed_bytes: Option<u64>,
    /// Bytes available, when there was not enough room.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub available_bytes: Option<u64>,
    /// A word that refines the code: why a confirmation is required (`foreign`,
    /// `unencrypted`), what to fix at a destination (`credentials`, `no_bucket`), ...
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<Reason>,
    /// The tables involved: those that refer to a table being restored, those missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub tables: Vec<String>,
    /// When a backup does not fit: the backups whose deletion would make room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub free_up: Option<FreeUp>,
    /// The app involved, by name ("Firefox"): the one holding a file a restore must replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub app: Option<String>,
}

/// An engine error: a stable code, a one-line message naming the file, and facts.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    facts: Box<Facts>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A new error with a code and a one-line message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), facts: Box::default(), source: None }
    }

    /// With the lower-level error that caused it.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same error about `path`.
    pub fn with_path(mut self, path: &Path) -> Self {
        self.facts.path = Some(path.to_path_buf());
        self
    }

    /// The same error about backup `id`.
    pub fn with_backup(mut self, id: &str) -> Self {
        self.facts.backup_id = Some(id.to_owned());
        self
    }

    /// The same error about these tables.
    pub fn with_tables(mut self, tables: Vec<String>) -> Self {
        self.facts.tables = tables;
        self
    }

    /// The same error naming the app involved ("Firefox").
    pub fn with_app(mut self, app: impl Into<String>) -> Self {
        self.facts.app = Some(app.into());
        self
    }

    /// The same error with a refining reason.
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.facts.reason = Some(reason);
        self
    }

    /// The same error with the backups whose deletion would make room.
    pub fn set_free_up(&mut self, free_up: Option<FreeUp>) {
        self.facts.free_up = free_up;
    }

    /// The same error with the room needed and available.
    pub fn with_sizes(mut self, needed: u64, available: u64) -> Self {
        self.facts.needed_bytes = Some(needed);
        self.facts.available_bytes = Some(available);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The one-line technical message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the error is about.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The operation was cancelled.
    pub fn cancelled() -> Self {
        Error::new(ErrorCode::Cancelled, "cancelled")
    }

    /// What was asked is not valid (`invalid_input`).
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    /// An engine error a store carried through `std::io` (a remote store's writer and reader
    /// speak `io::Error`): given back whole, so its code and facts survive; `Err` with the
    /// I/O error otherwise.
    pub fn carried(e: io::Error) -> std::result::Result<Error, io::Error> {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = e.into_inner()
                && let Ok(engine) = inner.downcast::<Error>()
            {
                return Ok(*engine);
            }
            return Err(io::Error::other("store error"));
        }
        Err(e)
    }

    /// An I/O error while writing `path`: a full disk and a read-only place get their own codes.
    pub fn write(path: &Path, e: io::Error) -> Self {
        let e = match Error::carried(e) {
            Ok(engine) => return engine,
            Err(e) => e,
        };
        let code = match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => ErrorCode::DestinationFull,
            io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
                ErrorCode::DestinationReadOnly
            }
            _ => ErrorCode::Io,
        };
        let what = match code {
            ErrorCode::DestinationFull => "disk full while writing",
            ErrorCode::DestinationReadOnly => "cannot write",
            _ => "error writing",
        };
        Error::new(code, format!("{what} {}: {e}", path.display())).with_path(path).with_source(e)
    }

    /// An I/O error while reading `path`.
    pub fn read(path: &Path, e: io::Error) -> Self {
        let e = match Error::carried(e) {
            Ok(engine) => return engine,
            Err(e) => e,
        };
        Error::new(ErrorCode::Io, format!("error reading {}: {e}", path.display()))
            .with_path(path)
            .with_source(e)
    }

    /// A SQLite error on the database being backed up.
    pub fn source_db(path: &Path, e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let code = match e.sqlite_error_code() {
            Some(C::NotADatabase) => ErrorCode::NotADatabase,
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => ErrorCode::SourceBusy,
            Some(C::CannotOpen) => {
                if path.exists() {
                    ErrorCode::SourceUnreadable
                } else {
                    ErrorCode::SourceNotFound
                }
            }
            Some(C::PermissionDenied) | Some(C::ReadOnly) => ErrorCode::SourceUnreadable,
            _ => ErrorCode::Io,
        };
        let what = match code {
            ErrorCode::NotADatabase => "not a SQLite database",
            ErrorCode::SourceBusy => "database is locked by another program",
            ErrorCode::SourceNotFound => "database not found",
            ErrorCode::SourceUnreadable => "cannot read database",
            _ => "database error",
        };
        Error::new(code, format!("{what}: {} ({e})", path.display())).with_path(path).with_source(e)
    }

    /// A SQLite error on Keepsake's own files (catalog, temporary restore files).
    pub fn internal_db(path: &Path, e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let code = match e.sqlite_error_code() {
            Some(C::DiskFull) => ErrorCode::DestinationFull,
            Some(C::ReadOnly) | Some(C::CannotOpen) | Some(C::PermissionDenied) => {
                ErrorCode::DestinationReadOnly
            }
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => ErrorCode::TargetBusy,
            _ => ErrorCode::Io,
        };
        Error::new(code, format!("{}: {e}", path.display())).with_path(path).with_source(e)
    }
}

/// A path for messages.
pub fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// `text` with control characters escaped (`\n`, `\u{1b}`), for messages and listings: a
/// name read from a backup folder must not be able to move the cursor or fake a line.
pub fn escaped(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// Backups whose deletion would make room: what a cleanup keeping the last `keep_last` would
/// delete now.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeUp {
    /// The backups, newest first (deleted in this order, an increment before what it builds on).
    pub ids: Vec<String>,
    /// The bytes their files take.
    pub bytes: u64,
    /// The cleanup rule that picks them (`keepsake cleanup --keep-last N`).
    pub keep_last: u32,
    /// Whether deleting them makes enough room (else they are all that may be deleted).
    pub enough: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_reason_reads_and_writes_as_its_word() {
        for r in [
            Reason::Foreign,
            Reason::ForeignUnencrypted,
            Reason::ScanLimit,
            Reason::NoBucket,
            Reason::HostKeyChanged,
            Reason::NotPicked,
        ] {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
            assert_eq!(serde_json::from_str::<Reason>(&format!("\"{r}\"")).unwrap(), r);
        }
        assert_eq!(Reason::ClockSkew.as_str(), "clock_skew");
        // A reason from a newer version still reads.
        assert_eq!(serde_json::from_str::<Reason>("\"from_a_newer_version\"").unwrap(), Reason::Other);
        let e = Error::new(ErrorCode::RemoteFailed, "x").with_reason(Reason::Credentials);
        assert_eq!(serde_json::to_value(e.facts()).unwrap()["reason"], "credentials");
    }
}
