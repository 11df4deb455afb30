//! Commands about copies elsewhere: the destinations (S3, Azure, Google Cloud Storage, WebDAV,
//! SFTP, a folder) with their
//! secrets in the OS keyring, the connection test, which sources copy where, and how each
//! destination stands. The copying itself runs on the copier thread (`copier.rs`). A command the
//! window sends more than one value takes them as one request, declared just above it.

use std::path::PathBuf;

use keepsake_engine::model::RestoreOutcome;
use keepsake_engine::scheduler::copies::CopyStatus;
use keepsake_engine::{
    CopyRecord, Destination, DestinationKind, Engine, ErrorCode, FolderReport, RestoreOptions,
};
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

use super::{blocking, changed, run_job};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use keepsake_engine::error::Reason;

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
/// contents become the secret (for the keyring), and its path is not kept. The window is not
/// trusted with paths: only a file the person picked in this session's dialog is read, and on a
/// blocking thread (a slow disk or a network mount must not hold up the async runtime; a FIFO,
/// a device and a file over 64 KiB are refused by `read_google_key` itself).
async fn take_google_key<R: Runtime>(
    app: &AppHandle<R>,
    dest: &mut Destination,
    secret: &mut Option<String>,
) -> IpcResult<()> {
    if dest.kind != DestinationKind::Gcs {
        return Ok(());
    }
    if let Some(path) = dest.key_file.take()
        && !dest.unsigned
    {
        if !app.state::<AppState>().was_picked(&path) {
            return Err(IpcError::from(
                keepsake_engine::Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "{} was not picked in the file dialog; choose the key file with \"Choose…\"",
                        path.display()
                    ),
                )
                .with_path(&path)
                .with_reason(Reason::KeyNotPicked),
            ));
        }
        let read = path.clone();
        let key =
            tauri::async_runtime::spawn_blocking(move || keepsake_remote::secrets::read_google_key(&read))
                .await
                .map_err(|e| IpcError::invalid(format!("the key file could not be read: {e}")))?
                .map_err(|why| {
                    IpcError::from(
                        keepsake_engine::Error::new(ErrorCode::InvalidInput, why)
                            .with_path(&path)
                            .with_reason(Reason::KeyFile),
                    )
                })?;
        *secret = Some(key.to_string());
    }
    Ok(())
}

/// What saving a destination did besides saving it.
#[derive(Debug, Clone, Default, serde::Serialize, TS)]
pub struct DestinationSaved {
    /// The secret saved for it was forgotten: it now points at another place (server, bucket,
    /// account, user) and no new secret came with it, so the old one would have logged in
    /// there. The window asks for the new place's secret.
    pub secret_forgotten: bool,
}

/// The destination [`test_destination`] tries.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TestDestinationRequest {
    /// The destination, as the form describes it.
    pub destination: Destination,
    /// The secret typed in the form (else the saved one).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
}

/// "Test connection": reaches the destination, lists it, writes a small file there and removes
/// it. `secret` is the one typed in the form; without it, the saved one. For SFTP, the answer is
/// the server's fingerprint (`SHA256:…`), seen now when the form holds none (trust on first use:
/// the form shows it, and saving keeps it) and checked against the form's otherwise.
#[tauri::command]
pub async fn test_destination<R: Runtime>(
    app: AppHandle<R>,
    request: TestDestinationRequest,
) -> IpcResult<Option<String>> {
    let TestDestinationRequest { mut destination, mut secret } = request;
    take_google_key(&app, &mut destination, &mut secret).await?;
    blocking(&app, move |state| {
        destination.validate()?;
        let saved = state.all_sources().destinations;
        keep_host_key(&saved, &mut destination);
        let seen = if destination.kind == DestinationKind::Sftp {
            let key =
                keepsake_remote::hostkey::first_use(&mut destination).map_err(|e| state.ipc_error(e))?;
            Some(key.fingerprint)
        } else {
            None
        };
        let store = open(&saved, &destination, secret.as_deref()).map_err(|e| state.ipc_error(e))?;
        keepsake_remote::probe(store.as_ref()).map_err(|e| state.ipc_error(e))?;
        Ok(seen)
    })
    .await
}

/// An SFTP destination from the window without a server key: the one kept for the same place
/// under the same name, if any. (A new one gets its key from "Test connection".)
fn keep_host_key(saved: &[Destination], dest: &mut Destination) {
    if dest.kind == DestinationKind::Sftp && dest.host_key.is_none() {
        dest.host_key =
            saved.iter().find(|d| d.name == dest.name && d.same_place(dest)).and_then(|d| d.host_key.clone());
    }
}

/// The destination [`save_destination`] saves, and which sources copy there.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SaveDestinationRequest {
    /// The destination, as the form describes it.
    pub destination: Destination,
    /// The secret typed in the form (else the saved one).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
    /// The sources that copy their backups there (the others stop).
    pub sources: Vec<String>,
}

