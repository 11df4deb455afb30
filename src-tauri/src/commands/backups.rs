//! Commands on one source's backups: make, verify, restore (and undo), compare, delete, clean up,
//! list, statistics, history; and `cancel_job`. A command the window sends more than one value
//! takes them as one request (`CreateBackupRequest`, ...), declared just above it.

use std::path::PathBuf;

use keepsake_engine::model::{BackupMetadata, RestoreOutcome, RunRecord, Stats, VerifyReport};
use keepsake_engine::{CleanupPlan, FolderReport, RestoreOptions, TableChange, TableDiff};
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

use super::{blocking, changed, run_job, run_reading_job};
use crate::error::IpcResult;
use crate::state::AppState;

/// Which backups [`list_backups`] lists.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ListBackupsRequest {
    /// The source.
    pub source: String,
    /// At most this many, the newest.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<usize>,
}

/// The backups recorded in the source's folder, newest first (`limit` of them at most).
#[tauri::command]
pub async fn list_backups<R: Runtime>(
    app: AppHandle<R>,
    request: ListBackupsRequest,
) -> IpcResult<Vec<BackupMetadata>> {
    let ListBackupsRequest { source, limit } = request;
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        // An app's other files are part of their run's backup, not points of their own.
        let list = engine.list(limit).map_err(|e| state.ipc_error(e))?;
        Ok(list.into_iter().filter(|b| b.with.is_none()).collect())
    })
    .await
}

/// Everything in the source's backup folder: the backups made here, foreign ones, and files
/// that cannot be read.
#[tauri::command]
pub async fn scan_folder<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<FolderReport> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.scan().map_err(|e| state.ipc_error(e))
    })
    .await
}

/// Figures over the source's backups (count, sizes, compression, verification).
#[tauri::command]
pub async fn get_stats<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<Stats> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.stats().map_err(|e| state.ipc_error(e))
    })
    .await
}

/// Which runs [`get_history`] lists.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct GetHistoryRequest {
    /// The source.
    pub source: String,
    /// At most this many, the newest.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<usize>,
}

/// The source's past runs, newest first, failed ones too (`limit` of them at most).
#[tauri::command]
pub async fn get_history<R: Runtime>(
    app: AppHandle<R>,
    request: GetHistoryRequest,
) -> IpcResult<Vec<RunRecord>> {
    let GetHistoryRequest { source, limit } = request;
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.history(limit).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// A manual backup ([`create_backup`]).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CreateBackupRequest {
    /// The source.
    pub source: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
    /// Words the person gave the backup.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub description: Option<String>,
    /// Tags the person gave the backup.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub tags: Option<Vec<String>>,
}

/// "Back up now" from the window: a manual backup with the source's settings, as job `job_id`.
#[tauri::command]
pub async fn create_backup<R: Runtime>(
    app: AppHandle<R>,
    request: CreateBackupRequest,
) -> IpcResult<BackupMetadata> {
    let CreateBackupRequest { source, job_id, description, tags } = request;
    crate::service::back_up_now(&app, &source, &job_id, description, tags).await
}

/// The backups [`free_up_space`] deletes.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FreeUpSpaceRequest {
    /// The source.
    pub source: String,
    /// The backups, in the order they are deleted.
    pub ids: Vec<String>,
}

/// "Delete them": the backups a low disk's suggestion names, newest first (an increment before
/// what it builds on). Stops at the first that cannot be deleted; the count deleted.
#[tauri::command]
pub async fn free_up_space<R: Runtime>(app: AppHandle<R>, request: FreeUpSpaceRequest) -> IpcResult<u32> {
    let FreeUpSpaceRequest { source, ids } = request;
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        let mut deleted = 0;
        for id in &ids {
            engine.delete(id).map_err(|e| state.ipc_error(e))?;
            deleted += 1;
        }
        Ok(deleted)
    })
    .await;
    changed(&app);
    r
}

/// Which backup [`verify_backup`] verifies, and with what password.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VerifyBackupRequest {
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

