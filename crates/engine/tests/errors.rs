//! One test per error code: the code, a message that names the file, a hint, and nothing
//! changed or left behind.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::{
    BackupOptions, CancelToken, Engine, ErrorCode, Job, NoSecret, Phase, Progress, RestoreOptions,
};
use rusqlite::Connection;

fn is_root() -> bool {
    // SAFETY-free check: root can write anywhere, which changes what these tests can provoke.
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

#[test]
fn every_code_has_a_stable_name() {
    for code in ErrorCode::ALL {
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
    }
}

#[test]
fn source_not_found() {
    let env = Env::new();
    let e = env.engine().backup(&env.db, &opts(true, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceNotFound);
    assert!(e.message().contains("app.db"));
    assert!(backup_files(&env.backups).is_empty());
}

#[test]
fn not_a_database() {
    let env = Env::new();
    std::fs::write(&env.db, "this is a text file, not a database, but long enough to have a header.........................................").unwrap();
    let e = env.engine().backup(&env.db, &opts(false, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotADatabase, "{e}");
    assert!(e.message().contains("app.db"));
    assert!(backup_files(&env.backups).is_empty());
    let hist = env.engine().history(None).unwrap();
    assert_eq!(hist[0].status, keepsake_engine::RunStatus::Failed);
    assert_eq!(hist[0].error_code, Some(ErrorCode::NotADatabase));
}

#[test]
fn source_busy() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let holder = Connection::open(&env.db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE counter SET a = 5;").unwrap();
    let engine = env.engine().with_busy_timeout(Duration::from_millis(200));
    let e = engine.backup(&env.db, &opts(false, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceBusy, "{e}");
    assert!(backup_files(&env.backups).is_empty());
    holder.execute_batch("COMMIT").unwrap();
    engine.backup(&env.db, &opts(false, true), &job()).unwrap();
}

#[test]
fn source_unreadable() {
    if is_root() {
        eprintln!("skipped: running as root, which can read any file");
        return;
    }
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    std::fs::set_permissions(&env.db, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let e = env.engine().backup(&env.db, &opts(false, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceUnreadable);
}

#[test]
fn password_required() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let engine = Engine::open_folder(&env.home, &env.backups).unwrap().with_secrets(Arc::new(NoSecret));
    let e = engine.backup(&env.db, &opts(true, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::PasswordRequired);
    // Unencrypted works without one.
    let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert!(engine.verify(&m.id, &job()).unwrap().ok);
}

#[test]
fn backup_not_found() {
    let env = Env::new();
    let e = env.engine().verify("backup_19990101_000000", &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BackupNotFound);
    assert!(e.message().contains("backup_19990101_000000"));
}

#[test]
fn unsupported_version() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let engine = env.engine();
    let m = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let path = file_of(&engine, &m);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[9] = 9; // format version 9
    std::fs::write(&path, &bytes).unwrap();
    let r = engine.verify(&m.id, &job()).unwrap();
    assert_eq!(r.code, Some(ErrorCode::UnsupportedVersion));
    let e = engine.restore(&m.id, &env.db, &like(&m), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedVersion);
    assert!(e.message().contains("version 9"), "{e}");
}

#[test]
fn integrity_failed() {
    let env = Env::new();
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("CREATE TABLE t (a, b); CREATE INDEX ti ON t(a); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t SELECT i, 1000 - i FROM n;").unwrap();
    // Make the index disagree with its table: a database SQLite reads but calls corrupt.
    c.execute_batch("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX ti ON t(b)' WHERE name = 'ti'; PRAGMA writable_schema = OFF;").unwrap();
    drop(c);
    let engine = env.engine();
    let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let r = engine.verify(&m.id, &job()).unwrap();
    assert_eq!(r.code, Some(ErrorCode::IntegrityFailed), "{r:#?}");
    let other = env.dir.path().join("other.db");
    let e = engine.restore(&m.id, &other, &like(&m), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IntegrityFailed);
    assert!(!other.exists());
}

#[test]
fn target_busy() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 50);
    let engine = env.engine().with_busy_timeout(Duration::from_millis(200));
    let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let holder = Connection::open(&env.db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE counter SET a = 7;").unwrap();
    let e = engine
        .restore(
            &m.id,
            &env.db,
            &RestoreOptions { verify_first: true, safety_backup: false, ..like(&m) },
            &job(),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TargetBusy, "{e}");
    holder.execute_batch("COMMIT").unwrap();
    let a: i64 = holder.query_row("SELECT a FROM counter", [], |r| r.get(0)).unwrap();
    assert_eq!(a, 7, "the holder's transaction went through; the restore changed nothing");
}

/// Starts a second operation on the folder while the first is running.
struct Reenter {
    home: keepsake_engine::Installation,
    env_backups: std::path::PathBuf,
    db: std::path::PathBuf,
    seen: std::sync::Mutex<Option<ErrorCode>>,
}

impl Progress for Reenter {
    fn update(&self, phase: Phase, _done: u64, _total: u64) {
        let mut seen = self.seen.lock().unwrap();
        if seen.is_none() && phase == Phase::Backup {
            let other = Engine::open_folder(&self.home, &self.env_backups).unwrap();
            let e = other.backup(&self.db, &opts(false, true), &job()).unwrap_err();
            *seen = Some(e.code());
            let e = other
                .cleanup(&keepsake_engine::RetentionPolicy { keep_last: Some(1), ..Default::default() })
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::Busy);
        }
    }
}

#[test]
fn busy_when_another_operation_runs() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 50);
    let probe = Arc::new(Reenter {
        home: env.home.clone(),
        env_backups: env.backups.clone(),
        db: env.db.clone(),
        seen: Default::default(),
    });
    let job = Job::new(probe.clone(), CancelToken::new());
    env.engine().backup(&env.db, &opts(false, true), &job).unwrap();
    assert_eq!(*probe.seen.lock().unwrap(), Some(ErrorCode::Busy));
    let hist = env.engine().history(None).unwrap();
    assert!(hist.iter().any(|r| r.status == keepsake_engine::RunStatus::Skipped), "{hist:#?}");
}

struct CancelAt(CancelToken, u64);

impl Progress for CancelAt {
    fn update(&self, _: Phase, done: u64, _: u64) {
        if done >= self.1 {
            self.0.cancel();
        }
    }
}

#[test]
fn cancelled_backup_leaves_nothing() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 6000);
    let cancel = CancelToken::new();
    let job = Job::new(Arc::new(CancelAt(cancel.clone(), 1)), cancel);
    let engine = env.engine();
    let e = engine.backup(&env.db, &opts(true, true), &job).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert!(backup_files(&env.backups).is_empty(), "{:?}", backup_files(&env.backups));
    assert!(engine.list(None).unwrap().is_empty());
    assert_eq!(engine.history(None).unwrap()[0].status, keepsake_engine::RunStatus::Cancelled);
}

