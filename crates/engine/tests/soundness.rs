//! Every backup knows whether the database it holds is sound (SQLite's check of the snapshot it
//! stores, made while the backup is written), not only verified ones: on real databases whose
//! pages were damaged, in rollback-journal and WAL mode, full backups and increments; the
//! damage alert pins the newest backup known sound; retention keeps it.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use common::*;
use keepsake_engine::model::{BackupKind, Soundness, VerificationStatus};
use keepsake_engine::{AlertKind, BackupOptions, RetentionPolicy};
use rusqlite::Connection;

/// Overwrites the cells of one leaf page of the `users` table (its rightmost one) with a fixed
/// pattern, as a failing disk or a stray write would: the page's header stays, so SQLite still
/// opens the database and counts its rows (the backup is made), but `PRAGMA quick_check`
/// finds cells that no longer line up.
fn damage_pages(db: &Path) {
    let (page_size, root): (u64, u64) = {
        let c = Connection::open(db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        (
            c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
            c.query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'users'", [], |r| r.get(0)).unwrap(),
        )
    };
    let bytes = std::fs::read(db).unwrap();
    let page = |n: u64| &bytes[((n - 1) * page_size) as usize..(n * page_size) as usize];
    let mut n = root;
    // 0x05: an interior page of a table; its rightmost child is at bytes 8..12.
    while page(n)[0] == 0x05 {
        n = u64::from(u32::from_be_bytes(page(n)[8..12].try_into().unwrap()));
    }
    assert_eq!(page(n)[0], 0x0D, "a leaf page of the table");
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start(n * page_size - 600)).unwrap();
    f.write_all(&[0xA5; 600]).unwrap();
    f.sync_all().unwrap();
    assert!(!quick_check_ok(db), "the damage is one SQLite's check sees");
}

fn quick_check_ok(db: &Path) -> bool {
    let c = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let lines: rusqlite::Result<Vec<String>> =
        c.prepare("PRAGMA quick_check").and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    matches!(lines.as_deref(), Ok([ok]) if ok == "ok")
}

fn plain() -> BackupOptions {
    BackupOptions { incremental: Some(false), ..opts(false, true) }
}

fn damaged_database_without_verification(wal: bool) {
    let env = Env::new();
    make_db(&env.db, wal, 4096, 400);
    let e = env.engine();
    let first = e.backup(&env.db, &plain(), &job()).unwrap();
    let second = e.backup(&env.db, &plain(), &job()).unwrap();
    for b in [&first, &second] {
        assert_eq!(b.verification, VerificationStatus::Unverified);
        assert_eq!((b.source_integrity, b.soundness), (Some(true), Soundness::Sound), "{}", b.id);
    }
    damage_pages(&env.db);
    let damaged = e.backup(&env.db, &plain(), &job()).unwrap();
    assert_eq!(damaged.verification, VerificationStatus::Unverified, "not verified");
    assert_eq!((damaged.source_integrity, damaged.soundness), (Some(false), Soundness::Damaged));

    // The damage alert, pinning the newest backup known sound from before.
    let alerts = e.alerts_of(&damaged.id).unwrap();
    let kinds: Vec<_> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AlertKind::IntegrityFailed]);
    assert_eq!(alerts[0].pinned.as_deref(), Some(second.id.as_str()));
    let listed: Vec<_> =
        e.list(None).unwrap().into_iter().map(|b| (b.id, b.soundness, b.pinned.is_some())).collect();
    assert_eq!(
        listed,
        vec![
            (damaged.id.clone(), Soundness::Damaged, false),
            (second.id.clone(), Soundness::Sound, true),
            (first.id.clone(), Soundness::Sound, false),
        ]
    );

    // Keeping 1 deletes nothing while the database is damaged; the sound one is kept for two
    // reasons of its own.
    let keep_1 = RetentionPolicy { keep_last: Some(1), ..RetentionPolicy::default() };
    let plan = e.cleanup(&keep_1).unwrap();
    assert!(plan.delete.is_empty(), "{plan:?}");
    let kept = plan.keep.iter().find(|k| k.id == second.id).unwrap();
    for why in ["pinned", "newest backup known sound"] {
        assert!(kept.reasons.iter().any(|r| r == why), "{:?}", kept.reasons);
    }
    // A verification agrees, and raises no second alert.
    let report = e.verify(&damaged.id, &job()).unwrap();
    assert!(!report.ok);
    assert_eq!(e.alerts(false).unwrap().len(), 1);
}

