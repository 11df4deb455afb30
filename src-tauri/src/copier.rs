//! Copies elsewhere inside the app: a thread of its own (an upload never delays a backup) that
//! runs the engine's copier loop (`scheduler::copy_host`, the daemon's too) every minute, and at
//! once after a backup or a change of the destinations; it publishes how each destination
//! stands for the window, and notifies once when one has failed for longer than its
//! `alert_after_hours` (24 by default).

use std::sync::Arc;
use std::time::Duration;

use keepsake_engine::CopyState;
use keepsake_engine::scheduler::copies::{Copier, CopyEvent};
use keepsake_engine::scheduler::copy_host::{self, CopyHooks, PassEnd};
use keepsake_engine::seams::Job;
use keepsake_engine::sources::Sources;
use tauri::{AppHandle, Manager, Runtime};

use crate::events::{Changed, changed_about};
use crate::jobs::EventProgress;
use crate::notify::Note;
use crate::state::AppState;

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
    copy_host::run(&mut copier, &AppCopies { app: &app, state: &state });
}

/// The app's side of the copier's loop: the window's "Stop copying" and "Try again now", its
/// progress events, notifications, and the status the window shows.
struct AppCopies<'a, R: Runtime> {
    app: &'a AppHandle<R>,
    state: &'a AppState,
}

impl<R: Runtime> CopyHooks for AppCopies<'_, R> {
    fn sources(&self) -> Option<Sources> {
        Some(self.state.all_sources())
    }

    fn next_pass(&self) -> Option<Job> {
        let cancel = self.state.new_copy_pass()?;
        Some(Job::new(EventProgress::new(self.app.clone(), COPY_JOB), cancel))
    }

    fn held(&self) -> bool {
        self.state.copies_held()
    }

    fn retry_asked(&self) -> bool {
        self.state.take_copy_retry()
    }

    fn event(&self, e: CopyEvent<'_>) {
        match e {
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
                tracing::info!(
                    source,
                    destination,
                    deleted = plan.delete.len(),
                    "copies deleted by retention"
                );
            }
            CopyEvent::Checked { source, destination, checks } => {
                let bad = checks.iter().filter(|c| c.state != CopyState::Whole).count();
                tracing::info!(source, destination, copies = checks.len(), bad, "copies read back");
                if bad > 0 {
                    let level = self.state.settings().notification_level;
                    Note::copies_damaged(source, destination, bad, checks.len()).send(level);
                }
            }
        }
    }

    fn passed(&self, pass: &PassEnd) {
        let level = self.state.settings().notification_level;
        for f in &pass.failing_long {
            Note::copy_failing(&f.source, &f.destination, f.since).send(level);
        }
        let was = self.state.set_copy_status(pass.status.clone());
        // The window reads its state again on this too: a copy made can make a database
        // protected (its newest backup is off this disk now).
        if pass.copied || was {
            changed_about(self.app, Changed::Copies);
        }
    }

    fn wait(&self, timeout: Duration) -> bool {
        self.state.copier.wait_for(timeout)
    }
}
