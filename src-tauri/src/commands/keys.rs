//! Commands on the key of encrypted backups: the emergency kit (made, shown, adopted once its key
//! is typed back), "Forgot your password?" (a recovery key lent for this session), and "Do you
//! still know it?" (the password checked once every few weeks; nothing is sent anywhere).

use std::path::PathBuf;

use chrono::{Local, Utc};
use keepsake_engine::format::vault::RecoveryKey;
use keepsake_engine::{Engine, KeyStatus, Password, SecretSource};
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use ts_rs::TS;

use super::{blocking, changed};
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, PendingKit};

/// What the window shows of a new kit: the key, and where its files were saved.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KitDraft {
    /// The recovery key, in 8 groups of 4.
    pub key: String,
    /// The kit as a PDF (to print).
    pub pdf: PathBuf,
    /// The same page as a picture.
    pub png: PathBuf,
}

/// The engine key operations run on: any folder of this installation's serves (the key is the
/// installation's); its own folder gets the key's record first.
pub(crate) fn key_engine(state: &AppState) -> IpcResult<std::sync::Arc<Engine>> {
    let dir = state.sources().first().map_or_else(|| state.paths.backups_root(), |s| s.backup_dir.clone());
    state.engine(&dir)
}

/// Writes the current key's record into every source's backup folder.
pub(crate) fn publish_everywhere(state: &AppState) {
    for s in state.sources() {
        if let Ok(engine) = state.engine(&s.backup_dir) {
            let _ = engine.publish_key(engine.store().as_ref());
        }
    }
}

/// Makes a new recovery key and its kit (a PDF and the same page as a PNG, in the Documents
/// folder), and shows them; nothing changes until [`confirm_recovery_kit`].
#[tauri::command]
pub async fn make_recovery_kit<R: Runtime>(app: AppHandle<R>) -> IpcResult<KitDraft> {
    blocking(&app, |state| {
        let key = RecoveryKey::generate()?;
        let places = state
            .sources()
            .iter()
            .map(|s| format!("The folder {}", s.backup_dir.display()))
            .chain(state.all_sources().destinations.iter().map(|d| format!("{} ({})", d.name, d.describe())))
            .fold(Vec::<String>::new(), |mut v, p| {
                if !v.contains(&p) {
                    v.push(p);
                }
                v
            });
        let protects =
            state.sources().iter().map(|s| format!("{}: {}", s.name, s.database.display())).collect();
        let kit = keepsake_kit::Kit {
            key: key.display().to_string(),
            made_on: Local::now().format("%-d %B %Y").to_string(),
            computer: std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()),
            protects,
            places,
        };
        let dir = state.paths.documents_dir.clone();
        std::fs::create_dir_all(&dir)
            .map_err(|e| IpcError::invalid(format!("cannot make {}: {e}", dir.display())))?;
        let stem = format!("Keepsake emergency kit {}", Local::now().format("%Y-%m-%d %H%M%S"));
        let (pdf, png) =
            keepsake_kit::write(&kit, &dir, &stem).map_err(|e| IpcError::invalid(e.to_string()))?;
        let draft = KitDraft { key: kit.key.clone(), pdf: pdf.clone(), png: png.clone() };
        let old =
            state.pending_kit.lock().unwrap_or_else(|p| p.into_inner()).replace(PendingKit { key, pdf, png });
        // A kit made and never confirmed is not kept around.
        if let Some(old) = old {
            let _ = std::fs::remove_file(old.pdf);
            let _ = std::fs::remove_file(old.png);
        }
        Ok(draft)
    })
    .await
}

/// The person typed back the last group of the new key: it becomes the key that opens every
/// backup without the password (the old kit's key opens only what was made before).
#[tauri::command]
pub async fn confirm_recovery_kit<R: Runtime>(app: AppHandle<R>, last_group: String) -> IpcResult<KeyStatus> {
    let status = blocking(&app, move |state| {
        let mut pending = state.pending_kit.lock().unwrap_or_else(|p| p.into_inner());
        let Some(kit) = pending.as_ref() else {
            return Err(IpcError::invalid("no kit is waiting to be confirmed; make one first"));
        };
        let typed: String =
            last_group.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let shown = kit.key.display();
        if shown.rsplit('-').next() != Some(typed.as_str()) {
            return Err(IpcError::from(
                keepsake_engine::Error::new(
                    keepsake_engine::ErrorCode::InvalidInput,
                    "what was typed is not the last group of the key",
                )
                .with_reason(keepsake_engine::error::Reason::RecoveryKeyTypo),
            ));
        }
        let engine = key_engine(state)?;
        let job = keepsake_engine::Job::default();
        let status = engine.adopt_recovery_key(&kit.key, &job).map_err(|e| state.ipc_error(e))?;
        *pending = None;
        drop(pending);
        publish_everywhere(state);
        state.copier.wake();
        state.edit_settings(|s| s.password_check.start(Utc::now()))?;
        Ok(status)
    })
    .await?;
    changed(&app);
    Ok(status)
}

/// Opens the kit just made in the system's viewer (to print it).
#[tauri::command]
pub async fn open_recovery_kit<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    blocking(&app, |state| {
        let pending = state.pending_kit.lock().unwrap_or_else(|p| p.into_inner());
        let kit = pending.as_ref().ok_or_else(|| IpcError::invalid("no kit was just made"))?;
        std::process::Command::new("xdg-open")
            .arg(&kit.pdf)
            .spawn()
            .map(drop)
            .map_err(|e| IpcError::invalid(format!("cannot open the kit: {e}")))
    })
    .await
}

/// "Forgot your password?": the recovery key typed from the kit opens backups (and lets the
/// password be changed) until Keepsake closes. A typo is said at once.
#[tauri::command]
pub async fn use_recovery_key<R: Runtime>(app: AppHandle<R>, key: String) -> IpcResult<()> {
    let key = zeroize::Zeroizing::new(key);
    blocking(&app, move |state| {
        let parsed = RecoveryKey::parse(&key)?;
        state.secrets.lend_recovery_key(&parsed.display());
        Ok(())
    })
    .await?;
    changed(&app);
    Ok(())
}

/// "Do you still know it?": whether `password` opens the backups' key. A right answer starts the
/// clock again (the next question comes later); nothing is changed or sent otherwise.
#[tauri::command]
pub async fn check_password<R: Runtime>(app: AppHandle<R>, password: String) -> IpcResult<bool> {
    let password = Password::new(password);
    let right = blocking(&app, move |state| {
        let engine = key_engine(state)?;
        let job = keepsake_engine::Job::default();
        let right = match engine.check_password(&password, &job).map_err(|e| state.ipc_error(e))? {
            Some(right) => right,
            // No key yet: the password the keyring holds is the one to know.
            None => state.secrets.password().ok().flatten().is_some_and(|p| p == password),
        };
        if right {
            state.edit_settings(|s| s.password_check.answered(Utc::now()))?;
        }
        Ok(right)
    })
    .await?;
    changed(&app);
    Ok(right)
}

/// Asks "Do you still know your password?" every few weeks, or never.
#[tauri::command]
pub async fn set_password_check<R: Runtime>(app: AppHandle<R>, enabled: bool) -> IpcResult<()> {
    blocking(&app, move |state| {
        state
            .edit_settings(|s| {
                s.password_check.enabled = enabled;
                s.password_check.start(Utc::now());
            })
            .map(drop)
    })
    .await?;
    changed(&app);
    Ok(())
}
