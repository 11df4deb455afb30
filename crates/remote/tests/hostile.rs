//! Servers that misbehave on purpose: a listing that never ends, a read that sends more than
//! asked, a server that takes a request and never answers. Real servers cannot be made to do
//! this, so each test runs a small HTTP/1.1 server of its own on 127.0.0.1 speaking just enough
//! S3 for Keepsake's store; and a real rclone WebDAV server for an upload far larger than what
//! the process may hold.
//!
//! [`keepsake_remote::interrupt`] ends every remote call of the process, so the tests here run
//! one at a time (`SERIAL`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use keepsake_engine::error::ErrorCode;
use keepsake_engine::error::Reason;
use keepsake_engine::store::Store;
use keepsake_engine::{Destination, DestinationKind};
use keepsake_remote::Retries;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One request as the hostile server read it.
struct Request {
    method: String,
    target: String,
}

/// Runs `answer` for every request on its own 127.0.0.1 port; `answer` writes the whole
/// response and says whether the connection may carry another request.
fn serve(answer: impl Fn(&Request, &mut TcpStream) -> bool + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut out = conn.try_clone().unwrap();
                let mut reader = BufReader::new(conn);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or_default().to_owned();
                    let target = parts.next().unwrap_or_default().to_owned();
                    let mut length = 0;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h == "\r\n" {
                            break;
                        }
                        let h = h.to_ascii_lowercase();
                        if let Some(v) = h.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    if !answer(&Request { method, target }, &mut out) {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn reply(out: &mut TcpStream, status: &str, headers: &str, body: &[u8]) -> bool {
    let head = format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n", body.len());
    out.write_all(head.as_bytes()).is_ok() && out.write_all(body).is_ok()
}

/// An S3 destination on the hostile server at `port`, objects under `laptop/`.
fn destination(port: u16) -> Destination {
    let mut d = Destination::new("hostile", DestinationKind::S3);
    d.endpoint = Some(format!("http://127.0.0.1:{port}"));
    d.bucket = Some("backups".to_owned());
    d.access_key_id = Some("key".to_owned());
    d.path_style = true;
    d.prefix = "laptop".to_owned();
    d
}

fn short(deadline: Duration) -> Retries {
    Retries {
        times: 1,
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
        timeout: Duration::from_secs(60),
        deadline,
    }
}

fn open(port: u16, deadline: Duration) -> Arc<dyn Store> {
    keepsake_remote::open_with(&destination(port), Some("secret"), short(deadline)).unwrap()
}

/// A ListObjectsV2 page of 1,000 names that says more follow. `fresh`: new names and a new
/// token on every page; otherwise the same names and token again and again. After
/// `MAX_LISTED` names and a few pages more it gives up and says the listing is whole, so
/// that a Keepsake without the cap ends too (with a million names it should not have held).
fn endless_listing(fresh: bool) -> (u16, Arc<AtomicUsize>) {
    let pages = Arc::new(AtomicUsize::new(0));
    let served = pages.clone();
    let last = keepsake_remote::MAX_LISTED / 1000 + 5;
    let port = serve(move |req, out| {
        assert_eq!(req.method, "GET", "{}", req.target);
        assert!(req.target.contains("list-type=2"), "{}", req.target);
        let page = served.fetch_add(1, Ordering::SeqCst);
        let n = if fresh { page } else { 0 };
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult>");
        xml.push_str(&format!(
            "<Name>backups</Name><Prefix>laptop/</Prefix><MaxKeys>1000</MaxKeys><KeyCount>1000</KeyCount>\
             <IsTruncated>{}</IsTruncated><NextContinuationToken>token-{n}</NextContinuationToken>",
            page < last
        ));
        for i in 0..1000 {
            xml.push_str(&format!(
                "<Contents><Key>laptop/k{n}-{i}</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified>\
                 <Size>1</Size></Contents>"
            ));
        }
        xml.push_str("</ListBucketResult>");
        reply(out, "200 OK", "Content-Type: application/xml\r\n", xml.as_bytes())
    });
    (port, pages)
}

#[test]
fn a_listing_that_never_ends_stops_at_the_cap_with_a_clear_error() {
    let _one = serial();
    let (port, pages) = endless_listing(true);
    let err = open(port, Duration::from_secs(600)).list().expect_err("a listing without an end");
    assert_eq!(err.code(), ErrorCode::RemoteFailed, "{err}");
    assert_eq!(err.facts().reason, Some(Reason::Server), "{err}");
    assert!(err.message().contains("more than 1000000 names"), "{err}");
    // Not asked for more once the cap was reached (a page may be in flight).
    let asked = pages.load(Ordering::SeqCst);
    assert!(asked <= keepsake_remote::MAX_LISTED / 1000 + 2, "{asked} pages asked");
}

#[test]
fn a_listing_that_repeats_its_pages_stops_at_the_first_name_given_twice() {
    let _one = serial();
    let (port, pages) = endless_listing(false);
    let err = open(port, Duration::from_secs(600)).list().expect_err("a listing that repeats itself");
    assert_eq!(err.code(), ErrorCode::RemoteFailed, "{err}");
    assert_eq!(err.facts().reason, Some(Reason::Server), "{err}");
    assert!(err.message().contains("\"k0-0\" twice"), "{err}");
    let asked = pages.load(Ordering::SeqCst);
    assert!(asked <= 3, "{asked} pages asked");
}

#[test]
fn a_read_keeps_only_the_bytes_asked_for_whatever_the_server_sends() {
    let _one = serial();
    let written = Arc::new(AtomicU64::new(0));
    let closed = Arc::new(AtomicBool::new(false));
    let (w, c) = (written.clone(), closed.clone());
    let port = serve(move |req, out| {
        let object = "Last-Modified: Wed, 01 May 2024 10:00:00 GMT\r\nETag: \"e\"\r\n";
        if req.method == "HEAD" {
            let head = format!("HTTP/1.1 200 OK\r\n{object}Content-Length: 14\r\n\r\n");
            return out.write_all(head.as_bytes()).is_ok();
        }
        // The 14 bytes asked for, then more: a GiB said, 256 MiB sent at most (so that a
        // Keepsake that keeps everything ends too), until the connection is closed.
        let head = format!("HTTP/1.1 200 OK\r\n{object}Content-Length: {}\r\n\r\n", 1u64 << 30);
        let _ = out.write_all(head.as_bytes());
        let piece = vec![b'x'; 64 << 10];
        let mut first = b"SQLite format 3".to_vec();
        first.truncate(14);
        if out.write_all(&first).is_ok() {
            w.fetch_add(14, Ordering::SeqCst);
            while w.load(Ordering::SeqCst) < 256 << 20 && out.write_all(&piece).is_ok() {
                w.fetch_add(piece.len() as u64, Ordering::SeqCst);
            }
        }
        c.store(true, Ordering::SeqCst);
        false
    });
    let store = open(port, Duration::from_secs(600));
    let got = store.read_range("keepsake-header.bin", 0, 14).unwrap();
    assert_eq!(got, b"SQLite format ");
    let end = Instant::now() + Duration::from_secs(20);
    while !closed.load(Ordering::SeqCst) {
        assert!(Instant::now() < end, "the connection was not closed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < 64 << 20, "the server got {sent} bytes out before the connection was closed");
}

/// A server that takes every request and never answers.
fn silent() -> u16 {
    serve(|_, _| {
        std::thread::sleep(Duration::from_secs(3600));
        false
    })
}

#[test]
fn an_interrupt_ends_a_call_waiting_on_a_silent_server_at_once() {
    let _one = serial();
    let store = open(silent(), Duration::from_secs(600));
    let started = Instant::now();
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(300));
        keepsake_remote::interrupt();
    });
    let err = store.list().expect_err("interrupted");
    stopper.join().unwrap();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err}");
    // The request timeout is a minute: it was the interrupt that ended the wait.
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // The next call is not affected by an interrupt that came before it.
    let err = open(silent(), Duration::from_millis(500)).list().expect_err("past its deadline");
    assert_eq!(err.code(), ErrorCode::RemoteFailed, "{err}");
}

