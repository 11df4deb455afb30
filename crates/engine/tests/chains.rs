//! Incremental backups: chains of increments on a full backup, restored in one pass to the exact
//! snapshot each point was taken from (byte for byte), with every way a chain can break said
//! plainly: a link deleted, damaged or swapped, a VACUUM, a new page size, a database that
//! shrinks or grows, a backup killed mid-way.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use keepsake_engine::model::{BackupKind, BackupMetadata, Concern};
use keepsake_engine::{BackupOptions, Engine, ErrorCode, RetentionPolicy};
use rusqlite::Connection;

fn inc(encrypt: bool) -> BackupOptions {
    BackupOptions { incremental: Some(true), ..opts(encrypt, true) }
}

/// Changes a few rows (a small share of the pages).
fn touch(db: &Path, round: usize) {
    let c = Connection::open(db).unwrap();
    c.execute(
        "UPDATE users SET name = ?1 WHERE id % 97 = ?2",
        rusqlite::params![format!("round {round}"), round as i64 % 97],
    )
    .unwrap();
    c.execute("INSERT INTO kv VALUES (?1, ?2)", rusqlite::params![format!("round{round:04}"), round as i64])
        .unwrap();
}

/// The database file's bytes (a rollback-journal database with no writer: its image).
fn image(db: &Path) -> Vec<u8> {
    std::fs::read(db).unwrap()
}

fn restore_to(engine: &Engine, m: &BackupMetadata, dir: &Path) -> PathBuf {
    let out = dir.join(format!("restored-{}.db", m.id));
    engine.restore(&m.id, &out, &like(m), &job()).unwrap();
    out
}

#[test]
fn every_point_of_a_chain_restores_to_its_exact_snapshot() {
    for encrypt in [false, true] {
        let env = Env::new();
        make_db(&env.db, false, 4096, 3000);
        let engine = env.engine();
        let mut points = Vec::new();
        for round in 0..8 {
            if round > 0 {
                touch(&env.db, round);
            }
            let m = engine.backup(&env.db, &inc(encrypt), &job()).unwrap();
            points.push((m, image(&env.db)));
        }
        assert_eq!(points[0].0.kind, BackupKind::Full);
        // Each increment builds on the point before; a chain whose increments add up to much of
        // its full backup ends with a new full one.
        let mut full = &points[0].0;
        for (i, (m, _)) in points.iter().enumerate().skip(1) {
            match &m.chain {
                None => full = m,
                Some(chain) => {
                    assert_eq!(
                        (chain.full.as_str(), chain.base.as_str()),
                        (full.id.as_str(), points[i - 1].0.id.as_str())
                    );
                    assert!(
                        m.stored_size * 4 < full.stored_size,
                        "an increment is small: {} vs {}",
                        m.stored_size,
                        full.stored_size
                    );
                }
            }
        }
        assert!(points.iter().filter(|(m, _)| m.kind == BackupKind::Increment).count() >= 4);
        for (m, expected) in &points {
            let out = restore_to(&engine, m, env.dir.path());
            assert!(image(&out) == *expected, "{} (encrypt={encrypt}) restores byte for byte", m.id);
            assert!(engine.verify(&m.id, &job()).unwrap().ok);
        }
    }
}

#[test]
fn a_deleted_link_makes_the_later_points_unrestorable_and_says_which() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let engine = env.engine();
    let mut points = Vec::new();
    for round in 0..5 {
        touch(&env.db, round);
        points.push(engine.backup(&env.db, &inc(false), &job()).unwrap());
    }
    // Deleting a link that later ones need is refused.
    let e = engine.delete(&points[2].id).unwrap_err();
    assert_eq!(
        (e.code(), e.facts().reason.map(keepsake_engine::error::Reason::as_str)),
        (ErrorCode::InvalidInput, Some("needed_by_later")),
        "{e}"
    );
    // Gone behind Keepsake's back: the points after it say so.
    std::fs::remove_file(file_of(&engine, &points[2])).unwrap();
    let listed = engine.list(None).unwrap();
    let concern = |id: &str| listed.iter().find(|b| b.id == id).unwrap().concern;
    assert_eq!(concern(&points[2].id), Some(Concern::Missing));
    assert_eq!(concern(&points[3].id), Some(Concern::BrokenChain));
    assert_eq!(concern(&points[4].id), Some(Concern::BrokenChain));
    assert_eq!(concern(&points[1].id), None);
    let r = engine.verify(&points[4].id, &job()).unwrap();
    assert!(!r.ok);
    assert_eq!(r.code, Some(ErrorCode::BackupNotFound));
    assert!(r.checks[0].message.contains(&points[2].id), "names the missing link: {:?}", r.checks[0]);
    let out = env.dir.path().join("x.db");
    assert_eq!(
        engine.restore(&points[4].id, &out, &like(&points[4]), &job()).unwrap_err().code(),
        ErrorCode::BackupNotFound
    );
    assert!(!out.exists());
    // The earlier points are untouched, and the next backup starts a new chain.
    assert!(engine.verify(&points[1].id, &job()).unwrap().ok);
    touch(&env.db, 99);
    assert_eq!(engine.backup(&env.db, &inc(false), &job()).unwrap().kind, BackupKind::Full);
}

