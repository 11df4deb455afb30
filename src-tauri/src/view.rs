//! What the window and the tray are shown about the sources: each source's settings with its
//! schedule in words, next run, last backup and health ([`SourceView`]), and the tray's one-line
//! summary. Only presentation: the schedule, health and next run are the engine's
//! (`scheduler::job_info`), read from each backup folder's history.

use std::path::PathBuf;

use chrono::{DateTime, Local, Utc};
use keepsake_engine::model::{BackupMetadata, RunRecord, RunStatus, SourceHistory};
use keepsake_engine::schedule::{Health, Schedule};
use keepsake_engine::scheduler::job_info;
use keepsake_engine::sources::Source;
use keepsake_engine::{RetentionPolicy, SpaceCheck, SpaceState};
use serde::Serialize;

use crate::keyring::KeyringStatus;
use crate::settings::NotificationLevel;
use crate::state::AppState;

/// `app_state`'s answer.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AppStateView {
    /// No source is set up yet: the window shows its first-run screen.
    pub first_run: bool,
    /// Every source, with what Home shows of it.
    pub sources: Vec<SourceView>,
    /// Whether the password can be read from the keyring.
    pub keyring: KeyringStatus,
    /// Which desktop notifications are shown.
    pub notification_level: NotificationLevel,
    /// Keepsake starts (in the tray) when the person logs in.
    pub autostart: bool,
    /// Scheduled backups are paused for every source.
    pub paused: bool,
    /// Where a source's backups go when no folder is chosen: a folder per source in here.
    pub backups_root: PathBuf,
    /// "Stop" was pressed on a copy elsewhere: nothing is copied until "Copy now".
    pub copies_held: bool,
    /// The key backups are encrypted under: whether a recovery kit opens it, and since when.
    pub key: keepsake_engine::KeyStatus,
    /// "Do you still know your password?" is asked every few weeks.
    pub password_check: bool,
    /// It is time to ask it.
    pub password_check_due: bool,
}

/// One source as the window shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SourceView {
    /// Its name.
    pub name: String,
    /// The database it protects (an app's main database).
    pub database: PathBuf,
    /// The app whose files it protects, by name ("Firefox"); `None` for a database added by hand.
    pub app: Option<String>,
    /// The app's other files, backed up and restored with `database`.
    pub also: Vec<PathBuf>,
    /// The folder its backups go to.
    pub backup_dir: PathBuf,
    /// Whether it is backed up on its schedule.
    pub enabled: bool,
    /// Its schedule is paused (this source, or all of them).
    pub paused: bool,
    /// When its scheduled backups run.
    pub schedule: Option<Schedule>,
    /// In plain English (`Every day at 02:00`).
    pub schedule_description: Option<String>,
    /// Its backups are encrypted.
    pub encrypt: bool,
    /// Its backups are compressed.
    pub compress: bool,
    /// The gzip level (1-9).
    pub level: u32,
    /// Each backup is verified right after it is made.
    pub verify_after_backup: bool,
    /// "Save space: back up only what changed": on, off, or `null` for automatic (on for
    /// databases of 64 MiB and more).
    pub incremental: Option<bool>,
    /// A table losing more than this share of its rows (percent) between two backups raises a
    /// content alert; 0: content alerts are off.
    pub row_loss_alert_percent: u32,
    /// The destinations (by name) its backups are copied to.
    pub copies_to: Vec<String>,
    /// Which backups its cleanup keeps.
    pub retention: RetentionPolicy,
    /// RFC 3339, local offset; `None` when not scheduled (or paused).
    pub next_run: Option<String>,
    /// Its newest backup, if any.
    pub last_backup: Option<BackupMetadata>,
    /// The last scheduled run, whatever its outcome (a failure is shown on the home screen).
    pub last_run: Option<RunRecord>,
    /// Whether its backups are on time.
    pub health: HealthView,
    /// Room on the backup folder's disk for the next backup (none: not a local disk).
    pub space: Option<SpaceCheck>,
    /// The demo source (sample data, not the person's): never "Protected".
    pub demo: bool,
    /// The place off this computer's disk that holds copies of its backups (the backup folder
    /// on another disk or synced, or a destination), if any.
    pub second_place: Option<keepsake_engine::SecondPlace>,
}