/// Saves a destination (new, or replacing the one of the same name), its secret in the keyring
/// when one is given, and which sources copy their backups there. A destination moved to
/// another place without a new secret loses its saved one (it must not log in to the new
/// server), and the answer says so.
#[tauri::command]
pub async fn save_destination<R: Runtime>(
    app: AppHandle<R>,
    request: SaveDestinationRequest,
) -> IpcResult<DestinationSaved> {
    let SaveDestinationRequest { mut destination, mut secret, sources } = request;
    take_google_key(&app, &mut destination, &mut secret).await?;
    let r = blocking(&app, move |state| {
        destination.validate()?;
        keep_host_key(&state.all_sources().destinations, &mut destination);
        if destination.kind == DestinationKind::Sftp && destination.host_key.is_none() {
            return Err(IpcError::from(
                keepsake_engine::Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "the identity of the SFTP server of {:?} is not known yet: test the connection \
                         first, to see the server's fingerprint and keep it",
                        destination.name
                    ),
                )
                .with_reason(Reason::HostKeyUnknown),
            ));
        }
        let secret = secret.filter(|s| !s.is_empty());
        // The saved one, when this name was another place: its secret is not this place's.
        let moved = state
            .all_sources()
            .destinations
            .into_iter()
            .find(|d| d.name == destination.name && !d.same_place(&destination) && d.needs_secret())
            .filter(|_| secret.is_none());
        if let Some(s) = secret {
            keepsake_remote::secrets::save(&destination, &s).map_err(|why| {
                IpcError::from(
                    keepsake_engine::Error::new(
                        keepsake_engine::ErrorCode::RemoteFailed,
                        format!("the secret cannot be saved in the system keyring: {why}"),
                    )
                    .with_reason(Reason::Keyring),
                )
            })?;
        }
        // The old place's secret goes first: a keyring that cannot be reached leaves everything
        // as it was, never the new place saved with the old secret still there to log in.
        if let Some(old) = &moved {
            keepsake_remote::secrets::forget(old).map_err(|why| {
                IpcError::from(
                    keepsake_engine::Error::new(
                        ErrorCode::RemoteFailed,
                        format!(
                            "the destination {:?} was not changed: the secret of its old place cannot be \
                             removed from the system keyring: {why}",
                            old.name
                        ),
                    )
                    .with_reason(Reason::Keyring),
                )
            })?;
        }
        state.edit_sources(|all| {
            let name = destination.name.clone();
            match all.destinations.iter_mut().find(|d| d.name == name) {
                Some(d) => *d = destination,
                None => all.add_destination(destination)?,
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
        })?;
        Ok(DestinationSaved { secret_forgotten: moved.is_some() })
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
    // The lost-computer restore names the server in a form: a key kept for it here is required;
    // a server this computer never saw is trusted as it is now (its fingerprint is not shown
    // in that form yet).
    let mut dest = dest.clone();
    keep_host_key(saved, &mut dest);
    if dest.kind == DestinationKind::Sftp && dest.host_key.is_none() {
        keepsake_remote::hostkey::first_use(&mut dest)?;
    }
    let store = open(saved, &dest, secret)?;
    // Every backup there is foreign here and the person asked for them (as `--allow-foreign`):
    // one made with another iteration count is opened too, within the listing's bounds.
    Ok(Engine::open(engines.home(), store)?.with_secrets(secrets).with_foreign_kdf(true))
}

/// The destination [`remote_backups`] lists, and the password to open its backups with.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RemoteBackupsRequest {
    /// The destination, as the form describes it.
    pub destination: Destination,
    /// The secret typed in the form (else the saved one).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
    /// The backups' password.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub password: Option<String>,
}

/// The lost-computer restore, first step: the backups at a destination, read from its objects
/// alone (nothing about them is recorded on this computer), opened with `password`.
#[tauri::command]
pub async fn remote_backups<R: Runtime>(
    app: AppHandle<R>,
    request: RemoteBackupsRequest,
) -> IpcResult<FolderReport> {
    let RemoteBackupsRequest { mut destination, mut secret, password } = request;
    take_google_key(&app, &mut destination, &mut secret).await?;
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

/// The backup [`restore_from_copy`] takes from a destination, and where it writes it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RestoreFromCopyRequest {
    /// The job's id (progress events, Cancel).
    pub job_id: String,
    /// The destination, as the form describes it.
    pub destination: Destination,
    /// The secret typed in the form (else the saved one).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
    /// The backups' password.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub password: Option<String>,
    /// The backup there.
    pub id: String,
    /// The new file, picked in the save dialog.
    pub target: PathBuf,
}

/// The lost-computer restore: backup `id` at the destination, checked whole first, written to
/// `target`, a new file picked in the save dialog (there is nothing to keep a safety backup
/// of, and nowhere on this computer to keep one yet); a file that appears there meanwhile is
/// never replaced.
#[tauri::command]
pub async fn restore_from_copy<R: Runtime>(
    app: AppHandle<R>,
    request: RestoreFromCopyRequest,
) -> IpcResult<RestoreOutcome> {
    let RestoreFromCopyRequest { job_id, mut destination, mut secret, password, id, target } = request;
    let state = app.state::<AppState>();
    // Only a file the person picked in the save dialog: the window is not trusted with paths.
    let target = state.picked_target(target)?;
    take_google_key(&app, &mut destination, &mut secret).await?;
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err(IpcError::from(
            keepsake_engine::Error::new(
                ErrorCode::InvalidInput,
                format!("{} already exists; restore to a new file", target.display()),
            )
            .with_path(&target)
            .with_reason(Reason::TargetExists),
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
