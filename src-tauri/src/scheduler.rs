//! The scheduler inside the app: a thread that wakes at least every 30 seconds (and at once when
//! the sources, the settings or the password change) and runs one tick of the engine's
//! scheduler host (`scheduler::host`, the same loop body as `keepsake daemon`), which decides
//! and runs; this file supplies only what is the app's: each scheduled run as job
//! `scheduled:<source>` (so the window sees its progress and can cancel it), notifications, and
//! the tray. When to run is never decided here.
//!
//! Quitting stops it cleanly: no new run starts, the running one is cancelled (the engine keeps
//! nothing partial, and the next start catches the slot up) and the thread is joined.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Local;
use keepsake_engine::schedule::sleep_for;
use keepsake_engine::scheduler::host::{Host, HostEvent, HostHooks};
use keepsake_engine::seams::Job;
use keepsake_engine::sources::Source;
use tauri::{AppHandle, Manager, Runtime};

use crate::jobs::EventProgress;
use crate::notify::Note;
use crate::state::AppState;

/// The longest sleep between two looks at the schedule: a monotonic sleep does not notice the
/// wall clock being changed or the machine having slept.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// The shortest: after a run, the next look re-reads the history a moment later.
const MIN_WAIT: Duration = Duration::from_secs(1);

/// The job id of a scheduled run of `source`.
pub fn job_id(source: &str) -> String {
    format!("scheduled:{source}")
}

/// Starts the scheduler thread.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let control = app.state::<AppState>().scheduler.clone();
    match std::thread::Builder::new().name("scheduler".into()).spawn(move || host(app)) {
        Ok(h) => control.set_thread(h),
        Err(e) => tracing::error!("cannot start the scheduler: {e}"),
    }
}

fn host<R: Runtime>(app: AppHandle<R>) {
    tracing::info!("scheduler started");
    let state = app.state::<AppState>();
    let engines = match state.engines() {
        Ok(e) => e,
        Err(e) => {
            tracing::error!("no scheduled backups: {}", e.message);
            return;
        }
    };
    let mut host = Host::new(engines);
    let hooks = AppHooks { app: &app };
    loop {
        let now = Local::now();
        let sources = state.scheduled_sources();
        let tick = host.tick(&sources, &HashSet::new(), now, &hooks);
        // A run said what it changed itself (the tray follows the app's events); otherwise the
        // status line is kept current as time passes.
        if !tick.ran {
            crate::tray::refresh_if_stale(&app);
        }
        weekly(&app, &state, !sources.is_empty());
        password_check(&app, &state);
        let wait =
            if tick.ran { MIN_WAIT } else { sleep_for(tick.next.as_ref(), &now, MAX_WAIT).max(MIN_WAIT) };
        if !state.scheduler.wait(wait) {
            break;
        }
    }
    tracing::info!("scheduler stopped");
}

/// The weekly summary as a notification that opens History, a week after the last one (the
/// first a week after Keepsake first ran with a database set up).
fn weekly<R: Runtime>(app: &AppHandle<R>, state: &AppState, any_source: bool) {
    let Ok(engines) = state.engines() else { return };
    let now = chrono::Utc::now();
    if !any_source || !keepsake_engine::report::weekly_due(engines.home(), "notification", now) {
        return;
    }
    let reports = crate::view::weekly_reports(state, now);
    if state.settings().notification_level != crate::notify::NotificationLevel::Off {
        Note::weekly(&reports).send_opening(app, "history");
    }
    keepsake_engine::report::weekly_done(engines.home(), "notification", now);
}

/// "Do you still know your password?", once when it is due, as a notification that opens Home
/// (where the question is); nothing is asked before backups have a key.
fn password_check<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    let settings = state.settings();
    let check = &settings.password_check;
    if check.notified
        || !check.due(chrono::Utc::now())
        || settings.notification_level == crate::notify::NotificationLevel::Off
    {
        return;
    }
    if !state.engines().ok().and_then(|e| e.home().key_status().ok()).is_some_and(|k| k.has_key) {
        return;
    }
    Note::password_check().send_opening(app, "home");
    let _ = state.edit_settings(|s| s.password_check.notified = true);
}

/// The app's side of the scheduler host: jobs the window can see, notifications, the tray.
struct AppHooks<'a, R: Runtime> {
    app: &'a AppHandle<R>,
}

impl<R: Runtime> HostHooks for AppHooks<'_, R> {
    fn is_running(&self, source: &str) -> bool {
        self.app.state::<AppState>().jobs.is_running(&job_id(source))
    }

    fn run_job(&self, source: &Source, work: &mut dyn FnMut(&Job)) -> bool {
        let state = self.app.state::<AppState>();
        let id = job_id(&source.name);
        let guard = match state.jobs.start(&id, EventProgress::new(self.app.clone(), &id)) {
            Ok(g) => g,
            Err(e) => {
                tracing::info!(source = %source.name, "not started: {}", e.message);
                return false;
            }
        };
        crate::events::busy_changed(self.app);
        work(&guard.job);
        true
    }

    fn stopping(&self) -> bool {
        self.app.state::<AppState>().scheduler.stopping()
    }

    fn report(&self, event: HostEvent<'_>) {
        let state = self.app.state::<AppState>();
        let level = state.settings().notification_level;
        match event {
            HostEvent::Starting { source, reason } => {
                tracing::info!(source = %source.name, ?reason, "scheduled backup");
            }
            HostEvent::Finished { source, result } => {
                crate::service::after_run(self.app, source, result, crate::service::Asked::Schedule);
            }
            HostEvent::Skipped { source } => {
                tracing::info!(source = %source.name, "skipped: a backup of it is still running");
            }
            HostEvent::Overdue { source, days, never_succeeded, .. } => {
                tracing::warn!(source = %source.name, days, "no successful backup");
                Note::missed(&source.name, days, never_succeeded).send(level);
                crate::tray::refresh(self.app);
            }
            HostEvent::HistoryUnreadable { source, error } => {
                tracing::warn!(source = %source.name, "cannot read the history: {}", error.message());
            }
        }
    }
}
