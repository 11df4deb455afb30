//! Commands about copies elsewhere: the destinations (S3, Azure, Google Cloud Storage, WebDAV,
//! SFTP, a folder) with their
//! secrets in the OS keyring, the connection test, which sources copy where, and how each
//! destination stands. The copying itself runs on the copier thread (`copier.rs`).

use std::path::PathBuf;

use keepsake_engine::model::RestoreOutcome;
use keepsake_engine::scheduler::copies::CopyStatus;
use keepsake_engine::{
    CopyRecord, Destination, DestinationKind, Engine, ErrorCode, FolderReport, RestoreOptions,
};
use tauri::{AppHandle, Manager, Runtime};

use super::{blocking, changed, run_job};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// The destinations, in file order.
#[tauri::command]
pub async fn list_destinations<R: Runtime>(app: AppHandle<R>) -> IpcResult<Vec<Destination>> {
    blocking(&app, |state| Ok(state.all_sources().destinations)).await
}

/// The store of `dest` as the window describes it: with the secret typed in the form, else the
/// saved one, but only for the very place it was saved for (the window cannot send a saved
/// secret to another server under the same name).
fn open(
    saved: &[Destination],
    dest: &Destination,
    secret: Option<&str>,
) -> keepsake_engine::Result<std::sync::Arc<dyn keepsake_engine::Store>> {
    match secret.filter(|s| !s.is_empty()) {
        Some(s) => keepsake_remote::open(dest, Some(s)),
        None if saved.iter().any(|d| d.name == dest.name && d.same_place(dest)) => {
            keepsake_remote::open_saved(dest)
        }
        None => keepsake_remote::open(dest, None),
    }
}

/// A Google Cloud Storage form names its service account's key file: the file is read here, its
/// contents become the secret (for the keyring), and its path is not kept.
fn take_google_key(dest: &mut Destination, secret: &mut Option<String>) -> IpcResult<()> {
    if dest.kind != DestinationKind::Gcs {
        return Ok(());
    }
    if let Some(path) = dest.key_file.take()
        && !dest.unsigned
    {
        let key = keepsake_remote::secrets::read_google_key(&path).map_err(|why| {
            IpcError::from(
                keepsake_engine::Error::new(ErrorCode::InvalidInput, why)
                    .with_path(&path)
                    .with_reason("key_file"),
            )
        })?;
        *secret = Some(key.to_string());
    }
    Ok(())
}

/// "Test connection": reaches the destination, lists it, writes a small file there and removes
/// it. `secret` is the one typed in the form; without it, the saved one.
#[tauri::command]
pub async fn test_destination<R: Runtime>(
    app: AppHandle<R>,
    mut destination: Destination,
    mut secret: Option<String>,
) -> IpcResult<()> {
    take_google_key(&mut destination, &mut secret)?;
    blocking(&app, move |state| {
        destination.validate()?;
        let saved = state.all_sources().destinations;
        let store = open(&saved, &destination, secret.as_deref()).map_err(|e| state.ipc_error(e))?;
        keepsake_remote::probe(store.as_ref()).map_err(|e| state.ipc_error(e))
    })
    .await
}

/// Saves a destination (new, or replacing the one of the same name), its secret in the keyring
/// when one is given, and which sources copy their backups there.
#[tauri::command]
pub async fn save_destination<R: Runtime>(
    app: AppHandle<R>,
    mut destination: Destination,
    mut secret: Option<String>,
    sources: Vec<String>,
) -> IpcResult<()> {
    take_google_key(&mut destination, &mut secret)?;
    let r = blocking(&app, move |state| {
        destination.validate()?;
        if let Some(s) = secret.filter(|s| !s.is_empty()) {
            keepsake_remote::secrets::save(&destination, &s).map_err(|why| {
                IpcError::from(
                    keepsake_engine::Error::new(
                        keepsake_engine::ErrorCode::RemoteFailed,
                        format!("the secret cannot be saved in the system keyring: {why}"),
                    )
                    .with_reason("keyring"),
                )
            })?;
        }
        state.edit_sources(|all| {
            let name = destination.name.clone();
            match all.destinations.iter_mut().find(|d| d.name == name) {
                Some(d) => *d = destination,
                None => all.destinations.push(destination),
            }
            for s in &mut all.sources {
                let wanted = sources.contains(&s.name);
                let has = s.copies_to.contains(&name);
                if wanted && !has {
                    s.copies_to.push(name.clone());
                } else if !wanted && has {
                    s.copies_to.retain(|d| d != &name);
                }
            }
            all.validate()?;
            Ok(())
        })
    })
    .await;
    changed(&app);
    r
}

