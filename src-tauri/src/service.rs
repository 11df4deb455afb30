//! The app's actions, below the window's commands: what the window, the tray and the scheduler
//! all do (back up now, say that the disk is low, run a job), written once. An action tells
//! its sinks through [`crate::events`]; it never calls the tray or the window itself.

use keepsake_engine::model::{BackupMetadata, BackupType};
use keepsake_engine::{BackupOptions, Job};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::events::changed;
use crate::jobs::EventProgress;
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

/// "Back up now", from the window or the tray: a manual backup with the source's settings, as
/// job `job_id`.
pub async fn back_up_now<R: Runtime>(
    app: &AppHandle<R>,
    source: &str,
    job_id: &str,
    description: Option<String>,
    tags: Option<Vec<String>>,
) -> IpcResult<BackupMetadata> {
    let (src, engine) = app.state::<AppState>().source_engine(source)?;
    let opts = BackupOptions {
        description,
        tags: tags.unwrap_or_default(),
        ..src.backup_options(BackupType::Manual)
    };
    let name = src.name.clone();
    let copies = !src.copies_to.is_empty();
    let watched = engine.clone();
    let (database, margin) = (src.database.clone(), src.low_space);
    let meta = run_job(app, job_id, move |job| engine.backup(&src.database, &opts, job)).await?;
    if copies {
        // Local copy first, then the copies elsewhere, in the background.
        app.state::<AppState>().copier.wake();
    }
    // A change that looks like data loss is said at once, wherever the person is looking.
    if let Ok(alerts) = watched.alerts_of(&meta.id)
        && !alerts.is_empty()
    {
        let level = app.state::<AppState>().settings().notification_level;
        crate::notify::Note::content_alert(&name, &alerts).send(level);
    }
    warn_low_space(app, &name, &watched, &database, &margin);
    Ok(meta)
}

/// After a backup: a notification when the next one would leave the backup disk low on space,
/// or would not fit, told once each time it gets worse.
pub fn warn_low_space<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    engine: &keepsake_engine::Engine,
    database: &std::path::Path,
    margin: &keepsake_engine::SpaceMargin,
) {
    if let Ok(Some(check)) = engine.space_check(database, margin) {
        tell_space(app, name, &check);
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