#[test]
fn cancelled_restore_changes_nothing() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 6000);
    let engine = env.engine();
    let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db).unwrap().execute("DELETE FROM users", []).unwrap();
    let before = dump(&env.db);
    let cancel = CancelToken::new();
    let job = Job::new(Arc::new(CancelAt(cancel.clone(), 1)), cancel);
    let e = engine.restore(&m.id, &env.db, &like(&m), &job).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert_eq!(dump(&env.db), before);
}

#[test]
fn invalid_level() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 5);
    let e =
        env.engine().backup(&env.db, &BackupOptions { level: 12, ..opts(false, true) }, &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.message().contains("12"));
}

/// Runs `f` with a small tmpfs mounted at `dir` (root only).
fn with_tmpfs(dir: &std::path::Path, options: &str, f: impl FnOnce()) -> bool {
    if !is_root() {
        eprintln!("skipped: mounting a tmpfs needs root");
        return false;
    }
    std::fs::create_dir_all(dir).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("skipped: could not mount a tmpfs here");
        return false;
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::process::Command::new("umount").arg(dir).status();
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
    true
}

#[test]
fn destination_full() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 3000);
    let small = env.dir.path().join("small");
    with_tmpfs(&small, "size=256k", || {
        let engine = Engine::open_folder(&env.home, small.join("backups")).unwrap();
        let e = engine.backup(&env.db, &opts(false, false), &job()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DestinationFull, "{e}");
        assert!(
            backup_files(&small.join("backups")).is_empty(),
            "{:?}",
            backup_files(&small.join("backups"))
        );
        assert!(engine.list(None).unwrap().is_empty());
    });
}

