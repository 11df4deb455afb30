//! Destination secrets (an S3 secret key, an Azure account key, a Google service-account key,
//! a WebDAV password): in the OS keyring, under the
//! desktop app's service with the account `destination:NAME`, so the app, the CLI and the
//! daemon of one user share them; or, on a machine without a keyring (a headless home server),
//! in the environment variable `KEEPSAKE_DEST_SECRET_<NAME>`. Never in a file, an argument or
//! a log line. Keyring calls run with a timeout: a locked collection may wait for an unlock
//! prompt that nobody answers.

use std::time::Duration;

use keepsake_model::destinations::Destination;
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
    keepsake_model::destinations::secret_env_name(dest)
}

/// Google's own token address: the only `token_uri` a key may name.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The largest key file read (a real one is about 2.3 KiB).
pub const GOOGLE_KEY_MAX: u64 = 64 * 1024;

/// A Google service account's key file, checked ([`google_key`]) and read (at most
/// [`GOOGLE_KEY_MAX`] bytes, only from a regular file: a FIFO would block the reader, a device
/// never end). What comes back is the minimal key [`google_key`] builds (the secret kept in the
/// keyring; the file's path is not kept). `Err` says in words why it is not one.
pub fn read_google_key(path: &std::path::Path) -> Result<Secret, String> {
    use std::io::Read as _;
    let shown = path.display();
    let not_a_file = || {
        format!("{shown} is not a regular file; pick the key file (KEY.json) the Google Cloud console gave")
    };
    // Checked before opening: opening a FIFO waits for a writer that may never come.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // And again on what was opened: the path may have been swapped meanwhile.
    if !file.metadata().map_err(|e| format!("cannot read {shown}: {e}"))?.is_file() {
        return Err(not_a_file());
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(GOOGLE_KEY_MAX + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > GOOGLE_KEY_MAX {
        return Err(format!(
            "{shown} is larger than {} KiB, which no service account's key is",
            GOOGLE_KEY_MAX / 1024
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| format!("{shown} is not a service account's key (not text)"))?;
    google_key(text).map_err(|why| format!("{shown} {why}"))
}

/// The fields of a Google credential file that matter here; every other one is dropped.
#[derive(serde::Deserialize)]
struct GoogleKeyFields {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    token_uri: Option<String>,
}

impl Drop for GoogleKeyFields {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        if let Some(k) = &mut self.private_key {
            k.zeroize();
        }
    }
}

/// The service account's key in `text`, checked and rebuilt: `{"type": "service_account",
/// "client_email", "private_key", "token_uri"}` and nothing else. Other Google credential files
/// (an *external account*, an authorized user, an impersonation) make the signer read a local
/// file, fill in `${VARIABLES}` from the environment and send them to an address the file
/// names: they are refused, and no other field of a key ever reaches the signer. Run on a key
/// read from a file and again on every saved one (the keyring, `KEEPSAKE_DEST_SECRET_<NAME>`)
/// before a store is opened. `Err` says why, to follow a path or "the key": "is not …".
pub fn google_key(text: &str) -> Result<Secret, String> {
    let fields: GoogleKeyFields = serde_json::from_str(text).map_err(|_| {
        "is not a service account's key (a JSON file from the Google Cloud console)".to_owned()
    })?;
    match fields.kind.as_deref() {
        Some("service_account") => {}
        Some(other) => {
            return Err(format!(
                "is a Google credential of type {other:?}, not a service account's key \
                 (\"type\": \"service_account\"); Keepsake takes only those: other kinds can read \
                 files on this computer and send them to a server of the file's choosing"
            ));
        }
        None => return Err("is not a service account's key: it has no \"type\"".to_owned()),
    }
    let email = fields.client_email.as_deref().unwrap_or("");
    if !email.contains('@') || email.chars().any(char::is_control) {
        return Err(
            "is not a service account's key: its \"client_email\" is missing or not an address".to_owned()
        );
    }
    let key = fields.private_key.as_deref().unwrap_or("");
    let pem = key.trim_start().starts_with("-----BEGIN ")
        && key.contains("PRIVATE KEY-----")
        && key.contains("-----END ");
    if !pem {
        return Err(
            "is not a service account's key: its \"private_key\" is missing or not a PEM key".to_owned()
        );
    }
    if let Some(uri) = fields.token_uri.as_deref()
        && uri != GOOGLE_TOKEN_URI
    {
        return Err(format!(
            "is not a key Keepsake uses: its \"token_uri\" is {uri:?}, not Google's own ({GOOGLE_TOKEN_URI})"
        ));
    }
    #[derive(serde::Serialize)]
    struct Minimal<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        client_email: &'a str,
        private_key: &'a str,
        token_uri: &'a str,
    }
    let minimal = Minimal {
        kind: "service_account",
        client_email: email,
        private_key: key,
        token_uri: GOOGLE_TOKEN_URI,
    };
    serde_json::to_string(&minimal).map(Zeroizing::new).map_err(|e| format!("cannot be rebuilt: {e}"))
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

/// Forgets `dest`'s secret (nothing saved is not an error, and neither is a computer with no
/// keyring at all: nothing can have been saved there). A keyring that is there but does not
/// answer (locked, a prompt nobody answers) is an error: the secret may still be in it.
pub fn forget(dest: &Destination) -> Result<(), String> {
    let account = dest.secret_key();
    with_timeout(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) if no_keyring_here(&e) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// Whether `e` says this computer has no keyring service at all (a headless server: its secrets
/// come from `KEEPSAKE_DEST_SECRET_<NAME>`).
fn no_keyring_here(e: &keyring::Error) -> bool {
    matches!(e, keyring::Error::PlatformFailure(_))
        && e.to_string().contains("no secret service provider or dbus session found")
}

/// Runs one keyring call while no other of this process runs. The Secret Service is one daemon
/// per session, and every call of the `keyring` crate opens a D-Bus connection of its own: the
/// copier's passes, a save from the window and a backup's password would otherwise ask at the
/// same moment, which gnome-keyring was seen to drop (a reply never sent, the daemon gone).
/// The desktop app's own password calls go through here too.
pub fn one_at_a_time<T>(f: impl FnOnce() -> T) -> T {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    f()
}

/// Runs a keyring call on its own thread and waits for it at most [`TIMEOUT`] (the thread is left
/// to finish or hang on its own: a prompt nobody answers must not hang a copy). Stop, Ctrl-C and
/// SIGTERM end the wait at once ([`crate::interrupt`]).
fn with_timeout<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let put = std::sync::Arc::clone(&slot);
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let answer = one_at_a_time(f);
            *put.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(answer);
            crate::interrupt::wake_blocked();
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let answer = crate::interrupt::block_until(TIMEOUT, || {
        slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    });
    match answer {
        Ok(answer) => answer,
        Err(crate::interrupt::Stopped::Interrupted) => Err("stopped while waiting for the keyring".into()),
        Err(crate::interrupt::Stopped::Deadline) => {
            Err(format!("the keyring did not answer within {} s (locked?)", TIMEOUT.as_secs()))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_variable_name_is_the_destination_in_capitals() {
        assert_eq!(super::env_name("b2"), "KEEPSAKE_DEST_SECRET_B2");
        assert_eq!(super::env_name("my nas-1"), "KEEPSAKE_DEST_SECRET_MY_NAS_1");
    }
}
