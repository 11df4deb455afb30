//! Commands on the sources: the whole state the window starts from, adding, changing and
//! removing a source, the demo source, and a preview of a schedule being typed. A command the
//! window sends more than one value takes them as one request, declared just above it.

use std::path::PathBuf;

use chrono::Local;
use keepsake_engine::model::SourcePatch;
use keepsake_engine::schedule::Schedule;
use keepsake_engine::sources::Source;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use ts_rs::TS;

use super::{Checked, blocking, changed};
use crate::error::{IpcError, IpcResult};
use crate::view::{AppStateView, SourceView, source_view};
use keepsake_engine::error::Reason;

/// Everything the window shows at start and after each `state-changed`.
#[tauri::command]
pub async fn app_state<R: Runtime>(app: AppHandle<R>) -> IpcResult<AppStateView> {
    blocking(&app, |state| {
        let now = Local::now();
        let sources: Vec<SourceView> = state.sources().iter().map(|s| source_view(state, s, &now)).collect();
        let settings = state.settings();
        Ok(AppStateView {
            first_run: sources.is_empty(),
            sources,
            keyring: state.secrets.status(),
            notification_level: settings.notification_level,
            autostart: settings.autostart,
            paused: settings.paused,
            backups_root: state.paths.backups_root(),
            copies_held: state.copies_held(),
            key: state.engines().ok().and_then(|e| e.home().key_status().ok()).unwrap_or_default(),
            password_check: settings.password_check.enabled,
            password_check_due: settings.password_check.due(chrono::Utc::now()),
        })
    })
    .await
}

/// The source [`add_source`] adds.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AddSourceRequest {
    /// Its name.
    pub name: String,
    /// The database to protect.
    pub database: PathBuf,
    /// Where its backups go (else a folder of its own in the app's data folder).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub backup_dir: Option<PathBuf>,
    /// When it is backed up (else only when asked).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub schedule: Option<Checked<Schedule>>,
}

/// Adds a source. Its backups go to `backup_dir`, or to a folder of its own in the app's data
/// folder.
#[tauri::command]
pub async fn add_source<R: Runtime>(app: AppHandle<R>, request: AddSourceRequest) -> IpcResult<SourceView> {
    let AddSourceRequest { name, database, backup_dir, schedule } = request;
    let view = blocking(&app, move |state| {
        let name = name.trim().to_owned();
        let backup_dir = backup_dir.unwrap_or_else(|| state.paths.default_backup_dir(&name));
        let mut source = Source::new(&name, absolute(database), absolute(backup_dir));
        source.schedule = schedule.map(Checked::parse).transpose()?;
        // Old backups are cleaned up from the start (the window says so when it adds one).
        source.retention = keepsake_engine::RetentionPolicy::recommended();
        check_paths(&source)?;
        state.edit_sources(|all| Ok(all.add(source.clone())?))?;
        Ok(source_view(state, &source, &Local::now()))
    })
    .await?;
    changed(&app);
    Ok(view)
}

/// The settings [`update_source`] changes.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UpdateSourceRequest {
    /// The source.
    pub name: String,
    /// What changes, typed; what it leaves out stays as it is.
    pub patch: SourcePatch,
}

/// Changes some settings of a source, with the checks of `keepsake source set` (one after the
/// other, saved together or not at all).
#[tauri::command]
pub async fn update_source<R: Runtime>(
    app: AppHandle<R>,
    request: UpdateSourceRequest,
) -> IpcResult<SourceView> {
    let UpdateSourceRequest { name, patch } = request;
    let changes = patch.changes();
    if changes.is_empty() {
        return Err(keepsake_engine::Error::invalid(format!("nothing to change in source {name:?}")).into());
    }
    let view = blocking(&app, move |state| {
        let source = state.edit_sources(|all| {
            let s = all.get_mut(&name).map_err(|_| IpcError::no_source(&name))?;
            for (field, value) in &changes {
                s.set(field, value)?;
            }
            for p in [&mut s.database, &mut s.backup_dir] {
                *p = absolute(std::mem::take(p));
            }
            if patch.database.is_some() || patch.backup_dir.is_some() {
                check_paths(s)?;
            }
            let s = s.clone();
            all.validate()?;
            Ok(s)
        })?;
        Ok(source_view(state, &source, &Local::now()))
    })
    .await?;
    changed(&app);
    Ok(view)
}

/// The schedule [`set_schedule`] gives a source.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SetScheduleRequest {
    /// The source.
    pub name: String,
    /// Its schedule; none: backups only when asked.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub schedule: Option<Checked<Schedule>>,
}

