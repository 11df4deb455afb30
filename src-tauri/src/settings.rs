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
    /// "Do you still know your password?": asked every few weeks (2, then 4, then 8), unless off.
    pub password_check: PasswordCheck,
}

/// When the window next asks for the password once, to keep it remembered (nothing is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordCheck {
    /// Asked at all.
    pub enabled: bool,
    /// Weeks from the last right answer (or from the kit) to the next question: 2, 4, then 8.
    pub every_weeks: u32,
    /// Since when the clock runs (the last right answer, or when it started).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// The desktop notification for the question now due was shown.
    pub notified: bool,
}

impl Default for PasswordCheck {
    fn default() -> Self {
        PasswordCheck { enabled: true, every_weeks: 2, since: None, notified: false }
    }
}

impl PasswordCheck {
    /// Whether the question is due at `now` (never before there is a clock).
    pub fn due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.enabled
            && self.since.is_some_and(|s| now - s >= chrono::Duration::weeks(i64::from(self.every_weeks)))
    }

    /// A right answer: the clock starts again, and the next question comes twice as late (at
    /// most every 8 weeks).
    pub fn answered(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.since = Some(now);
        self.every_weeks = (self.every_weeks * 2).clamp(2, 8);
        self.notified = false;
    }

    /// The clock starts (a password set, a kit made) unless it runs already.
    pub fn start(&mut self, now: chrono::DateTime<chrono::Utc>) {
        if self.since.is_none() {
            self.since = Some(now);
        }
    }
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
