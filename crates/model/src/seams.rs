//! The engine's seams to the outside world: the clock, progress and cancel, and where the
//! password comes from. Hosts (CLI, desktop app, tests) supply their own implementations.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The current time. Read once per operation and passed down as `now`.
pub trait Clock: Send + Sync {
    /// The current time, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock fixed at one instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A password: wiped from memory when dropped, and never shown by `Debug` (so it cannot end up
/// in a log line by accident).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps `text` (used as UTF-8 bytes as given: no normalisation).
    pub fn new(text: impl Into<String>) -> Password {
        Password(Zeroizing::new(text.into()))
    }
}

impl std::ops::Deref for Password {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Where the encryption password comes from (environment or prompt in the CLI, the OS keyring in
/// the app). Asked only when an operation needs it.
pub trait SecretSource: Send + Sync {
    /// The password, or `Ok(None)` when none is available. May ask the person (a prompt).
    fn password(&self) -> Result<Option<Password>>;

    /// The password if it can be had without asking anyone (to look inside files while
    /// listing); the default asks [`SecretSource::password`].
    fn at_hand(&self) -> Option<Password> {
        self.password().ok().flatten().filter(|p| !p.is_empty())
    }

    /// Other passwords to try when [`SecretSource::password`] does not open a backup: older
    /// passwords the person typed for backups made before a change. Only ever used to open a
    /// backup, never to encrypt one. None by default.
    fn other_passwords(&self) -> Vec<Password> {
        Vec::new()
    }

    /// A recovery key the person gave (typed, or read from their kit) to open backups without
    /// the password: only ever used to open, never stored. None by default.
    fn recovery_key(&self) -> Option<Password> {
        None
    }
}

/// No password at all: encrypted backups fail with `password_required`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSecret;

impl SecretSource for NoSecret {
    fn password(&self) -> Result<Option<Password>> {
        Ok(None)
    }
}

/// A password held in memory.
#[derive(Clone)]
pub struct StaticSecret(Password);

impl StaticSecret {
    /// Holds `password`.
    pub fn new(password: impl Into<String>) -> Self {
        StaticSecret(Password::new(password))
    }
}

impl fmt::Debug for StaticSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticSecret(***)")
    }
}

impl SecretSource for StaticSecret {
    fn password(&self) -> Result<Option<Password>> {
        Ok(Some(self.0.clone()))
    }
}

/// The password from `secrets`, or `password_required` saying it is needed to `what`.
pub fn require_password(secrets: &dyn SecretSource, what: &str) -> Result<Password> {
    match secrets.password()? {
        Some(p) if !p.is_empty() => Ok(p),
        _ => Err(Error::new(
            ErrorCode::PasswordRequired,
            format!("a password is needed to {what}, and none was given"),
        )),
    }
}

/// The phase an operation is in, for progress displays.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading the database and writing a backup of it.
    Backup,
    /// Decoding a backup to check it.
    Verify,
    /// Decoding a backup into a database file (a restore, or `decrypt`).
    Restore,
    /// Backing up a restore's target before it is replaced.
    SafetyBackup,
    /// SQLite's integrity check of a decoded database (reported at its start and end only).
    IntegrityCheck,
    /// Sending a backup to a copy elsewhere, or reading one back to check it.
    Copy,
    /// Looking for databases ("Find my databases"): `done` is the files looked at so far;
    /// `total` is 0 (not known ahead).
    Find,
}

/// Receives progress: `done` of `total` bytes of the database in the current phase.
pub trait Progress: Send + Sync {
    /// `done` of `total` bytes are through in `phase`. Called as work advances, so keep it cheap.
    fn update(&self, phase: Phase, done: u64, total: u64);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _: Phase, _: u64, _: u64) {}
}

/// A flag that asks a running operation to stop. Cloning shares the flag.
///
/// A thread that waits (a copier between passes, a retry's back-off) waits on the token itself
/// with [`CancelToken::wait_timeout`], so a stop wakes it at once instead of at its next look.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<Cancel>);

#[derive(Debug, Default)]
struct Cancel {
    /// Read without the lock: `is_cancelled` is called in hot loops.
    flag: AtomicBool,
    /// Held while setting the flag and while checking it before a wait, so a `cancel` between
    /// a waiter's check and its sleep cannot be missed.
    lock: Mutex<()>,
    woken: Condvar,
}

impl CancelToken {
    /// A token nobody has cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the operation to stop: it fails with `cancelled` at its next check, and every
    /// [`CancelToken::wait_timeout`] on this token or a clone of it returns at once.
    pub fn cancel(&self) {
        let _held = self.0.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.woken.notify_all();
    }

    /// Whether [`CancelToken::cancel`] was called on this token or a clone of it.
    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }

    /// Waits `timeout`, or less when the token is cancelled meanwhile (woken, not polled);
    /// returns whether it is cancelled. Use it instead of `thread::sleep` in a loop that must
    /// stop when asked.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut held = self.0.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !self.is_cancelled() {
            // A timeout too long to add to `now` is as good as forever.
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                break;
            }
            held = match self.0.woken.wait_timeout(held, left) {
                Ok((h, _)) => h,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        self.is_cancelled()
    }

    /// `Err(cancelled)` once the token is cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() { Err(Error::cancelled()) } else { Ok(()) }
    }
}

/// Progress and cancel for one operation.
#[derive(Clone)]
pub struct Job {
    /// Where the operation reports its progress.
    pub progress: Arc<dyn Progress>,
    /// What the host cancels to stop it.
    pub cancel: CancelToken,
}

impl Job {
    /// A job reporting to `progress` and stopped through `cancel`.
    pub fn new(progress: Arc<dyn Progress>, cancel: CancelToken) -> Self {
        Job { progress, cancel }
    }
}

impl Default for Job {
    fn default() -> Self {
        Job { progress: Arc::new(NoProgress), cancel: CancelToken::new() }
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job").field("cancelled", &self.cancel.is_cancelled()).finish()
    }
}
