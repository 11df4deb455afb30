//! Other processes: a writer committing continuously while backups are taken, and Keepsake
//! itself killed with SIGKILL in the middle of a backup or a restore. Child processes are this
//! test binary run again on one of the `#[ignore]`d `child_*` entry points.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::*;
use keepsake_engine::RestoreOptions;
use rusqlite::Connection;

fn spawn_child(entry: &str, envs: &[(&str, &Path)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", entry, "--ignored", "--nocapture", "--test-threads=1"]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdout(std::process::Stdio::null());
    cmd.spawn().unwrap()
}

/// Stops a child when the test fails, so it does not outlive the folder it works in.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_path(k: &str) -> PathBuf {
    PathBuf::from(std::env::var_os(k).unwrap())
}

/// Writer: each transaction adds one row and bumps both counters; so any committed state has
/// `a == b == rows added`.
#[test]
#[ignore = "child process of writer_keeps_committing_while_backups_are_taken"]
fn child_writer() {
    let db = env_path("KS_DB");
    let stop = env_path("KS_STOP");
    let c = Connection::open(&db).unwrap();
    c.busy_timeout(Duration::from_secs(30)).unwrap();
    c.execute_batch("CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, payload TEXT)").unwrap();
    let mut i = 0u64;
    let mut failures = 0;
    while !stop.exists() {
        // Like a real app, retry a transaction that failed (e.g. a lock wait that ran out);
        // SQLite rolled it back, so the counters stay in step either way.
        let attempt = (|| -> rusqlite::Result<()> {
            let tx = rusqlite::Transaction::new_unchecked(&c, rusqlite::TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO log (payload) VALUES (?1)",
                [format!("entry {i} {}", "x".repeat((i % 300) as usize))],
            )?;
            tx.execute("UPDATE counter SET a = a + 1", [])?;
            tx.execute("UPDATE counter SET b = b + 1", [])?;
            tx.commit()
        })();
        match attempt {
            Ok(()) => i += 1,
            Err(e) => {
                failures += 1;
                eprintln!("writer: transaction failed, retrying: {e:?}");
                assert!(failures < 50, "the writer keeps failing: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}
fn writer_test(wal: bool) {
    writer_test_with(wal, false);
}

/// Increments taken while a writer commits back to back: every point of the chain is one
/// committed state.
#[test]
fn writer_keeps_committing_while_increments_are_taken() {
    writer_test_with(true, true);
}

fn writer_test_with(wal: bool, incremental: bool) {
    let env = Env::new();
    make_db(&env.db, wal, 4096, 200);
    let stop = env.dir.path().join("stop");
    let mut child = KillOnDrop(spawn_child("child_writer", &[("KS_DB", &env.db), ("KS_STOP", &stop)]));
    let engine = env.engine();
    // Let the writer get going.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) {
        let n: i64 = Connection::open(&env.db)
            .unwrap()
            .query_row("SELECT a FROM counter", [], |r| r.get(0))
            .unwrap_or(0);
        if n > 50 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut seen = Vec::new();
    let mut increments = 0;
    for i in 0..20 {
        let o = if incremental {
            keepsake_engine::BackupOptions { incremental: Some(true), ..opts(true, true) }
        } else {
            opts(i % 2 == 0, true)
        };
        let meta = engine.backup(&env.db, &o, &job()).unwrap();
        increments += usize::from(meta.kind == keepsake_engine::model::BackupKind::Increment);
        let out = env.dir.path().join(format!("check{i}.db"));
        engine.decrypt_to(&meta.id, &out, &job()).unwrap();
        assert!(integrity_ok(&out), "backup {i} fails integrity_check");
        let c = Connection::open(&out).unwrap();
        let (a, b): (i64, i64) =
            c.query_row("SELECT a, b FROM counter", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        let rows: i64 = c.query_row("SELECT count(*) FROM log", [], |r| r.get(0)).unwrap();
        assert_eq!(a, b, "backup {i} saw a half-applied transaction");
        assert_eq!(a, rows, "backup {i} is not one committed state");
        seen.push(a);
    }
    std::fs::write(&stop, b"").unwrap();
    assert!(child.0.wait().unwrap().success(), "the writer failed (it must never be blocked out for good)");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert!(seen.last() > seen.first(), "the writer kept committing during the backups: {seen:?}");
    // The database grows fast here, so chains end early (their increments add up); most
    // backups are still increments.
    assert!(!incremental || increments >= 10, "{increments} increments of 20");
}

#[test]
fn writer_keeps_committing_while_backups_are_taken_wal() {
    writer_test(true);
}

/// The writer commits back to back, so in rollback mode it holds its exclusive lock most of the
/// time: this once starved the backup's read lock for over 10 s on a loaded machine.
#[test]
fn writer_keeps_committing_while_backups_are_taken_rollback() {
    writer_test(false);
}

/// Starts a big transaction and dies in the middle of it, leaving a hot journal.
#[test]
#[ignore = "child process of backup_after_a_writer_crashed_mid_transaction"]
fn child_crash_mid_transaction() {
    let c = Connection::open(env_path("KS_DB")).unwrap();
    c.execute_batch("PRAGMA cache_size = 2; BEGIN IMMEDIATE; UPDATE users SET name = name || ' (changed)'; UPDATE counter SET a = 1000;").unwrap();
    std::process::abort();
}

#[test]
fn backup_after_a_writer_crashed_mid_transaction() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 3000);
    let before = dump(&env.db);
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_crash_mid_transaction", "--ignored", "--nocapture", "--test-threads=1"])
        .env("KS_DB", &env.db)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    let journal = PathBuf::from(format!("{}-journal", env.db.display()));
    assert!(journal.exists(), "the crashed writer left a hot journal");
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let out = env.dir.path().join("check.db");
    engine.decrypt_to(&meta.id, &out, &job()).unwrap();
    assert!(integrity_ok(&out));
    assert_eq!(dump(&out), before, "the backup holds the last committed state");
}

/// Backs up in a loop until killed.
#[test]
#[ignore = "child process of killed_during_backup"]
fn child_backup_loop() {
    let env_dir = env_path("KS_BACKUPS");
    let db = env_path("KS_DB");
    let home = keepsake_engine::Installation::open(env_path("KS_HOME")).unwrap();
    let engine = keepsake_engine::Engine::open_folder(&home, &env_dir)
        .unwrap()
        .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)));
    let o = keepsake_engine::BackupOptions {
        incremental: Some(std::env::var_os("KS_INCREMENTAL").is_some()),
        ..opts(true, true)
    };
    loop {
        engine.backup(&db, &o, &job()).unwrap();
    }
}

/// Restores one backup over the database in a loop until killed.
#[test]
#[ignore = "child process of killed_during_restore"]
fn child_restore_loop() {
    let env_dir = env_path("KS_BACKUPS");
    let db = env_path("KS_DB");
    let id = std::env::var("KS_ID").unwrap();
    let home = keepsake_engine::Installation::open(env_path("KS_HOME")).unwrap();
    let engine = keepsake_engine::Engine::open_folder(&home, &env_dir)
        .unwrap()
        .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)));
    let opts = RestoreOptions { verify_first: false, safety_backup: false, ..RestoreOptions::default() };
    loop {
        engine.restore(&id, &db, &opts, &job()).unwrap();
    }
}

