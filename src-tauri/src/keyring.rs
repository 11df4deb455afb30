//! The backup password in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), so scheduled backups never need a prompt.
//!
//! [`KeyringSecret`] is the app's [`SecretSource`] for the engine: asked only when a backup must
//! be encrypted or decrypted. A keyring that cannot be read is never a silent skip: the engine
//! gets `password_required`, and the secret source remembers why, so the shell can report
//! `keyring_unavailable` and notify instead (see `AppState::ipc_error`). Calls into the keyring
//! run with a timeout: a locked Secret Service collection may wait for an unlock prompt that
//! nobody will ever answer (a headless session, a screen locker).

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use keepsake_engine::{Error, ErrorCode, Password, SecretSource};
use serde::Serialize;
use zeroize::Zeroizing;

/// The keyring entry: service and account names.
pub const SERVICE: &str = "app.keepsake.desktop";
/// The keyring account the password is kept under.
pub const ACCOUNT: &str = "backup-password";

/// How long a keyring call may take before it counts as locked.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the window shows about the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyringStatus {
    /// A password is stored and readable.
    Ok,
    /// The keyring exists but is locked (or did not answer in time).
    Locked,
    /// There is no keyring service at all (no Secret Service on the session bus, ...).
    Unavailable,
    /// The keyring works, and no password is stored yet.
    NoPassword,
}

/// Why the keyring could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// The keyring is locked (the person can unlock it), not missing or broken.
    pub locked: bool,
    /// What the keyring said.
    pub message: String,
}

/// Where the password is kept: the OS keyring in the app, memory in tests.
pub trait PasswordStore: Send + Sync {
    /// The password kept there, if any.
    fn get(&self) -> Result<Option<Password>, StoreError>;
    /// Keeps `password` there.
    fn set(&self, password: &str) -> Result<(), StoreError>;
}

/// The OS keyring, through the `keyring` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry() -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(SERVICE, ACCOUNT).map_err(store_error)
    }
}

impl PasswordStore for OsKeyring {
    fn get(&self) -> Result<Option<Password>, StoreError> {
        with_timeout(|| match OsKeyring::entry()?.get_password() {
            Ok(p) => Ok(Some(Password::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(store_error(e)),
        })
    }

    fn set(&self, password: &str) -> Result<(), StoreError> {
        let password = Zeroizing::new(password.to_owned());
        with_timeout(move || OsKeyring::entry()?.set_password(&password).map_err(store_error))
    }
}

fn store_error(e: keyring::Error) -> StoreError {
    let locked = matches!(e, keyring::Error::NoStorageAccess(_));
    StoreError { locked, message: e.to_string() }
}

/// Runs a keyring call on its own thread, giving up after [`TIMEOUT`] (the thread is left to
/// finish or hang on its own: a prompt nobody answers must not hang a backup or the window).
fn with_timeout<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(keepsake_remote::secrets::one_at_a_time(f));
        })
        .map_err(|e| StoreError { locked: false, message: format!("cannot start a thread: {e}") })?;
    rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
        Err(StoreError {
            locked: true,
            message: format!("the keyring did not answer within {} s (locked?)", TIMEOUT.as_secs()),
        })
    })
}

/// A password held in memory (tests, and machines where the user opted out of the keyring).
#[derive(Default)]
pub struct MemoryStore(Mutex<Option<Password>>);

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore(***)")
    }
}

impl PasswordStore for MemoryStore {
    fn get(&self) -> Result<Option<Password>, StoreError> {
        Ok(self.0.lock().map_err(poisoned)?.clone())
    }

    fn set(&self, password: &str) -> Result<(), StoreError> {
        *self.0.lock().map_err(poisoned)? = Some(Password::new(password));
        Ok(())
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError { locked: false, message: "password store lock poisoned".into() }
}

/// The engine's password source: reads the store each time (so a password set or a keyring
/// unlocked later is picked up), and remembers the last failure for the shell to report.
pub struct KeyringSecret {
    store: Arc<dyn PasswordStore>,
    last_error: Mutex<Option<StoreError>>,
    /// Passwords typed in the window to open backups made under an older password: tried after
    /// the keyring's, only to open backups, held in memory only (for one operation, or until the
    /// app quits when the person asked to remember it).
    typed: Mutex<Vec<(u64, Password)>>,
    next: std::sync::atomic::AtomicU64,
    /// The recovery key typed after "Forgot your password?": in memory only, until the app
    /// quits or the password is changed with it.
    recovery: Mutex<Option<Password>>,
}

/// A typed password lent to the engine: taken back when dropped, unless it is to be remembered
/// for the session.
pub struct LentPassword {
    owner: Arc<KeyringSecret>,
    id: u64,
    remember: bool,
}

impl std::fmt::Debug for LentPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LentPassword").field("remember", &self.remember).finish_non_exhaustive()
    }
}

