//! The format from outside: the golden backups of format version 1 still verify and restore,
//! and the reference reader written from docs/FORMAT.md (Python, `cryptography` + `gzip`)
//! decrypts what the engine writes.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use keepsake_engine::{Engine, RestoreOptions};

/// The password of each generation of golden backups.
fn golden_password(version: u16) -> String {
    format!("keepsake golden v{version}")
}

fn fixtures(version: u16) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/golden-v{version}"))
}

/// Makes the golden backups of the current format again (run by hand: `cargo test -p
/// keepsake-engine --test format -- --ignored make_golden`). Older generations are never
/// rewritten: they are what older Keepsakes wrote.
#[test]
#[ignore = "writes the committed fixtures"]
fn make_golden() {
    let version = keepsake_engine::format::FORMAT_VERSION;
    let dir = fixtures(version);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("source.db");
    make_db(&db, false, 1024, 40);
    let home = keepsake_engine::Installation::open(dir.join("home")).unwrap();
    // Version 3: the first backups under an older password, then a recovery kit, then the
    // password changed to the golden one; the recovery key is committed beside them.
    let before = format!("{} before", golden_password(version));
    let engine = Engine::open_folder(&home, dir.join("backups"))
        .unwrap()
        .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(before)));
    let o = keepsake_engine::BackupOptions { description: Some("golden plain".into()), ..opts(false, true) };
    let plain = engine.backup(&db, &o, &job()).unwrap();
    // The database each backup holds, then a chain: an encrypted full backup and two
    // increments, across the kit and the password change.
    std::fs::create_dir_all(dir.join("expected")).unwrap();
    std::fs::copy(&db, dir.join("expected").join(format!("{}.db", plain.id))).unwrap();
    let mut engine = engine;
    for round in 0..3 {
        if round > 0 {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute(
                "UPDATE users SET name = ?1 WHERE id % 5 = ?2",
                rusqlite::params![format!("golden {round}"), round],
            )
            .unwrap();
        }
        if round == 1 {
            let rk = keepsake_engine::format::vault::RecoveryKey::generate().unwrap();
            engine.adopt_recovery_key(&rk, &job()).unwrap();
            std::fs::write(dir.join("recovery-key.txt"), format!("{}\n", &*rk.display())).unwrap();
            engine
                .change_password(&keepsake_engine::Password::new(golden_password(version)), &job())
                .unwrap();
            engine = Engine::open_folder(&home, dir.join("backups")).unwrap().with_secrets(
                std::sync::Arc::new(keepsake_engine::StaticSecret::new(golden_password(version))),
            );
        }
        let o = keepsake_engine::BackupOptions {
            description: Some(format!("golden chain {round}")),
            incremental: Some(true),
            ..opts(true, true)
        };
        let m = engine.backup(&db, &o, &job()).unwrap();
        assert_eq!(m.kind == keepsake_engine::model::BackupKind::Increment, round > 0);
        std::fs::copy(&db, dir.join("expected").join(format!("{}.db", m.id))).unwrap();
    }
    drop(engine);
    // Only the backup files are committed.
    std::fs::remove_dir_all(dir.join("home")).unwrap();
}

/// The database a golden backup holds: `expected/<id>.db`, else `source.db`.
fn expected_db(version: u16, id: &str) -> PathBuf {
    let specific = fixtures(version).join("expected").join(format!("{id}.db"));
    if specific.exists() { specific } else { fixtures(version).join("source.db") }
}