/// Kill times spread over `span`, deterministic.
fn kill_times(span: Duration, n: u32) -> Vec<Duration> {
    (0..n)
        .map(|i| span.mul_f64(f64::from((i * 7919) % n) / f64::from(n)) + Duration::from_millis(30))
        .collect()
}

#[test]
fn killed_during_backup_leaves_nothing_partial_listed() {
    killed_during_backup(false);
}

/// The same with increments: a chain whose newest link was being written when the process died
/// is still whole, and every listed point restores.
#[test]
fn killed_during_an_incremental_backup_leaves_every_listed_point_whole() {
    killed_during_backup(true);
}

fn killed_during_backup(incremental: bool) {
    let env = Env::new();
    make_db(&env.db, true, 4096, 8000);
    let before = dump(&env.db);
    let engine = env.engine();
    let t0 = Instant::now();
    engine
        .backup(
            &env.db,
            &keepsake_engine::BackupOptions { incremental: Some(incremental), ..opts(true, true) },
            &job(),
        )
        .unwrap();
    let one = t0.elapsed();
    let mut checked = std::collections::HashSet::new();
    let inc_flag = env.dir.path().join("incremental");
    let mut envs =
        vec![("KS_BACKUPS", env.backups.as_path()), ("KS_DB", env.db.as_path()), ("KS_HOME", env.home.dir())];
    if incremental {
        envs.push(("KS_INCREMENTAL", inc_flag.as_path()));
    }
    for (round, at) in kill_times(one * 3, 12).into_iter().enumerate() {
        let mut child = spawn_child("child_backup_loop", &envs);
        std::thread::sleep(at);
        child.kill().unwrap();
        child.wait().unwrap();
        let engine = env.engine();
        for m in engine.list(None).unwrap() {
            if !checked.insert(m.id.clone()) {
                continue;
            }
            assert!(
                engine.verify(&m.id, &job()).unwrap().ok,
                "round {round}: listed backup {} is not whole",
                m.id
            );
        }
        assert_eq!(dump(&env.db), before, "round {round}: a backup changed the database");
    }
    // Partial files are cleared by the next operation, and never listed.
    let engine = env.engine();
    engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert!(
        backup_files(&env.backups).iter().all(|f| !f.ends_with(".partial")),
        "{:?}",
        backup_files(&env.backups)
    );
    let listed = engine.list(None).unwrap().len();
    let files = backup_files(&env.backups).len();
    assert_eq!(listed, files, "every complete file is listed, nothing else");
}