#[test]
fn a_damaged_database_is_known_without_verification_rollback_journal() {
    damaged_database_without_verification(false);
}

#[test]
fn a_damaged_database_is_known_without_verification_wal() {
    damaged_database_without_verification(true);
}

#[test]
fn an_increment_knows_the_soundness_of_the_database_it_restores_to() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 400);
    let e = env.engine();
    let inc = BackupOptions { incremental: Some(true), ..opts(false, true) };
    let full = e.backup(&env.db, &inc, &job()).unwrap();
    Connection::open(&env.db).unwrap().execute("UPDATE users SET born = born + 1 WHERE id < 5", []).unwrap();
    let sound = e.backup(&env.db, &inc, &job()).unwrap();
    assert_eq!((sound.kind, sound.soundness), (BackupKind::Increment, Soundness::Sound));
    // A committed change that leaves pages nobody uses: SQLite's check fails.
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'users_name';")
        .unwrap();
    drop(c);
    assert!(!quick_check_ok(&env.db));
    let damaged = e.backup(&env.db, &inc, &job()).unwrap();
    assert_eq!((damaged.kind, damaged.soundness), (BackupKind::Increment, Soundness::Damaged));
    let alert = &e.alerts_of(&damaged.id).unwrap()[0];
    assert_eq!((alert.kind, alert.pinned.as_deref()), (AlertKind::IntegrityFailed, Some(sound.id.as_str())));
    // Retention keeps the pinned increment's chain with it.
    e.dismiss_alert(alert.id).unwrap();
    let plan = e.plan_cleanup(&RetentionPolicy { keep_last: Some(1), ..RetentionPolicy::default() }).unwrap();
    assert!(plan.delete.is_empty(), "{plan:?}");
    assert!(plan.keep.iter().any(|k| k.id == full.id));
}

#[test]
fn a_change_committed_during_the_backup_is_not_what_the_check_sees() {
    // The check reads the snapshot's committed state, not the live file: the database is
    // damaged by a commit made while the backup's snapshot is being read (WAL mode lets it
    // commit), and the backup, which holds the state from before, is sound. Driven by the
    // progress seam, the damage lands after the first block of pages.
    use std::sync::{Arc, Mutex};
    struct DamageOnce(Arc<Mutex<Option<std::path::PathBuf>>>);
    impl keepsake_engine::Progress for DamageOnce {
        fn update(&self, _phase: keepsake_engine::Phase, done: u64, _total: u64) {
            if done == 0 {
                return;
            }
            if let Some(db) = self.0.lock().unwrap().take() {
                let c = Connection::open(&db).unwrap();
                c.execute_batch(
                    "PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'users_name';",
                )
                .unwrap();
            }
        }
    }
    let env = Env::new();
    make_db(&env.db, true, 4096, 3000);
    let e = env.engine();
    let pending = Arc::new(Mutex::new(Some(env.db.clone())));
    let damaging = keepsake_engine::Job { progress: Arc::new(DamageOnce(pending.clone())), ..job() };
    let meta = e.backup(&env.db, &plain(), &damaging).unwrap();
    assert!(pending.lock().unwrap().is_none(), "the damage was committed during the backup");
    assert!(!quick_check_ok(&env.db), "the live database is damaged now");
    assert_eq!(meta.soundness, Soundness::Sound, "the snapshot the backup stores was not");
    assert!(e.alerts(false).unwrap().is_empty());
    // The next backup holds the damage and says so.
    assert_eq!(e.backup(&env.db, &plain(), &job()).unwrap().soundness, Soundness::Damaged);
}
