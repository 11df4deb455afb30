//! Errors of the engine.
//!
//! Policy: every failure a person can meet has a stable [`ErrorCode`] (part of the public
//! contract: the CLI documents them, the UI owns a plain-language wording for each), a one-line
//! technical message that names the file involved, and a [`Error::hint`] that says what to do.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    SourceNotFound,
    SourceUnreadable,
    NotADatabase,
    SourceBusy,
    PasswordRequired,
    WrongPassword,
    BackupNotFound,
    BackupDamaged,
    BackupTruncated,
    UnsupportedVersion,
    IntegrityFailed,
    DestinationFull,
    DestinationReadOnly,
    TargetBusy,
    Busy,
    Cancelled,
    InvalidInput,
    Io,
}

impl ErrorCode {
    /// Every code, for documentation and exhaustiveness tests.
    pub const ALL: [ErrorCode; 18] = [
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
    ];

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
        }
    }

    /// What a person can do about it. The UI has its own, friendlier wording per code.
    pub fn hint(self) -> &'static str {
        match self {
            ErrorCode::SourceNotFound => {
                "Check the database path (--db, DATABASE_URL or the config file); the file may have been moved or deleted."
            }
            ErrorCode::SourceUnreadable => {
                "Keepsake cannot read the database file: check its permissions, or run Keepsake as the user who owns it."
            }
            ErrorCode::NotADatabase => {
                "The file is not a SQLite database (or it is encrypted by its app); choose the app's .db/.sqlite file."
            }
            ErrorCode::SourceBusy => {
                "Another program holds a lock on the database. Try again in a moment, or close the program that uses it."
            }
            ErrorCode::PasswordRequired => {
                "Set BACKUP_ENCRYPTION_PASSWORD, pass --password-file, or run on a terminal to be asked for the password."
            }
            ErrorCode::WrongPassword => {
                "The password does not open this backup. Use the password that was set when the backup was made."
            }
            ErrorCode::BackupNotFound => {
                "Run `keepsake list` to see the backups; if files were copied in by hand, run `keepsake catalog rebuild`."
            }
            ErrorCode::BackupDamaged => {
                "The backup file has been changed or corrupted since it was made. Use another backup; keep this file for inspection."
            }
            ErrorCode::BackupTruncated => {
                "The backup file is incomplete (cut short by a copy, a full disk or a crash). Use another backup."
            }
            ErrorCode::UnsupportedVersion => {
                "The backup was made by a newer Keepsake, or it is not a Keepsake backup. Update Keepsake and try again."
            }
            ErrorCode::IntegrityFailed => {
                "The database inside the backup fails SQLite's integrity check. Use another backup."
            }
            ErrorCode::DestinationFull => {
                "The disk is full. Free some space (or run `keepsake cleanup`) and try again; nothing partial was kept."
            }
            ErrorCode::DestinationReadOnly => {
                "Keepsake cannot write there. Check the folder's permissions or choose another backup folder."
            }
            ErrorCode::TargetBusy => {
                "The database is in use by another program. Close that program and try the restore again; nothing was changed."
            }
            ErrorCode::Busy => {
                "Another backup, restore or cleanup of this backup folder is running. Wait for it to finish and try again."
            }
            ErrorCode::Cancelled => "The operation was cancelled; nothing partial was kept.",
            ErrorCode::InvalidInput => {
                "Check the value and try again; `keepsake --help` lists what is accepted."
            }
            ErrorCode::Io => {
                "An unexpected input/output error happened; check the disk and the file permissions."
            }
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An engine error: a stable code, a one-line message naming the file, and a hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A new error with a code and a one-line message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), source: None }
    }

    pub(crate) fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }

    pub(crate) fn cancelled() -> Self {
        Error::new(ErrorCode::Cancelled, "cancelled")
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    /// An I/O error while writing `path`: a full disk and a read-only place get their own codes.
    pub(crate) fn write(path: &Path, e: io::Error) -> Self {
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
        Error::new(code, format!("{what} {}: {e}", path.display())).with_source(e)
    }

    /// An I/O error while reading `path`.
    pub(crate) fn read(path: &Path, e: io::Error) -> Self {
        Error::new(ErrorCode::Io, format!("error reading {}: {e}", path.display())).with_source(e)
    }

    /// A SQLite error on the database being backed up.
    pub(crate) fn source_db(path: &Path, e: rusqlite::Error) -> Self {
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
        Error::new(code, format!("{what}: {} ({e})", path.display())).with_source(e)
    }

    /// A SQLite error on Keepsake's own files (catalog, temporary restore files).
    pub(crate) fn internal_db(path: &Path, e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let code = match e.sqlite_error_code() {
            Some(C::DiskFull) => ErrorCode::DestinationFull,
            Some(C::ReadOnly) | Some(C::CannotOpen) | Some(C::PermissionDenied) => {
                ErrorCode::DestinationReadOnly
            }
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => ErrorCode::TargetBusy,
            _ => ErrorCode::Io,
        };
        Error::new(code, format!("{}: {e}", path.display())).with_source(e)
    }
}

/// A path for messages.
pub(crate) fn shown(p: &Path) -> String {
    p.display().to_string()
}