/// Verifies backup `id` (checksum, decryption, decompression, integrity), as job `job_id`; `password` as for a restore.
#[tauri::command]
pub async fn verify_backup<R: Runtime>(
    app: AppHandle<R>,
    request: VerifyBackupRequest,
) -> IpcResult<VerifyReport> {
    let VerifyBackupRequest { source, id, job_id, password, remember_password } = request;
    let state = app.state::<AppState>();
    let (_, engine) = state.source_engine(&source)?;
    let lent = state.lend_password(password, remember_password);
    run_job(&app, &job_id, move |job| {
        let _lent = lent;
        engine.verify(&id, job)
    })
    .await
}

/// What the window asks of a restore ([`restore_backup`]): backup `id` of `source` over the
/// source's database, or to `target` (another file: a new one, or one picked in the file
/// dialog). The window never skips the safety backup; a foreign or (for a source that encrypts)
/// unencrypted backup needs the person's confirmation, passed as `allow_foreign` /
/// `allow_unencrypted`. `password` (kept until the app quits with `remember_password`): one
/// typed for a backup made under an older password. `tables`: take back only these tables
/// (`allow_broken_references`: even if rows elsewhere refer to rows they lose).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RestoreRequest {
    /// The source.
    pub source: String,
    /// The backup.
    pub id: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
    /// Check the backup whole before anything is replaced.
    pub verify_first: bool,
    /// Another file to restore to.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub target: Option<PathBuf>,
    /// The person confirmed a backup not made here.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_foreign: Option<bool>,
    /// The person confirmed an unencrypted backup for a source that encrypts.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_unencrypted: Option<bool>,
    /// A password typed for this backup.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub password: Option<String>,
    /// Keep that password until the app quits.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub remember_password: Option<bool>,
    /// Only these tables.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub tables: Option<Vec<String>>,
    /// Take them back even if rows elsewhere refer to rows they lose.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub allow_broken_references: Option<bool>,
}

/// Restores a backup as `request` says (see [`RestoreRequest`]).
#[tauri::command]
pub async fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    request: RestoreRequest,
) -> IpcResult<RestoreOutcome> {
    let RestoreRequest {
        source,
        id,
        job_id,
        verify_first,
        target,
        allow_foreign,
        allow_unencrypted,
        password,
        remember_password,
        tables,
        allow_broken_references,
    } = request;
    let state = app.state::<AppState>();
    let lent = state.lend_password(password, remember_password);
    let (src, engine) = state.source_engine(&source)?;
    let target = state.restore_target(&src, target)?;
    let opts = RestoreOptions {
        verify_first,
        safety_backup: true,
        source_encrypts: src.encrypt,
        allow_foreign: allow_foreign.unwrap_or(false),
        allow_unencrypted: allow_unencrypted.unwrap_or(false),
        tables: tables.unwrap_or_default(),
        allow_broken_references: allow_broken_references.unwrap_or(false),
        new_file: false,
    };
    // An app's files go back together, from the same run, when the app's own files are the
    // target (not a copy elsewhere, not one table).
    let whole_app = src.app.is_some() && target == src.database && opts.tables.is_empty();
    run_job(&app, &job_id, move |job| {
        let _lent = lent;
        if whole_app {
            first(engine.restore_app(&id, &src, &opts, job)?)
        } else {
            engine.restore(&id, &target, &opts, job)
        }
    })
    .await
}

/// The main database's outcome of a restore of an app's files (it comes first).
fn first(outcomes: Vec<RestoreOutcome>) -> keepsake_engine::Result<RestoreOutcome> {
    outcomes.into_iter().next().ok_or_else(|| keepsake_engine::Error::invalid("nothing was restored"))
}

/// Which restore [`undo_restore`] undoes: the source's last.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UndoRestoreRequest {
    /// The source.
    pub source: String,
    /// The job's id (progress events, Cancel).
    pub job_id: String,
}

