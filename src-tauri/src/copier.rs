//! Copies elsewhere inside the app: a thread of its own (an upload never delays a backup) that
//! runs the engine's `Copier` every minute, and at once after a backup or a change of the
//! destinations; it publishes how each destination stands for the window, and notifies once
//! when one has failed for longer than [`NOTIFY_AFTER`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use keepsake_engine::scheduler::copies::{Copier, CopyEvent};
use keepsake_engine::seams::{Job, NoProgress};
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::changed;
use crate::notify::Note;
use crate::state::AppState;

/// How often the copier looks for backups to send when nothing wakes it.
const EVERY: Duration = Duration::from_secs(60);
/// A destination failing for this long is worth a notification.
pub const NOTIFY_AFTER: TimeDelta = TimeDelta::hours(24);

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
    let job = Job::new(Arc::new(NoProgress), state.copy_cancel.clone());
    let mut told: HashSet<(String, String)> = HashSet::new();
    loop {
        if state.take_copy_retry() {
            copier.retry_now();
        }
        let sources = state.all_sources();
        let copied = copier.pass(&sources, Utc::now(), &job, &mut |e| match e {
            CopyEvent::Copied { source, record } => {
                tracing::info!(source, destination = %record.destination, backup = %record.backup_id, "copied");
            }
            CopyEvent::Failed { source, destination, error, .. } => {
                tracing::warn!(source, destination, code = %error.code(), "copy failed: {}", error.message());
            }
        });
        let status = copier.status(&sources);
        let level = state.settings().notification_level;
        for s in &status {
            let key = (s.source.clone(), s.destination.clone());
            match s.failing_since {
                Some(since) if Utc::now() - since >= NOTIFY_AFTER && !told.contains(&key) => {
                    Note::copy_failing(&s.source, &s.destination, since).send(level);
                    told.insert(key);
                }
                None => {
                    told.remove(&key);
                }
                _ => {}
            }
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
