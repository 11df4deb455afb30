//! One suite for every kind of remote destination, each against a real server on 127.0.0.1
//! (s3s-fs, Azurite, fake-gcs-server, rclone's WebDAV and SFTP): the storage seam's conformance
//! suite, "Test connection", what a person is told when the login or the bucket is wrong or the
//! server is gone, a server killed in the middle of an upload, a server failing for a while, a
//! backup copied and recorded once whole and restored on a new computer from the remote objects
//! alone, and a copy changed on the server reported and never restored.
//!
//! `suite!(kind, Server::kind)` runs all of it on one kind; what a kind cannot be asked (a login
//! fake-gcs-server does not check, an HTTP failure on SSH) says so where it is left out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::Arc;

use keepsake_engine::store::conformance;
use keepsake_engine::{
    CopyState, Destination, DestinationKind, Engine, ErrorCode, Installation, Job, Origin, RestoreOptions,
    StaticSecret,
};
use keepsake_remote::testing::{FailingProxy, Server, quick};

mod common;
use common::{PASSWORD, engine, make_db, opts, rows};
use keepsake_engine::error::Reason;

fn reason_of(e: &keepsake_engine::Error) -> &str {
    e.facts().reason.map_or("", Reason::as_str)
}

fn conformance_on(server: &Server) {
    let dest = server.destination("here", "keepsake/conformance");
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    conformance::check(store.as_ref());
}

fn the_connection_test_writes_reads_and_removes_a_probe(server: &Server) {
    let store =
        keepsake_remote::open_with(&server.destination("here", "p"), server.secret(), quick()).unwrap();
    keepsake_remote::probe(store.as_ref()).unwrap();
    assert!(store.list().unwrap().is_empty(), "the probe is gone again");
}

/// The destination with a login the server refuses, and the refused secret.
fn wrong_login(server: &Server) -> Option<(Destination, Option<&'static str>)> {
    let mut dest = server.destination("here", "");
    match dest.kind {
        DestinationKind::S3 | DestinationKind::Webdav => Some((dest, Some("not the secret"))),
        // An account key is base64; this one is well formed and wrong.
        DestinationKind::Azblob => Some((dest, Some("bm90IHRoZSBhY2NvdW50IGtleSBvZiBkZXZzdG9yZWFjY291bnQx"))),
        DestinationKind::Sftp => {
            let other = server.root.parent().unwrap().join("not-authorized");
            let ok = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&other)
                .status()
                .unwrap()
                .success();
            assert!(ok);
            dest.key_file = Some(other);
            Some((dest, None))
        }
        // fake-gcs-server checks no login; Google's own refusal is read like S3's (403).
        DestinationKind::Gcs | DestinationKind::Folder => None,
    }
}

fn a_wrong_login_is_said_as_such_and_not_retried_forever(server: &Server) {
    let Some((dest, secret)) = wrong_login(server) else { return };
    // The default retries: a refusal is not retried, so this returns at once.
    let store = keepsake_remote::open(&dest, secret).unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed, "{e}");
    assert_eq!(reason_of(&e), "credentials", "{e}");
    if let Some(secret) = secret {
        assert!(!e.message().contains(secret), "no secret in a message: {e}");
    }
}

fn no_secret_saved_is_said_before_any_request(server: &Server) {
    let dest = server.destination("b2", "");
    if !dest.needs_secret() {
        return;
    }
    let e = keepsake_remote::open(&dest, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "credentials");
    assert!(e.message().contains("\"b2\""), "{e}");
}

fn a_bucket_that_does_not_exist_is_named(server: &Server) {
    let mut dest = server.destination("here", "");
    if dest.bucket.is_none() {
        return; // WebDAV and SFTP have folders, made when first written to.
    }
    dest.bucket = Some("no-such-bucket".into());
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(reason_of(&e), "no_bucket", "{e}");
}

fn a_server_that_is_gone_is_unreachable(mut server: Server) {
    server.kill();
    // SFTP asks the server who it is as the store is opened (its host key); others at the first request.
    let e = match keepsake_remote::open_with(&server.destination("here", ""), server.secret(), quick()) {
        Ok(store) => store.list().unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "unreachable", "{e}");
}

