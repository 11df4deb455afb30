//! Desktop notifications (notify-rust): a failed backup, a missed-backup warning, a keyring that
//! cannot be read, and (only at level "all") each success. Plain words: what happened, to which
//! database, what to do.
//!
//! A notification is best effort: with no notification daemon (or no session bus) it is logged
//! and nothing else happens. It is sent from its own thread, so a slow bus never holds up a
//! backup or the window.

use std::path::Path;
use std::str::FromStr;

use keepsake_engine::ErrorCode;
use serde::{Deserialize, Serialize};

/// Which notifications a person wants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum NotificationLevel {
    /// Problems and each successful backup.
    All,
    /// Failed backups, missed backups, an unreadable keyring.
    #[default]
    Problems,
    Off,
}

impl FromStr for NotificationLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(NotificationLevel::All),
            "problems" => Ok(NotificationLevel::Problems),
            "off" => Ok(NotificationLevel::Off),
            _ => Err(format!("unknown notification level {s:?} (all, problems, off)")),
        }
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub problem: bool,
    pub summary: String,
    pub body: String,
}

impl Note {
    /// A backup of `name` (database at `database`) could not be made or failed its check.
    pub fn backup_failed(name: &str, database: &Path, code: ErrorCode) -> Note {
        let db = database.display();
        let body = match code {
            ErrorCode::SourceNotFound => format!(
                "The database file {db} is missing. If it was moved, open Keepsake and choose where it is now."
            ),
            ErrorCode::SourceUnreadable => format!(
                "Keepsake is not allowed to read {db}. Check the file's permissions, then back up again from Keepsake."
            ),
            ErrorCode::NotADatabase => format!(
                "{db} is not a database Keepsake can back up. Open Keepsake and choose the app's database file."
            ),
            ErrorCode::SourceBusy => format!(
                "Another program kept {db} locked. Keepsake tries again at the next scheduled time."
            ),
            ErrorCode::PasswordRequired => {
                "No backup password is set, so the encrypted backup could not be made. Open Keepsake and set it in Settings.".to_owned()
            }
            ErrorCode::DestinationFull => {
                "The disk with the backups is full. Free some space, or delete old backups in Keepsake.".to_owned()
            }
            ErrorCode::DestinationReadOnly => {
                "Keepsake cannot write to the backup folder. Check the folder, or choose another one in Keepsake.".to_owned()
            }
            ErrorCode::BackupDamaged
            | ErrorCode::BackupTruncated
            | ErrorCode::IntegrityFailed
            | ErrorCode::UnsupportedVersion => {
                "The new backup failed its check, so it cannot be trusted. Your older backups are kept; open Keepsake and back up again.".to_owned()
            }
            ErrorCode::Busy => {
                "Another backup or restore of this database was running. Keepsake tries again at the next scheduled time.".to_owned()
            }
            _ => "Something went wrong while backing up. Open Keepsake to see what happened and try again.".to_owned(),
        };
        Note { problem: true, summary: format!("Backup of {name} failed"), body }
    }

    /// No successful backup of `name` for `days` days.
    pub fn missed(name: &str, days: u32, never_succeeded: bool) -> Note {
        let body = if never_succeeded {
            format!(
                "{name} has never been backed up successfully. Open Keepsake to see why, and back up now."
            )
        } else {
            format!(
                "The last successful backup of {name} is {days} days old. Leave the computer on at the \
                 scheduled time, or open Keepsake and back up now."
            )
        };
        Note { problem: true, summary: format!("No backup of {name} for {days} days"), body }
    }

    /// Copying `name`'s backups to `destination` has failed since `since` (a day or more).
    pub fn copy_failing(name: &str, destination: &str, since: chrono::DateTime<chrono::Utc>) -> Note {
        let days = (chrono::Utc::now() - since).num_days().max(1);
        Note {
            problem: true,
            summary: format!("{name} has not been copied to {destination} for {days} day(s)"),
            body: "Keepsake keeps trying, but the copy elsewhere does not work. Open Keepsake to see why \
                   (Settings, Copies elsewhere), and use Test connection after fixing it."
                .to_owned(),
        }
    }

    /// Reading back the copies of `name` at `destination` found `bad` of `total` missing or changed.
    pub fn copies_damaged(name: &str, destination: &str, bad: usize, total: usize) -> Note {
        Note {
            problem: true,
            summary: format!("{bad} of {total} copies of {name} at {destination} are missing or changed"),
            body: format!(
                "Keepsake read back the copies at {destination} and found that {bad} of them are not what \
                 it sent. They no longer count as copies. A missing one is sent again; a changed file is \
                 left there for you to look at (delete it there, and Keepsake sends that backup again)."
            ),
        }
    }

