//! `keepsake daemon` for real: a source scheduled every few seconds (the engine's test-only
//! `every_seconds` schedule), a bounded run, then SIGTERM. Runs are counted in generous ranges and
//! read back from the history, never timed tightly: the machine may be busy.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::util::*;

/// A sources file with one unencrypted source, `astro`, backing up `app.db` every `seconds`.
fn schedule_every(w: &Work, seconds: u32) {
    std::fs::write(
        w.path("sources.toml"),
        format!(
            "[[source]]\nname = \"astro\"\ndatabase = \"app.db\"\nbackup_dir = \"backups\"\nencrypt = false\n\
             schedule = {{ kind = \"every_seconds\", seconds = {seconds} }}\n"
        ),
    )
    .expect("write sources");
}

/// Starts `keepsake daemon` in the background, with the same private environment as `Work::src`.
fn start(w: &Work) -> Child {
    start_with(w, &[])
}

/// [`start`], with `vars` added to its environment.
fn start_with(w: &Work, vars: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .env_clear()
        .envs(vars.iter().copied())
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("KEEPSAKE_SOURCES", w.path("sources.toml"))
        .env("TZ", "UTC")
        .current_dir(w.dir.path())
        .arg("daemon")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the daemon")
}

/// SIGTERM, then everything it printed.
fn stop(child: Child) -> Output {
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    child.wait_with_output().expect("wait for the daemon")
}

/// The daemon's log, after checking that it stopped cleanly.
fn clean_log(out: &Output) -> String {
    let log = stdout(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "exit status {:?}\nlog:\n{log}\nstderr:\n{}",
        out.status,
        stderr(out)
    );
    assert!(log.trim_end().ends_with("stopped"), "{log}");
    log
}

/// Scheduled backup runs from the history, oldest first: (start, duration, status).
fn scheduled_runs(w: &Work) -> Vec<(DateTime<Utc>, Duration, String)> {
    let doc = ok_json(w.src(&["--source", "astro", "history", "--json"]));
    let mut runs: Vec<_> = doc["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .filter(|r| r["operation"] == "backup" && r["backup_type"] == "scheduled")
        .map(|r| {
            let started = DateTime::parse_from_rfc3339(r["started_at"].as_str().expect("started_at"))
                .expect("rfc 3339")
                .with_timezone(&Utc);
            let took = Duration::from_millis(r["duration_ms"].as_u64().expect("duration"));
            (started, took, r["status"].as_str().expect("status").to_owned())
        })
        .collect();
    runs.sort_by_key(|r| r.0);
    runs
}

/// Files a cut-short backup or verification would leave: `.partial` files and temp folders.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("backup folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial") || n.starts_with(".keepsake-verify"))
        .collect()
}

fn epoch_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64()
}

/// Sleeps until the Unix time `t` (seconds).
fn sleep_until(t: f64) {
    let now = epoch_secs();
    if t > now {
        std::thread::sleep(Duration::from_secs_f64(t - now));
    }
}