fn killed_mid_upload_lists_nothing_and_the_next_attempt_completes(mut server: Server) {
    let dest = server.destination("here", "off-site");
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    let mut w = store.create("backup_20260101_000000_abcdef01.keepsake").unwrap();
    let part = vec![7u8; 1 << 20];
    for _ in 0..20 {
        w.write_all(&part).unwrap();
    }
    server.kill();
    // Whatever was sent, the upload cannot be completed now.
    let _ = w.write_all(&part);
    assert!(w.commit().is_err(), "a commit to a dead server fails");
    server.restart();
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    assert!(store.list().unwrap().is_empty(), "nothing of the interrupted upload is listed");
    assert!(store.stat("backup_20260101_000000_abcdef01.keepsake").unwrap().is_none());
    // The next attempt completes.
    let mut w = store.create("backup_20260101_000000_abcdef01.keepsake").unwrap();
    for _ in 0..21 {
        w.write_all(&part).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(store.stat("backup_20260101_000000_abcdef01.keepsake").unwrap().unwrap().size, 21 << 20);
    assert_eq!(server.object("off-site", "backup_20260101_000000_abcdef01.keepsake").len(), 21 << 20);
}

fn a_server_answering_503_for_a_while_is_retried_and_the_copy_succeeds(server: &Server) {
    let mut dest = server.destination("here", "flaky");
    if dest.kind == DestinationKind::Sftp {
        return; // SSH has no "try again later" answer; a dropped connection is `unreachable`.
    }
    let proxy = FailingProxy::start(server.port, 3);
    let (ours, theirs) = (format!(":{}", server.port), format!(":{}", proxy.port));
    dest.endpoint = dest.endpoint.map(|e| e.replace(&ours, &theirs));
    let retries = keepsake_remote::Retries { times: 6, ..quick() };
    let store = keepsake_remote::open_with(&dest, server.secret(), retries).unwrap();
    let mut w = store.create("backup_20260101_000000_abcdef02.keepsake").unwrap();
    w.write_all(&vec![3u8; 3 << 20]).unwrap();
    w.commit().unwrap();
    assert_eq!(proxy.refused(), 3, "the first three requests were answered 503");
    assert_eq!(store.list().unwrap().len(), 1, "and the object is there, whole");
    assert_eq!(server.object("flaky", "backup_20260101_000000_abcdef02.keepsake").len(), 3 << 20);
}

fn a_backup_copied_is_recorded_once_whole_and_restores_on_a_new_computer(server: &Server) {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("notes.db");
    make_db(&db, 3000);
    let local = engine(&d.path().join("home"), &d.path().join("backups"));
    let b = local.backup(&db, &opts(), &Job::default()).unwrap();

    let dest = server.destination("offsite", "laptop");
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    assert_eq!(local.missing_copies(store.location()).unwrap().len(), 1, "not yet copied");
    let copied = local.copy_to(&b.id, "offsite", store.as_ref(), &Job::default()).unwrap();
    assert_eq!(copied.len(), 1);
    assert_eq!((copied[0].size, copied[0].sha256.as_str()), (b.stored_size, b.sha256.as_str()));
    assert_eq!(server.object("laptop", &b.file_name).len() as u64, b.stored_size, "what the server holds");
    assert!(local.missing_copies(store.location()).unwrap().is_empty());
    // Copying again sends nothing new: the record stands, the object is there.
    let again = local.copy_to(&b.id, "offsite", store.as_ref(), &Job::default()).unwrap();
    assert_eq!(again[0].copied_at, copied[0].copied_at);

    // The lost computer: a new installation knows nothing but the destination and the password.
    let fresh = Installation::open(d.path().join("new-home")).unwrap();
    let remote =
        Engine::open(&fresh, store.clone()).unwrap().with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let found = remote.scan().unwrap();
    assert_eq!(found.foreign.len(), 1, "listed from the remote objects alone");
    assert_eq!(found.foreign[0].id, b.id);
    assert_eq!(found.foreign[0].origin, Origin::Foreign);
    let target = d.path().join("restored.db");
    let no = remote.restore(&b.id, &target, &RestoreOptions::default(), &Job::default()).unwrap_err();
    assert_eq!(no.code(), ErrorCode::ConfirmationRequired, "a backup it did not record is confirmed first");
    // As the window does it: into a new file only, never over one that is there.
    let new_file = RestoreOptions {
        allow_foreign: true,
        safety_backup: false,
        new_file: true,
        ..RestoreOptions::default()
    };
    remote.restore(&b.id, &target, &new_file, &Job::default()).unwrap();
    assert_eq!(rows(&target), 3000);
    make_db(&target, 1);
    let e = remote.restore(&b.id, &target, &new_file, &Job::default()).unwrap_err();
    assert_eq!(e.facts().reason, Some(Reason::TargetExists), "{e}");
    assert_eq!(rows(&target), 3001, "the file there is left as it was");
}

fn a_copy_changed_on_the_server_is_reported_and_never_restored(server: &Server) {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("notes.db");
    make_db(&db, 500);
    let local = engine(&d.path().join("home"), &d.path().join("backups"));
    let b = local.backup(&db, &opts(), &Job::default()).unwrap();
    let store =
        keepsake_remote::open_with(&server.destination("nas", "k"), server.secret(), quick()).unwrap();
    local.copy_to(&b.id, "nas", store.as_ref(), &Job::default()).unwrap();
    let checks = local.verify_copies(store.as_ref(), &Job::default()).unwrap();
    assert_eq!(checks[0].state, CopyState::Whole);

    server.tamper("k", &b.file_name);

    let checks = local.verify_copies(store.as_ref(), &Job::default()).unwrap();
    assert_eq!(checks[0].state, CopyState::Changed, "the remote verify reports it");
    assert_eq!(local.missing_copies(store.location()).unwrap().len(), 1, "and it no longer counts as copied");

    let fresh = Installation::open(d.path().join("new-home")).unwrap();
    let remote =
        Engine::open(&fresh, store.clone()).unwrap().with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let target = d.path().join("restored.db");
    let yes = RestoreOptions { allow_foreign: true, safety_backup: false, ..RestoreOptions::default() };
    // Asked for by its id or by its file name: refused either way (a changed file may no longer
    // even say which backup it is).
    for asked in [&b.id, &b.file_name] {
        let e = remote.restore(asked, &target, &yes, &Job::default()).unwrap_err();
        assert!(
            matches!(
                e.code(),
                ErrorCode::BackupDamaged | ErrorCode::BackupNotFound | ErrorCode::BackupTruncated
            ),
            "{e}"
        );
    }
    assert!(!target.exists(), "nothing restored from a changed copy");
    // Copying again leaves the foreign object alone rather than write over it.
    let e = local.copy_to(&b.id, "nas", store.as_ref(), &Job::default()).unwrap_err();
    assert_eq!(e.facts().reason, Some(Reason::NameTaken), "{e}");
}

/// The whole suite on one kind of server; each test starts servers of its own.
macro_rules! suite {
    ($kind:ident, $start:expr) => {
        mod $kind {
            use super::*;

            #[test]
            fn passes_the_conformance_suite() {
                conformance_on(&$start);
            }

            #[test]
            fn the_connection_test_writes_reads_and_removes_a_probe() {
                super::the_connection_test_writes_reads_and_removes_a_probe(&$start);
            }

            #[test]
            fn a_wrong_login_is_said_as_such_and_not_retried_forever() {
                super::a_wrong_login_is_said_as_such_and_not_retried_forever(&$start);
            }

            #[test]
            fn no_secret_saved_is_said_before_any_request() {
                super::no_secret_saved_is_said_before_any_request(&$start);
            }

            #[test]
            fn a_bucket_that_does_not_exist_is_named() {
                super::a_bucket_that_does_not_exist_is_named(&$start);
            }

            #[test]
            fn a_server_that_is_gone_is_unreachable() {
                super::a_server_that_is_gone_is_unreachable($start);
            }

            #[test]
            fn killed_mid_upload_lists_nothing_and_the_next_attempt_completes() {
                super::killed_mid_upload_lists_nothing_and_the_next_attempt_completes($start);
            }

            #[test]
            fn a_server_answering_503_for_a_while_is_retried_and_the_copy_succeeds() {
                super::a_server_answering_503_for_a_while_is_retried_and_the_copy_succeeds(&$start);
            }

            #[test]
            fn a_backup_copied_is_recorded_once_whole_and_restores_on_a_new_computer() {
                super::a_backup_copied_is_recorded_once_whole_and_restores_on_a_new_computer(&$start);
            }

            #[test]
            fn a_copy_changed_on_the_server_is_reported_and_never_restored() {
                super::a_copy_changed_on_the_server_is_reported_and_never_restored(&$start);
            }
        }
    };
}

suite!(s3, Server::s3());
suite!(azure, Server::azure());
suite!(gcs, Server::gcs());
suite!(webdav, Server::webdav());
suite!(sftp, Server::sftp());