/// Removes a destination (what was copied there stays there) and forgets its secret.
#[tauri::command]
pub async fn remove_destination<R: Runtime>(app: AppHandle<R>, name: String) -> IpcResult<()> {
    let r = blocking(&app, move |state| {
        let removed = state.edit_sources(|all| Ok(all.remove_destination(&name)?))?;
        if let Err(why) = keepsake_remote::secrets::forget(&removed) {
            tracing::warn!(destination = %name, "cannot forget the secret: {why}");
        }
        Ok(())
    })
    .await;
    changed(&app);
    r
}

/// How each destination of each source stands (as of the copier's last pass).
#[tauri::command]
pub async fn copy_status<R: Runtime>(app: AppHandle<R>) -> IpcResult<Vec<CopyStatus>> {
    blocking(&app, |state| Ok(state.copy_status())).await
}

/// Where the source's backups have been copied.
#[tauri::command]
pub async fn backup_copies<R: Runtime>(app: AppHandle<R>, source: String) -> IpcResult<Vec<CopyRecord>> {
    blocking(&app, move |state| {
        let (_, engine) = state.source_engine(&source)?;
        engine.copies().map_err(|e| state.ipc_error(e))
    })
    .await
}

/// "Copy now": every destination is tried at once, whatever its wait after a failure.
#[tauri::command]
pub async fn copy_now<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    blocking(&app, |state| {
        state.copy_now();
        Ok(())
    })
    .await
}

/// "Stop copying": the copy in progress stops; copying goes on with "Copy now".
#[tauri::command]
pub async fn stop_copies<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    blocking(&app, |state| {
        state.stop_copies(true);
        Ok(())
    })
    .await
}

/// An engine over a destination's objects alone, as on a new computer.
fn remote_engine(
    engines: &keepsake_engine::Engines,
    secrets: std::sync::Arc<crate::keyring::KeyringSecret>,
    saved: &[Destination],
    dest: &Destination,
    secret: Option<&str>,
) -> keepsake_engine::Result<Engine> {
    dest.validate()?;
    let store = open(saved, dest, secret)?;
    Ok(Engine::open(engines.home(), store)?.with_secrets(secrets))
}

/// The lost-computer restore, first step: the backups at a destination, read from its objects
/// alone (nothing about them is recorded on this computer), opened with `password`.
#[tauri::command]
pub async fn remote_backups<R: Runtime>(
    app: AppHandle<R>,
    mut destination: Destination,
    mut secret: Option<String>,
    password: Option<String>,
) -> IpcResult<FolderReport> {
    take_google_key(&mut destination, &mut secret)?;
    blocking(&app, move |state| {
        let _lent = state.lend_password(password, Some(false));
        let engines = state.engines()?;
        let saved = state.all_sources().destinations;
        remote_engine(&engines, state.secrets.clone(), &saved, &destination, secret.as_deref())
            .and_then(|engine| engine.scan())
            .map_err(|e| state.ipc_error(e))
    })
    .await
}

/// The lost-computer restore: backup `id` at the destination, checked whole first, written to
/// `target`, a new file (there is nothing to keep a safety backup of, and nowhere on this
/// computer to keep one yet); a file that appears there meanwhile is never replaced.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn restore_from_copy<R: Runtime>(
    app: AppHandle<R>,
    job_id: String,
    mut destination: Destination,
    mut secret: Option<String>,
    password: Option<String>,
    id: String,
    target: PathBuf,
) -> IpcResult<RestoreOutcome> {
    take_google_key(&mut destination, &mut secret)?;
    let state = app.state::<AppState>();
    if !target.is_absolute() {
        return Err(IpcError::invalid(format!("{} is not a full path", target.display())));
    }
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err(IpcError::from(
            keepsake_engine::Error::new(
                ErrorCode::InvalidInput,
                format!("{} already exists; restore to a new file", target.display()),
            )
            .with_path(&target)
            .with_reason("target_exists"),
        ));
    }
    let lent = state.lend_password(password, Some(false));
    let opts = RestoreOptions {
        verify_first: true,
        safety_backup: false,
        source_encrypts: false,
        allow_foreign: true,
        new_file: true,
        ..RestoreOptions::default()
    };
    let engines = state.engines()?;
    let secrets = state.secrets.clone();
    let saved = state.all_sources().destinations;
    run_job(&app, &job_id, move |job| {
        let _lent = lent;
        remote_engine(&engines, secrets, &saved, &destination, secret.as_deref())?
            .restore(&id, &target, &opts, job)
    })
    .await
}
