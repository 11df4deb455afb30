//! The app's one event stream to its sinks: `state-changed` after anything that changes the
//! sources, the backups, the settings, the copies elsewhere or the tray's state, naming what
//! changed ([`Changed`]). The window refetches what it names; the tray listens to it too
//! ([`crate::tray`]), so whoever changes something says so here and never calls a sink itself.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};

/// Event sent after anything that changes the sources, the backups, the copies or the tray's
/// state; its payload is a [`Changed`].
pub const STATE_CHANGED: &str = "state-changed";

/// What a `state-changed` event says changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Changed {
    /// Anything: the sources, their backups, the settings (whoever listens refetches it all).
    Everything,
    /// Only the copies elsewhere: how each destination stands, the copies made (the tray's
    /// picture does not depend on them).
    Copies,
}

/// Tells the window and the tray that the state changed.
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    changed_about(app, Changed::Everything);
}

/// Tells the window and the tray that `what` changed.
pub fn changed_about<R: Runtime>(app: &AppHandle<R>, what: Changed) {
    if let Err(e) = app.emit(STATE_CHANGED, what) {
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
