//! Commands on one source's backups: make, verify, restore (and undo), compare, delete, clean up,
//! list, statistics, history; and `cancel_job`.

use std::path::PathBuf;

use keepsake_engine::model::{BackupMetadata, RestoreOutcome, RunRecord, Stats, VerifyReport};
use keepsake_engine::{CleanupPlan, FolderReport, RestoreOptions, TableChange, TableDiff};
use tauri::{AppHandle, Manager, Runtime};

use super::{blocking, changed, run_job, run_reading_job};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
/// The backups recorded in the source's folder, newest first (`limit` of them at most).
pub async fn list_backups<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    limit: Option<usize>,
) -> IpcResult<Vec<BackupMetadata>> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.list(limit).map_err(|e| state.ipc_error(e))
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

#[tauri::command]
/// Figures over the source's backups (count, sizes, compression, verification).
pub async fn get_stats<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<Stats> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.stats().map_err(|e| state.ipc_error(e))
    })
    .await
}

#[tauri::command]
/// The source's past runs, newest first, failed ones too (`limit` of them at most).
pub async fn get_history<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    limit: Option<usize>,
) -> IpcResult<Vec<RunRecord>> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.history(limit).map_err(|e| state.ipc_error(e))
    })
    .await
}

#[tauri::command]
/// "Back up now" from the window: a manual backup with the source's settings, as job `job_id`.
pub async fn create_backup<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    job_id: String,
    description: Option<String>,
    tags: Option<Vec<String>>,
) -> IpcResult<BackupMetadata> {
    crate::service::back_up_now(&app, &source, &job_id, description, tags).await
}

/// "Delete them": the backups a low disk's suggestion names, newest first (an increment before
/// what it builds on). Stops at the first that cannot be deleted; the count deleted.
#[tauri::command]
pub async fn free_up_space<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    ids: Vec<String>,
) -> IpcResult<u32> {
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

#[tauri::command]
/// Verifies backup `id` (checksum, decryption, decompression, integrity), as job `job_id`; `password` as for a restore.
pub async fn verify_backup<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    job_id: String,
    password: Option<String>,
    remember_password: Option<bool>,
) -> IpcResult<VerifyReport> {
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
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
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
    run_job(&app, &job_id, move |job| {
        let _lent = lent;
        engine.restore(&id, &target, &opts, job)
    })
    .await
}

/// Puts the source's database back as it was before the last restore over it.
#[tauri::command]
pub async fn undo_restore<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    job_id: String,
) -> IpcResult<RestoreOutcome> {
    let (src, engine) = app.state::<AppState>().source_engine(&source)?;
    run_job(&app, &job_id, move |job| engine.undo_restore(&src.database, src.encrypt, job)).await
}

/// What restoring backup `id` over the source's database would change, table by table.
#[tauri::command]
pub async fn compare_backup<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
) -> IpcResult<Vec<TableDiff>> {
    blocking(&app, move |state| {
        let (src, engine) = state.source_engine(&source)?;
        engine.compare_with(&id, &src.database).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// What restoring backup `id` over the source's database would do, row by row: the backup is
/// decoded (a job, with progress) into a private temporary file and compared with the database.
/// `password` (with verify and restore too): one typed for a backup made under an older
/// password, tried after the keyring's; kept until the app quits with `remember_password`.
#[tauri::command]
pub async fn compare_rows<R: Runtime>(
    app: AppHandle<R>,
    source: String,
    id: String,
    job_id: String,
    password: Option<String>,
    remember_password: Option<bool>,
) -> IpcResult<Vec<TableChange>> {
    let state = app.state::<AppState>();
    let (src, engine) = state.source_engine(&source)?;
    let lent = state.lend_password(password, remember_password);
    run_reading_job(&app, &job_id, move |job| {
        let _lent = lent;
        engine.compare_rows(&id, &src.database, job)
    })
    .await
}

#[tauri::command]
/// Deletes backup `id` of the source (refused while a later backup needs it).
pub async fn delete_backup<R: Runtime>(app: AppHandle<R>, source: String, id: String) -> IpcResult<()> {
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
