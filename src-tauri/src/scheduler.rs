//! The scheduler inside the app: a thread that wakes at least every 30 seconds (and at once when
//! the sources, the settings or the password change, or the tray asks to back up now), asks the
//! engine what to do (`scheduler::plan_tick`, from each backup folder's history and `now`), and
//! carries it out: scheduled runs through `Engine::run_scheduled` (one at a time, as job
//! `scheduled:<source>` so the window sees their progress and can cancel them), skips recorded,
//! overdue warnings notified. When to run is never decided here.
//!
//! Quitting stops it cleanly: no new run starts, the running one is cancelled (the engine keeps
//! nothing partial, and the next start catches the slot up) and the thread is joined.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use keepsake_engine::model::{BackupType, Operation, RunStatus};
use keepsake_engine::schedule::sleep_for;
use keepsake_engine::scheduler::{Action, SourceState, next_wake, plan_tick};
use keepsake_engine::sources::Source;
use keepsake_engine::{Error, ErrorCode};
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::changed;
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

#[derive(Debug, Default)]
struct Flags {
    woken: bool,
    stop: bool,
    run_now: HashSet<String>,
}

/// How the rest of the app talks to the scheduler thread.
#[derive(Debug, Default)]
pub struct SchedulerControl {
    flags: Mutex<Flags>,
    changed: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SchedulerControl {
    fn flags(&self) -> MutexGuard<'_, Flags> {
        self.flags.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Looks at the schedule again now (the sources or settings changed).
    pub fn wake(&self) {
        self.flags().woken = true;
        self.changed.notify_all();
    }

    /// Backs up these sources now, whatever their schedule.
    pub fn run_now(&self, sources: impl IntoIterator<Item = String>) {
        let mut flags = self.flags();
        flags.run_now.extend(sources);
        flags.woken = true;
        drop(flags);
        self.changed.notify_all();
    }

    /// Waits until woken, stopped or `timeout`; `None` when stopping, else the sources to run now.
    fn wait(&self, timeout: Duration) -> Option<HashSet<String>> {
        let mut flags = self.flags();
        if !flags.woken && !flags.stop {
            flags = match self.changed.wait_timeout(flags, timeout) {
                Ok((f, _)) => f,
                Err(p) => p.into_inner().0,
            };
        }
        flags.woken = false;
        if flags.stop { None } else { Some(std::mem::take(&mut flags.run_now)) }
    }

    fn stopping(&self) -> bool {
        self.flags().stop
    }

    /// Asks the thread to stop after what it is doing (cancel the running job separately).
    pub fn request_stop(&self) {
        self.flags().stop = true;
        self.changed.notify_all();
    }

    /// Waits for the thread to end.
    pub fn join(&self) {
        let handle = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(h) = handle
            && h.join().is_err()
        {
            tracing::error!("the scheduler thread panicked");
        }
    }
}

/// Starts the scheduler thread.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let control = app.state::<AppState>().scheduler.clone();
    match std::thread::Builder::new().name("scheduler".into()).spawn(move || host(app)) {
        Ok(h) => *control.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(h),
        Err(e) => tracing::error!("cannot start the scheduler: {e}"),
    }
}