#[test]
fn killed_during_restore_leaves_old_or_new_database() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 8000);
    let old = dump(&env.db);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    // The "new" database: the backup. The "old" one: a changed live database.
    let new = old.clone();
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("DELETE FROM users WHERE id % 3 = 0; UPDATE counter SET a = 99, b = 99;").unwrap();
    drop(c);
    let changed = dump(&env.db);
    let timing = env.dir.path().join("timing.db");
    make_db(&timing, true, 4096, 10);
    let t0 = Instant::now();
    engine
        .restore(
            &meta.id,
            &timing,
            &RestoreOptions { verify_first: false, safety_backup: false, ..RestoreOptions::default() },
            &job(),
        )
        .unwrap();
    let one = t0.elapsed();
    let mut outcomes = (0, 0);
    for (round, at) in kill_times(one * 5, 16).into_iter().enumerate() {
        // Start every round from the changed database.
        if dump(&env.db) != changed {
            let c = Connection::open(&env.db).unwrap();
            c.execute_batch("DELETE FROM users WHERE id % 3 = 0; UPDATE counter SET a = 99, b = 99;")
                .unwrap();
        }
        let mut child = {
            let mut cmd = Command::new(std::env::current_exe().unwrap());
            cmd.args(["--exact", "child_restore_loop", "--ignored", "--nocapture", "--test-threads=1"]);
            cmd.env("KS_BACKUPS", &env.backups)
                .env("KS_HOME", env.home.dir())
                .env("KS_DB", &env.db)
                .env("KS_ID", &meta.id);
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
            cmd.spawn().unwrap()
        };
        std::thread::sleep(at);
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(integrity_ok(&env.db), "round {round}: the database is damaged");
        let now = dump(&env.db);
        if now == new {
            outcomes.1 += 1;
        } else if now == changed {
            outcomes.0 += 1;
        } else {
            panic!("round {round}: the database is neither the old nor the new one");
        }
    }
    eprintln!("kill during restore: old {} times, new {} times", outcomes.0, outcomes.1);
    assert!(outcomes.1 > 0, "no restore completed: the kill times are too early to test anything");
}
