//! Copies elsewhere through the engine and its background copier, on real servers: an
//! increment's chain sent first, the copier catching up after an outage, a destination's own
//! retention and its monthly check. What every kind of destination must do (a copy recorded
//! once whole, the lost-computer restore, a changed copy reported) is in `suite.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use keepsake_engine::scheduler::copies::{Copier, CopyEvent};
use keepsake_engine::sources::{Source, Sources};
use keepsake_engine::{
    BackupOptions, CopyState, Destination, Engine, Installation, Job, RestoreOptions, RetentionPolicy,
    StaticSecret,
};
use keepsake_remote::testing::{Server, quick};

mod common;
use common::{PASSWORD, engine, make_db, opts, rows};
use keepsake_engine::error::Reason;

#[test]
fn an_increment_goes_with_the_backups_it_builds_on_oldest_first() {
    let server = Server::s3();
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("notes.db");
    make_db(&db, 2000);
    let local = engine(&d.path().join("home"), &d.path().join("backups"));
    let inc = BackupOptions { incremental: Some(true), ..opts() };
    let full = local.backup(&db, &inc, &Job::default()).unwrap();
    make_db(&db, 10);
    let second = local.backup(&db, &inc, &Job::default()).unwrap();
    assert!(second.chain.is_some(), "the second backup is an increment");
    let store = keepsake_remote::open_with(&server.destination("s3", ""), server.secret(), quick()).unwrap();
    let copied = local.copy_to(&second.id, "s3", store.as_ref(), &Job::default()).unwrap();
    let ids: Vec<&str> = copied.iter().map(|c| c.backup_id.as_str()).collect();
    assert_eq!(ids, [full.id.as_str(), second.id.as_str()]);

    let fresh = Installation::open(d.path().join("new-home")).unwrap();
    let remote =
        Engine::open(&fresh, store.clone()).unwrap().with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let target = d.path().join("restored.db");
    let yes = RestoreOptions { allow_foreign: true, safety_backup: false, ..RestoreOptions::default() };
    remote.restore(&second.id, &target, &yes, &Job::default()).unwrap();
    assert_eq!(rows(&target), 2010);
}

