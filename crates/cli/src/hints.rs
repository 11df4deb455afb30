//! What a person at a terminal can do about each error: the CLI's own advice, naming its flags
//! and commands. The engine says what happened (a code, a message, facts); the words of advice
//! belong to each front end (the window has its own).

use std::path::Path;

use keepsake_engine::{ErrorCode, FreeUp};

use crate::words::human_size;

/// The advice printed after `hint:` for an error with `code`.
pub fn hint(code: ErrorCode) -> &'static str {
    match code {
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
        ErrorCode::InvalidInput => "Check the value and try again; `keepsake --help` lists what is accepted.",
        ErrorCode::Io => {
            "An unexpected input/output error happened; check the disk and the file permissions."
        }
        ErrorCode::ConfirmationRequired => {
            "Check where the backup comes from (`keepsake list` shows it apart); to restore it anyway, pass --allow-foreign (not made here) or --allow-unencrypted (not encrypted), as the message says."
        }
        ErrorCode::TargetNotADatabase => {
            "Keepsake restores only over a SQLite database or to a new file: choose another --to path, or move that file away first."
        }
        ErrorCode::RemoteFailed => {
            "Check the destination's settings (`keepsake dest list`) and its secret (saved by `keepsake dest add`, or KEEPSAKE_DEST_SECRET_<NAME>), then `keepsake dest test NAME`; nothing was counted as copied."
        }
    }
}

/// `path` as one word of a shell command line (quoted when it needs it), for advice to copy.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What to run to make room in the backup folder `folder` (`keepsake --backup-dir DIR cleanup
/// --keep N`), or what to do when deleting backups cannot make enough.
pub fn advice(free_up: Option<&FreeUp>, folder: &Path) -> String {
    let cleanup = |keep: u32| format!("keepsake --backup-dir {} cleanup --keep {keep}", shell_word(folder));
    match free_up {
        Some(f) if f.enough => format!(
            "Delete the {} oldest backup(s) to free {}: `{}` (add --dry-run to see which), or free space \
             on the disk.",
            f.ids.len(),
            human_size(f.bytes),
            cleanup(f.keep_last)
        ),
        Some(f) => format!(
            "Deleting the {} oldest backup(s) (`{}`) frees only {}: free space on the disk, or choose a \
             bigger one for the backups.",
            f.ids.len(),
            cleanup(f.keep_last),
            human_size(f.bytes)
        ),
        None => "Free space on the disk, or choose a bigger one for the backups.".to_owned(),
    }
}
