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
/// Shows the window, creating it (and its webview) first when there is none: it is not created
/// at start in the tray (`--hidden`), and closing it destroys it, so a Keepsake in the tray
/// holds no webview.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(MAIN) {
        Some(w) => w,
        None => {
            let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN).cloned() else {
                tracing::error!("no window named {MAIN} in the configuration");
                return;
            };
            match tauri::WebviewWindowBuilder::from_config(app, &config).and_then(|b| b.build()) {
                Ok(w) => w,
                Err(e) => {
                    tracing::error!("cannot open the window: {e}");
                    return;
                }
            }
        }
    };
    let _ = window.show();
    let _ = window.unminimize();
    let _ = window.set_focus();
}

/// Whether closing the window should only hide it: some schedule is active, so the app must go
/// on running in the tray.
pub fn keep_running_in_tray(state: &AppState) -> bool {
    state.scheduled_sources().iter().any(|s| s.is_scheduled())
}

/// Whether the desktop shows tray icons now: a tray host owns `org.kde.StatusNotifierWatcher` on
/// the session bus (KDE, XFCE, Cinnamon, GNOME with the AppIndicator extension). Asked when the
/// window closes, not at start: at login the panel may come up after Keepsake.
#[cfg(target_os = "linux")]
pub fn tray_shown() -> bool {
    let Ok(conn) = zbus::blocking::Connection::session() else { return false };
    let Ok(bus) = zbus::blocking::fdo::DBusProxy::new(&conn) else { return false };
    let Ok(name) = zbus::names::BusName::try_from("org.kde.StatusNotifierWatcher") else { return false };
    bus.name_has_owner(name).unwrap_or(false)
}

/// Elsewhere the tray always shows.
#[cfg(not(target_os = "linux"))]
pub fn tray_shown() -> bool {
    true
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
