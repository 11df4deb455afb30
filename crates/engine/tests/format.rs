//! The format from outside: the golden backups of format version 1 still verify and restore,
//! and the reference reader written from docs/FORMAT.md (Python, `cryptography` + `gzip`)
//! decrypts what the engine writes.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use keepsake_engine::{Engine, RestoreOptions};

const GOLDEN_PASSWORD: &str = "keepsake golden v1";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden-v1")
}

/// Makes the golden backups again (run by hand: `cargo test -p keepsake-engine --test format -- --ignored make_golden`).
#[test]
#[ignore = "writes the committed fixtures"]
fn make_golden() {
    let dir = fixtures();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("source.db");
    make_db(&db, false, 1024, 40);
    let home = keepsake_engine::Installation::open(dir.join("home")).unwrap();
    let engine = Engine::open_folder(&home, dir.join("backups"))
        .unwrap()
        .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(GOLDEN_PASSWORD)));
    engine
        .backup(
            &db,
            &keepsake_engine::BackupOptions {
                description: Some("golden encrypted".into()),
                ..opts(true, true)
            },
            &job(),
        )
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    engine
        .backup(
            &db,
            &keepsake_engine::BackupOptions { description: Some("golden plain".into()), ..opts(false, true) },
            &job(),
        )
        .unwrap();
    drop(engine);
    // Only the backup files are committed: the catalog is rebuilt from them.
    for f in std::fs::read_dir(dir.join("backups")).unwrap().flatten() {
        let n = f.file_name().to_string_lossy().into_owned();
        if !n.starts_with("backup_") {
            let _ = std::fs::remove_file(f.path());
        }
    }
}

#[test]
fn golden_v1_backups_still_verify_and_restore() {
    let env = Env::new();
    std::fs::create_dir_all(&env.backups).unwrap();
    let mut n = 0;
    for f in std::fs::read_dir(fixtures().join("backups")).unwrap().flatten() {
        std::fs::copy(f.path(), env.backups.join(f.file_name())).unwrap();
        n += 1;
    }
    assert_eq!(n, 2, "two golden backups are committed");
    let engine = env.engine_with(GOLDEN_PASSWORD);
    // Copied in by hand: listed as foreign (nothing here recorded them), never as this
    // installation's own.
    assert!(engine.list(None).unwrap().is_empty());
    let all = engine.scan().unwrap().foreign;
    assert_eq!(all.len(), 2);
    let expected = dump(&fixtures().join("source.db"));
    for m in all {
        assert_eq!(m.format_version, 1);
        assert!(engine.verify(&m.id, &job()).unwrap().ok, "{}", m.id);
        let out = env.dir.path().join(format!("{}.db", m.id));
        let e = engine.restore(&m.id, &out, &RestoreOptions::default(), &job()).unwrap_err();
        assert_eq!(e.code(), keepsake_engine::ErrorCode::ConfirmationRequired);
        let confirmed =
            RestoreOptions { allow_foreign: true, allow_unencrypted: true, ..RestoreOptions::default() };
        engine.restore(&m.id, &out, &confirmed, &job()).unwrap();
        assert_eq!(dump(&out), expected);
    }
}

fn python_has_cryptography() -> bool {
    Command::new("python3").args(["-c", "import cryptography"]).status().map(|s| s.success()).unwrap_or(false)
}

#[test]
fn reference_reader_decrypts_what_the_engine_writes() {
    if !python_has_cryptography() {
        eprintln!("skipped: python3 with the cryptography package is not installed (make test installs it)");
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/keepsake_decrypt.py");
    let env = Env::new();
    make_db(&env.db, true, 4096, 4000);
    let engine = env.engine();
    for (encrypt, compress) in [(true, true), (true, false), (false, true), (false, false)] {
        let m = engine.backup(&env.db, &opts(encrypt, compress), &job()).unwrap();
        let out = env.dir.path().join(format!("py-{}.db", m.id));
        let st = Command::new("python3")
            .arg(&script)
            .arg(file_of(&engine, &m))
            .arg(&out)
            .env("KEEPSAKE_PASSWORD", PASSWORD)
            .status()
            .unwrap();
        assert!(st.success(), "reference reader failed on encrypt={encrypt} compress={compress}");
        assert_eq!(dump(&out), dump(&env.db));
    }
}

#[test]
fn single_threaded_reader_agrees_with_the_engine() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 500);
    let engine = env.engine();
    let m = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let mut image = Vec::new();
    let secret = keepsake_engine::StaticSecret::new(PASSWORD);
    let h = keepsake_engine::format::read_backup(engine.store().as_ref(), &m.file_name, &secret, &mut image)
        .unwrap();
    assert_eq!(h.id, m.id);
    assert_eq!(image, std::fs::read(&env.db).unwrap(), "a rollback-mode database's image is its file");
}
