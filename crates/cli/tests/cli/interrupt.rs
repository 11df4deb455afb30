//! Stop means stop, whatever the program waits on. A destination here is an S3 endpoint on a
//! listener of the test's own on 127.0.0.1 that accepts every connection, reads what is sent,
//! and never answers: OpenDAL would wait for its timeout and retry for many minutes. SIGTERM
//! or Ctrl-C must end `keepsake copy`, `list --from` and the daemon within seconds all the same,
//! by waking the waiting thread. The bounds are generous (the machine may be busy); the
//! programs used to wait for minutes.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use keepsake_remote::testing::{ACCESS_KEY, BUCKET, SECRET_KEY};

use crate::util::*;

/// How long a stopped program may take to exit after the signal (it is asked to take 2 s).
const BOUND: Duration = Duration::from_secs(6);

/// A server that accepts and never answers; or, [`Silent::writes`], one that answers every read
/// at once ("no such object") and never answers a write.
struct Silent {
    port: u16,
    done: Arc<AtomicBool>,
}

impl Silent {
    fn start() -> Silent {
        Silent::serve(false)
    }

    /// Reads are answered, writes (`PUT`, `MKCOL`, `MOVE`, `DELETE`, `POST`) never: the upload
    /// starts, and stopping it asks the server to remove what was sent.
    fn writes() -> Silent {
        Silent::serve(true)
    }

    fn serve(reads_answered: bool) -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut conn) = conn else { continue };
                std::thread::spawn(move || {
                    if reads_answered {
                        answer_reads(&mut conn);
                    }
                    // Read everything (an upload never stalls on a full buffer), answer nothing.
                    let mut buf = [0u8; 16 << 10];
                    while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
                });
            }
        });
        Silent { port, done }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees `done`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Answers requests that only read with `404 Not Found` until the first one that writes.
fn answer_reads(conn: &mut TcpStream) {
    use std::io::Write;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        head.clear();
        while !head.ends_with(b"\r\n\r\n") {
            match conn.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
        if ["put ", "mkcol ", "move ", "delete ", "post "].iter().any(|m| text.starts_with(m)) {
            return;
        }
        let body: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        let mut rest = vec![0u8; body];
        if conn.read_exact(&mut rest).is_err() {
            return;
        }
        let answer = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        if conn.write_all(answer).is_err() {
            return;
        }
    }
}

/// The `[[destination]]` table of `b2`, an S3 bucket on `server`.
fn destination(server: &Silent) -> String {
    format!(
        "\n[[destination]]\nname = \"b2\"\nkind = \"s3\"\nendpoint = \"http://127.0.0.1:{}\"\nbucket = \
         \"{BUCKET}\"\nprefix = \"astro\"\naccess_key_id = \"{ACCESS_KEY}\"\npath_style = true\n",
        server.port
    )
}

