//! The engine against a backup folder it cannot trust, and on stores other than a folder. (The
//! black-box CLI suite, `crates/cli/tests/cli/trust.rs`, plays most of the planted files; these
//! are the cases that need the engine's own API: undo, decoding limits, the in-memory store.)
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use keepsake_engine::{Engine, ErrorCode, MemoryStore, RestoreOptions, StaticSecret};

/// A plain backup's bytes with its header changed by `edit` (header member rebuilt, CRC too).
fn forged(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let total = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize;
    let xlen = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let mut extra = &bytes[12..12 + xlen];
    let mut header = None;
    while extra.len() >= 4 {
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        if &extra[..2] == b"KH" {
            header = Some(serde_json::from_slice::<serde_json::Value>(&extra[4..4 + len]).unwrap());
        }
        extra = &extra[4 + len..];
    }
    let mut header = header.unwrap();
    edit(&mut header);
    let json = serde_json::to_vec(&header).unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(&json);
    let xlen = 8 + 4 + json.len() + 8;
    let mut out = vec![0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&(xlen as u16).to_le_bytes());
    out.extend_from_slice(b"KL\x04\x00");
    out.extend_from_slice(&((12 + xlen + 10) as u32).to_le_bytes());
    out.extend_from_slice(b"KH");
    out.extend_from_slice(&(json.len() as u16).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(b"KC\x04\x00");
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&[0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&bytes[total..]);
    out
}

/// A future-dated file whose header says `safety` and names the database is planted after a
/// restore: undo puts back the safety backup that restore recorded, not the planted one.
#[test]
fn undo_uses_the_safety_backup_its_restore_recorded_never_a_planted_one() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 200);
    let engine = env.engine();
    let old = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let set_names = |name: &str| {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        c.execute("UPDATE users SET name = ?1", [name]).unwrap();
    };
    // Another state of the database, to plant: made, copied, and its record deleted.
    set_names("planted");
    let other = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let bytes = std::fs::read(file_of(&engine, &other)).unwrap();
    engine.delete(&other.id).unwrap();

    set_names("just before the restore");
    let before_restore = dump(&env.db);
    let restored = engine.restore(&old.id, &env.db, &like(&old), &job()).unwrap();
    let safety = restored.safety_backup_id.clone().unwrap();

    // Planted after the restore: newer, typed `safety`, naming this database.
    let planted_id = "backup_20990101_000000_5afe5afe";
    let planted = forged(&bytes, |h| {
        h["id"] = planted_id.into();
        h["backup_type"] = "safety".into();
        h["created_at"] = "2099-01-01T00:00:00Z".into();
        h["source_path"] = env.db.to_string_lossy().into_owned().into();
    });
    std::fs::write(env.backups.join(format!("{planted_id}.db.gz")), planted).unwrap();
    assert!(engine.scan().unwrap().foreign.iter().any(|f| f.id == planted_id), "listed, as foreign");

    assert_eq!(engine.newest_safety_backup(&env.db).unwrap().id, safety);
    let undone = engine.undo_restore(&env.db, true, &job()).unwrap();
    assert_eq!(undone.backup_id, safety);
    assert_eq!(dump(&env.db), before_restore, "back to just before the restore, not the planted state");
}

/// A plain backup that claims a 20 GiB database is refused before anything is written when the
/// disk cannot hold it (here a 64 MiB file system holds the installation's scratch space).
#[test]
fn a_backup_claiming_more_than_the_disk_holds_is_refused_before_writing() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 200);
    let small = env.dir.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&small)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let r = std::panic::catch_unwind(|| {
        let home = keepsake_engine::Installation::open(small.join("home")).unwrap();
        let engine = Engine::open_folder(&home, &env.backups)
            .unwrap()
            .with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
        let m = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
        let bytes = std::fs::read(file_of(&engine, &m)).unwrap();
        let pages: u64 = 20 << 18; // 20 GiB of 4 KiB pages
        let planted = forged(&bytes, |h| {
            h["id"] = "backup_20260101_000000_b16b16b1".into();
            h["original_size"] = (pages * 4096).into();
            h["schema"]["page_count"] = pages.into();
        });
        std::fs::write(env.backups.join("backup_20260101_000000_b16b16b1.db.gz"), planted).unwrap();
        let report = engine.verify("backup_20260101_000000_b16b16b1", &job());
        let e = report.unwrap_err();
        assert_eq!(e.code(), ErrorCode::DestinationFull, "{e}");
        assert_eq!(e.facts().needed_bytes, Some(pages * 4096));
        let scratch: Vec<_> = std::fs::read_dir(small.join("home/scratch")).unwrap().flatten().collect();
        assert!(scratch.is_empty(), "nothing left in the scratch space");
    });
    let _ = std::process::Command::new("umount").arg(&small).status();
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}

/// The whole engine on the in-memory store: the Store seam carries every verb.
#[test]
fn the_engine_works_on_an_in_memory_store() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 300);
    let store = MemoryStore::new("tests");
    let engine = Engine::open(&env.home, Arc::new(store.clone()))
        .unwrap()
        .with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let a = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let b = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    assert!(store.get(&a.file_name).is_some() && store.get(&b.file_name).is_some());
    assert!(engine.verify(&a.id, &job()).unwrap().ok);
    let out = env.dir.path().join("from-memory.db");
    engine.restore(&a.id, &out, &like(&a), &job()).unwrap();
    assert_eq!(dump(&out), dump(&env.db));
    // A changed object fails verification: the recorded SHA-256 decides.
    let mut bytes = store.get(&b.file_name).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    store.insert(&b.file_name, bytes);
    assert!(!engine.verify(&b.id, &job()).unwrap().ok);
    engine.delete(&b.id).unwrap();
    assert!(store.get(&b.file_name).is_none());
    assert_eq!(engine.list(None).unwrap().len(), 1);
}

/// A store that fills up mid-backup: the backup fails as a full disk, and nothing is listed or
/// left behind.
#[test]
fn a_full_store_fails_the_backup_and_keeps_nothing() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 3000);
    let store = MemoryStore::with_capacity("small", 64 << 10);
    let engine = Engine::open(&env.home, Arc::new(store.clone())).unwrap();
    let e = engine.backup(&env.db, &opts(false, false), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DestinationFull, "{e}");
    assert!(engine.list(None).unwrap().is_empty());
    assert!(keepsake_engine::Store::list(&store).unwrap().is_empty());
    let _ = RestoreOptions::default();
}
