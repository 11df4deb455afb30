//! Each kind of remote store against a real server on 127.0.0.1: the storage seam's
//! conformance suite, what a person is told when the login or the bucket is wrong or the server
//! is gone, and a server killed in the middle of an upload.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use keepsake_engine::ErrorCode;
use keepsake_engine::store::conformance;
use keepsake_remote::testing::{Server, quick};

fn conformance_on(server: &Server) {
    let dest = server.destination("here", "keepsake/conformance");
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    conformance::check(store.as_ref());
}

#[test]
fn s3_passes_the_conformance_suite() {
    conformance_on(&Server::s3());
}

#[test]
fn webdav_passes_the_conformance_suite() {
    conformance_on(&Server::webdav());
}

#[test]
fn sftp_passes_the_conformance_suite() {
    conformance_on(&Server::sftp());
}

fn reason_of(e: &keepsake_engine::Error) -> &str {
    e.facts().reason.as_deref().unwrap_or("")
}

#[test]
fn a_wrong_secret_key_or_password_is_said_as_such_and_not_retried_forever() {
    for server in [Server::s3(), Server::webdav()] {
        let dest = server.destination("here", "");
        // The default retries: a refusal is not retried, so this returns at once.
        let store = keepsake_remote::open(&dest, Some("not the secret")).unwrap();
        let e = store.list().unwrap_err();
        assert_eq!(e.code(), ErrorCode::RemoteFailed, "{e}");
        assert_eq!(reason_of(&e), "credentials", "{e}");
        assert!(!e.message().contains("not the secret"), "no secret in a message: {e}");
    }
}

#[test]
fn no_secret_saved_is_said_before_any_request() {
    let server = Server::s3();
    let e = keepsake_remote::open(&server.destination("b2", ""), None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "credentials");
    assert!(e.message().contains("\"b2\""), "{e}");
}

#[test]
fn a_bucket_that_does_not_exist_is_named() {
    let server = Server::s3();
    let mut dest = server.destination("here", "");
    dest.bucket = Some("no-such-bucket".into());
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(reason_of(&e), "no_bucket", "{e}");
}

#[test]
fn a_server_that_is_gone_is_unreachable() {
    let mut server = Server::s3();
    server.kill();
    let store =
        keepsake_remote::open_with(&server.destination("here", ""), server.secret(), quick()).unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(e.code(), ErrorCode::RemoteFailed);
    assert_eq!(reason_of(&e), "unreachable", "{e}");
}

fn killed_mid_upload(mut server: Server) {
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
}

#[test]
fn s3_killed_mid_upload_lists_nothing_and_the_next_attempt_completes() {
    killed_mid_upload(Server::s3());
}

#[test]
fn webdav_killed_mid_upload_lists_nothing_and_the_next_attempt_completes() {
    killed_mid_upload(Server::webdav());
}

#[test]
fn the_connection_test_writes_reads_and_removes_a_probe() {
    for server in [Server::s3(), Server::webdav(), Server::sftp()] {
        let store =
            keepsake_remote::open_with(&server.destination("here", "p"), server.secret(), quick()).unwrap();
        keepsake_remote::probe(store.as_ref()).unwrap();
        assert!(store.list().unwrap().is_empty(), "the probe is gone again");
    }
}

#[test]
fn a_server_answering_503_for_a_while_is_retried_and_the_copy_succeeds() {
    use keepsake_remote::testing::FailingProxy;
    let server = Server::s3();
    let proxy = FailingProxy::start(server.port, 3);
    let mut dest = server.destination("here", "flaky");
    dest.endpoint = Some(format!("http://127.0.0.1:{}", proxy.port));
    let retries = keepsake_remote::Retries { times: 6, ..quick() };
    let store = keepsake_remote::open_with(&dest, server.secret(), retries).unwrap();
    let mut w = store.create("backup_20260101_000000_abcdef02.keepsake").unwrap();
    w.write_all(&vec![3u8; 3 << 20]).unwrap();
    w.commit().unwrap();
    assert_eq!(proxy.refused(), 3, "the first three requests were answered 503");
    assert_eq!(store.list().unwrap().len(), 1, "and the object is there, whole");
    assert_eq!(
        std::fs::metadata(server.file("flaky", "backup_20260101_000000_abcdef02.keepsake")).unwrap().len(),
        3 << 20
    );
}