#[test]
fn runs_on_time_one_at_a_time_and_stops_cleanly() {
    let w = Work::new();
    w.app_db();
    schedule_every(&w, 2);
    let child = start(&w);
    std::thread::sleep(Duration::from_secs(9));
    let out = stop(child);
    let log = clean_log(&out);

    // A first run at once, then one per 2-second slot: about 5 in 9 seconds.
    let runs = scheduled_runs(&w);
    assert!((3..=7).contains(&runs.len()), "{} runs:\n{log}", runs.len());
    assert_eq!(log.matches(" astro backup ok ").count(), runs.len(), "{log}");
    assert!(log.contains(" astro first run"), "{log}");
    // Each slot was picked up within its interval: none had to be caught up.
    assert!(!log.contains("catch-up"), "{log}");
    for (i, pair) in runs.windows(2).enumerate() {
        let ((a, took, _), (b, _, _)) = (&pair[0], &pair[1]);
        let a_end = *a + chrono::TimeDelta::from_std(*took).expect("duration");
        assert!(*b >= a_end, "run {} started at {b} before run {i} ended at {a_end}", i + 1);
    }
    assert!(runs.iter().all(|r| r.2 == "success"), "{runs:?}");
    let list = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    let backups = list["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), runs.len());
    assert!(backups.iter().all(|b| b["verification"] == "passed"), "{list}");
    assert_eq!(leftovers(&w.path("backups")), Vec::<String>::new());
}

#[test]
fn a_missed_window_is_caught_up_exactly_once() {
    let w = Work::new();
    w.app_db();
    schedule_every(&w, 3);
    let child = start(&w);
    std::thread::sleep(Duration::from_secs(2));
    let first = clean_log(&stop(child));
    let before = scheduled_runs(&w).len();
    assert!(before >= 1, "{first}");

    // Stay stopped through at least two slots, then start 0.2 s after a slot and stop 2 s later,
    // before the next slot: whatever happens in that window is the catch-up.
    let stopped_at = epoch_secs();
    let restart = ((stopped_at + 6.5) / 3.0).ceil() * 3.0 + 0.2;
    sleep_until(restart);
    let child = start(&w);
    sleep_until(restart + 2.0);
    let second = clean_log(&stop(child));

    let catch_ups: Vec<&str> = second.lines().filter(|l| l.contains("catch-up:")).collect();
    assert_eq!(catch_ups.len(), 1, "{second}");
    let missed: u32 = catch_ups[0]
        .split("catch-up: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count of missed runs");
    assert!(missed >= 2, "{second}");
    assert_eq!(second.matches(" astro backup ok ").count(), 1, "one run, not one per missed slot:\n{second}");
    assert!(!second.contains("first run"), "{second}");
    assert_eq!(scheduled_runs(&w).len(), before + 1);
}

/// Pseudo-random bytes (no compression can shrink them, so the backup takes a while).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn sigterm_during_a_backup_leaves_nothing_partial() {
    let w = Work::new();
    let c = rusqlite::Connection::open(w.path("app.db")).expect("open");
    c.execute_batch("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)").expect("schema");
    let tx = c.unchecked_transaction().expect("tx");
    for i in 0..48u64 {
        tx.execute("INSERT INTO blobs (data) VALUES (?1)", [noise(i, 1 << 20)]).expect("insert");
    }
    tx.commit().expect("commit");
    drop(c);
    schedule_every(&w, 60);
    let mut child = start(&w);
    // Read the log as it comes, to stop the daemon just after the first run has started.
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = tx.send(line.clone());
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        if line.contains("first run") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(100));
    let out = stop(child);
    let log = reader.join().expect("log reader");
    assert_eq!(out.status.code(), Some(0), "{log}\n{}", stderr(&out));
    assert!(log.trim_end().ends_with("stopped"), "{log}");
    assert_eq!(leftovers(&w.path("backups")), Vec::<String>::new(), "{log}");
    let runs = scheduled_runs(&w);
    assert_eq!(runs.len(), 1, "{log}");
    let list = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    let backups = list["backups"].as_array().expect("backups");
    if log.contains("backup cancelled") {
        // Cut short while writing: no file. Cut short while verifying: the complete backup is
        // kept, unverified. Either way the run is recorded as cancelled, so the next start
        // catches its slot up.
        assert_eq!(runs[0].2, "cancelled", "{log}");
        assert!(backups.iter().all(|b| b["verification"] == "unverified"), "{list}");
    } else {
        // The machine was fast enough to finish first.
        assert!(log.contains("backup ok"), "{log}");
        assert_eq!(backups.len(), 1);
    }
}