/// `keepsake ARGS` in the background with the private environment of `Work::src` and the
/// destination's secret.
fn spawn(w: &Work, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .env_clear()
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("KEEPSAKE_SOURCES", w.path("sources.toml"))
        .env("KEEPSAKE_DEST_SECRET_B2", SECRET_KEY)
        .env("TZ", "UTC")
        .current_dir(w.dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start keepsake")
}

/// Sends `signal` (`TERM`, `INT`) to `child`, then waits at most [`BOUND`] for it to exit: its
/// status and output, or a failure saying it still ran (it is then killed).
fn signal_and_wait(child: Child, signal: &str) -> (ExitStatus, Output, Duration) {
    let asked = Instant::now();
    let sent = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
    assert!(sent.expect("kill").success());
    let mut child = child;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let took = asked.elapsed();
            let out = child.wait_with_output().expect("output");
            return (status, out, took);
        }
        if asked.elapsed() > BOUND {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "still running {} s after SIG{signal}\nstdout:\n{}\nstderr:\n{}",
                BOUND.as_secs(),
                stdout(&out),
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_ends_a_copy_waiting_on_a_server_that_never_answers() {
    let w = Work::new();
    let server = Silent::start();
    w.add_astro(&[]);
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let mut file = std::fs::read_to_string(w.path("sources.toml")).expect("read");
    file.push_str(&destination(&server));
    std::fs::write(w.path("sources.toml"), file).expect("write");

    let child = spawn(&w, &["--source", "astro", "copy", "--missing", "--to", "b2"]);
    std::thread::sleep(Duration::from_secs(1));
    let (status, out, took) = signal_and_wait(child, "TERM");
    assert_eq!(status.code(), Some(130), "cancelled after {took:?}: {}", stderr(&out));
    assert!(stderr(&out).contains("cancelled"), "{}", stderr(&out));
}

/// The `[[destination]]` table of `b2`, a WebDAV folder on `server` (objects written under a
/// temporary name and renamed, which a stopped upload deletes).
fn webdav(server: &Silent) -> String {
    format!(
        "\n[[destination]]\nname = \"b2\"\nkind = \"webdav\"\nendpoint = \"http://127.0.0.1:{}/dav\"\nuser = \
         \"keepsake\"\nprefix = \"astro\"\n",
        server.port
    )
}

#[test]
fn sigterm_ends_a_copy_to_webdav_on_a_server_that_never_answers() {
    let w = Work::new();
    let server = Silent::start();
    w.add_astro(&[]);
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let mut file = std::fs::read_to_string(w.path("sources.toml")).expect("read");
    file.push_str(&webdav(&server));
    std::fs::write(w.path("sources.toml"), file).expect("write");

    let child = spawn(&w, &["--source", "astro", "copy", "--missing", "--to", "b2"]);
    std::thread::sleep(Duration::from_secs(1));
    let (status, out, took) = signal_and_wait(child, "TERM");
    assert_eq!(status.code(), Some(130), "cancelled after {took:?}: {}", stderr(&out));
}

#[test]
fn sigterm_ends_a_webdav_upload_the_server_never_answers_and_its_cleanup() {
    let w = Work::new();
    let server = Silent::writes();
    w.add_astro(&[]);
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let mut file = std::fs::read_to_string(w.path("sources.toml")).expect("read");
    file.push_str(&webdav(&server));
    std::fs::write(w.path("sources.toml"), file).expect("write");

    let child = spawn(&w, &["--source", "astro", "copy", "--missing", "--to", "b2"]);
    std::thread::sleep(Duration::from_secs(1));
    let (status, out, took) = signal_and_wait(child, "TERM");
    assert_eq!(status.code(), Some(130), "cancelled after {took:?}: {}", stderr(&out));
}

#[test]
fn ctrl_c_ends_a_listing_waiting_on_a_server_that_never_answers() {
    let w = Work::new();
    let server = Silent::start();
    std::fs::write(w.path("sources.toml"), destination(&server)).expect("write");

    let child = spawn(&w, &["list", "--from", "b2"]);
    std::thread::sleep(Duration::from_secs(1));
    let (status, out, took) = signal_and_wait(child, "INT");
    assert_eq!(status.code(), Some(130), "cancelled after {took:?}: {}", stderr(&out));
}

#[test]
fn sigterm_stops_the_daemon_while_its_copier_waits_on_a_server_that_never_answers() {
    let w = Work::new();
    let server = Silent::start();
    w.app_db();
    let mut file = "[[source]]\nname = \"astro\"\ndatabase = \"app.db\"\nbackup_dir = \"backups\"\n\
                    encrypt = false\ncopies_to = [\"b2\"]\nschedule = { kind = \"every_seconds\", seconds = 2 }\n"
        .to_owned();
    file.push_str(&destination(&server));
    std::fs::write(w.path("sources.toml"), file).expect("write");

    let child = spawn(&w, &["daemon"]);
    // The first backup is made at once; after it the copier starts sending it to the server.
    let backups = || {
        std::fs::read_dir(w.path("backups")).map_or(0, |d| {
            d.filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().starts_with("backup_")))
                .count()
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while backups() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(backups() > 0, "the daemon made no backup in 60 s");
    std::thread::sleep(Duration::from_secs(1));
    let (status, out, took) = signal_and_wait(child, "TERM");
    let log = stdout(&out);
    assert_eq!(status.code(), Some(0), "after {took:?}\nlog:\n{log}\nstderr:\n{}", stderr(&out));
    assert!(log.trim_end().ends_with("stopped"), "{log}");
}
