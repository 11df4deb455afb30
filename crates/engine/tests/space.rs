//! Room on the backup folder's disk, on a real small disk (a tmpfs of its own): a backup that
//! would leave less than the margin is warned of (and made); one that cannot fit is not started,
//! changes nothing, and says which backups to delete to make room; deleting them does.

#![allow(clippy::unwrap_used)]

use keepsake_engine::testing::SmallDisk;
use keepsake_engine::{Engine, ErrorCode, Installation, SpaceMargin, SpaceState};

mod common;
use common::{job, opts};
use keepsake_engine::error::Reason;

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
    assert_eq!(e.facts().reason, Some(Reason::NoRoom));
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

/// The numbers of a refusal ("it needs about 11.5 MiB for the backup and keeps 9.6 MiB (10 % of
/// the disk) free, 21.1 MiB in all; 15.5 MiB is free"), in tenths of a MiB, in the order said.
fn mib_figures(message: &str) -> Vec<u64> {
    message
        .split(" MiB")
        .filter_map(|part| part.rsplit(' ').next())
        .filter_map(|n| {
            n.split_once('.').and_then(|(a, b)| Some(a.parse::<u64>().ok()? * 10 + b.parse::<u64>().ok()?))
        })
        .collect()
}

/// The disk: 96 MiB, an incompressible 12 MiB database, encrypted full backups. Every
/// backup that fits with the reserve kept free is made (the one that leaves more than the 10 %
/// margin too), a warning comes while there is still room for one more, and the refusal's
/// numbers add up.
#[test]
fn on_a_small_disk_every_backup_that_fits_is_made_and_the_warning_comes_before_the_refusal() {
    let disk = SmallDisk::new(96);
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("scans.db");
    random_db(&db, 12);
    let home = Installation::open(d.path().join("home")).unwrap();
    let folder = disk.path.join("backups");
    let engine = Engine::open_folder(&home, &folder)
        .unwrap()
        .with_secrets(std::sync::Arc::new(keepsake_engine::StaticSecret::new(common::PASSWORD)));
    let margin = SpaceMargin::default();
    let reserve = keepsake_engine::space::reserve_of(96 * MIB);
    assert_eq!(reserve, 96 * MIB / 10, "10 % of a disk smaller than 160 MiB");

    let mut states = Vec::new();
    let refused = loop {
        let check = engine.space_check(&db, &margin).unwrap().unwrap();
        assert_eq!(
            check.needed,
            check.estimate + reserve,
            "no scratch space without a verification: {check:?}"
        );
        states.push(check.state);
        match engine.backup(&db, &opts(true, true), &job()) {
            Ok(made) => {
                assert_ne!(check.state, SpaceState::NoRoom, "a backup said not to fit was made: {check:?}");
                assert!(
                    made.stored_size <= check.estimate + MIB / 2,
                    "the estimate holds: {made:?} {check:?}"
                );
            }
            Err(e) => {
                assert_eq!(check.state, SpaceState::NoRoom, "a backup that fits was refused: {check:?}: {e}");
                assert!(
                    check.free < check.estimate + reserve,
                    "refused only when it does not fit with the reserve: {check:?}"
                );
                break e;
            }
        }
        assert!(states.len() < 12, "never refused: {states:?}");
    };
    // 96 MiB holds seven of them with 9.6 MiB kept free (the seventh was refused).
    assert_eq!(states.len(), 8, "{states:?}");
    let first_low = states.iter().position(|s| *s == SpaceState::Low).expect("a warning before the refusal");
    assert!(first_low < states.len() - 1, "{states:?}");
    assert!(states[..first_low].iter().all(|s| *s == SpaceState::Enough), "{states:?}");
    assert!(states[first_low..states.len() - 1].iter().all(|s| *s == SpaceState::Low), "{states:?}");

    // The refusal: the parts, their sum, and the free space, which is less.
    assert_eq!(refused.code(), ErrorCode::DestinationFull);
    let text = refused.to_string();
    assert!(text.contains("for the backup and keeps 9.6 MiB (10 % of the disk) free"), "{text}");
    assert!(!text.contains("scratch"), "{text}");
    let n = mib_figures(&text);
    assert_eq!(n.len(), 4, "{text}: {n:?}");
    assert_eq!(n[0] + n[1], n[2], "the parts add up: {text}");
    assert!(n[3] < n[2], "less is free than needed: {text}");
    assert_eq!(engine.list(None).unwrap().len(), 7);
}

/// A backup verified right after it is made decodes the database into this installation's
/// scratch folder: on the same disk as the backups it counts, and the refusal says it apart.
#[test]
fn the_scratch_space_of_a_verification_on_the_same_disk_is_counted_and_said_apart() {
    let disk = SmallDisk::new(64);
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("scans.db");
    random_db(&db, 12);
    let home = Installation::open(disk.path.join("home")).unwrap();
    let engine = Engine::open_folder(&home, disk.path.join("backups")).unwrap();
    let margin = SpaceMargin::default();
    let verified = keepsake_engine::BackupOptions { verify: true, ..opts(false, true) };

    let first = engine.space_check_for(&db, &margin, true).unwrap().unwrap();
    let size = std::fs::metadata(&db).unwrap().len();
    assert_eq!(
        first.needed,
        first.estimate + size + keepsake_engine::space::reserve_of(64 * MIB),
        "{first:?}"
    );
    let mut made = 0;
    let refused = loop {
        match engine.backup(&db, &verified, &job()) {
            Ok(_) => made += 1,
            Err(e) => break e,
        }
        assert!(made < 6, "never refused");
    };
    assert_eq!(refused.code(), ErrorCode::DestinationFull, "{refused}");
    assert_eq!(engine.list(None).unwrap().len(), made, "refused before anything was written");
    let text = refused.to_string();
    assert!(text.contains("MiB of scratch space in") && text.contains("while it is checked"), "{text}");
    let n = mib_figures(&text);
    assert_eq!(n.len(), 5, "{text}: {n:?}");
    assert_eq!(n[0] + n[1] + n[2], n[3], "the parts add up: {text}");
    assert!(n[4] < n[3], "{text}");
    // A scheduled run verifies after its backup: it is refused the same, for the same reason,
    // before anything is written.
    let mut source = keepsake_engine::sources::Source::new("scans", &db, disk.path.join("backups"));
    source.encrypt = false;
    source.verify_after_backup = true;
    let scheduled = engine.run_scheduled(&source, &job()).unwrap_err();
    assert_eq!(scheduled.code(), ErrorCode::DestinationFull, "{scheduled}");
    assert!(scheduled.to_string().contains("while it is checked"), "{scheduled}");
    assert_eq!(engine.list(None).unwrap().len(), made, "a scheduled run refused before writing");
    // Without the verification the same backup fits, and is made.
    assert_ne!(engine.space_check_for(&db, &margin, false).unwrap().unwrap().state, SpaceState::NoRoom);
    engine.backup(&db, &opts(false, true), &job()).unwrap();
    assert_eq!(engine.list(None).unwrap().len(), made + 1);
}