#[test]
fn a_table_emptied_between_two_scheduled_backups_is_a_line_in_the_log() {
    let w = Work::new();
    w.app_db();
    schedule_every(&w, 2);
    let out = run(w.src(&["run", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let c = rusqlite::Connection::open(w.path("app.db")).expect("open");
    c.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM notes;").expect("delete");
    drop(c);
    let child = start(&w);
    let deadline = epoch_secs() + 60.0;
    while scheduled_runs(&w).len() < 2 && epoch_secs() < deadline {
        std::thread::sleep(Duration::from_millis(300));
    }
    let log = clean_log(&stop(child));
    let line =
        log.lines().find(|l| l.contains("content alert")).unwrap_or_else(|| panic!("no alert line:\n{log}"));
    assert!(line.contains(" astro warning: content alert 1: notes: emptied (300 rows before)"), "{line}");
    assert!(line.contains("pinned"), "{line}");
}

#[test]
fn each_scheduled_backup_is_copied_to_the_sources_destination_in_the_background() {
    use keepsake_remote::testing::{ACCESS_KEY, BUCKET, SECRET_KEY, Server};
    let w = Work::new();
    w.app_db();
    let server = Server::s3();
    schedule_every(&w, 2);
    let mut file = std::fs::read_to_string(w.path("sources.toml")).expect("read");
    file = file.replace("encrypt = false\n", "encrypt = false\ncopies_to = [\"b2\"]\n");
    file.push_str(&format!(
        "\n[[destination]]\nname = \"b2\"\nkind = \"s3\"\nendpoint = \"http://127.0.0.1:{}\"\nbucket = \"{BUCKET}\"\n\
         prefix = \"astro\"\naccess_key_id = \"{ACCESS_KEY}\"\npath_style = true\n",
        server.port
    ));
    std::fs::write(w.path("sources.toml"), file).expect("write");
    let child = start_with(&w, &[("KEEPSAKE_DEST_SECRET_B2", SECRET_KEY)]);
    let on_server = || std::fs::read_dir(server.root.join(BUCKET).join("astro")).map_or(0, |d| d.count());
    let deadline = epoch_secs() + 60.0;
    while on_server() < 2 && epoch_secs() < deadline {
        std::thread::sleep(Duration::from_millis(300));
    }
    // A stop is prompt even while the copier waits for the next backup.
    let asked = epoch_secs();
    let log = clean_log(&stop(child));
    assert!(
        epoch_secs() - asked < 20.0,
        "the daemon stopped {} s after SIGTERM:\n{log}",
        epoch_secs() - asked
    );
    assert!(on_server() >= 2, "two backups reached the server:\n{log}");
    let line = log.lines().find(|l| l.contains(" copied ")).unwrap_or_else(|| panic!("no copy line:\n{log}"));
    assert!(line.contains(" astro copied backup_") && line.contains(" to b2 ("), "{line}");
}

/// libfaketime, which moves the clock (wall and monotonic) of the program it is loaded into
/// (`scripts/setup.sh` installs it).
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// Under a clock a thousand times slower (libfaketime, wall and monotonic), a daemon whose
/// backup waits for another program's lock on the database still stops on SIGTERM: the stop
/// wakes the wait, which a timed wait re-checking a flag would see only when its time ran out
/// (the 10 s of waiting for the lock are hours here).
#[test]
fn sigterm_stops_the_daemon_under_a_slowed_clock_while_its_backup_waits_for_a_lock() {
    assert!(
        Path::new(LIBFAKETIME).is_file(),
        "{LIBFAKETIME} is missing: run scripts/setup.sh (apt package faketime)"
    );
    let w = Work::new();
    schedule_every(&w, 3600);
    // Another program holds the database's exclusive lock (a rollback journal's: no reader gets
    // in) for as long as the test runs.
    let holder = rusqlite::Connection::open(w.path("app.db")).expect("open");
    holder.execute_batch("PRAGMA journal_mode = DELETE; CREATE TABLE notes (body TEXT);").expect("db");
    holder.execute_batch("BEGIN EXCLUSIVE; INSERT INTO notes VALUES ('held');").expect("lock");
    let mut child = start_with(
        &w,
        &[
            ("LD_PRELOAD", LIBFAKETIME),
            ("FAKETIME", "@2026-01-01 00:00:00 x0.001"),
            ("FAKETIME_NO_CACHE", "1"),
        ],
    );
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = tx.send(line.clone());
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    // The first run has started: its snapshot now waits for the lock.
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if line.contains("astro first run") {
            break;
        }
    }
    // A moment for its snapshot to reach the lock (a stop before that ends it at an earlier
    // check, which proves nothing).
    std::thread::sleep(Duration::from_millis(500));
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    // A hang is what this looks for: a minute is far more than a woken stop needs, and far
    // less than the wait for the lock under this clock.
    let mut status = None;
    for _ in 0..600 {
        status = child.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the daemon did not stop on SIGTERM:\n{}", reader.join().expect("log reader"));
    }
    let log = reader.join().expect("log reader");
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{log}");
    assert!(log.contains(" astro backup cancelled"), "{log}");
    assert!(log.trim_end().ends_with("stopped"), "{log}");
    drop(holder);
    assert_eq!(scheduled_runs(&w).last().map(|r| r.2.clone()), Some("cancelled".to_owned()));
}

/// The daemon on a real small disk (96 MiB, an incompressible 12 MiB database, a backup every
/// 2 seconds): it says in its log when the disk gets low, once, then once more when the next
/// backup will not fit, with what to delete; the refused backup is an error line of its own.
#[test]
fn a_backup_disk_getting_full_is_a_warning_line_once_each_time_it_gets_worse() {
    let disk = keepsake_engine::testing::SmallDisk::new(96);
    let w = Work::new();
    incompressible_db(&w.path("scans.db"), 12);
    let backups = disk.path.join("backups");
    std::fs::write(
        w.path("sources.toml"),
        format!(
            "[[source]]\nname = \"scans\"\ndatabase = \"scans.db\"\nbackup_dir = \"{}\"\nencrypt = false\n\
             verify_after_backup = false\nschedule = {{ kind = \"every_seconds\", seconds = 2 }}\n",
            backups.display()
        ),
    )
    .expect("write sources");
    let child = start(&w);
    let full = |log: &str| log.contains("has no room for the next backup");
    // Seven of them fit (the engine's space test says why); then two more attempts, refused.
    let deadline = epoch_secs() + 90.0;
    let mut made = 0;
    while made < 7 && epoch_secs() < deadline {
        std::thread::sleep(Duration::from_millis(300));
        made = std::fs::read_dir(&backups).map(|d| d.count()).unwrap_or(0);
    }
    std::thread::sleep(Duration::from_secs(5));
    let log = clean_log(&stop(child));
    let low: Vec<&str> = log.lines().filter(|l| l.contains("is low on space")).collect();
    let no_room: Vec<&str> = log.lines().filter(|l| l.contains("has no room for the next backup")).collect();
    assert_eq!(low.len(), 1, "said once while low ({made} backups):\n{log}");
    assert_eq!(no_room.len(), 1, "said once when full:\n{log}");
    assert!(full(&log), "{log}");
    assert!(low[0].contains(" scans warning: the disk of "), "{}", low[0]);
    assert!(no_room[0].contains("cleanup --keep"), "what to delete is said: {}", no_room[0]);
    let low_at = log.find("is low on space").unwrap_or_default();
    let full_at = log.find("has no room for the next backup").unwrap_or_default();
    assert!(low_at < full_at, "low before full:\n{log}");
}
