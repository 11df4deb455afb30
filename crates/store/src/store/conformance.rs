//! The one suite every [`Store`] must pass (as restic's backend tests do for its backends). Call
//! [`check`] with a fresh, empty store; it panics with a message naming the broken rule.
//!
//! Built for the engine's own tests, and for other crates' stores with the engine's
//! `conformance` feature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};

use super::Store;
use crate::error::ErrorCode;

/// Runs every check on `store`, which must be empty.
pub fn check(store: &dyn Store) {
    empty(store);
    write_read_list_delete(store);
    uncommitted_writes_are_invisible(store);
    commit_never_replaces(store);
    ranges(store);
    large_and_empty_objects(store);
    names(store);
    missing_objects(store);
    assert!(store.list().unwrap().is_empty(), "{}: the checks leave the store empty", store.location());
}

fn put(store: &dyn Store, name: &str, bytes: &[u8]) {
    let mut w = store.create(name).unwrap();
    w.write_all(bytes).unwrap();
    w.commit().unwrap();
}

fn read(store: &dyn Store, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    store.open(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn names_of(store: &dyn Store) -> Vec<String> {
    let mut v: Vec<String> = store.list().unwrap().into_iter().map(|e| e.name).collect();
    v.sort();
    v
}

fn empty(store: &dyn Store) {
    assert!(store.list().unwrap().is_empty(), "{}: a new store is empty", store.location());
    assert!(!store.location().is_empty(), "a store has a location");
}

fn write_read_list_delete(store: &dyn Store) {
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    put(store, "backup_a.db.gz", &data);
    put(store, "backup_b.keepsake", b"second");
    assert_eq!(names_of(store), ["backup_a.db.gz", "backup_b.keepsake"], "list shows committed objects");
    let e = store.stat("backup_a.db.gz").unwrap().expect("stat finds a committed object");
    assert_eq!(e.size, data.len() as u64, "stat gives the size");
    assert_eq!(read(store, "backup_a.db.gz"), data, "open reads back what was written");
    store.delete("backup_a.db.gz").unwrap();
    assert_eq!(names_of(store), ["backup_b.keepsake"], "a deleted object is gone from the list");
    assert!(store.stat("backup_a.db.gz").unwrap().is_none(), "stat of a deleted object is None");
    store.delete("backup_a.db.gz").expect("deleting what is gone is not an error");
    store.delete("backup_b.keepsake").unwrap();
}

fn uncommitted_writes_are_invisible(store: &dyn Store) {
    let mut w = store.create("backup_c.db.gz").unwrap();
    w.write_all(&[1u8; 5000]).unwrap();
    w.flush().unwrap();
    assert!(store.list().unwrap().is_empty(), "a write in progress is not listed");
    assert!(store.stat("backup_c.db.gz").unwrap().is_none(), "a write in progress has no stat");
    drop(w);
    assert!(store.list().unwrap().is_empty(), "a dropped write leaves nothing");
    let mut w = store.create("backup_c.db.gz").unwrap();
    w.write_all(b"whole").unwrap();
    w.commit().unwrap();
    assert_eq!(read(store, "backup_c.db.gz"), b"whole", "a name can be written after a dropped write");
    store.delete("backup_c.db.gz").unwrap();
}

fn commit_never_replaces(store: &dyn Store) {
    put(store, "backup_d.db.gz", b"first");
    let mut w = store.create("backup_d.db.gz").unwrap();
    w.write_all(b"second").unwrap();
    let e = w.commit().expect_err("committing over an existing object fails");
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{}", e.message());
    assert_eq!(read(store, "backup_d.db.gz"), b"first", "the existing object is untouched");
    store.delete("backup_d.db.gz").unwrap();
}

fn ranges(store: &dyn Store) {
    let data: Vec<u8> = (0..=255u8).collect();
    put(store, "backup_e.db.gz", &data);
    assert_eq!(store.read_range("backup_e.db.gz", 10, 5).unwrap(), &data[10..15]);
    assert_eq!(
        store.read_range("backup_e.db.gz", 250, 100).unwrap(),
        &data[250..],
        "a range past the end is cut"
    );
    assert!(
        store.read_range("backup_e.db.gz", 1000, 10).unwrap().is_empty(),
        "a range after the end is empty"
    );
    store.delete("backup_e.db.gz").unwrap();
}

fn large_and_empty_objects(store: &dyn Store) {
    let big: Vec<u8> = (0..(9 << 20) as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let mut w = store.create("backup_f.keepsake").unwrap();
    for part in big.chunks(100_003) {
        w.write_all(part).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(store.stat("backup_f.keepsake").unwrap().unwrap().size, big.len() as u64);
    assert!(read(store, "backup_f.keepsake") == big, "a 9 MiB object reads back whole");
    store.delete("backup_f.keepsake").unwrap();
    put(store, "backup_g.db.gz", b"");
    assert_eq!(store.stat("backup_g.db.gz").unwrap().unwrap().size, 0, "an empty object exists");
    assert!(read(store, "backup_g.db.gz").is_empty());
    store.delete("backup_g.db.gz").unwrap();
}

fn names(store: &dyn Store) {
    for bad in ["", ".hidden", "..", "../x", "a/b", "a\\b", "a b", "x\0y", "é"] {
        assert!(store.create(bad).is_err(), "{}: name {bad:?} is refused", store.location());
        assert!(store.stat(bad).is_err(), "stat of {bad:?} is refused");
        assert!(store.delete(bad).is_err(), "delete of {bad:?} is refused");
    }
    assert!(store.create(&"a".repeat(super::MAX_NAME_LEN + 1)).is_err(), "an overlong name is refused");
}

fn missing_objects(store: &dyn Store) {
    let e = store.open("backup_none.db.gz").err().expect("opening a missing object fails");
    assert_eq!(e.code(), ErrorCode::BackupNotFound, "{}", e.message());
    assert!(store.stat("backup_none.db.gz").unwrap().is_none());
}