    /// The keyring could not be read, so encrypted backups of `name` cannot run.
    pub fn keyring(name: &str) -> Note {
        Note {
            problem: true,
            summary: "Keepsake cannot read its backup password".to_owned(),
            body: format!(
                "The system keyring is locked or not available, so {name} was not backed up. \
                 Unlock the keyring (or log in again), then open Keepsake."
            ),
        }
    }

    /// A new backup of `name` showed a change that may be data loss (see `watch`).
    pub fn content_alert(name: &str, alerts: &[keepsake_engine::Alert]) -> Note {
        use keepsake_engine::AlertKind;
        if alerts.iter().any(|a| a.kind == AlertKind::IntegrityFailed) {
            return Note {
                problem: true,
                summary: format!("The database of {name} is damaged"),
                body: "It fails SQLite's own integrity check. Keepsake keeps every earlier backup while \
                       it does. Open Keepsake to see which backup is the last good one."
                    .to_owned(),
            };
        }
        let first = &alerts[0];
        let table = first.table.as_deref().unwrap_or("a table");
        let what = match first.kind {
            AlertKind::TableEmptied => format!("All rows of {table} are gone."),
            AlertKind::RowsLost => {
                let (b, a) = (first.before.unwrap_or(0), first.after.unwrap_or(0));
                format!("{} of the {b} rows of {table} are gone.", b - a)
            }
            AlertKind::TableGone => format!("The table {table} is gone."),
            AlertKind::SchemaChanged | AlertKind::UserVersionChanged => {
                "The app that uses this database changed how it stores its data (an update?).".to_owned()
            }
            AlertKind::IntegrityFailed => "The database is damaged.".to_owned(),
        };
        let more =
            if alerts.len() > 1 { format!(" ({} changes in all)", alerts.len()) } else { String::new() };
        Note {
            problem: true,
            summary: format!("{name} changed a lot since its last backup"),
            body: format!(
                "{what}{more} The backup from before is kept. Open Keepsake to look, or to say it was you."
            ),
        }
    }

    /// A backup of `name` succeeded.
    pub fn backed_up(name: &str, stored_bytes: u64, verified: bool) -> Note {
        let size = human_size(stored_bytes);
        let checked = if verified { ", and checked" } else { "" };
        Note {
            problem: false,
            summary: format!("{name} is backed up"),
            body: format!("Saved {size}{checked}."),
        }
    }

    fn wanted(&self, level: NotificationLevel) -> bool {
        match level {
            NotificationLevel::All => true,
            NotificationLevel::Problems => self.problem,
            NotificationLevel::Off => false,
        }
    }

    /// Shows the notification if `level` wants it; never fails (see the module comment).
    pub fn send(self, level: NotificationLevel) {
        if !self.wanted(level) {
            return;
        }
        tracing::info!(summary = %self.summary, body = %self.body, "notification");
        let spawned = std::thread::Builder::new().name("notify".into()).spawn(move || {
            let mut n = notify_rust::Notification::new();
            n.appname("Keepsake").summary(&self.summary).body(&self.body).icon(if self.problem {
                "dialog-warning"
            } else {
                "dialog-information"
            });
            if let Err(e) = n.show() {
                tracing::warn!("no desktop notification ({e}): {}", self.summary);
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the notification thread: {e}");
        }
    }
}

/// `12.3 MB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} bytes") } else { format!("{v:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_filter_successes_and_problems() {
        let ok = Note::backed_up("notes", 1_500_000, true);
        let bad = Note::backup_failed("notes", Path::new("/x/notes.db"), ErrorCode::NotADatabase);
        assert!(ok.wanted(NotificationLevel::All) && !ok.wanted(NotificationLevel::Problems));
        assert!(bad.wanted(NotificationLevel::Problems) && !bad.wanted(NotificationLevel::Off));
        assert_eq!(ok.body, "Saved 1.5 MB, and checked.");
        assert!(bad.body.contains("/x/notes.db"), "{}", bad.body);
        assert_eq!("problems".parse::<NotificationLevel>(), Ok(NotificationLevel::Problems));
        assert!("loud".parse::<NotificationLevel>().is_err());
    }

    #[test]
    fn every_failure_names_the_database_and_an_action() {
        for code in ErrorCode::ALL {
            let n = Note::backup_failed("Recipes", Path::new("/data/recipes.db"), code);
            assert_eq!(n.summary, "Backup of Recipes failed");
            assert!(n.body.ends_with('.'), "{code}: {}", n.body);
        }
    }
}