fn host<R: Runtime>(app: AppHandle<R>) {
    tracing::info!("scheduler started");
    let state = app.state::<AppState>();
    let mut run_now: HashSet<String> = HashSet::new();
    let mut warned: HashMap<String, DateTime<Utc>> = HashMap::new();
    loop {
        let now = Local::now();
        let paused = state.settings().paused;
        // A global pause is a pause of every source, for the engine's decisions.
        let sources: Vec<Source> =
            state.sources().into_iter().map(|s| Source { paused: s.paused || paused, ..s }).collect();
        run_now.retain(|name| sources.iter().any(|s| &s.name == name));
        let states: Vec<SourceState> = sources
            .iter()
            .map(|s| SourceState {
                running: state.jobs.is_running(&job_id(&s.name)),
                run_now: run_now.contains(&s.name),
                last_warned: warned.get(&s.name).copied(),
                ..history(&state, s)
            })
            .collect();
        let actions = plan_tick(sources.iter().zip(&states), &now);
        let acted = !actions.is_empty();
        for action in actions {
            if state.scheduler.stopping() {
                break;
            }
            match action {
                Action::Run { source, reason } => {
                    run_now.remove(&source);
                    if let Some(s) = sources.iter().find(|s| s.name == source) {
                        tracing::info!(source = %source, ?reason, "scheduled backup");
                        run(&app, s);
                    }
                }
                Action::Skip { source, reason } => {
                    run_now.remove(&source);
                    tracing::info!(source = %source, ?reason, "skipped: a backup of it is still running");
                    if let Some(s) = sources.iter().find(|s| s.name == source)
                        && let Ok(engine) = state.engine(&s.backup_dir)
                    {
                        let why = Error::new(ErrorCode::Busy, "a backup of this database was still running");
                        engine.record_skipped(
                            Operation::Backup,
                            Some(BackupType::Scheduled),
                            Some(&s.database),
                            &why,
                        );
                    }
                }
                Action::Warn { source, days, never_succeeded, .. } => {
                    warned.insert(source.clone(), Utc::now());
                    tracing::warn!(source = %source, days, "no successful backup");
                    Note::missed(&source, days, never_succeeded).send(state.settings().notification_level);
                    crate::tray::refresh(&app);
                }
            }
        }
        crate::tray::refresh(&app);
        let wait = if acted {
            MIN_WAIT
        } else {
            let next = next_wake(sources.iter().zip(&states), &now);
            sleep_for(next.as_ref(), &now, MAX_WAIT).max(MIN_WAIT)
        };
        match state.scheduler.wait(wait) {
            Some(more) => run_now.extend(more),
            None => break,
        }
    }
    tracing::info!("scheduler stopped");
}

/// What the backup folder's history says about `source` (empty when it cannot be read: the
/// engine then treats the source as never run, and the run reports the real problem).
fn history(state: &AppState, source: &Source) -> SourceState {
    let read = state
        .engine(&source.backup_dir)
        .and_then(|e| e.source_history(&source.database).map_err(|e| state.ipc_error(e)));
    match read {
        Ok(h) => SourceState::from_history(&h),
        Err(e) => {
            tracing::warn!(source = %source.name, "cannot read the history: {}", e.message);
            SourceState::default()
        }
    }
}

/// One scheduled run, with its notification.
fn run<R: Runtime>(app: &AppHandle<R>, source: &Source) {
    let state = app.state::<AppState>();
    let id = job_id(&source.name);
    let guard = match state.jobs.start(&id, EventProgress::new(app.clone(), &id)) {
        Ok(g) => g,
        Err(e) => {
            tracing::info!(source = %source.name, "not started: {}", e.message);
            return;
        }
    };
    crate::tray::refresh(app);
    let result = match state.engine(&source.backup_dir) {
        Ok(engine) => {
            engine.run_scheduled(source, &guard.job).map_err(|e| (e.code(), e.message().to_owned()))
        }
        Err(e) => Err((ErrorCode::Io, e.message)),
    };
    drop(guard);
    let level = state.settings().notification_level;
    let note = match result {
        Ok(run) => {
            tracing::info!(source = %source.name, status = ?run.status, message = ?run.message, "scheduled run");
            match (run.status, &run.backup) {
                (RunStatus::Success, Some(b)) => {
                    Some(Note::backed_up(&source.name, b.stored_size, run.verify.is_some()))
                }
                (RunStatus::Failed, _) => Some(Note::backup_failed(
                    &source.name,
                    &source.database,
                    run.error_code.unwrap_or(ErrorCode::BackupDamaged),
                )),
                _ => None,
            }
        }
        Err((ErrorCode::Cancelled, _)) => {
            tracing::info!(source = %source.name, "scheduled run cancelled");
            None
        }
        Err((code, message)) => {
            tracing::error!(source = %source.name, %code, "scheduled run failed: {message}");
            if code == ErrorCode::PasswordRequired && state.secrets.last_error().is_some() {
                Some(Note::keyring(&source.name))
            } else {
                Some(Note::backup_failed(&source.name, &source.database, code))
            }
        }
    };
    if let Some(note) = note {
        note.send(level);
    }
    changed(app);
}
