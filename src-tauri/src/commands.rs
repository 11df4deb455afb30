//! The commands the window calls. Each only translates: it looks up the source and its engine,
//! calls one engine method, and maps the result (errors as [`IpcError`], never as prose). Work
//! runs off the main thread (`spawn_blocking`); operations that take a while run as jobs whose
//! progress is streamed as `job-progress` events and which `cancel_job` stops. Whatever changes
//! the sources, the backups or the settings is followed by a `state-changed` event.
//!
//! The verbs are the engine's and the CLI's: `create_backup` is `Engine::backup` is `keepsake
//! create`.

pub mod backups;
pub mod destinations;
pub mod dialogs;
pub mod inside;
pub mod settings;
pub mod sources;

use std::path::PathBuf;

use keepsake_engine::model::{BackupMetadata, RestoreOutcome, RunRecord, Stats, VerifyReport};
use keepsake_engine::scheduler::copies::CopyStatus;
use keepsake_engine::{
    Alert, CleanupPlan, CopyRecord, Destination, FolderReport, Job, RowsPage, TableChange, TableDiff,
    TableSummary,
};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::jobs::EventProgress;
use crate::notify::NotificationLevel;
use crate::state::AppState;
use crate::view::{AppStateView, SourceReport, SourceView};
use destinations::DestinationSaved;
use dialogs::PathKind;
use inside::ExportFormat;
use sources::{ScheduleInput, SchedulePreview};

/// Expands the one list of commands (`commands/list.rs`) into the handlers, the names and the
/// TypeScript contract.
macro_rules! contract {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty;)*) => {
        /// Every command's name.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Every command, for `Builder::invoke_handler` (the app and the tests use the same list).
        pub fn handlers<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// The window's contract, as TypeScript (`ui/src/bindings.ts`).
        pub fn typescript() -> String {
            use ts_rs::TypeVisitor;
            let mut c = crate::contract::Contract::default();
            $(
                c.command(
                    stringify!($name),
                    &[$((stringify!($arg), crate::contract::ts::<$ty>())),*],
                    crate::contract::ts::<$ret>(),
                );
                $(c.visit::<$ty>();)*
                c.visit::<$ret>();
            )*
            c.visit::<IpcError>();
            c.render()
        }
    };
}
include!("commands/list.rs");

/// Event sent after anything that changes the sources, the backups or the tray's state.
pub const STATE_CHANGED: &str = "state-changed";

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
    let result = run_reading_job(app, job_id, f).await;
    changed(app);
    result
}

/// A job that only reads (a comparison): progress and Cancel as for any job, but nothing
/// changed, so the window is not told to refetch everything afterwards.
pub(crate) async fn run_reading_job<R: Runtime, T: Send + 'static>(
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
    crate::tray::refresh(app);
    result
}

/// Tells the window (and the tray) that the state changed.
pub(crate) fn changed<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(STATE_CHANGED, ()) {
        tracing::debug!("cannot emit {STATE_CHANGED}: {e}");
    }
    crate::tray::refresh(app);
}