/// Every generation of golden backups still verifies and restores: copied into a folder, they
/// are foreign (nothing here recorded them), restorable after a confirmation.
#[test]
fn golden_backups_of_every_version_still_verify_and_restore() {
    for version in 1..=keepsake_engine::format::FORMAT_VERSION {
        let env = Env::new();
        std::fs::create_dir_all(&env.backups).unwrap();
        let mut n = 0;
        for f in std::fs::read_dir(fixtures(version).join("backups")).unwrap().flatten() {
            std::fs::copy(f.path(), env.backups.join(f.file_name())).unwrap();
            // Version 3 has key files beside the backups.
            n += usize::from(f.file_name().to_string_lossy().starts_with("backup_"));
        }
        assert!(n >= 2, "golden backups of version {version} are committed");
        let engine = env.engine_with(&golden_password(version));
        assert!(engine.list(None).unwrap().is_empty());
        let all = engine.scan().unwrap().foreign;
        assert_eq!(all.len(), n, "version {version}");
        for m in all {
            let expected = dump(&expected_db(version, &m.id));
            assert_eq!(m.format_version, version);
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
}

/// The reference reader (written from FORMAT.md) reads every golden backup too.
#[test]
fn reference_reader_reads_the_golden_backups() {
    if !python_has_cryptography() {
        eprintln!("skipped: python3 with the cryptography package is not installed (make test installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for version in 1..=keepsake_engine::format::FORMAT_VERSION {
        let files: Vec<PathBuf> = std::fs::read_dir(fixtures(version).join("backups"))
            .unwrap()
            .flatten()
            .map(|f| f.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("backup_"))
            .collect();
        for f in &files {
            let id = f.file_name().unwrap().to_string_lossy().split('.').next().unwrap().to_owned();
            let out = dir.path().join(format!("{id}.db"));
            // Each file first, then every other file: the reader takes the chain it needs.
            let mut cmd = Command::new("python3");
            cmd.arg(script()).arg(f);
            for other in files.iter().filter(|o| *o != f) {
                cmd.arg(other);
            }
            let st = cmd.arg(&out).env("KEEPSAKE_PASSWORD", golden_password(version)).output().unwrap();
            assert!(st.status.success(), "{}: {}", f.display(), String::from_utf8_lossy(&st.stderr));
            assert_eq!(dump(&out), dump(&expected_db(version, &id)), "{}", f.display());
            // Version 3 opens with the recovery key alone too.
            if version >= 3 {
                let key = std::fs::read_to_string(fixtures(version).join("recovery-key.txt")).unwrap();
                let mut cmd = Command::new("python3");
                cmd.arg(script()).arg(f);
                for other in files.iter().filter(|o| *o != f) {
                    cmd.arg(other);
                }
                let _ = std::fs::remove_file(&out);
                let st = cmd.arg(&out).env("KEEPSAKE_RECOVERY_KEY", key.trim()).output().unwrap();
                assert!(st.status.success(), "{}: {}", f.display(), String::from_utf8_lossy(&st.stderr));
                assert_eq!(dump(&out), dump(&expected_db(version, &id)), "{}", f.display());
            }
        }
    }
}

/// Two data members of a plain backup swapped (each still a valid gzip member): the engine and
/// the reference reader both say so, without relying on SQLite to notice.
#[test]
fn swapped_members_of_a_plain_backup_are_caught_by_the_format_alone() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 6000);
    let engine = env.engine();
    let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let path = file_of(&engine, &m);
    let bytes = std::fs::read(&path).unwrap();
    // Split by each member's KL length.
    let mut members = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
        members.push(bytes[at..at + len].to_vec());
        at += len;
    }
    assert!(members.len() >= 4, "at least two data members: {}", members.len());
    members.swap(1, 2);
    let swapped: Vec<u8> = members.concat();
    assert_eq!(swapped.len(), bytes.len());
    let planted = env.dir.path().join("planted");
    std::fs::create_dir_all(&planted).unwrap();
    let file = planted.join(&m.file_name);
    std::fs::write(&file, &swapped).unwrap();
    let store = keepsake_engine::LocalFolder::new(&planted).unwrap();
    let e = keepsake_engine::format::read_backup(
        &store,
        &m.file_name,
        &keepsake_engine::NoSecret,
        &mut std::io::sink(),
    )
    .unwrap_err();
    assert_eq!(e.code(), keepsake_engine::ErrorCode::BackupDamaged);
    assert!(e.message().contains("out of order"), "{e}");
    if python_has_cryptography() {
        let st = Command::new("python3")
            .arg(script())
            .arg(&file)
            .arg(env.dir.path().join("x.db"))
            .output()
            .unwrap();
        assert!(!st.status.success());
        assert!(
            String::from_utf8_lossy(&st.stderr).contains("out of order"),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/keepsake_decrypt.py")
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
    let script = script();
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
