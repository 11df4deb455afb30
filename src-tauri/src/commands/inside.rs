//! Commands about what is inside the backups: content alerts (list, dismiss), pins, and
//! browsing one backup (its tables, then its rows page by page). The backup being browsed is
//! decoded once into a private temporary file, kept while the window looks at it and removed
//! by `close_backup` (or when another backup is opened, or the app quits).

use std::path::PathBuf;

use keepsake_engine::model::BackupMetadata;
use keepsake_engine::{Alert, RowsPage, TableChange, TableSummary};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};

use super::{blocking, changed, run_reading_job};
use crate::error::IpcResult;
use crate::state::AppState;

/// The source's content alerts, newest first: standing ones, or all with `all`.
#[tauri::command]
pub async fn list_alerts<R: Runtime>(app: AppHandle<R>, source: String, all: bool) -> IpcResult<Vec<Alert>> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.alerts(all).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// "This was me": dismisses alert `id`; the backup it pinned stays pinned.
#[tauri::command]
pub async fn dismiss_alert<R: Runtime>(app: AppHandle<R>, source: String, id: i64) -> IpcResult<()> {
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.dismiss_alert(id).map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// Pins backup `id` (`pinned` true) or unpins it.
#[tauri::command]
pub async fn pin_backup<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    pinned: bool,
) -> IpcResult<BackupMetadata> {
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        if pinned { engine.pin(&id) } else { engine.unpin(&id) }.map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// Opens backup `id` for browsing (a job: decoding a large backup takes a while) and returns
/// its tables, people's tables first.
#[tauri::command]
pub async fn open_backup<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    job_id: String,
    password: Option<String>,
    remember_password: Option<bool>,
) -> IpcResult<Vec<TableSummary>> {
    let state = app.state::<AppState>();
    let (_, engine) = state.source_engine(&source)?;
    state.close_backup();
    let lent = state.lend_password(password, remember_password);
    let view = run_reading_job(&app, &job_id, move |job| {
        let _lent = lent;
        engine.open_backup(&id, job)
    })
    .await?;
    blocking(&app, move |state| {
        let tables = view.tables().map_err(|e| state.ipc_error(e))?;
        state.keep_open(source, view);
        Ok(tables)
    })
    .await
}

/// Rows of `table` in the backup being browsed (see `open_backup`).
#[tauri::command]
pub async fn backup_rows<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    table: String,
    offset: u64,
    limit: u64,
    search: Option<String>,
) -> IpcResult<RowsPage> {
    blocking(&app, move |state| {
        state.with_open_backup(&source, &id, |view| {
            view.rows(&table, offset, limit, search.as_deref()).map_err(|e| state.ipc_error(e))
        })
    })
    .await
}

/// Closes the backup being browsed: its decoded copy is removed.
#[tauri::command]
pub async fn close_backup<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    blocking(&app, |state| {
        state.close_backup();
        Ok(())
    })
    .await
}

/// What to export a table as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// A spreadsheet (CSV): a header line, then one line per row.
    Csv,
    /// A new SQLite database holding the table alone, with its indexes.
    Database,
}

/// Writes `table` of the backup being browsed to `target`, a new file picked in the save dialog
/// (any other path is refused: the window is not trusted with paths); the engine never
/// replaces a file there. Returns the rows written.
#[tauri::command]
pub async fn export_table<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    table: String,
    format: ExportFormat,
    target: PathBuf,
) -> IpcResult<u64> {
    blocking(&app, move |state| {
        let target = state.picked_target(target)?;
        state.with_open_backup(&source, &id, |view| {
            match format {
                ExportFormat::Csv => view.export_csv_file(&table, &target),
                ExportFormat::Database => view.export_database(&table, &target),
            }
            .map_err(|e| state.ipc_error(e))
        })
    })
    .await
}

/// What changed from backup `older` to backup `newer`, row by row (a job: both are decoded).
#[tauri::command]
pub async fn compare_backups<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    older: String,
    newer: String,
    job_id: String,
) -> IpcResult<Vec<TableChange>> {
    let (_, engine) = app.state::<AppState>().source_engine(&source)?;
    run_reading_job(&app, &job_id, move |job| engine.compare_backups(&older, &newer, job)).await
}