#[test]
fn destination_read_only() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 50);
    let ro = env.dir.path().join("ro");
    // Prepare a backup folder, then make it read-only.
    Engine::open_folder(&env.home, &ro).unwrap();
    if is_root() {
        let mounted = std::process::Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(&ro)
            .arg(&ro)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
            && std::process::Command::new("mount")
                .args(["-o", "remount,bind,ro"])
                .arg(&ro)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
        if !mounted {
            eprintln!("skipped: could not make a read-only bind mount");
            let _ = std::process::Command::new("umount").arg(&ro).status();
            return;
        }
    } else {
        std::fs::set_permissions(&ro, std::os::unix::fs::PermissionsExt::from_mode(0o500)).unwrap();
    }
    let r = std::panic::catch_unwind(|| {
        let e = Engine::open_folder(&env.home, &ro)
            .and_then(|engine| engine.backup(&env.db, &opts(false, true), &job()))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::DestinationReadOnly, "{e}");
    });
    if is_root() {
        let _ = std::process::Command::new("umount").arg(&ro).status();
    } else {
        let _ = std::fs::set_permissions(&ro, std::os::unix::fs::PermissionsExt::from_mode(0o700));
    }
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
    assert!(backup_files(&ro).is_empty());
}

#[test]
fn a_lost_catalog_makes_the_backups_foreign_never_gone() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 50);
    let engine = env.engine();
    let a = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let b = engine.backup(&env.db, &opts(false, false), &job()).unwrap();
    drop(engine);
    // This installation's records are lost (a new computer, a wiped profile).
    std::fs::remove_dir_all(env.home.dir()).unwrap();
    let home = keepsake_engine::Installation::open(env.home.dir()).unwrap();
    let engine = Engine::open_folder(&home, &env.backups)
        .unwrap()
        .with_secrets(Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)));
    assert!(engine.list(None).unwrap().is_empty(), "nothing is recorded any more");
    let report = engine.rebuild_catalog().unwrap();
    assert!(report.sound.is_empty() && !report.has_damage());
    let mut foreign: Vec<_> = report.foreign.iter().map(|m| m.id.clone()).collect();
    foreign.sort();
    let mut ids = vec![a.id.clone(), b.id.clone()];
    ids.sort();
    assert_eq!(foreign, ids, "both are listed, as foreign");
    for m in &report.foreign {
        assert_eq!(m.origin, keepsake_engine::model::Origin::Foreign);
        assert_eq!(
            m.concern,
            Some(keepsake_engine::model::Concern::OtherInstallation),
            "the file names its maker"
        );
    }
    // Verifiable as they are; restorable after a confirmation.
    assert!(engine.verify(&a.id, &job()).unwrap().ok);
    assert!(engine.verify(&b.id, &job()).unwrap().ok);
    let out = env.dir.path().join("restored.db");
    let e = engine.restore(&a.id, &out, &like(&a), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfirmationRequired);
    assert_eq!(e.facts().reason, Some(Reason::Foreign));
    assert!(!out.exists());
    let confirmed = RestoreOptions { allow_foreign: true, ..RestoreOptions::default() };
    engine.restore(&a.id, &out, &confirmed, &job()).unwrap();
    assert_eq!(dump(&out), dump(&env.db));
}
