//! Damaged, truncated and tampered backups, and wrong passwords: verify fails with the right
//! code, restore refuses, and the live database is unchanged.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use keepsake_engine::{BackupMetadata, Engine, ErrorCode, RestoreOptions};

/// A database big enough for several gzip members and encryption chunks even compressed:
/// noisy blobs compress poorly.
fn make_noisy_db(env: &Env) {
    make_db(&env.db, true, 4096, 50);
    let c = rusqlite::Connection::open(&env.db).unwrap();
    c.execute_batch("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)").unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..24 {
        let data: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        c.execute("INSERT INTO blobs VALUES (?1, ?2)", rusqlite::params![i, data]).unwrap();
    }
}

fn setup(encrypt: bool) -> (Env, Engine, BackupMetadata, Vec<u8>) {
    let env = Env::new();
    make_noisy_db(&env);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(encrypt, true), &job()).unwrap();
    let bytes = std::fs::read(file_of(&engine, &meta)).unwrap();
    (env, engine, meta, bytes)
}

/// Writes `bytes` as the backup's file, then checks verify and restore.
fn expect_failure(
    env: &Env,
    engine: &Engine,
    meta: &BackupMetadata,
    bytes: &[u8],
    allowed: &[ErrorCode],
    what: &str,
) {
    std::fs::write(file_of(engine, meta), bytes).unwrap();
    let report = engine.verify(&meta.id, &job()).unwrap();
    assert!(!report.ok, "{what}: verify passed");
    let code = report.code.unwrap();
    assert!(allowed.contains(&code), "{what}: got {code}, expected one of {allowed:?}\n{report:#?}");

    let before = dump(&env.db);
    let ro = RestoreOptions { source_encrypts: meta.encrypted, ..RestoreOptions::default() };
    let err = engine.restore(&meta.id, &env.db, &ro, &job()).unwrap_err();
    assert_eq!(err.code(), code, "{what}: restore error {err}");
    assert_eq!(dump(&env.db), before, "{what}: live database changed");
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("keepsake-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{what}: temporary restore file left behind");
    assert_eq!(engine.list(None).unwrap().len(), 1, "{what}: nothing new is listed");
}

fn positions(len: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..20).map(|i| i * len / 20).collect();
    p.extend([0, 1, 5, 9, 13, 20, 100, len / 2, len - 17, len - 16, len - 9, len - 1]);
    p.sort();
    p.dedup();
    p
}

fn flips(encrypt: bool) {
    let (env, engine, meta, bytes) = setup(encrypt);
    assert!(bytes.len() > 3 << 20, "want several chunks, got {}", bytes.len());
    for pos in positions(bytes.len()) {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x5a;
        // The version bytes of the container: a flip there is indistinguishable from a newer format.
        let allowed: &[ErrorCode] = if encrypt && (8..10).contains(&pos) {
            &[ErrorCode::BackupDamaged, ErrorCode::UnsupportedVersion]
        } else {
            &[ErrorCode::BackupDamaged]
        };
        expect_failure(&env, &engine, &meta, &bad, allowed, &format!("flip at {pos}"));
    }
}

#[test]
fn flipped_bytes_encrypted() {
    flips(true);
}

#[test]
fn flipped_bytes_plain_gzip() {
    flips(false);
}

fn truncations(encrypt: bool) {
    let (env, engine, meta, bytes) = setup(encrypt);
    for cut in positions(bytes.len()) {
        expect_failure(
            &env,
            &engine,
            &meta,
            &bytes[..cut],
            &[ErrorCode::BackupTruncated],
            &format!("cut at {cut}"),
        );
    }
}

#[test]
fn truncated_encrypted() {
    truncations(true);
}

#[test]
fn truncated_plain_gzip() {
    truncations(false);
}

#[test]
fn swapped_chunks_are_detected() {
    let (env, engine, meta, bytes) = setup(true);
    let header_len = 14 + u32::from_be_bytes(bytes[10..14].try_into().unwrap()) as usize + 4;
    let chunk = (1 << 20) + 16;
    assert!(bytes.len() > header_len + 3 * chunk);
    let mut bad = bytes.clone();
    let (a, b) = (header_len, header_len + chunk);
    let first: Vec<u8> = bad[a..a + chunk].to_vec();
    bad.copy_within(b..b + chunk, a);
    bad[b..b + chunk].copy_from_slice(&first);
    expect_failure(&env, &engine, &meta, &bad, &[ErrorCode::BackupDamaged], "swapped chunks");
    // A chunk dropped from the middle.
    let mut dropped = bytes[..a].to_vec();
    dropped.extend_from_slice(&bytes[b..]);
    std::fs::write(file_of(&engine, &meta), &dropped).unwrap();
    let report = engine.verify(&meta.id, &job()).unwrap();
    assert!(!report.ok);
    assert!(matches!(report.code, Some(ErrorCode::BackupDamaged | ErrorCode::BackupTruncated)));
}

#[test]
fn wrong_password_is_reported_as_such_and_changes_nothing() {
    let (env, _engine, meta, _) = setup(true);
    let wrong = env.engine_with("not the password");
    let err = wrong.verify(&meta.id, &job()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongPassword);
    assert!(err.message().contains(&meta.file_name), "{}", err.message());
    let before = dump(&env.db);
    let files_before = std::fs::read_dir(env.dir.path()).unwrap().count();
    let err = wrong.restore(&meta.id, &env.db, &like(&meta), &job()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongPassword);
    assert_eq!(dump(&env.db), before);
    assert_eq!(std::fs::read_dir(env.dir.path()).unwrap().count(), files_before, "nothing written anywhere");
    let err = wrong.decrypt_to(&meta.id, &env.dir.path().join("plain.db"), &job()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongPassword);
    assert!(!env.dir.path().join("plain.db").exists());
    // The backup itself is fine: a wrong password does not mark it failed.
    assert!(env.engine().verify(&meta.id, &job()).unwrap().ok);
}

#[test]
fn report_names_each_check() {
    let (env, engine, meta, bytes) = setup(true);
    let report = engine.verify(&meta.id, &job()).unwrap();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["exists", "checksum", "decrypt", "decompress", "integrity"]);
    assert!(report.checks.iter().all(|c| c.status == keepsake_engine::CheckStatus::Passed), "{report:#?}");
    let mut bad = bytes.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    std::fs::write(file_of(&engine, &meta), &bad).unwrap();
    let report = engine.verify(&meta.id, &job()).unwrap();
    let status = |n: &str| report.checks.iter().find(|c| c.name == n).unwrap().status;
    use keepsake_engine::CheckStatus::*;
    assert_eq!(status("checksum"), Failed);
    assert_eq!(status("decrypt"), Failed);
    assert_eq!(status("integrity"), Skipped);
    assert_eq!(engine.get(&meta.id).unwrap().verification, keepsake_engine::VerificationStatus::Failed);
    drop(env);
}

#[test]
fn missing_backup_file() {
    let (env, engine, meta, _) = setup(false);
    std::fs::remove_file(file_of(&engine, &meta)).unwrap();
    let report = engine.verify(&meta.id, &job()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.checks[0].name, "exists");
    assert_eq!(report.checks[0].status, keepsake_engine::CheckStatus::Failed);
    drop(env);
}
