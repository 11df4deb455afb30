//! Google key files are hostile until checked: only a service account's key (a PEM private key,
//! Google's own token address) is taken, and only its four fields ever reach OpenDAL's signer.
//! Other kinds of Google credential (an *external account*) make the signer read a local file,
//! fill `${VARIABLES}` from this process's environment and POST them to the file's own
//! `token_url`: a capture server of this test's on 127.0.0.1 shows that nothing is sent, whether
//! the key comes from a file or straight in as a saved secret. A key "file" that is a FIFO or a
//! device, or too large, is refused without being read.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use keepsake_engine::{Destination, DestinationKind};
use keepsake_remote::secrets::{self, GOOGLE_KEY_MAX, GOOGLE_TOKEN_URI};

const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

/// A TCP server on 127.0.0.1 that counts the connections it is given (and answers none).
struct Capture {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Capture {
    fn start() -> Capture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Capture { port, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn connections(&self) -> usize {
        // A connection in flight is counted once accepted: give it a moment.
        std::thread::sleep(Duration::from_millis(300));
        self.connections.load(Ordering::SeqCst)
    }
}

/// An external-account credential that, to the signer, means: read `file` and POST it to the
/// capture server (with this process's `BACKUP_ENCRYPTION_PASSWORD` in the address).
fn external_account(capture: &Capture, file: &Path) -> String {
    serde_json::json!({
        "type": "external_account",
        "client_email": "evil@example.org",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/p",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": format!("{}/token?p=${{BACKUP_ENCRYPTION_PASSWORD}}", capture.url()),
        "credential_source": { "file": file, "format": { "type": "text" } },
    })
    .to_string()
}

fn planted_secret(dir: &Path) -> PathBuf {
    let path = dir.join("planted.txt");
    std::fs::write(&path, "a local secret the key file wants sent away").unwrap();
    path
}

fn gcs(capture: &Capture) -> Destination {
    let mut d = Destination::new("g", DestinationKind::Gcs);
    d.set("bucket", "b").unwrap();
    d.set("endpoint", &capture.url()).unwrap();
    d
}

#[test]
fn an_external_account_key_file_is_refused_with_words_that_say_why() {
    let capture = Capture::start();
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.json");
    std::fs::write(&evil, external_account(&capture, &planted_secret(dir.path()))).unwrap();
    let why = secrets::read_google_key(&evil).unwrap_err();
    assert!(why.contains("external_account") && why.contains("service account"), "{why}");
    assert!(why.contains(&evil.display().to_string()), "names the file: {why}");
    assert_eq!(capture.connections(), 0);
}

#[test]
fn a_saved_external_account_key_is_refused_when_the_store_opens_and_sends_nothing() {
    let capture = Capture::start();
    let dir = tempfile::tempdir().unwrap();
    let secret = external_account(&capture, &planted_secret(dir.path()));
    // As from the keyring or KEEPSAKE_DEST_SECRET_<NAME>: never through `read_google_key`.
    match keepsake_remote::open(&gcs(&capture), Some(&secret)) {
        Ok(store) => {
            let _ = keepsake_remote::probe(store.as_ref());
            panic!("opened with an external account's credential ({} connections)", capture.connections());
        }
        Err(e) => {
            assert_eq!(e.code(), keepsake_engine::ErrorCode::RemoteFailed, "{e}");
            assert!(e.message().contains("external_account"), "{}", e.message());
            assert!(!e.message().contains("planted"), "no secret in the message: {}", e.message());
        }
    }
    assert_eq!(capture.connections(), 0, "nothing reached the key's token_url");
}

#[test]
fn only_a_service_accounts_key_with_googles_token_address_is_taken_and_rebuilt() {
    let key = |extra: serde_json::Value| {
        let mut v = serde_json::json!({
            "type": "service_account",
            "project_id": "p",
            "private_key_id": "1",
            "private_key": PEM,
            "client_email": "backup@p.iam.gserviceaccount.com",
            "token_uri": GOOGLE_TOKEN_URI,
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v.to_string()
    };
    let ok = secrets::google_key(&key(serde_json::json!({ "credential_source": { "file": "/etc/passwd" } })))
        .unwrap();
    let rebuilt: serde_json::Value = serde_json::from_str(&ok).unwrap();
    let mut fields: Vec<&str> = rebuilt.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["client_email", "private_key", "token_uri", "type"], "nothing else goes on");
    assert_eq!(rebuilt["private_key"], PEM);

    let other_token =
        secrets::google_key(&key(serde_json::json!({ "token_uri": "http://127.0.0.1:9/token" })))
            .unwrap_err();
    assert!(other_token.contains("token_uri") && other_token.contains(GOOGLE_TOKEN_URI), "{other_token}");
    let no_pem = secrets::google_key(&key(serde_json::json!({ "private_key": "hunter2" }))).unwrap_err();
    assert!(no_pem.contains("private_key"), "{no_pem}");
    let user = secrets::google_key(&key(serde_json::json!({ "type": "authorized_user" }))).unwrap_err();
    assert!(user.contains("authorized_user"), "{user}");
    assert!(secrets::google_key("not json").is_err());
}

/// Runs `read_google_key` on a thread, so that a read that blocks fails the test instead of
/// hanging it.
fn read_within(path: &Path, secs: u64) -> Result<String, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(secrets::read_google_key(&path).map(|k| k.to_string()));
    });
    rx.recv_timeout(Duration::from_secs(secs)).unwrap_or_else(|_| panic!("still reading after {secs} s"))
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("key.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let why = read_within(&fifo, 10).unwrap_err();
    assert!(why.contains("not a regular file"), "{why}");
    let why = read_within(Path::new("/dev/zero"), 10).unwrap_err();
    assert!(why.contains("not a regular file"), "{why}");
}

#[test]
fn a_key_file_larger_than_64_kib_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let padding = "x".repeat(usize::try_from(GOOGLE_KEY_MAX).unwrap());
    let text = serde_json::json!({
        "type": "service_account",
        "client_email": "a@b.c",
        "private_key": PEM,
        "padding": padding,
    });
    std::fs::write(&big, text.to_string()).unwrap();
    let why = read_within(&big, 10).unwrap_err();
    assert!(why.contains("64 KiB"), "{why}");
    let small = dir.path().join("key.json");
    std::fs::write(
        &small,
        serde_json::json!({ "type": "service_account", "client_email": "a@b.c", "private_key": PEM })
            .to_string(),
    )
    .unwrap();
    read_within(&small, 10).unwrap();
}
