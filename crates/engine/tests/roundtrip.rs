//! Round trips: backup, verify, restore, and the database comes back identical.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use keepsake_engine::VerificationStatus;

fn round_trip(wal: bool, page_size: u32, rows: usize, encrypt: bool, compress: bool) {
    let env = Env::new();
    make_db(&env.db, wal, page_size, rows);
    let before = dump(&env.db);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(encrypt, compress), &job()).unwrap();
    assert_eq!(meta.encrypted, encrypt);
    assert_eq!(meta.compressed, compress);
    assert_eq!(meta.schema.page_size, page_size);
    assert_eq!(meta.schema.user_version, 42);
    assert_eq!(meta.row_counts["users"], rows as u64);
    let file = file_of(&engine, &meta);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "backup files are readable by the owner only");

    let report = engine.verify(&meta.id, &job()).unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(engine.get(&meta.id).unwrap().verification, VerificationStatus::Passed);

    // Restore to another path: identical, and the live database is left alone.
    let other = env.dir.path().join("restored.db");
    let out = engine.restore(&meta.id, &other, &like(&meta), &job()).unwrap();
    assert!(out.safety_backup_id.is_none(), "nothing existed at the other path");
    assert_eq!(dump(&other), before);
    assert!(integrity_ok(&other));

    // Change the live database, restore over it: back to the backup, with a safety backup.
    rusqlite::Connection::open(&env.db).unwrap().execute("DELETE FROM users WHERE id % 2 = 0", []).unwrap();
    assert_ne!(dump(&env.db), before);
    let out = engine.restore(&meta.id, &env.db, &like(&meta), &job()).unwrap();
    assert_eq!(dump(&env.db), before);
    let safety = engine.get(out.safety_backup_id.as_deref().unwrap()).unwrap();
    assert_eq!(safety.backup_type, keepsake_engine::BackupType::Safety);
    assert!(safety.row_counts["users"] < rows as u64 || rows < 2);
}

#[test]
fn wal_4096_encrypted_compressed() {
    round_trip(true, 4096, 300, true, true);
}

#[test]
fn rollback_4096_encrypted_compressed() {
    round_trip(false, 4096, 300, true, true);
}

#[test]
fn wal_1024_plain() {
    round_trip(true, 1024, 200, false, false);
}

#[test]
fn rollback_65536_compressed_only() {
    round_trip(false, 65536, 200, false, true);
}

#[test]
fn wal_65536_encrypted_uncompressed() {
    round_trip(true, 65536, 200, true, false);
}

#[test]
fn rollback_1024_encrypted() {
    round_trip(false, 1024, 100, true, true);
}

#[test]
fn large_enough_for_many_blocks_and_chunks() {
    round_trip(true, 4096, 6000, true, true);
}

#[test]
fn empty_database_file() {
    let env = Env::new();
    std::fs::File::create(&env.db).unwrap();
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    assert_eq!(meta.original_size, 0);
    assert!(engine.verify(&meta.id, &job()).unwrap().ok);
    let other = env.dir.path().join("r.db");
    engine.restore(&meta.id, &other, &like(&meta), &job()).unwrap();
    assert_eq!(dump(&other), dump(&env.db));
}

#[test]
fn empty_schema_database() {
    let env = Env::new();
    rusqlite::Connection::open(&env.db).unwrap().execute_batch("PRAGMA user_version = 3; VACUUM;").unwrap();
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let other = env.dir.path().join("r.db");
    engine.restore(&meta.id, &other, &like(&meta), &job()).unwrap();
    assert_eq!(dump(&other), dump(&env.db));
}

#[test]
fn plain_compressed_backup_opens_with_gunzip() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 500);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert!(meta.file_name.ends_with(".db.gz"));
    let out = env.dir.path().join("gunzipped.db");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -dc '{}' > '{}'", file_of(&engine, &meta).display(), out.display()))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(dump(&out), dump(&env.db));
}

#[test]
fn restore_over_a_database_with_another_page_size() {
    let env = Env::new();
    make_db(&env.db, true, 1024, 100);
    let before = dump(&env.db);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    std::fs::remove_file(&env.db).unwrap();
    let _ = std::fs::remove_file(env.db.with_extension("db-wal"));
    let _ = std::fs::remove_file(env.db.with_extension("db-shm"));
    make_db(&env.db, true, 8192, 10);
    engine.restore(&meta.id, &env.db, &like(&meta), &job()).unwrap();
    assert_eq!(dump(&env.db), before);
    assert!(integrity_ok(&env.db));
}

