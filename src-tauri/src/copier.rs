//! Copies elsewhere inside the app: a thread of its own (an upload never delays a backup) that
//! runs the engine's `Copier` every minute, and at once after a backup or a change of the
//! destinations; it publishes how each destination stands for the window, and notifies once
//! when one has failed for longer than its `alert_after_hours` (24 by default).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use keepsake_engine::CopyState;
use keepsake_engine::scheduler::copies::{Copier, CopyEvent, CopyStatus};
use keepsake_engine::seams::Job;
use tauri::{AppHandle, Manager, Runtime};

use crate::events::changed;
use crate::jobs::EventProgress;
use crate::notify::Note;
use crate::state::AppState;

/// How often the copier looks for backups to send when nothing wakes it.
const EVERY: Duration = Duration::from_secs(60);
/// The job id of the copier's progress events (and of "Stop copying").
pub const COPY_JOB: &str = "copies";

/// Starts the copier thread.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let control = app.state::<AppState>().copier.clone();
    match std::thread::Builder::new().name("copier".into()).spawn(move || run(app)) {
        Ok(h) => control.set_thread(h),
        Err(e) => tracing::error!("cannot start the copier: {e}"),
    }
}

fn run<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(engines) = state.engines() else { return };
    let mut copier = Copier::new(engines, Arc::new(keepsake_remote::SavedSecrets));
    let mut told: HashSet<(String, String)> = HashSet::new();
    loop {
        if state.take_copy_retry() {
            copier.retry_now();
        }
        let Some(cancel) = state.new_copy_pass() else { break };
        let sources = state.all_sources();
        let level = state.settings().notification_level;
        let mut copied = false;
        if !state.copies_held() {
            let job = Job::new(EventProgress::new(app.clone(), COPY_JOB), cancel);
            copied = copier.pass(&sources, Utc::now(), &job, &mut |e| match e {
                CopyEvent::Copied { source, record } => {
                    tracing::info!(source, destination = %record.destination, backup = %record.backup_id, "copied");
                }
                CopyEvent::Failed { source, destination, error, .. } => {
                    tracing::warn!(source, destination, code = %error.code(), "copy failed: {}", error.message());
                }
                CopyEvent::Skipped { source, destination, error } => {
                    tracing::warn!(source, destination, "not copied: {}", error.message());
                }
                CopyEvent::Removed { source, destination, plan } => {
                    tracing::info!(source, destination, deleted = plan.delete.len(), "copies deleted by retention");
                }
                CopyEvent::Checked { source, destination, checks } => {
                    let bad = checks.iter().filter(|c| c.state != CopyState::Whole).count();
                    tracing::info!(source, destination, copies = checks.len(), bad, "copies read back");
                    if bad > 0 {
                        Note::copies_damaged(source, destination, bad, checks.len()).send(level);
                    }
                }
            });
        }
        let status = copier.status(&sources);
        let after = |name: &str| sources.destination(name).ok().and_then(|d| d.alert_after());
        for (source, destination, since) in failing_for_long(&status, &mut told, Utc::now(), &after) {
            Note::copy_failing(&source, &destination, since).send(level);
        }
        let was = state.set_copy_status(status);
        if copied || was {
            changed(&app);
        }
        if !state.copier.wait_for(EVERY) {
            break;
        }
    }
}

/// The destinations failing at `now` for longer than their `after` hours (`None`: never told)
/// that were not told yet (each once, until it works again).
fn failing_for_long(
    status: &[CopyStatus],
    told: &mut HashSet<(String, String)>,
    now: DateTime<Utc>,
    after: &dyn Fn(&str) -> Option<u32>,
) -> Vec<(String, String, DateTime<Utc>)> {
    let mut due = Vec::new();
    for s in status {
        let key = (s.source.clone(), s.destination.clone());
        let long = |since: DateTime<Utc>| {
            after(&s.destination).is_some_and(|h| now - since >= TimeDelta::hours(i64::from(h)))
        };
        match s.failing_since {
            Some(since) if long(since) && told.insert(key.clone()) => {
                due.push((s.source.clone(), s.destination.clone(), since));
            }
            None => {
                told.remove(&key);
            }
            _ => {}
        }
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_engine::DestinationKind;

    fn failing(since: Option<DateTime<Utc>>) -> CopyStatus {
        CopyStatus {
            source: "notes".into(),
            destination: "b2".into(),
            kind: DestinationKind::S3,
            last_copied_at: None,
            waiting: 1,
            failing_since: since,
            error: None,
            checked: None,
        }
    }

    #[test]
    fn a_destination_failing_for_a_day_is_told_once_until_it_works_again() {
        let now = Utc::now();
        let mut told = HashSet::new();
        let day = |_: &str| Some(24);
        let fresh = [failing(Some(now - TimeDelta::hours(23)))];
        assert!(failing_for_long(&fresh, &mut told, now, &day).is_empty(), "under 24 hours: not yet");
        let long = [failing(Some(now - TimeDelta::hours(25)))];
        assert_eq!(failing_for_long(&long, &mut told, now, &day).len(), 1);
        assert!(failing_for_long(&long, &mut told, now, &day).is_empty(), "told once");
        assert!(failing_for_long(&[failing(None)], &mut told, now, &day).is_empty(), "it works again");
        assert_eq!(failing_for_long(&long, &mut told, now, &day).len(), 1, "failing again: told again");
        // The destination's own time, and never when it says 0.
        let mut told = HashSet::new();
        assert_eq!(failing_for_long(&fresh, &mut told, now, &|_| Some(2)).len(), 1, "after 2 hours");
        let mut told = HashSet::new();
        assert!(failing_for_long(&long, &mut told, now, &|_| None).is_empty(), "never");
    }
}