#[test]
fn a_foreign_chain_without_its_full_backup_is_flagged_link_by_link() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let engine = env.engine();
    let mut points = Vec::new();
    for round in 0..3 {
        touch(&env.db, round);
        points.push(engine.backup(&env.db, &inc(false), &job()).unwrap());
    }
    assert_eq!(
        points.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [BackupKind::Full, BackupKind::Increment, BackupKind::Increment]
    );
    let full_file = file_of(&engine, &points[0]);
    drop(engine);
    // A new computer finds the folder with the full backup gone (a sync that has not finished).
    std::fs::remove_dir_all(env.home.dir()).unwrap();
    std::fs::remove_file(full_file).unwrap();
    let home = keepsake_engine::Installation::open(env.home.dir()).unwrap();
    let engine = Engine::open_folder(&home, &env.backups).unwrap();
    let report = engine.scan().unwrap();
    let concern = |id: &str| report.foreign.iter().find(|b| b.id == id).map(|b| b.concern);
    assert_eq!(concern(&points[1].id), Some(Some(Concern::BrokenChain)));
    assert_eq!(concern(&points[2].id), Some(Some(Concern::BrokenChain)), "its base is itself broken");
}

#[test]
fn a_password_change_keeps_the_chain_and_the_old_password_opens_nothing_newer() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let first = env.engine();
    touch(&env.db, 1);
    let a = first.backup(&env.db, &inc(true), &job()).unwrap();
    touch(&env.db, 2);
    let b = first.backup(&env.db, &inc(true), &job()).unwrap();
    let after_b = image(&env.db);
    assert_eq!((a.kind, b.kind), (BackupKind::Full, BackupKind::Increment));
    // The password is changed (the old one is at hand): a new key that carries the old one.
    let new = keepsake_engine::Password::new("a different password, long enough");
    first.change_password(&new, &job()).unwrap();
    drop(first);
    let second = env.engine_with("a different password, long enough");
    touch(&env.db, 3);
    let c = second.backup(&env.db, &inc(true), &job()).unwrap();
    assert_eq!(c.chain.as_ref().map(|l| l.base.as_str()), Some(b.id.as_str()), "no new chain");
    let after_c = image(&env.db);
    // Everything opens with the new password alone, the chain across the change included.
    for m in [&a, &b, &c] {
        assert!(second.verify(&m.id, &job()).unwrap().ok, "{}", m.id);
    }
    assert!(image(&restore_to(&second, &b, env.dir.path())) == after_b);
    assert!(image(&restore_to(&second, &c, env.dir.path())) == after_c);
    // The old password opens what was made before the change, nothing after, and makes nothing.
    let old = Engine::open_folder(
        &keepsake_engine::Installation::open(env.dir.path().join("elsewhere")).unwrap(),
        &env.backups,
    )
    .unwrap()
    .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)))
    .with_kdf_iterations(keepsake_engine::format::KDF_ITERATIONS);
    let report = old.scan().unwrap();
    let opened: Vec<&str> = report.foreign.iter().map(|m| m.id.as_str()).collect();
    let locked: Vec<&str> = report.files.iter().map(|f| f.file_name.as_str()).collect();
    assert!(locked.iter().any(|n| n.starts_with(&c.id)), "{locked:?}");
    assert!(opened.contains(&a.id.as_str()) && opened.contains(&b.id.as_str()), "{opened:?}");
    assert!(!opened.contains(&c.id.as_str()), "the old password opens nothing made after the change");
    let e = env.engine().backup(&env.db, &inc(true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongPassword);
    assert_eq!(e.facts().reason, Some(keepsake_engine::error::Reason::PasswordNotCurrent));
}

