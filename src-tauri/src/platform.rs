//! The few things the shell asks of the desktop itself: bringing the window forward, hiding it
//! to the tray on close while schedules run, starting at login.

use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// The window's label.
pub const MAIN: &str = "main";
/// The argument autostart passes: start in the tray, without the window.
pub const HIDDEN_ARG: &str = "--hidden";

/// Shows, unminimizes and focuses the main window.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Whether closing the window should only hide it: some schedule is active, so the app must go
/// on running in the tray.
pub fn keep_running_in_tray(state: &AppState) -> bool {
    !state.settings().paused && state.sources().iter().any(|s| s.is_scheduled())
}

/// Turns start-at-login on or off (nothing to do where the plugin is absent, as in tests).
pub fn set_autostart<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> IpcResult<()> {
    let Some(manager) = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>() else {
        return Ok(());
    };
    let r = if enabled { manager.enable() } else { manager.disable() };
    r.map_err(|e| {
        IpcError::from(keepsake_engine::Error::new(
            keepsake_engine::ErrorCode::Io,
            format!("cannot change start at login: {e}"),
        ))
    })
}
