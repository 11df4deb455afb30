//! The commands the window calls. Each only translates: it looks up the source and its engine,
//! calls one engine method, and maps the result (errors as [`IpcError`], never as prose). Work
//! runs off the main thread (`spawn_blocking`); operations that take a while run as jobs whose
//! progress is streamed as `job-progress` events and which `cancel_job` stops. Whatever changes
//! the sources, the backups or the settings is followed by a `state-changed` event.
//!
//! The verbs are the engine's and the CLI's: `create_backup` is `Engine::backup` is `keepsake
//! create`.

pub mod backups;
pub mod dialogs;
pub(crate) mod names;
pub mod settings;
pub mod sources;

use keepsake_engine::Job;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::jobs::EventProgress;
use crate::state::AppState;

pub use names::COMMANDS;

/// Event sent after anything that changes the sources, the backups or the tray's state.
pub const STATE_CHANGED: &str = "state-changed";

/// Every command, for `Builder::invoke_handler` (the app and the tests use the same list).
pub fn handlers<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        sources::app_state,
        backups::list_backups,
        backups::get_stats,
        backups::get_history,
        backups::create_backup,
        backups::verify_backup,
        backups::restore_backup,
        backups::undo_restore,
        backups::compare_backup,
        backups::delete_backup,
        backups::preview_cleanup,
        backups::apply_cleanup,
        backups::cancel_job,
        sources::add_source,
        sources::update_source,
        sources::remove_source,
        sources::create_demo_source,
        sources::preview_schedule,
        settings::set_password,
        settings::set_notification_level,
        settings::set_autostart,
        settings::set_paused,
        dialogs::choose_path,
    ]
}

/// Runs `f` on the blocking pool with the app's state.
pub(crate) async fn blocking<R: Runtime, T: Send + 'static>(
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
pub(crate) async fn run_job<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    job_id: &str,
    f: impl FnOnce(&Job) -> keepsake_engine::Result<T> + Send + 'static,
) -> IpcResult<T> {
    let guard = app.state::<AppState>().jobs.start(job_id, EventProgress::new(app.clone(), job_id))?;
    crate::tray::refresh(app);
    let result = blocking(app, move |state| {
        let r = f(&guard.job);
        drop(guard);
        r.map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(app);
    result
}

/// Tells the window (and the tray) that the state changed.
pub(crate) fn changed<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(STATE_CHANGED, ()) {
        tracing::debug!("cannot emit {STATE_CHANGED}: {e}");
    }
    crate::tray::refresh(app);
}