#[test]
fn two_backups_in_one_second_get_distinct_ids() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let at =
        chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&chrono::Utc);
    let engine = env.engine().with_clock(std::sync::Arc::new(keepsake_engine::FixedClock(at)));
    let a = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let b = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert_ne!(a.id, b.id);
    for m in [&a, &b] {
        assert!(m.id.starts_with("backup_20260102_030405_"), "{}", m.id);
        assert!(keepsake_engine::names::is_valid_id(&m.id));
    }
    let mut listed: Vec<String> = engine.list(None).unwrap().into_iter().map(|m| m.id).collect();
    let mut made = vec![a.id.clone(), b.id.clone()];
    listed.sort();
    made.sort();
    assert_eq!(listed, made);
}

#[test]
fn metadata_is_complete() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 50);
    let engine = env.engine();
    let o = keepsake_engine::BackupOptions {
        description: Some("before upgrade".into()),
        tags: vec!["x".into(), "y".into()],
        backup_type: keepsake_engine::BackupType::Auto,
        ..opts(true, true)
    };
    let m = engine.backup(&env.db, &o, &job()).unwrap();
    assert!(m.id.starts_with("backup_"));
    assert_eq!(m.description.as_deref(), Some("before upgrade"));
    assert_eq!(m.tags, ["x", "y"]);
    assert_eq!(m.backup_type, keepsake_engine::BackupType::Auto);
    assert_eq!(m.schema.journal_mode, "wal");
    assert_eq!(m.sha256.len(), 64);
    assert!(m.stored_size > 0 && m.original_size > 0);
    assert_eq!(m.encryption.as_ref().unwrap().iterations, 600_000);
    assert_eq!(m.row_counts["kv"], 51);
    assert_eq!(m.source_path, env.db);
    assert_eq!(engine.get(&m.id).unwrap(), m);
}

#[test]
fn restore_while_another_connection_has_the_database_open() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 300);
    let before = dump(&env.db);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    // Another program keeps the database open (idle, between transactions) and has changed it.
    let other = rusqlite::Connection::open(&env.db).unwrap();
    other.execute("DELETE FROM users", []).unwrap();
    engine.restore(&meta.id, &env.db, &like(&meta), &job()).unwrap();
    // Through SQLite's locking, that program sees the restored database, not a stale file.
    let n: i64 = other.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 300);
    drop(other);
    assert_eq!(dump(&env.db), before);
    assert!(integrity_ok(&env.db));
}

#[test]
fn stale_wal_beside_a_missing_database_is_never_applied() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 100);
    let before = dump(&env.db);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    // A WAL full of committed but uncheckpointed changes, left behind by a database that is gone.
    let c = rusqlite::Connection::open(&env.db).unwrap();
    c.execute_batch("PRAGMA wal_autocheckpoint = 0; DELETE FROM users; DELETE FROM kv;").unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", env.db.display()));
    let saved = std::fs::read(&wal).unwrap();
    assert!(saved.len() > 32, "the WAL holds frames");
    drop(c);
    std::fs::remove_file(&env.db).unwrap();
    std::fs::write(&wal, &saved).unwrap();
    engine.restore(&meta.id, &env.db, &like(&meta), &job()).unwrap();
    assert_eq!(dump(&env.db), before, "the stale WAL was not replayed onto the restored database");
    assert!(integrity_ok(&env.db));
    assert!(
        std::path::Path::new(&format!("{}-wal.keepsake-stale", env.db.display())).exists(),
        "moved aside, not deleted"
    );
}

/// A verification killed mid-way leaves its scratch copy (in the installation's private
/// folder, never in the backup folder); the next backup clears it once it is an hour old, and
/// leaves a fresh one (maybe another process's) alone.
#[test]
fn a_crashed_verifications_scratch_copy_is_cleared() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 50);
    let engine = env.engine();
    engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let old = env.home.dir().join("scratch/verify-old");
    let fresh = env.home.dir().join("scratch/verify-fresh");
    for d in [&old, &fresh] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join("check.db"), vec![0u8; 4096]).unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::open(&old).unwrap().set_modified(two_hours_ago).unwrap();
    engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert!(!old.exists(), "the stale scratch copy is gone");
    assert!(fresh.join("check.db").exists(), "a recent one is left alone");
}