#[test]
fn a_damaged_or_swapped_link_is_named() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let engine = env.engine();
    let mut points = Vec::new();
    for round in 0..4 {
        touch(&env.db, round);
        points.push(engine.backup(&env.db, &inc(true), &job()).unwrap());
    }
    // Damaged: one byte of the second link.
    let f = file_of(&engine, &points[1]);
    let good = std::fs::read(&f).unwrap();
    let mut bad = good.clone();
    let n = bad.len();
    bad[n / 2] ^= 0x10;
    std::fs::write(&f, &bad).unwrap();
    let r = engine.verify(&points[3].id, &job()).unwrap();
    assert!(!r.ok);
    let failed: Vec<_> =
        r.checks.iter().filter(|c| c.status == keepsake_engine::CheckStatus::Failed).collect();
    assert!(
        failed.iter().any(|c| c.message.contains(&points[1].file_name)),
        "names the damaged link: {failed:?}"
    );
    std::fs::write(&f, &good).unwrap();
    assert!(engine.verify(&points[3].id, &job()).unwrap().ok);
    // Swapped: the files of two links exchanged (same sizes would not save them: the records
    // and the headers disagree).
    let (a, b) = (file_of(&engine, &points[1]), file_of(&engine, &points[2]));
    let (ba, bb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &bb).unwrap();
    std::fs::write(&b, &ba).unwrap();
    let r = engine.verify(&points[3].id, &job()).unwrap();
    assert!(!r.ok, "{r:#?}");
    assert!(matches!(r.code, Some(ErrorCode::BackupDamaged | ErrorCode::BackupTruncated)), "{r:#?}");
}

#[test]
fn vacuum_or_a_new_page_size_starts_a_new_full_backup() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 3000);
    let engine = env.engine();
    engine.backup(&env.db, &inc(false), &job()).unwrap();
    touch(&env.db, 1);
    assert_eq!(engine.backup(&env.db, &inc(false), &job()).unwrap().kind, BackupKind::Increment);
    // Most pages move: an increment would not pay.
    let c = Connection::open(&env.db).unwrap();
    c.execute("DELETE FROM users WHERE id % 2 = 0", []).unwrap();
    c.execute_batch("VACUUM").unwrap();
    drop(c);
    let after_vacuum = engine.backup(&env.db, &inc(false), &job()).unwrap();
    assert_eq!(after_vacuum.kind, BackupKind::Full, "a VACUUM rewrites most pages");
    let out = restore_to(&engine, &after_vacuum, env.dir.path());
    assert!(image(&out) == image(&env.db));
    // Another page size: nothing lines up.
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("PRAGMA page_size = 8192; VACUUM;").unwrap();
    drop(c);
    let m = engine.backup(&env.db, &inc(false), &job()).unwrap();
    assert_eq!(m.kind, BackupKind::Full);
    assert_eq!(m.schema.page_size, 8192);
    touch(&env.db, 2);
    let m = engine.backup(&env.db, &inc(false), &job()).unwrap();
    assert_eq!(m.kind, BackupKind::Increment);
    assert!(image(&restore_to(&engine, &m, env.dir.path())) == image(&env.db));
}

#[test]
fn a_database_that_shrinks_and_grows_restores_exactly() {
    let env = Env::new();
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA auto_vacuum = FULL;").unwrap();
    drop(c);
    make_db(&env.db, false, 4096, 3000);
    let engine = env.engine();
    let mut points = vec![(engine.backup(&env.db, &inc(false), &job()).unwrap(), image(&env.db))];
    // Shrinks: auto_vacuum gives the freed pages back at once.
    let c = Connection::open(&env.db).unwrap();
    c.execute("DELETE FROM kv WHERE k < 'key001500'", []).unwrap();
    drop(c);
    points.push((engine.backup(&env.db, &inc(false), &job()).unwrap(), image(&env.db)));
    // Grows.
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO kv SELECT 'grow' || i, i FROM n;")
        .unwrap();
    drop(c);
    points.push((engine.backup(&env.db, &inc(false), &job()).unwrap(), image(&env.db)));
    assert!(points[1].0.schema.page_count < points[0].0.schema.page_count, "it shrank");
    assert!(points[2].0.schema.page_count > points[1].0.schema.page_count, "it grew");
    for (m, expected) in &points {
        assert!(image(&restore_to(&engine, m, env.dir.path())) == *expected, "{} ({:?})", m.id, m.kind);
    }
}

