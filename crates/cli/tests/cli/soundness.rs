//! A database whose pages were damaged, backed up by `keepsake create` without `--verify` (the
//! default): the backup knows, the damage alert is raised and pins the newest sound backup,
//! `cleanup --keep 1` keeps it, `alerts` shows the pin and `list` says which backups are sound.
//! In rollback-journal and WAL mode.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use rusqlite::Connection;

use crate::util::*;

/// Overwrites the cells of the `notes` table's rightmost leaf page with a fixed pattern, as a
/// failing disk or a stray write would: SQLite still opens the database and counts its rows,
/// but `PRAGMA quick_check` finds cells that no longer line up.
fn damage_pages(db: &Path) {
    let (page_size, root): (u64, u64) = {
        let c = Connection::open(db).expect("open");
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
        (
            c.query_row("PRAGMA page_size", [], |r| r.get(0)).expect("page size"),
            c.query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'notes'", [], |r| r.get(0))
                .expect("root"),
        )
    };
    let bytes = std::fs::read(db).expect("read");
    let page = |n: u64| &bytes[((n - 1) * page_size) as usize..(n * page_size) as usize];
    let mut n = root;
    // 0x05: an interior page of a table; its rightmost child is at bytes 8..12.
    while page(n)[0] == 0x05 {
        n = u64::from(u32::from_be_bytes(page(n)[8..12].try_into().expect("4 bytes")));
    }
    assert_eq!(page(n)[0], 0x0D, "a leaf page of the table");
    let mut f = std::fs::OpenOptions::new().write(true).open(db).expect("open for writing");
    f.seek(SeekFrom::Start(n * page_size - 600)).expect("seek");
    f.write_all(&[0xA5; 600]).expect("write");
    f.sync_all().expect("sync");
    let c = Connection::open(db).expect("open");
    let check: Vec<String> = c
        .prepare("PRAGMA quick_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    assert_ne!(check, vec!["ok".to_owned()], "the damage is one SQLite's check sees");
}

fn create(w: &Work) -> String {
    let out = run(w.ks_plain(&["create", "--no-encrypt"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

fn damaged_database_is_seen_and_the_sound_backup_kept(journal_mode: &str) {
    let w = Work::new();
    make_db(&w.path("app.db"), journal_mode, 2000);
    let first = create(&w);
    let sound = create(&w);
    damage_pages(&w.path("app.db"));

    // No --verify: the backup is made, and its check of the snapshot finds the damage: a
    // problem found (exit 1), the new backup's id on stdout all the same.
    let out = run(w.ks_plain(&["create", "--no-encrypt"]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("failed its integrity check"), "{}", stderr(&out));
    let damaged = stdout(&out).trim().to_owned();
    let err = stderr(&out);
    assert!(err.contains("content alert 1: the database is damaged"), "{err}");
    assert!(err.contains(&format!("backup {sound} is pinned")), "{err}");

    // `list` says which backups are sound.
    let list = ok_json(w.ks_plain(&["list", "--json"]));
    let rows: Vec<(&str, &str, bool)> = list["backups"]
        .as_array()
        .expect("backups")
        .iter()
        .map(|b| {
            (
                b["id"].as_str().expect("id"),
                b["soundness"].as_str().expect("soundness"),
                b["pinned"].is_object(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (damaged.as_str(), "damaged", false),
            (sound.as_str(), "sound", true),
            (first.as_str(), "sound", false)
        ]
    );
    assert_eq!(list["backups"][0]["source_integrity"], false);
    assert_eq!(list["backups"][0]["verification"], "unverified");
    let text = stdout(&run(w.ks_plain(&["list"])));
    assert!(text.contains("SOUND"), "{text}");
    let line = |id: &str| text.lines().find(|l| l.contains(id)).map(str::to_owned).unwrap_or_default();
    assert!(line(&damaged).contains("DAMAGED"), "{text}");
    assert!(line(&sound).contains("yes") && line(&sound).contains("[pinned]"), "{text}");

    // `alerts` shows the pin (KEPT), and exits 1 while it stands.
    let out = run(w.ks_plain(&["alerts"]));
    assert_eq!(code(&out), 1);
    let row = stdout(&out).lines().find(|l| l.contains("damaged")).map(str::to_owned).unwrap_or_default();
    assert!(row.contains(&sound), "{}", stdout(&out));
    let alerts = json(&run(w.ks_plain(&["alerts", "--json"])));
    assert_eq!(alerts[0]["kind"], "integrity_failed");
    assert_eq!(alerts[0]["pinned"], sound.as_str());

    // `cleanup --keep 1` deletes nothing while the database is damaged; the newest sound
    // backup is kept for reasons of its own too.
    let out = run(w.ks_plain(&["cleanup", "--keep", "1", "--json"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan = json(&out);
    assert_eq!(plan["delete"].as_array().map(Vec::len), Some(0), "{plan}");
    let kept = plan["keep"].as_array().expect("keep").iter().find(|k| k["id"] == sound.as_str()).cloned();
    let reasons = kept.map(|k| k["reasons"].to_string()).unwrap_or_default();
    assert!(reasons.contains("pinned") && reasons.contains("newest backup known sound"), "{plan}");
    for id in [&first, &sound, &damaged] {
        assert!(w.backup_file(id).exists());
    }

    // Dismissed and unpinned, the damage still keeps every backup; once the database is
    // repaired (restored from the sound backup) and backed up again, the rules apply, and the
    // newest sound backup is the new one.
    assert_eq!(code(&run(w.ks_plain(&["alerts", "dismiss", "1"]))), 0);
    assert_eq!(code(&run(w.ks_plain(&["unpin", &sound]))), 0);
    let plan = ok_json(w.ks_plain(&["cleanup", "--keep", "1", "--dry-run", "--json"]));
    assert_eq!(plan["delete"].as_array().map(Vec::len), Some(0), "{plan}");
    let out = run(w.ks_plain(&["restore", &sound, "--yes", "--no-safety-backup"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let repaired = create(&w);
    let plan = ok_json(w.ks_plain(&["cleanup", "--keep", "1", "--json"]));
    let ids = |side: &str| -> Vec<String> {
        plan[side]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|k| k["id"].as_str().map(str::to_owned))
            .collect()
    };
    // (The restore verified the sound backup on its way: the newest verified one stays.)
    assert_eq!(ids("keep"), vec![repaired.clone(), sound.clone()], "{plan}");
    assert_eq!(ids("delete"), vec![damaged.clone(), first.clone()], "{plan}");
    assert!(plan["keep"][0]["reasons"].to_string().contains("newest backup known sound"), "{plan}");
    assert_eq!(ok_json(w.ks_plain(&["list", "--json"]))["backups"][0]["soundness"], "sound");
}

#[test]
fn a_damaged_database_is_seen_without_verify_and_the_sound_backup_kept_rollback_journal() {
    damaged_database_is_seen_and_the_sound_backup_kept("delete");
}

#[test]
fn a_damaged_database_is_seen_without_verify_and_the_sound_backup_kept_wal() {
    damaged_database_is_seen_and_the_sound_backup_kept("wal");
}
