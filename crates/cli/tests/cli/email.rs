//! E-mail from the CLI and the daemon, to a real SMTP server on 127.0.0.1 (Debian's
//! python3-aiosmtpd, `fixtures/smtp_server.py`) that requires STARTTLS and a login and keeps
//! each message it takes: the weekly summary (`keepsake report --email`, and the daemon once a
//! week has passed), each failed scheduled backup, and a wrong password refused with nothing sent.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

const USER: &str = "ann@example.org";
const PASSWORD: &str = "an smtp password";

/// The SMTP server and the folder of the messages it took.
struct Smtp {
    child: Child,
    port: u16,
    cert: PathBuf,
    inbox: PathBuf,
    _dir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Smtp {
        Smtp::start_with(&[])
    }

    /// A server that offers no STARTTLS and takes mail in the clear.
    fn plain() -> Smtp {
        Smtp::start_with(&["plain"])
    }

    fn start_with(extra: &[&str]) -> Smtp {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, key, inbox) =
            (dir.path().join("cert.pem"), dir.path().join("key.pem"), dir.path().join("inbox"));
        std::fs::create_dir(&inbox).expect("inbox");
        // A certificate of its own for 127.0.0.1, trusted through [email] ca_file.
        let ok = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .expect("openssl")
            .success();
        assert!(ok, "openssl made no certificate");
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/fixtures/smtp_server.py");
        // Debian's Python: python3-aiosmtpd is a Debian package.
        let child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(port.to_string())
            .args([&cert, &key])
            .args([USER, PASSWORD])
            .arg(&inbox)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP server (python3-aiosmtpd)");
        let end = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "the SMTP server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp { child, port, cert, inbox, _dir: dir }
    }

    /// The messages taken so far, oldest first.
    fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.inbox)
            .expect("inbox")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names.iter().map(|p| quoted_printable(&std::fs::read_to_string(p).expect("message"))).collect()
    }

    /// The `[email]` table for this server.
    fn settings(&self) -> String {
        format!(
            "[email]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nuser = \"{USER}\"\nfrom = \"Keepsake <{USER}>\"\n\
             to = \"{USER}\"\nca_file = \"{}\"\n",
            self.port,
            self.cert.display()
        )
    }
}

/// A message with its quoted-printable body decoded (soft line breaks joined, `=XX` bytes).
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex =
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_weekly_summary_is_printed_and_emailed_over_starttls_and_a_wrong_password_sends_nothing() {
    let smtp = Smtp::start();
    let w = Work::new();
    w.add_astro(&[]);
    let mut text = std::fs::read_to_string(w.path("sources.toml")).expect("sources");
    text.push_str(&smtp.settings());
    std::fs::write(w.path("sources.toml"), text).expect("write");
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);

    let out = run(w.src(&["report"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("astro ("), "{}", stdout(&out));
    assert!(stdout(&out).contains("Backups made: 1; failed: 0; verified: 1"), "{}", stdout(&out));
    let doc = ok_json(w.src(&["report", "--json"]));
    assert_eq!(doc["reports"][0]["report"]["made"], 1, "{doc}");

    // A wrong password: refused by the server, said, nothing sent.
    let mut c = w.src(&["report", "--email"]);
    c.env("KEEPSAKE_SMTP_PASSWORD", "not the password");
    let out = run(c);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("the e-mail was not sent"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not the password"), "no password in a message");
    assert!(smtp.messages().is_empty());

    let mut c = w.src(&["report", "--email"]);
    c.env("KEEPSAKE_SMTP_PASSWORD", PASSWORD);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = smtp.messages();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("Subject: Keepsake weekly summary: all backups fine"), "{}", got[0]);
    assert!(got[0].contains(&format!("To: {USER}")), "{}", got[0]);
    assert!(got[0].contains("Backups made: 1; failed: 0; verified: 1"), "{}", got[0]);
}

#[test]
fn nothing_is_ever_sent_to_a_server_without_starttls() {
    let smtp = Smtp::plain();
    let w = Work::new();
    w.add_astro(&[]);
    let mut text = std::fs::read_to_string(w.path("sources.toml")).expect("sources");
    text.push_str(&smtp.settings());
    std::fs::write(w.path("sources.toml"), text).expect("write");
    for args in [&["report", "--email"][..], &["email", "test"][..]] {
        let mut c = w.src(args);
        c.env("KEEPSAKE_SMTP_PASSWORD", PASSWORD);
        let out = run(c);
        assert_error(&out, 2, "invalid_input");
        assert!(stderr(&out).contains("the e-mail was not sent"), "{}", stderr(&out));
    }
    assert!(smtp.messages().is_empty(), "no message and no password in the clear");
}

#[test]
fn the_daemon_emails_a_failed_backup_and_the_summary_once_a_week_has_passed() {
    let smtp = Smtp::start();
    let w = Work::new();
    // A source whose database is not there: each scheduled run fails.
    std::fs::write(
        w.path("sources.toml"),
        format!(
            "[[source]]\nname = \"astro\"\ndatabase = \"gone.db\"\nbackup_dir = \"backups\"\nencrypt = false\n\
             schedule = {{ kind = \"every_seconds\", seconds = 3600 }}\n\n{}",
            smtp.settings()
        ),
    )
    .expect("sources");
    // The last summary went out eight days ago.
    let state = w.path("state");
    std::fs::create_dir_all(&state).expect("state");
    let eight_days_ago = chrono::Utc::now() - chrono::Duration::days(8);
    std::fs::write(state.join("weekly-email"), eight_days_ago.to_rfc3339()).expect("write");

    let child = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .env_clear()
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("KEEPSAKE_SOURCES", w.path("sources.toml"))
        .env("KEEPSAKE_STATE_DIR", &state)
        .env("KEEPSAKE_SMTP_PASSWORD", PASSWORD)
        .env("TZ", "UTC")
        .current_dir(w.dir.path())
        .arg("daemon")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("daemon");
    let end = Instant::now() + Duration::from_secs(60);
    while smtp.messages().len() < 2 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(200));
    }
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("daemon");
    let log = stdout(&out);
    let got = smtp.messages();
    assert_eq!(got.len(), 2, "two messages: {got:?}\nlog:\n{log}");
    let failed = got
        .iter()
        .find(|m| m.contains("Subject: Keepsake: the backup of astro failed"))
        .expect("the failure");
    assert!(failed.contains("gone.db"), "{failed}");
    assert!(failed.contains("source_not_found"), "{failed}");
    let weekly = got.iter().find(|m| m.contains("Subject: Keepsake weekly summary")).expect("the summary");
    assert!(weekly.contains("astro (") && weekly.contains("Backups made: 0"), "{weekly}");
    assert!(log.contains("e-mailed"), "{log}");
    // Sent now: not again for a week.
    let sent = std::fs::read_to_string(state.join("weekly-email")).expect("sent");
    assert!(sent.trim().parse::<chrono::DateTime<chrono::Utc>>().expect("a time") > eight_days_ago);
}
