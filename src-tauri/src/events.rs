//! The app's one event stream to its sinks: `state-changed` after anything that changes the
//! sources, the backups, the settings or the tray's state. The window refetches on it; the
//! tray listens to it too ([`crate::tray`]), so whoever changes something says so here and
//! never calls a sink itself.

use tauri::{AppHandle, Emitter, Runtime};

/// Event sent after anything that changes the sources, the backups or the tray's state.
pub const STATE_CHANGED: &str = "state-changed";

/// Tells the window and the tray that the state changed.
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(STATE_CHANGED, ()) {
        tracing::debug!("cannot emit {STATE_CHANGED}: {e}");
    }
}

/// Sent when a job starts or ends, for the tray's busy picture (the window follows jobs through
/// their `job-progress` events).
pub const BUSY_CHANGED: &str = "busy-changed";

/// Tells the tray that a job started or ended.
pub fn busy_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(BUSY_CHANGED, ()) {
        tracing::debug!("cannot emit {BUSY_CHANGED}: {e}");
    }
}
