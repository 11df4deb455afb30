//! An SFTP server's identity, against rclone's real SFTP server: the host key seen when the
//! destination is added is kept with it; a destination whose server was never seen is not
//! connected to; and once the server shows another key (restarted with another `--key`, as
//! one put in its place would be) a backup's copy is refused as `host_key_changed` and nothing
//! is written there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use keepsake_engine::{ErrorCode, Job};
use keepsake_remote::hostkey;
use keepsake_remote::testing::{Server, quick};

mod common;
use common::{engine, make_db, opts};
use keepsake_engine::error::Reason;

fn reason_of(e: &keepsake_engine::Error) -> &str {
    e.facts().reason.map_or("", Reason::as_str)
}

/// Every file under `dir`, however deep.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(files(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

#[test]
fn the_first_use_keeps_the_servers_key_and_a_destination_never_seen_is_not_connected_to() {
    let server = Server::sftp();
    let mut dest = server.destination("box", "k");
    dest.host_key = None;
    // Saved before Keepsake kept keys, or added without a test: nobody saw the fingerprint.
    let e = keepsake_remote::open_with(&dest, None, quick()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "host_key_unknown", "{e}");
    assert!(e.message().contains("keepsake dest test box"), "{e}");
    assert!(files(&server.root).is_empty(), "nothing was written");

    let seen = hostkey::first_use(&mut dest).unwrap();
    assert_eq!(seen.fingerprint, server.host_key_fingerprint(), "the key rclone was given");
    assert!(seen.describe().ends_with("(ED25519)"), "{}", seen.describe());
    assert_eq!(dest.host_key.as_deref(), Some(seen.fingerprint.as_str()), "kept with the destination");
    let store = keepsake_remote::open_with(&dest, None, quick()).unwrap();
    keepsake_remote::probe(store.as_ref()).unwrap();
    // Again: the kept key is checked, not replaced.
    assert_eq!(hostkey::first_use(&mut dest).unwrap(), seen);
}

#[test]
fn a_server_showing_another_host_key_is_refused_and_nothing_is_written() {
    let mut server = Server::sftp();
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("notes.db");
    make_db(&db, 50);
    let local = engine(&d.path().join("home"), &d.path().join("backups"));
    let dest = server.destination("box", "laptop");
    let first = local.backup(&db, &opts(), &Job::default()).unwrap();
    let store = keepsake_remote::open_with(&dest, None, quick()).unwrap();
    local.copy_to(&first.id, "box", store.as_ref(), &Job::default()).unwrap();
    drop(store);
    let before = files(&server.root);
    assert!(!before.is_empty(), "the first copy is there");

    // The server is replaced by one with another key, on the same address.
    let kept = dest.host_key.clone().unwrap();
    server.kill();
    server.change_host_key();
    server.restart();
    assert_ne!(server.host_key_fingerprint(), kept);
    make_db(&db, 10);
    let second = local.backup(&db, &opts(), &Job::default()).unwrap();
    let e = keepsake_remote::open_with(&dest, None, quick())
        .and_then(|store| local.copy_to(&second.id, "box", store.as_ref(), &Job::default()).map(|_| ()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "host_key_changed", "{e}");
    assert!(e.message().contains("the server's identity changed"), "{e}");
    assert!(e.message().contains(&server.host_key_fingerprint()), "the key it shows now: {e}");
    assert!(e.message().contains("remove and add the destination again"), "{e}");
    assert_eq!(files(&server.root), before, "nothing was written");
}

#[test]
fn ssh_itself_refuses_a_server_that_changed_after_the_check_and_nothing_is_written() {
    // The check before opening sees the kept key; the server is then replaced before the first
    // connection (as someone in between could do, showing the real key to the check alone): the
    // connection `ssh` makes must prove the kept key, or nothing goes there.
    let mut server = Server::sftp();
    let dest = server.destination("box", "laptop");
    let store = keepsake_remote::open_with(&dest, None, quick()).unwrap();
    server.kill();
    server.change_host_key();
    server.restart();
    let e = store.list().unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "host_key_changed", "{e}");
    assert!(e.message().contains("the server's identity changed"), "{e}");
    let mut w = store.create("backup_20261207_000000_0a0b0c0d.db.gz").map(Some).unwrap_or(None);
    if let Some(w) = w.take() {
        use std::io::Write as _;
        let mut w = w;
        let _ = w.write_all(b"nothing may arrive");
        assert!(w.commit().is_err(), "a write to the replaced server fails");
    }
    assert!(files(&server.root).is_empty(), "nothing was written: {:?}", files(&server.root));
}