/// Sets (or, with `None`, removes) a source's schedule.
#[tauri::command]
pub async fn set_schedule<R: Runtime>(
    app: AppHandle<R>,
    request: SetScheduleRequest,
) -> IpcResult<SourceView> {
    let SetScheduleRequest { name, schedule } = request;
    let schedule = schedule.map(Checked::parse).transpose()?;
    let view = blocking(&app, move |state| {
        let source = state.edit_sources(|all| {
            let s = all.get_mut(&name).map_err(|_| IpcError::no_source(&name))?;
            s.schedule = schedule;
            Ok(s.clone())
        })?;
        Ok(source_view(state, &source, &Local::now()))
    })
    .await?;
    changed(&app);
    Ok(view)
}

/// Forgets a source (its backups stay where they are).
#[tauri::command]
pub async fn remove_source<R: Runtime>(app: AppHandle<R>, name: String) -> IpcResult<()> {
    blocking(&app, move |state| {
        state.edit_sources(|all| all.remove(&name).map(drop).map_err(|_| IpcError::no_source(&name)))
    })
    .await?;
    changed(&app);
    Ok(())
}

/// Creates the demo database (an astrology app's data) in the app's data folder and adds it as
/// a source; when it exists already, returns it.
#[tauri::command]
pub async fn create_demo_source<R: Runtime>(app: AppHandle<R>) -> IpcResult<SourceView> {
    let view = blocking(&app, |state| {
        let source = crate::demo::ensure_demo_source(state, None)?;
        Ok(source_view(state, &source, &Local::now()))
    })
    .await?;
    changed(&app);
    Ok(view)
}

/// A schedule in words and its next run times, as the person edits it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SchedulePreview {
    /// The schedule in plain words (`Every day at 14:30`).
    pub description: String,
    /// RFC 3339, local offset.
    pub next_runs: Vec<String>,
}

/// The schedule [`preview_schedule`] describes.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PreviewScheduleRequest {
    /// The schedule being typed.
    pub schedule: Checked<Schedule>,
    /// How many next runs (5 when left out; 1 to 50).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub count: Option<usize>,
}

/// What `schedule` means: in words, and its next `count` (default 5) run times.
#[tauri::command]
pub fn preview_schedule(request: PreviewScheduleRequest) -> IpcResult<SchedulePreview> {
    let PreviewScheduleRequest { schedule, count } = request;
    let schedule = schedule.parse()?;
    let runs = schedule.next_runs(Local::now(), count.unwrap_or(5).clamp(1, 50));
    Ok(SchedulePreview {
        description: schedule.describe(),
        next_runs: runs.iter().map(|t| t.to_rfc3339()).collect(),
    })
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

/// Folders no backup folder may be, or be inside: the system's own.
const SYSTEM_DIRS: &[&str] =
    &["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr"];

/// The paths a window sends for a source are checked here, not trusted: the database must be a
/// SQLite database (or an empty file, which SQLite treats as one), and the backup folder must
/// not be the database, a file, the root or a system folder. A script running in the window
/// cannot make Keepsake read or write anywhere it likes.
fn check_paths(source: &Source) -> IpcResult<()> {
    use keepsake_engine::{Error, ErrorCode};
    let db = &source.database;
    let header = std::fs::File::open(db).and_then(|mut f| {
        let mut b = [0u8; 16];
        let n = std::io::Read::read(&mut f, &mut b)?;
        Ok((b, n))
    });
    match header {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(
                ErrorCode::SourceNotFound,
                format!("database not found: {}", db.display()),
            )
            .with_path(db)
            .into());
        }
        Err(e) => {
            return Err(Error::new(
                ErrorCode::SourceUnreadable,
                format!("cannot read {}: {e}", db.display()),
            )
            .with_path(db)
            .into());
        }
        Ok((b, n)) if n == 0 || (n == 16 && &b == b"SQLite format 3\0") => {}
        Ok(_) => {
            return Err(Error::new(
                ErrorCode::NotADatabase,
                format!("not a SQLite database: {}", db.display()),
            )
            .with_path(db)
            .into());
        }
    }
    if !std::fs::metadata(db).is_ok_and(|m| m.is_file()) {
        return Err(Error::new(ErrorCode::NotADatabase, format!("not a file: {}", db.display()))
            .with_path(db)
            .into());
    }
    let dir = &source.backup_dir;
    let bad_dir = |why: &str| -> IpcResult<()> {
        Err(Error::new(ErrorCode::InvalidInput, format!("{} cannot hold backups: {why}", dir.display()))
            .with_path(dir)
            .with_reason(Reason::BadBackupFolder)
            .into())
    };
    if dir.parent().is_none() {
        return bad_dir("it is the root folder");
    }
    if SYSTEM_DIRS.iter().any(|s| dir.starts_with(s)) {
        return bad_dir("it is a system folder");
    }
    if dir == db || std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return bad_dir("it is a file");
    }
    Ok(())
}
