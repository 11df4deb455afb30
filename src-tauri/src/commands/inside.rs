//! Commands about what is inside the backups: content alerts (list, dismiss), pins, and
//! browsing one backup (its tables, then its rows page by page, exports, taking tables back).
//! The backup being browsed is decoded once into a private temporary file, kept while the
//! window looks at it and removed by `close_backup` (or when another backup is opened, or the
//! app quits). A command the window sends more than one value takes them as one request,
//! declared just above it.

use std::path::PathBuf;

use keepsake_engine::model::{BackupMetadata, RestoreOutcome};
use keepsake_engine::{Alert, RestoreOptions, RowsPage, TableChange, TableSummary};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

use super::{blocking, changed, run_job, run_reading_job};
use crate::error::IpcResult;
use crate::state::AppState;

/// Which alerts [`list_alerts`] lists.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ListAlertsRequest {
    /// The source.
    pub source: String,
    /// Dismissed ones too.
    pub all: bool,
}

/// The source's content alerts, newest first: standing ones, or all with `all`.
#[tauri::command]
pub async fn list_alerts<R: Runtime>(app: AppHandle<R>, request: ListAlertsRequest) -> IpcResult<Vec<Alert>> {
    let ListAlertsRequest { source, all } = request;
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.alerts(all).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// The alert [`dismiss_alert`] dismisses.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DismissAlertRequest {
    /// The source.
    pub source: String,
    /// The alert.
    pub id: i64,
}

/// "This was me": dismisses alert `id`; the backup it pinned stays pinned.
#[tauri::command]
pub async fn dismiss_alert<R: Runtime>(app: AppHandle<R>, request: DismissAlertRequest) -> IpcResult<()> {
    let DismissAlertRequest { source, id } = request;
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.dismiss_alert(id).map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// The backup [`pin_backup`] pins or unpins.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PinBackupRequest {
    /// The source.
    pub source: String,
    /// The backup.
    pub id: String,
    /// Pin it (true) or unpin it.
    pub pinned: bool,
}

/// Pins backup `id` (`pinned` true) or unpins it.
#[tauri::command]
pub async fn pin_backup<R: Runtime>(
    app: AppHandle<R>,
    request: PinBackupRequest,
) -> IpcResult<BackupMetadata> {
    let PinBackupRequest { source, id, pinned } = request;
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        if pinned { engine.pin(&id) } else { engine.unpin(&id) }.map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// The backup [`open_backup`] opens, and with what password.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OpenBackupRequest {
    /// The source.
    pub source: String,
    /// The backup.
    pub id: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
    /// A password typed for this backup.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub password: Option<String>,
    /// Keep that password until the app quits.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub remember_password: Option<bool>,
}

/// Opens backup `id` for browsing (a job: decoding a large backup takes a while) and returns
/// its tables, people's tables first.
#[tauri::command]
pub async fn open_backup<R: Runtime>(
    app: AppHandle<R>,
    request: OpenBackupRequest,
) -> IpcResult<Vec<TableSummary>> {
    let OpenBackupRequest { source, id, job_id, password, remember_password } = request;
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

/// The page of rows [`backup_rows`] reads.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BackupRowsRequest {
    /// The source.
    pub source: String,
    /// The backup being browsed.
    pub id: String,
    /// The table.
    pub table: String,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to read at most.
    pub limit: u64,
    /// Only rows with this text in a value.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub search: Option<String>,
}

/// Rows of `table` in the backup being browsed (see `open_backup`).
#[tauri::command]
pub async fn backup_rows<R: Runtime>(app: AppHandle<R>, request: BackupRowsRequest) -> IpcResult<RowsPage> {
    let BackupRowsRequest { source, id, table, offset, limit, search } = request;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// A spreadsheet (CSV): a header line, then one line per row.
    Csv,
    /// A new SQLite database holding the table alone, with its indexes.
    Database,
}

/// The table [`export_table`] writes, how, and where.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ExportTableRequest {
    /// The source.
    pub source: String,
    /// The backup being browsed.
    pub id: String,
    /// The table.
    pub table: String,
    /// A spreadsheet or a database.
    pub format: ExportFormat,
    /// The new file, picked in the save dialog.
    pub target: PathBuf,
}

/// Writes `table` of the backup being browsed to `target`, a new file picked in the save dialog
/// (any other path is refused: the window is not trusted with paths); the engine never
/// replaces a file there. Returns the rows written.
#[tauri::command]
pub async fn export_table<R: Runtime>(app: AppHandle<R>, request: ExportTableRequest) -> IpcResult<u64> {
    let ExportTableRequest { source, id, table, format, target } = request;
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

/// The tables [`take_back_tables`] takes back from the backup being browsed, and what the
/// person confirmed.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TakeBackRequest {
    /// The source, whose database the tables go back into.
    pub source: String,
    /// The backup being browsed (the one `open_backup` opened).
    pub id: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
    /// The tables to take back.
    pub tables: Vec<String>,
    /// Run SQLite's integrity check on the open copy before anything is changed.
    pub verify_first: bool,
    /// Take them back even if rows elsewhere refer to rows they lose.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_broken_references: Option<bool>,
    /// The person confirmed a backup not made here.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_foreign: Option<bool>,
    /// The person confirmed an unencrypted backup for a source that encrypts.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_unencrypted: Option<bool>,
}

/// Takes back `tables` of the backup being browsed into the source's database (a job), from the
/// copy `open_backup` decoded: nothing is decoded again. A safety backup of the whole database
/// comes first, so undo (`undo_restore`) puts it back as it was.
#[tauri::command]
pub async fn take_back_tables<R: Runtime>(
    app: AppHandle<R>,
    request: TakeBackRequest,
) -> IpcResult<RestoreOutcome> {
    let TakeBackRequest {
        source,
        id,
        job_id,
        tables,
        verify_first,
        allow_broken_references,
        allow_foreign,
        allow_unencrypted,
    } = request;
    let state = app.state::<AppState>();
    let (src, engine) = state.source_engine(&source)?;
    // Refused before a job starts when that backup is not the one open.
    state.with_open_backup(&source, &id, |_| IpcResult::Ok(()))?;
    let opts = RestoreOptions {
        verify_first,
        safety_backup: true,
        source_encrypts: src.encrypt,
        allow_foreign: allow_foreign.unwrap_or(false),
        allow_unencrypted: allow_unencrypted.unwrap_or(false),
        tables,
        allow_broken_references: allow_broken_references.unwrap_or(false),
        new_file: false,
    };
    let shell = app.clone();
    run_job(&app, &job_id, move |job| {
        shell
            .state::<AppState>()
            .with_open_backup(&source, &id, |view| engine.take_back(view, &src.database, &opts, job))
    })
    .await
}

/// The two backups [`compare_backups`] compares.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompareBackupsRequest {
    /// The source.
    pub source: String,
    /// The backup compared from.
    pub older: String,
    /// The backup compared to.
    pub newer: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
}

/// What changed from backup `older` to backup `newer`, row by row (a job: both are decoded).
#[tauri::command]
pub async fn compare_backups<R: Runtime>(
    app: AppHandle<R>,
    request: CompareBackupsRequest,
) -> IpcResult<Vec<TableChange>> {
    let CompareBackupsRequest { source, older, newer, job_id } = request;
    let (_, engine) = app.state::<AppState>().source_engine(&source)?;
    run_reading_job(&app, &job_id, move |job| engine.compare_backups(&older, &newer, job)).await
}