/// Opens every destination with the test server's secret and short retries.
struct TestOpener(&'static str);

impl keepsake_engine::scheduler::copies::DestinationOpener for TestOpener {
    fn open(
        &self,
        dest: &keepsake_engine::Destination,
    ) -> keepsake_engine::Result<Arc<dyn keepsake_engine::Store>> {
        keepsake_remote::open_with(dest, Some(self.0), quick())
    }
}

/// A source "notes" (a database of 100 rows, its folder keeping `folder_rules`) whose backups
/// go to `dest` ("offsite"), its engine, and a background copier over them.
struct Copying {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    sources: Sources,
    engine: Arc<Engine>,
    copier: Copier,
}

fn copying(dest: Destination, folder_rules: RetentionPolicy) -> Copying {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("notes.db");
    make_db(&db, 100);
    let home = Installation::open(d.path().join("home")).unwrap();
    let engines = Arc::new(keepsake_engine::Engines::new(home, Arc::new(StaticSecret::new(PASSWORD))));
    let folder = d.path().join("backups");
    let mut source = Source::new("notes", &db, &folder);
    source.copies_to = vec![dest.name.clone()];
    source.retention = folder_rules;
    let sources = Sources { sources: vec![source], destinations: vec![dest], email: None };
    let engine = engines.get(&folder).unwrap();
    let copier = Copier::new(engines, Arc::new(TestOpener(keepsake_remote::testing::SECRET_KEY)));
    Copying { _dir: d, db, sources, engine, copier }
}

#[test]
fn the_background_copier_catches_up_oldest_first_once_the_server_is_back() {
    let mut server = Server::s3();
    let Copying { _dir, db, sources, engine, mut copier } =
        copying(server.destination("offsite", "n"), RetentionPolicy::default());

    // The server is away while three backups are made.
    server.kill();
    let mut made = Vec::new();
    for _ in 0..3 {
        make_db(&db, 10);
        made.push(engine.backup(&db, &opts(), &Job::default()).unwrap().id);
    }
    let mut failed = 0;
    copier.pass(&sources, chrono::Utc::now(), &Job::default(), &mut |e| {
        if let CopyEvent::Failed { error, .. } = e {
            assert_eq!(error.facts().reason, Some(Reason::Unreachable), "{error}");
            failed += 1;
        }
    });
    assert_eq!(failed, 1);
    let status = copier.status(&sources);
    assert!(status[0].failing_since.is_some() && status[0].last_copied_at.is_none());
    assert_eq!(status[0].waiting, 3);
    // Not tried again before its wait is over.
    let mut events = 0;
    copier.pass(&sources, chrono::Utc::now(), &Job::default(), &mut |_| events += 1);
    assert_eq!(events, 0, "a failed destination waits before the next attempt");

    server.restart();
    copier.retry_now();
    let mut order = Vec::new();
    copier.pass(&sources, chrono::Utc::now(), &Job::default(), &mut |e| {
        if let CopyEvent::Copied { record, .. } = e {
            order.push(record.backup_id.clone());
        }
    });
    assert_eq!(order, made, "sent oldest first");
    let status = copier.status(&sources);
    assert!(status[0].failing_since.is_none() && status[0].last_copied_at.is_some());
    assert_eq!(status[0].waiting, 0);
}

#[test]
fn a_destinations_own_retention_deletes_only_its_recorded_copies_and_a_monthly_check_finds_a_changed_one() {
    let server = Server::s3();
    // The folder keeps one backup; the destination two.
    let mut dest = server.destination("offsite", "n");
    dest.set("keep_last", "2").unwrap();
    let folder_rules = RetentionPolicy { keep_last: Some(1), ..RetentionPolicy::default() };
    let Copying { _dir, db, sources, engine, mut copier } = copying(dest, folder_rules.clone());

    // Somebody else's file at the destination, under a backup's name: never Keepsake's to delete.
    let planted = "backup_20200101_000000_00000000.db.gz";
    std::fs::create_dir_all(server.file("n", planted).parent().unwrap()).unwrap();
    std::fs::write(server.file("n", planted), b"not ours").unwrap();

    let now = chrono::Utc::now();
    let mut made = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut checked = 0;
    for _ in 0..3 {
        make_db(&db, 10);
        made.push(engine.backup(&db, &opts(), &Job::default()).unwrap());
        copier.pass(&sources, now, &Job::default(), &mut |e| match e {
            CopyEvent::Removed { plan, .. } => removed.extend(plan.delete.iter().map(|p| p.id.clone())),
            CopyEvent::Checked { .. } => checked += 1,
            CopyEvent::Failed { error, .. } | CopyEvent::Skipped { error, .. } => panic!("{error}"),
            CopyEvent::Copied { .. } => {}
        });
        // The folder's own cleanup, by the folder's rule: it deletes nothing at the destination.
        engine.cleanup(&folder_rules).unwrap();
    }
    assert_eq!(engine.list(None).unwrap().len(), 1, "the folder keeps one");
    // The first backup, gone from the folder since the second cleanup, was deleted at the
    // destination by the destination's rule alone (what was known of it kept since its copy).
    assert_eq!(removed, [made[0].id.clone()]);
    assert!(!server.file("n", &made[0].file_name).exists());
    for b in &made[1..] {
        assert!(server.file("n", &b.file_name).exists(), "{} is one of the last two", b.id);
    }
    assert_eq!(std::fs::read(server.file("n", planted)).unwrap(), b"not ours", "a planted file stays");
    assert_eq!(checked, 0, "copies made today are not due for their monthly check");

    // A month later, one copy was changed on the server: the check finds it, and it no longer counts.
    let path = server.file("n", &made[1].file_name);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let mut found = Vec::new();
    copier.pass(&sources, now + chrono::TimeDelta::days(31), &Job::default(), &mut |e| {
        if let CopyEvent::Checked { checks, .. } = e {
            found = checks.iter().map(|c| (c.backup_id.clone(), c.state)).collect();
        }
    });
    assert_eq!(found, [(made[1].id.clone(), CopyState::Changed), (made[2].id.clone(), CopyState::Whole)]);
    let status = copier.status(&sources);
    assert_eq!(status[0].checked.map(|c| c.bad), Some(1), "{status:?}");
}

#[test]
fn a_destination_keeping_fewer_is_sent_only_what_it_keeps_and_a_changed_copy_never_blocks_the_next() {
    let server = Server::s3();
    // The folder keeps everything; the destination the last two.
    let mut dest = server.destination("offsite", "n");
    dest.set("keep_last", "2").unwrap();
    let Copying { _dir, db, sources, engine, mut copier } = copying(dest, RetentionPolicy::default());
    let pass = |copier: &mut Copier, at: chrono::DateTime<chrono::Utc>| {
        let mut events: Vec<String> = Vec::new();
        copier.pass(&sources, at, &Job::default(), &mut |e| {
            events.push(match e {
                CopyEvent::Copied { record, .. } => format!("copied {}", record.backup_id),
                CopyEvent::Skipped { error, .. } => {
                    format!("skipped {}", error.facts().backup_id.clone().unwrap())
                }
                CopyEvent::Removed { plan, .. } => format!("removed {}", plan.delete.len()),
                CopyEvent::Checked { checks, .. } => format!("checked {}", checks.len()),
                CopyEvent::Failed { error, .. } => panic!("{error}"),
            })
        });
        events
    };

    let now = chrono::Utc::now();
    let mut made = Vec::new();
    for _ in 0..3 {
        make_db(&db, 10);
        made.push(engine.backup(&db, &opts(), &Job::default()).unwrap());
    }
    // Only the two it keeps are sent: nothing is sent to be deleted at once.
    assert_eq!(pass(&mut copier, now), [format!("copied {}", made[1].id), format!("copied {}", made[2].id)]);
    assert!(!server.file("n", &made[0].file_name).exists());
    assert!(pass(&mut copier, now).is_empty(), "nothing sent again, nothing deleted, pass after pass");
    assert_eq!(copier.status(&sources)[0].waiting, 0);

    // The newest copy is changed on the server; a month later the check finds it.
    let path = server.file("n", &made[2].file_name);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let later = now + chrono::TimeDelta::days(31);
    assert_eq!(pass(&mut copier, later), ["checked 2"]);
    // A new backup still goes there; the changed file is left alone, said once.
    make_db(&db, 10);
    made.push(engine.backup(&db, &opts(), &Job::default()).unwrap());
    assert_eq!(
        pass(&mut copier, later),
        [format!("skipped {}", made[2].id), format!("copied {}", made[3].id)]
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the changed file is not overwritten");
    assert!(pass(&mut copier, later).is_empty(), "not said again at every pass");
}

/// A proxy to `127.0.0.1:upstream` that passes every byte both ways and counts those sent up.
fn counting_proxy(upstream: u16) -> (u16, Arc<std::sync::atomic::AtomicU64>) {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicU64, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let up = Arc::new(AtomicU64::new(0));
    let counted = up.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { return };
            let counted = counted.clone();
            std::thread::spawn(move || {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
                let (mut from, mut to) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let sender = std::thread::spawn(move || {
                    let mut buf = [0u8; 64 * 1024];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        counted.fetch_add(n as u64, Ordering::SeqCst);
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
                let (mut back, mut client) = (server, client);
                let _ = std::io::copy(&mut back, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Both);
                let _ = sender.join();
            });
        }
    });
    (port, up)
}

/// The server dies while one object is on its way (some of its parts sent, the rest not):
/// the copy fails with words that say so, nothing is recorded as copied and no half object
/// is listed there; once the server is back the same copy goes whole and restores.
#[test]
fn a_server_killed_in_the_middle_of_an_upload_leaves_no_half_copy_and_the_next_copy_is_whole() {
    use std::sync::atomic::Ordering;
    let mut server = Server::s3();
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("scans.db");
    // 20 MiB that no compression makes smaller: three parts of a multipart upload.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE scans (b BLOB)").unwrap();
    for _ in 0..20 {
        c.execute("INSERT INTO scans VALUES (randomblob(1048000))", []).unwrap();
    }
    drop(c);
    let local = engine(&d.path().join("home"), &d.path().join("backups"));
    let made = local.backup(&db, &opts(), &Job::default()).unwrap();
    assert!(made.stored_size > 2 * keepsake_remote::PART_SIZE as u64, "{}", made.stored_size);

    // Sent at 8 MiB/s through a proxy that counts: the server is killed once 1 MiB went up,
    // seconds before the rest would.
    let (port, up) = counting_proxy(server.port);
    let mut dest = server.destination("offsite", "mid");
    dest.endpoint = Some(format!("http://127.0.0.1:{port}"));
    dest.upload_limit_kib = Some(8 * 1024);
    let store = keepsake_remote::open_with(&dest, server.secret(), quick()).unwrap();
    let killer = std::thread::spawn(move || {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while up.load(Ordering::SeqCst) < 1 << 20 {
            assert!(std::time::Instant::now() < end, "the upload never started");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        server.kill();
        (server, up.load(Ordering::SeqCst))
    });
    let err =
        local.copy_to(&made.id, "offsite", store.as_ref(), &Job::default()).expect_err("the server died");
    let (mut server, sent_when_killed) = killer.join().unwrap();
    assert!(
        sent_when_killed < made.stored_size,
        "killed mid-upload: {sent_when_killed} of {}",
        made.stored_size
    );
    assert_eq!(err.code(), keepsake_engine::ErrorCode::RemoteFailed, "{err}");
    assert!(err.to_string().contains(store.location()), "the words name the destination: {err}");
    assert!(local.copies().unwrap().is_empty(), "nothing recorded as copied");

    server.restart();
    let listed: Vec<String> = store.list().unwrap().into_iter().map(|e| e.name).collect();
    assert!(!listed.contains(&made.file_name), "no half object listed: {listed:?}");
    let copied = local.copy_to(&made.id, "offsite", store.as_ref(), &Job::default()).unwrap();
    assert_eq!(copied.len(), 1);
    assert_eq!(
        server.object("mid", &made.file_name),
        std::fs::read(d.path().join("backups").join(&made.file_name)).unwrap()
    );
    let fresh = Installation::open(d.path().join("new-home")).unwrap();
    let remote =
        Engine::open(&fresh, store.clone()).unwrap().with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let target = d.path().join("restored.db");
    let yes = RestoreOptions { allow_foreign: true, safety_backup: false, ..RestoreOptions::default() };
    remote.restore(&made.id, &target, &yes, &Job::default()).unwrap();
    let n: i64 = rusqlite::Connection::open(&target)
        .unwrap()
        .query_row("SELECT count(*) FROM scans", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 20);
}
