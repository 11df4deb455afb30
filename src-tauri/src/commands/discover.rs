//! Finding what to protect: "Find my databases" (the engine's discovery over this person's
//! home folder) and protecting one app found there in one click. The window's arguments are
//! hostile input like any other: an app is protected only where a new scan finds it, never at
//! a path the window names.

use std::path::PathBuf;

use chrono::Local;
use keepsake_engine::discover::{Budget, Catalogue, Folders, Found, FoundApp, ScanPlan, scan};
use keepsake_engine::error::{ErrorCode, Reason};
use keepsake_engine::schedule::Schedule;
use keepsake_engine::seams::{CancelToken, Phase};
use keepsake_engine::sources::Source;
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

use super::{Checked, blocking, changed, run_reading_job};
use crate::error::IpcResult;
use crate::state::AppState;
use crate::view::{SourceView, source_view};

/// The scan the window asks for: this person's home folder, with Keepsake's own folders and
/// every file it protects left alone (closing a file this process has open would drop the
/// locks SQLite holds on it during a backup).
fn plan(state: &AppState) -> keepsake_engine::Result<ScanPlan> {
    let folders = Folders::of_user()
        .ok_or_else(|| keepsake_engine::Error::invalid("no home folder is known to look in"))?;
    let mut skip = vec![state.paths.config_dir.clone(), state.paths.data_dir.clone()];
    skip.extend(keepsake_engine::Installation::default_dir());
    for s in state.sources() {
        skip.push(s.backup_dir.clone());
        skip.extend(s.files().map(PathBuf::from));
    }
    Ok(ScanPlan { folders, skip, budget: Budget::default() })
}

/// Which scan [`find_databases`] runs.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FindDatabasesRequest {
    /// The job's id (Cancel).
    pub job_id: String,
}

/// "Find my databases": the SQLite databases of this person's apps, named from the catalogue,
/// and the others apart. Reads only; bounded in time and count; Cancel stops it with what it
/// found so far.
#[tauri::command]
pub async fn find_databases<R: Runtime>(
    app: AppHandle<R>,
    request: FindDatabasesRequest,
) -> IpcResult<Found> {
    let plan = plan(&app.state::<AppState>())?;
    run_reading_job(&app, &request.job_id, move |job| {
        let cancel: CancelToken = job.cancel.clone();
        let progress = job.progress.clone();
        Ok(scan(&plan, &Catalogue::shipped(), &cancel, &|c| progress.update(Phase::Find, c.files, 0)))
    })
    .await
}

/// The app [`protect_app`] protects.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProtectAppRequest {
    /// The catalogue's id of the app (`firefox`).
    pub app: String,
    /// The folder it was found in (one profile); it must be found there again.
    pub place: PathBuf,
    /// The source's name (else the app's).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub name: Option<String>,
    /// When it is backed up (else only when asked).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub schedule: Option<Checked<Schedule>>,
    /// Also the files the app can rebuild itself (caches).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub rebuildable: Option<bool>,
}

/// Protects one app found by [`find_databases`]: all its important files as one source, with
/// one schedule, one history and one restore. The app is looked for again where the window
/// says it was; anything else is refused.
#[tauri::command]
pub async fn protect_app<R: Runtime>(app: AppHandle<R>, request: ProtectAppRequest) -> IpcResult<SourceView> {
    let ProtectAppRequest { app: id, place, name, schedule, rebuildable } = request;
    let schedule = schedule.map(Checked::parse).transpose()?;
    let view = blocking(&app, move |state| {
        let plan = plan(state)?;
        let found = scan(&plan, &Catalogue::shipped(), &CancelToken::new(), &|_| {});
        let Some(found): Option<FoundApp> = found.apps.into_iter().find(|a| a.app == id && a.place == place)
        else {
            return Err(keepsake_engine::Error::new(
                ErrorCode::SourceNotFound,
                format!("no {id} files were found in {}", place.display()),
            )
            .with_path(&place)
            .with_reason(Reason::NotPicked)
            .into());
        };
        let name =
            name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| found.name.clone());
        let backup_dir = state.paths.default_backup_dir(&name);
        let mut source = Source::for_app(&found, &name, backup_dir, rebuildable.unwrap_or(false))?;
        source.schedule = schedule;
        source.retention = keepsake_engine::RetentionPolicy::recommended();
        state.edit_sources(|all| Ok(all.add(source.clone())?))?;
        Ok(source_view(state, &source, &Local::now()))
    })
    .await?;
    changed(&app);
    Ok(view)
}