impl Drop for LentPassword {
    fn drop(&mut self) {
        if !self.remember {
            let mut typed = self.owner.typed.lock().unwrap_or_else(|p| p.into_inner());
            typed.retain(|(id, _)| *id != self.id);
        }
    }
}

impl std::fmt::Debug for KeyringSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringSecret").finish_non_exhaustive()
    }
}

impl KeyringSecret {
    /// The password source over `store` (read at each need; passwords typed in the window are
    /// tried after it).
    pub fn new(store: Arc<dyn PasswordStore>) -> Self {
        KeyringSecret {
            store,
            last_error: Mutex::new(None),
            typed: Mutex::new(Vec::new()),
            next: std::sync::atomic::AtomicU64::new(1),
            recovery: Mutex::new(None),
        }
    }

    fn remember<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Ok(mut last) = self.last_error.lock() {
            *last = r.as_ref().err().cloned();
        }
        r
    }

    /// Why the last read failed, if it did.
    pub fn last_error(&self) -> Option<StoreError> {
        self.last_error.lock().ok().and_then(|l| l.clone())
    }

    /// Reads the store now and says how it is.
    pub fn status(&self) -> KeyringStatus {
        match self.remember(self.store.get()) {
            Ok(Some(p)) if !p.is_empty() => KeyringStatus::Ok,
            Ok(_) => KeyringStatus::NoPassword,
            Err(e) if e.locked => KeyringStatus::Locked,
            Err(_) => KeyringStatus::Unavailable,
        }
    }

    /// Lends `password` (typed in the window) to open backups while the returned guard lives,
    /// or until the app quits when `remember` is set.
    pub fn lend(self: &Arc<Self>, password: &str, remember: bool) -> LentPassword {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        typed.push((id, Password::new(password)));
        LentPassword { owner: Arc::clone(self), id, remember }
    }

    /// Lends the recovery key typed in the window to the engine until the app quits (or
    /// [`KeyringSecret::forget_recovery_key`]); never written anywhere.
    pub fn lend_recovery_key(&self, key: &str) {
        *self.recovery.lock().unwrap_or_else(|p| p.into_inner()) = Some(Password::new(key));
    }

    /// Forgets the recovery key lent (after the password was changed with it).
    pub fn forget_recovery_key(&self) {
        *self.recovery.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Stores a new password.
    pub fn set(&self, password: &str) -> Result<(), StoreError> {
        let r = self.store.set(password);
        self.remember(r)
    }
}

impl SecretSource for KeyringSecret {
    fn password(&self) -> keepsake_engine::Result<Option<Password>> {
        self.remember(self.store.get()).map_err(|e| {
            Error::new(
                ErrorCode::PasswordRequired,
                format!("the system keyring could not be read: {}", e.message),
            )
        })
    }

    fn other_passwords(&self) -> Vec<Password> {
        let typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        typed.iter().rev().map(|(_, p)| p.clone()).collect()
    }

    fn recovery_key(&self) -> Option<Password> {
        self.recovery.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &KeyringSecret) -> Vec<String> {
        s.other_passwords().iter().map(|p| String::from(&**p)).collect()
    }

    #[test]
    fn a_typed_password_is_lent_for_one_operation_or_remembered_for_the_session() {
        let secret = Arc::new(KeyringSecret::new(Arc::new(MemoryStore::default())));
        let once = secret.lend("old one", false);
        assert_eq!(typed(&secret), ["old one"]);
        drop(once);
        assert!(typed(&secret).is_empty(), "taken back after the operation");
        drop(secret.lend("older", true));
        let _now = secret.lend("newest", false);
        assert_eq!(typed(&secret), ["newest", "older"], "the latest first; the remembered one stays");
        // Never the main password: the keyring's is untouched.
        assert!(secret.password().unwrap().is_none());
    }
}
