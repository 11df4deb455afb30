//! Destination secrets (an S3 secret key, an Azure account key, a Google service-account key,
//! a WebDAV password): in the OS keyring, under the
//! desktop app's service with the account `destination:NAME`, so the app, the CLI and the
//! daemon of one user share them; or, on a machine without a keyring (a headless home server),
//! in the environment variable `KEEPSAKE_DEST_SECRET_<NAME>`. Never in a file, an argument or
//! a log line. Keyring calls run with a timeout: a locked collection may wait for an unlock
//! prompt that nobody answers.

use std::sync::mpsc;
use std::time::Duration;

use keepsake_engine::Destination;
use zeroize::Zeroizing;

/// The keyring service: the desktop app's.
pub const SERVICE: &str = "app.keepsake.desktop";
/// How long a keyring call may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A secret, wiped from memory when dropped.
pub type Secret = Zeroizing<String>;

/// The environment variable that can hold `dest`'s secret: `KEEPSAKE_DEST_SECRET_` and the name
/// in capitals, every other character than a letter or digit as `_`.
pub fn env_name(dest: &str) -> String {
    let name: String =
        dest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("KEEPSAKE_DEST_SECRET_{name}")
}

/// A Google service account's key file, read whole (its contents are the secret kept in the
/// keyring; the file's path is not kept). `Err` says in words why it is not one.
pub fn read_google_key(path: &std::path::Path) -> Result<Secret, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    );
    let is_key = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .is_some_and(|v| v.get("type").is_some() && v.get("client_email").is_some());
    if !is_key {
        return Err(format!(
            "{} is not a service account's key (a JSON file with \"type\" and \"client_email\")",
            path.display()
        ));
    }
    Ok(text)
}

/// `dest`'s secret: the environment variable first (set for this run), then the keyring.
/// `Ok(None)` when its kind needs none or none is saved; `Err` says why the keyring failed.
pub fn lookup(dest: &Destination) -> Result<Option<Secret>, String> {
    if !dest.needs_secret() {
        return Ok(None);
    }
    lookup_account(&dest.secret_key(), &env_name(&dest.name))
}

/// The secret saved under `account` (the keyring entry of the app's service), or the variable
/// `env` when it is set (a headless server without a keyring).
pub fn lookup_account(account: &str, env: &str) -> Result<Option<Secret>, String> {
    if let Ok(v) = std::env::var(env)
        && !v.is_empty()
    {
        return Ok(Some(Zeroizing::new(v)));
    }
    let account = account.to_owned();
    with_timeout(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(p) => Ok(Some(Zeroizing::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// Saves `secret` as `dest`'s in the keyring.
pub fn save(dest: &Destination, secret: &str) -> Result<(), String> {
    save_account(&dest.secret_key(), secret)
}

/// Saves `secret` in the keyring under `account`.
pub fn save_account(account: &str, secret: &str) -> Result<(), String> {
    let account = account.to_owned();
    let secret = Zeroizing::new(secret.to_owned());
    with_timeout(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(|e| e.to_string())?;
        entry.set_password(&secret).map_err(|e| e.to_string())
    })
}

/// Forgets `dest`'s secret (nothing saved is not an error).
pub fn forget(dest: &Destination) -> Result<(), String> {
    let account = dest.secret_key();
    with_timeout(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    })
}

fn with_timeout<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
        Err(format!("the keyring did not answer within {} s (locked?)", TIMEOUT.as_secs()))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_variable_name_is_the_destination_in_capitals() {
        assert_eq!(super::env_name("b2"), "KEEPSAKE_DEST_SECRET_B2");
        assert_eq!(super::env_name("my nas-1"), "KEEPSAKE_DEST_SECRET_MY_NAS_1");
    }
}
