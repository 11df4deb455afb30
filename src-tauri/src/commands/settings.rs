//! Commands on the app's settings: the backup password (in the OS keyring), notifications,
//! start at login, and the global pause of scheduled backups.

use tauri::{AppHandle, Runtime};

use super::{Checked, blocking, changed};
use crate::error::{IpcError, IpcResult};
use crate::notify::NotificationLevel;

/// Stores the password for encrypted backups in the OS keyring. Once backups have a key, this
/// changes it: every backup, here and at every destination, then opens with the new password
/// (and the recovery key); the old one (from the keyring, or the recovery key typed after
/// "Forgot your password?") is what allows the change.
#[tauri::command]
pub async fn set_password<R: Runtime>(app: AppHandle<R>, password: String) -> IpcResult<()> {
    let password = zeroize::Zeroizing::new(password);
    if password.is_empty() {
        return Err(IpcError::invalid("the password is empty"));
    }
    blocking(&app, move |state| {
        let has_key = state.engines()?.home().key_status().map_err(|e| state.ipc_error(e))?.has_key;
        if has_key {
            let engine = super::keys::key_engine(state)?;
            engine
                .change_password(
                    &keepsake_engine::Password::new(password.as_str()),
                    &keepsake_engine::Job::default(),
                )
                .map_err(|e| state.ipc_error(e))?;
            super::keys::publish_everywhere(state);
            state.secrets.forget_recovery_key();
            // The copier gives every destination the new key's record on its next pass.
            state.copier.wake();
        }
        state.secrets.set(&password).map_err(|e| IpcError::keyring(e.message))?;
        state.edit_settings(|s| s.password_check.start(chrono::Utc::now()))?;
        state.scheduler.wake();
        Ok(())
    })
    .await?;
    changed(&app);
    Ok(())
}

/// `all`, `problems` or `off`.
#[tauri::command]
pub async fn set_notification_level<R: Runtime>(
    app: AppHandle<R>,
    level: Checked<NotificationLevel>,
) -> IpcResult<()> {
    let level = level.parse()?;
    blocking(&app, move |state| state.edit_settings(|s| s.notification_level = level).map(drop)).await?;
    changed(&app);
    Ok(())
}

/// Starts Keepsake (hidden, in the tray) at login, or stops doing so.
#[tauri::command]
pub async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> IpcResult<()> {
    crate::platform::set_autostart(&app, enabled)?;
    blocking(&app, move |state| state.edit_settings(|s| s.autostart = enabled).map(drop)).await?;
    changed(&app);
    Ok(())
}

/// Quits Keepsake (the window's "Quit Keepsake", for a desktop without a tray, where closing the
/// window leaves it running): running jobs are stopped cleanly, as the tray's Quit does.
#[tauri::command]
pub async fn quit_app<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    tracing::info!("quit from the window");
    app.exit(0);
    Ok(())
}

/// Pauses (or resumes) every scheduled backup; "back up now" still works.
#[tauri::command]
pub async fn set_paused<R: Runtime>(app: AppHandle<R>, paused: bool) -> IpcResult<()> {
    blocking(&app, move |state| state.edit_settings(|s| s.paused = paused).map(drop)).await?;
    changed(&app);
    Ok(())
}
