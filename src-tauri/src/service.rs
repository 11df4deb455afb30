//! The app's actions, below the window's commands: what the window, the tray and the scheduler
//! all do (back up, what follows a backup, say that the disk is low, run a job), written once. An action tells
//! its sinks through [`crate::events`]; it never calls the tray or the window itself.

use keepsake_engine::model::{BackupMetadata, RunStatus, ScheduledRun};
use keepsake_engine::sources::Source;
use keepsake_engine::{ErrorCode, Job, Result, RunHow};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::events::changed;
use crate::jobs::EventProgress;
use crate::notify::Note;
use crate::state::AppState;

/// Runs `f` on the blocking pool with the app's state.
pub async fn blocking<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    f: impl FnOnce(&AppState) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>())).await.map_err(|e| {
        IpcError::from(keepsake_engine::Error::new(
            keepsake_engine::ErrorCode::Io,
            format!("task failed: {e}"),
        ))
    })?
}

/// Runs `f` as job `job_id`: registered (so `cancel_job` reaches it), with progress events, on
/// the blocking pool; the tray shows it as busy. Sends `state-changed` when it ends.
pub async fn run_job<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    job_id: &str,
    f: impl FnOnce(&Job) -> keepsake_engine::Result<T> + Send + 'static,
) -> IpcResult<T> {
    let result = run_reading_job(app, job_id, f).await;
    changed(app);
    result
}

/// A job that only reads (a comparison): progress and Cancel as for any job, but nothing
/// changed, so the window is not told to refetch everything afterwards.
pub async fn run_reading_job<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    job_id: &str,
    f: impl FnOnce(&Job) -> keepsake_engine::Result<T> + Send + 'static,
) -> IpcResult<T> {
    let guard = app.state::<AppState>().jobs.start(job_id, EventProgress::new(app.clone(), job_id))?;
    crate::events::busy_changed(app);
    let result = blocking(app, move |state| {
        let r = f(&guard.job);
        drop(guard);
        r.map_err(|e| state.ipc_error(e))
    })
    .await;
    crate::events::busy_changed(app);
    result
}

/// "Back up now" from the window: a manual backup with the source's settings, as job `job_id`.
pub async fn back_up_now<R: Runtime>(
    app: &AppHandle<R>,
    source: &str,
    job_id: &str,
    description: Option<String>,
    tags: Option<Vec<String>>,
) -> IpcResult<BackupMetadata> {
    let how = RunHow::manual(description, tags.unwrap_or_default());
    back_up(app, source, job_id, how, Asked::Window).await
}

/// Who asked for a backup, which decides what the person is told after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The schedule: every outcome is a notification (success as the level allows).
    Schedule,
    /// The window's "Back up now": the window shows the outcome; only a content alert is a
    /// notification too.
    Window,
    /// The tray's "Back up now": the window may be closed, so as for the schedule.
    Tray,
}

/// A run of `source` as `how` says, as job `job_id`, and what follows it ([`after_run`]); the
/// backup, or why there is none (a busy folder included).
pub async fn back_up<R: Runtime>(
    app: &AppHandle<R>,
    source: &str,
    job_id: &str,
    how: RunHow,
    asked: Asked,
) -> IpcResult<BackupMetadata> {
    let (src, engine) = app.state::<AppState>().source_engine(source)?;
    let run_src = src.clone();
    let result = run_reading_job(app, job_id, move |job| Ok(engine.run_source(&run_src, &how, job))).await?;
    after_run(app, &src, &result, asked);
    let state = app.state::<AppState>();
    match result {
        Ok(run) => match run.backup {
            Some(meta) => Ok(meta),
            None => Err(state.ipc_error(keepsake_engine::Error::new(
                run.error_code.unwrap_or(ErrorCode::Busy),
                run.message.unwrap_or_else(|| "the backup folder is busy".to_owned()),
            ))),
        },
        Err(e) => Err(state.ipc_error(e)),
    }
}

/// What follows every run of a source, whoever asked for it: the notification the outcome
/// deserves ([`Asked`]), the room on the backup disk, the copies elsewhere woken, and one
/// `state-changed`. One policy for the scheduler, the window and the tray.
pub fn after_run<R: Runtime>(
    app: &AppHandle<R>,
    source: &Source,
    result: &Result<ScheduledRun>,
    asked: Asked,
) {
    let state = app.state::<AppState>();
    if let Some(note) = told(&state, source, result, asked) {
        note.send(state.settings().notification_level);
    }
    if let Ok(run) = result {
        // The room for the next backup, from the run's own answer.
        if let Some(check) = &run.space {
            tell_space(app, &source.name, check);
        }
        if run.backup.is_some() && !source.copies_to.is_empty() {
            // Local copy first, then the copies elsewhere, in the background.
            state.copier.wake();
        }
    }
    changed(app);
}

/// The notification a finished run deserves, if any.
fn told(state: &AppState, source: &Source, result: &Result<ScheduledRun>, asked: Asked) -> Option<Note> {
    let quiet = asked == Asked::Window;
    match result {
        Ok(run) => {
            tracing::info!(source = %source.name, status = ?run.status, message = ?run.message, ?asked, "run");
            // A change that looks like data loss is said at once, wherever the person is looking.
            if !run.alerts.is_empty() {
                return Some(Note::content_alert(&source.name, &run.alerts));
            }
            match (run.status, &run.backup) {
                _ if quiet => None,
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
        Err(e) if e.code() == ErrorCode::Cancelled => {
            tracing::info!(source = %source.name, ?asked, "run cancelled");
            None
        }
        Err(e) => {
            tracing::error!(source = %source.name, code = %e.code(), ?asked, "run failed: {}", e.message());
            if quiet {
                None
            } else if e.code() == ErrorCode::PasswordRequired && state.secrets.last_error().is_some() {
                Some(Note::keyring(&source.name))
            } else {
                Some(Note::backup_failed(&source.name, &source.database, e.code()))
            }
        }
    }
}

/// Tells the person (a notification) that the backup disk of `name` is low or full, as `check`
/// found it: once each time it gets worse (low, then no room), not after every backup of an
/// hourly schedule.
pub fn tell_space<R: Runtime>(app: &AppHandle<R>, name: &str, check: &keepsake_engine::SpaceCheck) {
    if app.state::<AppState>().space_worse(name, check.state) {
        tracing::warn!(source = %name, free = check.free, estimate = check.estimate, "the backup disk is low on space");
        let level = app.state::<AppState>().settings().notification_level;
        crate::notify::Note::low_space(name, check).send(level);
    }
}
