//! The app's own settings (not the sources): notification level, start at login, and the global
//! pause of scheduled backups. Kept in `<app config dir>/settings.toml`, written atomically.
//! A missing or unreadable file gives the defaults (and is logged): these are preferences, not
//! data, and the app must start without them.

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{IpcError, IpcResult};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// The app's own settings, as kept in `settings.toml`.
pub struct Settings {
    /// Which desktop notifications are shown.
    pub notification_level: NotificationLevel,
    /// Start Keepsake (hidden, in the tray) when the user logs in.
    pub autostart: bool,
    /// Scheduled backups are paused (from the tray or the window); "back up now" still works.
    pub paused: bool,
}

impl Settings {
    /// The settings in `path`, or the defaults when it is missing or unreadable (logged).
    pub fn load(path: &Path) -> Settings {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!("ignoring {}: {e}", path.display());
                Settings::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(e) => {
                tracing::warn!("cannot read {}: {e}", path.display());
                Settings::default()
            }
        }
    }

    /// Writes the settings to `path` atomically.
    pub fn save(&self, path: &Path) -> IpcResult<()> {
        let text = toml::to_string_pretty(self).map_err(|e| IpcError::invalid(e.to_string()))?;
        Ok(keepsake_engine::durable::write_atomic(path, text.as_bytes())?)
    }
}

/// Which notifications a person wants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum NotificationLevel {
    /// Problems and each successful backup.
    All,
    /// Failed backups, missed backups, an unreadable keyring.
    #[default]
    Problems,
    /// None.
    Off,
}

impl FromStr for NotificationLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(NotificationLevel::All),
            "problems" => Ok(NotificationLevel::Problems),
            "off" => Ok(NotificationLevel::Off),
            _ => Err(format!("unknown notification level {s:?} (all, problems, off)")),
        }
    }
}
