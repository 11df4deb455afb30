//! Desktop notifications (notify-rust): a failed backup, a missed-backup warning, a keyring that
//! cannot be read, and (only at level "all") each success. Plain words: what happened, to which
//! database, what to do.
//!
//! A notification is best effort: with no notification daemon (or no session bus) it is logged
//! and nothing else happens. It is sent from its own thread, so a slow bus never holds up a
//! backup or the window.

use std::path::Path;

use keepsake_engine::ErrorCode;

pub use crate::settings::NotificationLevel;

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// A problem (shown even at the level "problems"), not good news.
    pub problem: bool,
    /// The notification's title.
    pub summary: String,
    /// Its text.
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
                "There is not enough room on the disk with the backups. Open Keepsake: it says which old backups to delete to make room.".to_owned()
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

    /// The next backup of `name` would leave its backup disk with less than the margin free, or
    /// would not fit at all.
    pub fn low_space(name: &str, check: &keepsake_engine::SpaceCheck) -> Note {
        let what = match &check.free_up {
            Some(f) if f.enough => format!(
                " Open Keepsake to delete the {} oldest backup(s) and free {}.",
                f.ids.len(),
                human_size(f.bytes)
            ),
            _ => " Free space on the disk, or choose a bigger one in Keepsake.".to_owned(),
        };
        let folder = check.folder.display();
        if check.state == keepsake_engine::SpaceState::NoRoom {
            return Note {
                problem: true,
                summary: format!("The next backup of {name} won't fit on its disk"),
                body: format!(
                    "The disk of {folder} has {} free; the next backup of {name} needs about {}, so it \
                     won't be made.{what}",
                    human_size(check.free),
                    human_size(check.needed)
                ),
            };
        }
        let left = human_size(check.free.saturating_sub(check.estimate));
        Note {
            problem: true,
            summary: format!("The backup disk of {name} is almost full"),
            body: format!(
                "After the next backup of {name}, only {left} will be left on the disk of {folder}.{what}"
            ),
        }
    }

    /// The weekly summary: a line per source; a problem when one needs the person.
    pub fn weekly(reports: &[crate::view::SourceReport]) -> Note {
        let mut lines = Vec::new();
        let mut trouble = 0;
        for r in reports {
            match &r.report {
                Some(w) => {
                    if w.needs_attention() {
                        trouble += 1;
                    }
                    let mut line = format!("{}: {} backup(s), {} failed", r.source, w.made, w.failed);
                    if !w.alerts.is_empty() {
                        line.push_str(&format!(", {} alert(s)", w.alerts.len()));
                    }
                    line.push_str(&format!("; {} used", human_size(w.space_used)));
                    lines.push(line);
                }
                None => {
                    trouble += 1;
                    lines.push(format!("{}: its backups cannot be read", r.source));
                }
            }
        }
        Note {
            problem: trouble > 0,
            summary: if trouble > 0 {
                format!("Your week with Keepsake: {trouble} database(s) need your attention")
            } else {
                "Your week with Keepsake: all backups fine".to_owned()
            },
            body: format!("{}\nThe whole week is in Keepsake, under History.", lines.join("\n")),
        }
    }

    /// The window was closed on a desktop without a tray: Keepsake goes on in the background,
    /// and this says how to open it again.
    pub fn in_background() -> Note {
        Note {
            problem: false,
            summary: "Keepsake is still backing up in the background".to_owned(),
            body: "Your scheduled backups keep running. To open Keepsake again, start it from your \
                   applications menu."
                .to_owned(),
        }
    }

    /// Every few weeks: does the person still know the password? (Checked in the window, on
    /// this computer; nothing is sent.)
    pub fn password_check() -> Note {
        Note {
            problem: false,
            summary: "Do you still know your Keepsake password?".to_owned(),
            body: "It opens your backups. Type it once in Keepsake to check you remember it (it is                    checked on this computer, nothing is sent anywhere). Forgot it? Your emergency kit                    opens everything."
                .to_owned(),
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
                summary: format!("The data of {name} is damaged"),
                body: "It fails the check for damage. Keepsake keeps every earlier backup while it does. \
                       Open Keepsake to see which backup is the last good one."
                    .to_owned(),
            };
        }
        // Said in the window's words (ui/src/alerts.ts): entries of a list, an update said calmly.
        let calm = |a: &keepsake_engine::Alert| {
            matches!(a.kind, AlertKind::SchemaChanged | AlertKind::UserVersionChanged)
        };
        if alerts.iter().all(calm) {
            return Note {
                problem: false,
                summary: format!("{name} changed how it stores its data"),
                body: "This is normal after an update of the app: nothing is lost.".to_owned(),
            };
        }
        let first = alerts.iter().find(|a| !calm(a)).unwrap_or(&alerts[0]);
        let table = first.table.as_deref().unwrap_or("a list");
        let (b, a) = (first.before.unwrap_or(0), first.after.unwrap_or(0));
        let what = match first.kind {
            AlertKind::TableEmptied => format!("Everything in “{table}” is gone ({b} entries before)."),
            AlertKind::RowsLost => format!("{} of {b} entries in “{table}” are gone.", b.saturating_sub(a)),
            AlertKind::TableGone => format!("“{table}” is gone, with its {b} entries."),
            _ => "Something inside it changed.".to_owned(),
        };
        let more =
            if alerts.len() > 1 { format!(" ({} changes in all)", alerts.len()) } else { String::new() };
        Note {
            problem: true,
            summary: format!("{name}: something went missing since its last backup"),
            body: format!(
                "{what}{more} The backup from before is kept safe. Open Keepsake to see what's gone and get it \
                 back, or to say it was you."
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

    /// The body as the notification server reads it. On Linux and the BSDs the body is markup
    /// (the Desktop Notifications spec: `<b>`, `<i>`, `<a href>`, `<img>`), and it holds names
    /// from outside (a database's, a table's, a destination's): `<`, `>` and `&` are escaped so
    /// a table named `<img src=...>` shows as those characters, not as an image or a link.
    /// Elsewhere the body is plain text and goes as it is.
    pub fn markup_body(&self) -> String {
        if cfg!(all(unix, not(target_os = "macos"))) { escape_markup(&self.body) } else { self.body.clone() }
    }

    fn wanted(&self, level: NotificationLevel) -> bool {
        match level {
            NotificationLevel::All => true,
            NotificationLevel::Problems => self.problem,
            NotificationLevel::Off => false,
        }
    }

    /// Shows the notification like [`Note::send`] (whatever the level: the person asked for the
    /// summary by having Keepsake), and when it is clicked brings up the window on `screen`.
    pub fn send_opening<R: tauri::Runtime>(self, app: &tauri::AppHandle<R>, screen: &'static str) {
        use tauri::Manager;
        tracing::info!(summary = %self.summary, body = %self.body, "notification");
        let app = app.clone();
        let spawned = std::thread::Builder::new().name("notify".into()).spawn(move || {
            let mut n = notify_rust::Notification::new();
            n.appname("Keepsake")
                .summary(&self.summary)
                .body(&self.markup_body())
                .action("default", "Open Keepsake");
            n.icon(if self.problem { "dialog-warning" } else { "dialog-information" });
            match n.show() {
                #[cfg(all(unix, not(target_os = "macos")))]
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        app.state::<crate::state::AppState>().open_screen(screen);
                        crate::platform::show_main_window(&app);
                        crate::events::changed(&app);
                    }
                }),
                #[cfg(not(all(unix, not(target_os = "macos"))))]
                Ok(_) => {}
                Err(e) => tracing::warn!("no desktop notification ({e}): {}", self.summary),
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the notification thread: {e}");
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
            n.appname("Keepsake").summary(&self.summary).body(&self.markup_body()).icon(if self.problem {
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

/// `text` with the characters the notification body markup reads (`&`, `<`, `>`) escaped.
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
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
    fn a_low_disk_says_what_is_left_and_what_to_delete() {
        let mut check = keepsake_engine::SpaceCheck {
            folder: "/media/usb/Notes".into(),
            estimate: 1_200_000_000,
            needed: 1_216_777_216,
            free: 2_000_000_000,
            total: 32_000_000_000,
            margin: 1_073_741_824,
            state: keepsake_engine::SpaceState::Low,
            free_up: Some(keepsake_engine::FreeUp {
                ids: vec!["a".into(), "b".into()],
                bytes: 3_100_000_000,
                keep_last: 10,
                enough: true,
            }),
        };
        let n = Note::low_space("Notes", &check);
        assert!(n.problem);
        assert_eq!(n.summary, "The backup disk of Notes is almost full");
        assert_eq!(
            n.body,
            "After the next backup of Notes, only 800.0 MB will be left on the disk of /media/usb/Notes. \
             Open Keepsake to delete the 2 oldest backup(s) and free 3.1 GB."
        );
        check.free_up = None;
        assert!(Note::low_space("Notes", &check).body.ends_with("choose a bigger one in Keepsake."));
        check.state = keepsake_engine::SpaceState::NoRoom;
        check.free = 1_000_000_000;
        let full = Note::low_space("Notes", &check);
        assert_eq!(full.summary, "The next backup of Notes won't fit on its disk");
        assert!(
            full.body.starts_with(
                "The disk of /media/usb/Notes has 1.0 GB free; the next backup of Notes needs about 1.2 GB"
            ),
            "{}",
            full.body
        );
    }

    #[test]
    #[cfg(all(unix, not(target_os = "macos")))]
    fn a_table_name_is_never_markup_in_the_body() {
        let alert = keepsake_engine::Alert {
            id: 0,
            kind: keepsake_engine::AlertKind::TableGone,
            source_path: "/x/notes.db".into(),
            backup_id: "b".to_owned(),
            previous_id: None,
            table: Some(
                "<img src=\"file:///etc/passwd\"/><a href=\"https://evil.example\">x</a>&amp;".to_owned(),
            ),
            before: None,
            after: None,
            raised_at: chrono::Utc::now(),
            pinned: None,
            dismissed_at: None,
        };
        let n = Note::content_alert("Notes & <Co>", &[alert]);
        let body = n.markup_body();
        assert!(!body.contains('<') && !body.contains('>'), "{body}");
        assert!(
            body.contains("&lt;img src=\"file:///etc/passwd\"/&gt;&lt;a href=\"https://evil.example\"&gt;x&lt;/a&gt;&amp;amp;"),
            "{body}"
        );
        let failed = Note::backup_failed("A", Path::new("/data/a&b<i>.db"), ErrorCode::SourceNotFound);
        assert!(failed.markup_body().contains("/data/a&amp;b&lt;i&gt;.db"), "{}", failed.markup_body());
        assert!(failed.body.contains("/data/a&b<i>.db"), "the note itself (logged) stays plain");
    }

    #[test]
    fn a_content_alert_is_said_in_the_windows_words_and_an_update_calmly() {
        let alert = |kind, before, after| keepsake_engine::Alert {
            id: 0,
            kind,
            source_path: "/x/notes.db".into(),
            backup_id: "b".to_owned(),
            previous_id: None,
            table: Some("notes".to_owned()),
            before,
            after,
            raised_at: chrono::Utc::now(),
            pinned: None,
            dismissed_at: None,
        };
        use keepsake_engine::AlertKind::{RowsLost, SchemaChanged};
        let lost = Note::content_alert(
            "Notes",
            &[alert(SchemaChanged, None, None), alert(RowsLost, Some(1414), Some(707))],
        );
        assert!(lost.problem);
        assert_eq!(lost.summary, "Notes: something went missing since its last backup");
        assert!(
            lost.body.starts_with("707 of 1414 entries in “notes” are gone. (2 changes in all)"),
            "{}",
            lost.body
        );
        let update = Note::content_alert("Notes", &[alert(SchemaChanged, None, None)]);
        assert!(!update.problem, "an update is not a problem");
        assert!(update.body.contains("nothing is lost"), "{}", update.body);
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