#[test]
fn retention_keeps_what_kept_points_build_on_and_chains_end_at_their_limit() {
    let env = Env::new();
    make_db(&env.db, false, 1024, 300);
    let engine = env.engine();
    let mut all = Vec::new();
    for round in 0..(keepsake_engine::MAX_CHAIN_LENGTH + 2) {
        // One row each time: the chain stays small, so only its length ends it.
        let c = Connection::open(&env.db).unwrap();
        c.execute("UPDATE counter SET a = ?1 WHERE id = 1", [round]).unwrap();
        drop(c);
        all.push(engine.backup(&env.db, &inc(false), &job()).unwrap());
    }
    let kinds: Vec<BackupKind> = all.iter().map(|m| m.kind).collect();
    let fulls = kinds.iter().filter(|k| **k == BackupKind::Full).count();
    assert!(fulls >= 2, "a new full backup once the chain is long or large enough: {kinds:?}");
    assert!(all.iter().all(|m| m.chain.as_ref().is_none_or(|c| c.seq <= keepsake_engine::MAX_CHAIN_LENGTH)));
    let plan = engine.cleanup(&RetentionPolicy { keep_last: Some(2), ..Default::default() }).unwrap();
    for m in engine.list(None).unwrap() {
        assert!(engine.verify(&m.id, &job()).unwrap().ok, "{} still restorable", m.id);
    }
    let kept: Vec<&str> = plan.keep.iter().map(|e| e.id.as_str()).collect();
    assert!(kept.len() >= 2);
    assert!(plan.keep.iter().any(|e| e.reasons.iter().any(|r| r.starts_with("needed by"))), "{plan:?}");
}

#[test]
fn a_backup_killed_mid_way_leaves_nothing_listed_that_is_not_whole() {
    // The engine's process tests kill a child mid-backup; here the same with increments.
    let env = Env::new();
    make_db(&env.db, false, 4096, 3000);
    let engine = env.engine();
    engine.backup(&env.db, &inc(false), &job()).unwrap();
    let cancel = keepsake_engine::CancelToken::new();
    // A progress hook that cancels half-way: the increment is abandoned where it stands.
    struct Stop(keepsake_engine::CancelToken);
    impl keepsake_engine::Progress for Stop {
        fn update(&self, _: keepsake_engine::Phase, done: u64, total: u64) {
            if done * 2 >= total && done > 0 {
                self.0.cancel();
            }
        }
    }
    touch(&env.db, 1);
    let j = keepsake_engine::Job::new(std::sync::Arc::new(Stop(cancel.clone())), cancel);
    assert_eq!(engine.backup(&env.db, &inc(false), &j).unwrap_err().code(), ErrorCode::Cancelled);
    assert_eq!(engine.list(None).unwrap().len(), 1);
    let m = engine.backup(&env.db, &inc(false), &job()).unwrap();
    assert_eq!(m.kind, BackupKind::Increment, "the manifest of the last good backup is still there");
    assert!(image(&restore_to(&engine, &m, env.dir.path())) == image(&env.db));
}

mod property {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// Whatever happens to the rows between backups, every point restores byte for byte.
        #[test]
        fn any_chain_restores_every_point_exactly(steps in proptest::collection::vec((0u8..4, 0u32..2000), 1..7)) {
            let env = Env::new();
            make_db(&env.db, false, 1024, 600);
            let engine = env.engine();
            let mut points = vec![(engine.backup(&env.db, &inc(false), &job()).unwrap(), image(&env.db))];
            for (i, (op, n)) in steps.iter().enumerate() {
                let c = Connection::open(&env.db).unwrap();
                match op {
                    0 => { c.execute("UPDATE users SET born = born + 1 WHERE id % 13 = ?1", [n % 13]).unwrap(); }
                    1 => { c.execute("DELETE FROM users WHERE id % 7 = ?1", [n % 7]).unwrap(); }
                    2 => { c.execute_batch(&format!("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {}) INSERT INTO kv SELECT 'p{i}_' || i, randomblob(100) FROM r;", n % 300 + 1)).unwrap(); }
                    _ => { c.execute_batch("VACUUM").unwrap(); }
                }
                drop(c);
                points.push((engine.backup(&env.db, &inc(false), &job()).unwrap(), image(&env.db)));
            }
            for (m, expected) in &points {
                let out = restore_to(&engine, m, env.dir.path());
                prop_assert!(image(&out) == *expected, "{} ({:?})", m.id, m.kind);
            }
        }
    }
}
