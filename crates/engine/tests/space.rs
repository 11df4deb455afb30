//! Room on the backup folder's disk, on a real small disk (a tmpfs of its own): a backup that
//! would leave less than the margin is warned of (and made); one that cannot fit is not started,
//! changes nothing, and says which backups to delete to make room; deleting them does.

#![allow(clippy::unwrap_used)]

use keepsake_engine::testing::SmallDisk;
use keepsake_engine::{Engine, ErrorCode, Installation, SpaceMargin, SpaceState};

mod common;
use common::{job, opts};

const MIB: u64 = 1 << 20;

/// A database of `mib` MiB of random bytes (which no compression makes smaller).
fn random_db(path: &std::path::Path, mib: u64) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE IF NOT EXISTS blobs (b BLOB)").unwrap();
    for _ in 0..mib {
        c.execute("INSERT INTO blobs VALUES (randomblob(?1))", [MIB as i64 - 512]).unwrap();
    }
}

#[test]
fn a_backup_leaving_too_little_room_is_warned_of_and_one_that_cannot_fit_is_not_started() {
    let disk = SmallDisk::new(300);
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("photos.db");
    random_db(&db, 20);
    let home = Installation::open(d.path().join("home")).unwrap();
    let folder = disk.path.join("backups");
    let engine = Engine::open_folder(&home, &folder).unwrap();
    let margin = SpaceMargin::default();

    let first = engine.space_check(&db, &margin).unwrap().expect("a local disk says how much room it has");
    assert_eq!(first.total, 300 * MIB);
    assert_eq!(first.margin, 300 * MIB / 10, "10 % of a small disk (less than 1 GiB)");
    assert!(first.estimate >= 20 * MIB, "without a backup yet, the database's size: {}", first.estimate);
    assert_eq!(first.state, SpaceState::Enough);

    // Backups while there is room to spare; then one that would leave less than the margin.
    let mut made = Vec::new();
    let mut check = first;
    while check.state == SpaceState::Enough {
        made.push(engine.backup(&db, &opts(false, true), &job()).unwrap().id);
        assert!(made.len() < 20, "the disk never ran low");
        check = engine.space_check(&db, &margin).unwrap().unwrap();
    }
    assert!(made.len() >= 3, "{} backups fit with room to spare", made.len());
    assert_eq!(check.state, SpaceState::Low, "{check:?}");
    let last = engine.get(made.last().unwrap()).unwrap();
    assert_eq!(check.estimate, last.stored_size, "the next one is estimated as the last one");
    let suggested = check.free_up.clone().expect("what to delete to make room");
    assert!(suggested.enough && suggested.bytes >= check.shortfall(), "{suggested:?}");
    assert_eq!(suggested.ids.last(), Some(&made[0]), "the oldest first");
    assert!(!suggested.ids.contains(made.last().unwrap()), "never the newest");

    // A low disk is a warning: the backup is made while it fits.
    while check.state == SpaceState::Low {
        made.push(engine.backup(&db, &opts(false, true), &job()).unwrap().id);
        assert!(made.len() < 22);
        check = engine.space_check(&db, &margin).unwrap().unwrap();
    }
    assert_eq!(check.state, SpaceState::NoRoom, "{check:?}");

    // One that cannot fit is not started: nothing new, nothing half-written, and it says what
    // to delete.
    let files_before: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
    let e = engine.backup(&db, &opts(false, true), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DestinationFull, "{e}");
    assert_eq!(e.facts().reason.as_deref(), Some("no_room"));
    let free_up = e.facts().free_up.clone().expect("the backups to delete");
    assert!(free_up.enough, "{free_up:?}");
    assert_eq!(free_up.ids.len() as u32, made.len() as u32 - free_up.keep_last);
    let files_after: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files_after.len(), files_before.len(), "nothing written");
    assert_eq!(engine.list(None).unwrap().len(), made.len());

    // Deleting what it suggests makes room, and the backup is made.
    for id in &free_up.ids {
        engine.delete(id).unwrap();
    }
    assert_ne!(engine.space_check(&db, &margin).unwrap().unwrap().state, SpaceState::NoRoom);
    engine.backup(&db, &opts(false, true), &job()).unwrap();
}