/// `"ok"`, `"never"` or `{ "overdue_days": N }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(untagged)]
pub enum HealthView {
    /// `"ok"` or `"never"`.
    Word(&'static str),
    /// Overdue by this many days.
    Overdue {
        /// Whole days since the last backup was due.
        overdue_days: u32,
    },
}

impl From<&Health> for HealthView {
    fn from(h: &Health) -> Self {
        match h {
            Health::Ok => HealthView::Word("ok"),
            Health::NeverSucceeded => HealthView::Word("never"),
            Health::Overdue { days, .. } => HealthView::Overdue { overdue_days: *days },
        }
    }
}

/// The view of one source at `now`; a backup folder that cannot be opened gives an empty
/// history (the error shows when the person acts on the source).
pub fn source_view(state: &AppState, source: &Source, now: &DateTime<Local>) -> SourceView {
    let effective = state.with_global_pause(source);
    let (history, last_backup, space, copies) = match state.engine(&source.backup_dir) {
        Ok(engine) => (
            engine.source_history(&source.database).unwrap_or_default(),
            engine.last_backup_of(&source.database).ok().flatten(),
            engine.space_check(&source.database, &source.low_space).ok().flatten(),
            if source.copies_to.is_empty() { Vec::new() } else { engine.copies().unwrap_or_default() },
        ),
        Err(e) => {
            tracing::warn!(source = %source.name, "cannot open the backup folder: {}", e.message);
            (SourceHistory::default(), None, None, Vec::new())
        }
    };
    let all = state.all_sources();
    let destinations: Vec<&keepsake_engine::Destination> =
        all.destinations.iter().filter(|d| source.copies_to.contains(&d.name)).collect();
    let second_place = keepsake_engine::places::second_place(
        &source.database,
        &source.backup_dir,
        &destinations,
        last_backup.as_ref().map(|b| b.id.as_str()),
        &copies,
    );
    let info = job_info(&effective, &history, now);
    SourceView {
        name: source.name.clone(),
        database: source.database.clone(),
        app: source.app.as_deref().map(|id| {
            keepsake_engine::discover::Catalogue::shipped()
                .app(id)
                .map_or_else(|| id.to_owned(), |a| a.name.clone())
        }),
        also: source.also.clone(),
        backup_dir: source.backup_dir.clone(),
        enabled: source.enabled,
        paused: source.paused,
        schedule: source.schedule.clone(),
        schedule_description: info.description,
        encrypt: source.encrypt,
        compress: source.compress,
        level: source.level,
        verify_after_backup: source.verify_after_backup,
        incremental: source.incremental,
        row_loss_alert_percent: source.row_loss_alert_percent,
        copies_to: source.copies_to.clone(),
        retention: source.retention.clone(),
        next_run: info.next_run.map(|t| t.to_rfc3339()),
        last_backup,
        last_run: info.last_run,
        health: HealthView::from(&info.health),
        space,
        demo: crate::demo::is_demo(state, source),
        second_place,
    }
}

/// One source's last seven days (`weekly_report`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SourceReport {
    /// The source.
    pub source: String,
    /// None when its backup folder cannot be read (`error` says why).
    pub report: Option<keepsake_engine::Report>,
    /// Why its report could not be made, if it could not.
    pub error: Option<String>,
}

/// The week of every source, as of `now`.
pub fn weekly_reports(state: &AppState, now: DateTime<Utc>) -> Vec<SourceReport> {
    state
        .sources()
        .iter()
        .map(|s| {
            match state
                .engine(&s.backup_dir)
                .map_err(|e| e.message)
                .and_then(|e| e.report(&s.database, now).map_err(|e| e.message().to_owned()))
            {
                Ok(r) => SourceReport { source: s.name.clone(), report: Some(r), error: None },
                Err(why) => SourceReport { source: s.name.clone(), report: None, error: Some(why) },
            }
        })
        .collect()
}

/// The tray icon's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    /// Nothing running, nothing wrong.
    Idle,
    /// A backup, restore or copy is running.
    Busy,
    /// Something needs the person.
    Problem,
}

/// What the tray shows: its icon and the status line of its menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraySummary {
    /// The icon.
    pub mood: Mood,
    /// The status line.
    pub status: String,
}

/// The tray's summary of `views`: busy while a job runs; a problem when a source's last
/// scheduled run failed, a source is overdue, its backup disk is (almost) full or the keyring
/// cannot be read; idle otherwise.
pub fn tray_summary(
    views: &[SourceView],
    busy: bool,
    keyring_failed: bool,
    now: DateTime<Utc>,
) -> TraySummary {
    let failed = views.iter().find(|v| v.last_run.as_ref().is_some_and(|r| r.status == RunStatus::Failed));
    let overdue = views.iter().find_map(|v| match v.health {
        HealthView::Overdue { overdue_days } => Some((v, overdue_days)),
        HealthView::Word(_) => None,
    });
    let newest = views.iter().filter_map(|v| v.last_backup.as_ref()).map(|b| b.created_at).max();
    let last = match newest {
        Some(t) => format!("Last backup {}", ago(now, t)),
        None if views.is_empty() => "No database set up yet".to_owned(),
        None => "No backup yet".to_owned(),
    };
    let problem = if let Some(v) = failed {
        Some(format!("Last backup of {} failed", v.name))
    } else if let Some((v, days)) = overdue {
        Some(format!("No backup of {} for {days} days", v.name))
    } else if let Some(v) =
        views.iter().find(|v| v.space.as_ref().is_some_and(|s| s.state != SpaceState::Enough))
    {
        Some(format!("The backup disk of {} is almost full", v.name))
    } else if keyring_failed && views.iter().any(|v| v.encrypt) {
        Some("Cannot read the password from the keyring".to_owned())
    } else {
        None
    };
    match (busy, problem) {
        (true, _) => TraySummary { mood: Mood::Busy, status: "Backing up…".to_owned() },
        (false, Some(p)) => TraySummary { mood: Mood::Problem, status: p },
        (false, None) => TraySummary { mood: Mood::Idle, status: last },
    }
}

/// `2 hours ago`.
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = now.signed_duration_since(then).num_seconds().max(0);
    let (n, unit) = match secs {
        0..60 => return "just now".to_owned(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn ago_in_words() {
        let now = Utc::now();
        let before = |s: i64| now - TimeDelta::seconds(s);
        assert_eq!(ago(now, before(5)), "just now");
        assert_eq!(ago(now, before(60)), "1 minute ago");
        assert_eq!(ago(now, before(2 * 3600 + 5)), "2 hours ago");
        assert_eq!(ago(now, before(3 * 86_400)), "3 days ago");
        assert_eq!(ago(now, now + TimeDelta::seconds(30)), "just now");
    }

    #[test]
    fn health_serializes_as_the_contract_says() {
        let ok = serde_json::to_value(HealthView::from(&Health::Ok)).unwrap();
        let never = serde_json::to_value(HealthView::from(&Health::NeverSucceeded)).unwrap();
        let late =
            serde_json::to_value(HealthView::from(&Health::Overdue { since: Utc::now(), days: 4 })).unwrap();
        assert_eq!(ok, "ok");
        assert_eq!(never, "never");
        assert_eq!(late, serde_json::json!({ "overdue_days": 4 }));
    }
}