#[test]
fn an_interrupt_ends_the_wait_of_an_upload_limit_at_once() {
    let _one = serial();
    // 4 KiB a second: 256 KiB would take a minute of waits between pieces.
    let dest = Destination { upload_limit_kib: Some(4), ..destination(silent()) };
    let store = keepsake_remote::open_with(&dest, Some("secret"), short(Duration::from_secs(600))).unwrap();
    let mut w = store.create("backup_x.db.gz").unwrap();
    let started = Instant::now();
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(300));
        keepsake_remote::interrupt();
    });
    let err = w.write_all(&vec![7u8; 256 << 10]).expect_err("stopped");
    stopper.join().unwrap();
    assert_eq!(err.to_string(), "the upload was stopped");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn a_call_past_its_deadline_fails_as_a_timeout() {
    let _one = serial();
    let store = open(silent(), Duration::from_secs(1));
    let started = Instant::now();
    let err = store.list().expect_err("past its deadline");
    assert_eq!(err.code(), ErrorCode::RemoteFailed, "{err}");
    assert_eq!(err.facts().reason, Some(Reason::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // The same for a read (its stat first).
    let err = store.read_range("keepsake-header.bin", 0, 14).expect_err("past its deadline");
    assert_eq!(err.facts().reason, Some(Reason::Timeout), "{err}");
}

/// A line of /proc/self/status in bytes (`VmRSS`: held now, `VmHWM`: the most held so far).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim_start_matches(':').trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn a_webdav_upload_far_larger_than_memory_allows_is_sent_whole_from_disk() {
    let _one = serial();
    let server = keepsake_remote::testing::Server::webdav();
    let store = keepsake_remote::open(&server.destination("dav", "laptop"), server.secret()).unwrap();
    const SIZE: usize = 64 << 20;
    // Not compressible, not all one byte: what a backup looks like.
    let mut piece = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    // The peak so far is set back to what is held now (earlier tests of this binary held more).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_bytes("VmRSS");
    let mut w = store.create("keepsake-big.bin").unwrap();
    for _ in 0..SIZE / piece.len() {
        for b in piece.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        w.write_all(&piece).unwrap();
    }
    w.commit().unwrap();
    let grown = status_bytes("VmHWM").saturating_sub(before);
    eprintln!("peak growth while uploading 64 MiB: {} MiB", grown >> 20);
    let on_server = std::fs::metadata(server.file("laptop", "keepsake-big.bin")).unwrap().len();
    assert_eq!(on_server, SIZE as u64);
    assert_eq!(store.list().unwrap().len(), 1, "no partial object is listed");
    // Coarse: the whole object held in memory is 64 MiB (and more while it is sent).
    assert!(grown < 32 << 20, "the process grew by {} MiB", grown >> 20);
}

#[test]
fn a_listing_page_that_never_ends_is_cut_off_and_never_held_whole() {
    // One ListObjectsV2 answer whose body goes on and on (a GiB said, up to 512 MiB sent, so that
    // a Keepsake that holds it whole ends too): OpenDAL reads a page whole before Keepsake sees
    // it, so the transport itself stops it.
    let _one = serial();
    let written = Arc::new(AtomicU64::new(0));
    let closed = Arc::new(AtomicBool::new(false));
    let (w, c) = (written.clone(), closed.clone());
    let port = serve(move |_req, out| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
            1u64 << 30
        );
        let _ = out.write_all(head.as_bytes());
        let start =
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><IsTruncated>false</IsTruncated>";
        let piece = b"<Contents><Key>laptop/x</Key><Size>1</Size></Contents>".repeat(1000);
        if out.write_all(start).is_ok() {
            while w.load(Ordering::SeqCst) < 512 << 20 && out.write_all(&piece).is_ok() {
                w.fetch_add(piece.len() as u64, Ordering::SeqCst);
            }
        }
        c.store(true, Ordering::SeqCst);
        false
    });
    let store = open(port, Duration::from_secs(600));
    let e = store.list().unwrap_err();
    assert!(e.message().contains("went on past"), "{e}");
    let end = Instant::now() + Duration::from_secs(20);
    while !closed.load(Ordering::SeqCst) {
        assert!(Instant::now() < end, "the connection was not closed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < 128 << 20, "the server got {sent} bytes out before the connection was closed");
}