/// Puts the source's database back as it was before the last restore over it.
#[tauri::command]
pub async fn undo_restore<R: Runtime>(
    app: AppHandle<R>,
    request: UndoRestoreRequest,
) -> IpcResult<RestoreOutcome> {
    let UndoRestoreRequest { source, job_id } = request;
    let (src, engine) = app.state::<AppState>().source_engine(&source)?;
    run_job(&app, &job_id, move |job| {
        if src.app.is_some() {
            first(engine.undo_restore_app(&src, job)?)
        } else {
            engine.undo_restore(&src.database, src.encrypt, job)
        }
    })
    .await
}

/// Which backup [`compare_backup`] compares with the source's database.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompareBackupRequest {
    /// The source.
    pub source: String,
    /// The backup.
    pub id: String,
}

/// What restoring backup `id` over the source's database would change, table by table.
#[tauri::command]
pub async fn compare_backup<R: Runtime>(
    app: AppHandle<R>,
    request: CompareBackupRequest,
) -> IpcResult<Vec<TableDiff>> {
    let CompareBackupRequest { source, id } = request;
    blocking(&app, move |state| {
        let (src, engine) = state.source_engine(&source)?;
        engine.compare_with(&id, &src.database).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// Which backup [`compare_rows`] compares with the source's database, and with what password.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompareRowsRequest {
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

/// What restoring backup `id` over the source's database would do, row by row: the backup is
/// decoded (a job, with progress) into a private temporary file and compared with the database.
/// `password` (with verify and restore too): one typed for a backup made under an older
/// password, tried after the keyring's; kept until the app quits with `remember_password`.
#[tauri::command]
pub async fn compare_rows<R: Runtime>(
    app: AppHandle<R>,
    request: CompareRowsRequest,
) -> IpcResult<Vec<TableChange>> {
    let CompareRowsRequest { source, id, job_id, password, remember_password } = request;
    let state = app.state::<AppState>();
    let (src, engine) = state.source_engine(&source)?;
    let lent = state.lend_password(password, remember_password);
    run_reading_job(&app, &job_id, move |job| {
        let _lent = lent;
        engine.compare_rows(&id, &src.database, job)
    })
    .await
}

/// The backup [`delete_backup`] deletes.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DeleteBackupRequest {
    /// The source.
    pub source: String,
    /// The backup.
    pub id: String,
}

/// Deletes backup `id` of the source (refused while a later backup needs it).
#[tauri::command]
pub async fn delete_backup<R: Runtime>(app: AppHandle<R>, request: DeleteBackupRequest) -> IpcResult<()> {
    let DeleteBackupRequest { source, id } = request;
    let r = blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.delete(&id).map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// What a cleanup with the source's retention policy would keep and delete now.
#[tauri::command]
pub async fn preview_cleanup<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<CleanupPlan> {
    blocking(&app, move |state| {
        let (src, engine) = state.source_engine(&source)?;
        engine.plan_cleanup(&src.retention).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// Deletes what the source's retention policy does not keep.
#[tauri::command]
pub async fn apply_cleanup<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<CleanupPlan> {
    let r = blocking(&app, move |state| {
        let (src, engine) = state.source_engine(&source)?;
        engine.cleanup(&src.retention).map_err(|e| state.ipc_error(e))
    })
    .await;
    changed(&app);
    r
}

/// Asks job `job_id` to stop (nothing happens when it already ended).
#[tauri::command]
pub fn cancel_job(state: tauri::State<'_, AppState>, job_id: String) {
    state.jobs.cancel(&job_id);
}

/// The last seven days of every source (History's "This week").
#[tauri::command]
pub async fn weekly_report<R: Runtime>(app: AppHandle<R>) -> IpcResult<Vec<crate::view::SourceReport>> {
    blocking(&app, |state| Ok(crate::view::weekly_reports(state, chrono::Utc::now()))).await
}

/// The screen a clicked notification asked the window to show, once.
#[tauri::command]
pub async fn take_pending_screen<R: Runtime>(app: AppHandle<R>) -> IpcResult<Option<String>> {
    blocking(&app, |state| Ok(state.take_pending_screen())).await
}
