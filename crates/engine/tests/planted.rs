//! Objects somebody else planted where backups go: under a backup's name at a destination (a
//! copy pass must not read them whole, nor again and again), and in a destination listed on a
//! new computer (their key derivations must not make the listing take hours).
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use keepsake_engine::{LocalFolder, Result, Store, StoreEntry, StoreWrite};

/// A store that counts the bytes read from it.
#[derive(Debug)]
struct Counting {
    inner: LocalFolder,
    read: Arc<AtomicU64>,
}

impl Counting {
    fn new(dir: &std::path::Path) -> Counting {
        Counting { inner: LocalFolder::new(dir).unwrap(), read: Arc::new(AtomicU64::new(0)) }
    }

    /// Bytes read since the last call.
    fn take_read(&self) -> u64 {
        self.read.swap(0, Ordering::SeqCst)
    }
}

struct CountingReader {
    inner: Box<dyn Read + Send>,
    read: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

impl Store for Counting {
    fn location(&self) -> &str {
        self.inner.location()
    }
    fn list(&self) -> Result<Vec<StoreEntry>> {
        self.inner.list()
    }
    fn stat(&self, name: &str) -> Result<Option<StoreEntry>> {
        self.inner.stat(name)
    }
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        Ok(Box::new(CountingReader { inner: self.inner.open(name)?, read: Arc::clone(&self.read) }))
    }
    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let v = self.inner.read_range(name, offset, len)?;
        self.read.fetch_add(v.len() as u64, Ordering::SeqCst);
        Ok(v)
    }
    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        self.inner.create(name)
    }
    fn delete(&self, name: &str) -> Result<()> {
        self.inner.delete(name)
    }
}

fn reason(e: &keepsake_engine::Error) -> Option<&str> {
    e.facts().reason.map(keepsake_engine::error::Reason::as_str)
}

/// Sets a file's modification time (a changed object, as a store sees it).
fn touch(path: &std::path::Path, secs_ago: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago)).unwrap();
}

#[test]
fn a_foreign_object_under_a_backups_name_is_not_downloaded_and_not_read_again() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 20);
    let engine = env.engine();
    let meta = engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    let dest_dir = env.dir.path().join("usb");
    let dest = Counting::new(&dest_dir);
    let planted = dest_dir.join(&meta.file_name);

    // 4 MiB of somebody else's under the name: a different size, so nothing is read.
    std::fs::write(&planted, vec![7u8; 4 << 20]).unwrap();
    for pass in 0..2 {
        let e = engine.copy_to(&meta.id, "usb", &dest, &job()).unwrap_err();
        assert_eq!(reason(&e), Some("name_taken"), "pass {pass}: {e:?}");
        assert_eq!(dest.take_read(), 0, "pass {pass}: nothing of the planted object is read");
    }
    assert_eq!(std::fs::metadata(&planted).unwrap().len(), 4 << 20, "left alone");

    // The backup's own size, other bytes: read once (no further than its size), then
    // remembered until the object changes.
    std::fs::write(&planted, vec![9u8; meta.stored_size as usize]).unwrap();
    touch(&planted, 100);
    let e = engine.copy_to(&meta.id, "usb", &dest, &job()).unwrap_err();
    assert_eq!(reason(&e), Some("name_taken"));
    let first = dest.take_read();
    assert!(first <= meta.stored_size + 1, "read {first} bytes of a {}-byte object", meta.stored_size);
    let e = engine.copy_to(&meta.id, "usb", &dest, &job()).unwrap_err();
    assert_eq!(reason(&e), Some("name_taken"));
    assert_eq!(dest.take_read(), 0, "a name found taken is not read again");

    // The object changes (another time): it is looked at again, and once it is the backup
    // itself (a copy whose record was lost), it counts.
    std::fs::copy(file_of(&engine, &meta), &planted).unwrap();
    touch(&planted, 50);
    let records = engine.copy_to(&meta.id, "usb", &dest, &job()).unwrap();
    assert_eq!(records.last().unwrap().sha256, meta.sha256);
    assert!(dest.take_read() > 0, "the changed object was read back");
}

/// `genuine` (an encrypted backup's bytes) with its clear header's salt and iteration count
/// replaced (its CRC recomputed, so only Keepsake's rules can refuse it).
fn forge(genuine: &[u8], salt: [u8; 16], iterations: u32) -> Vec<u8> {
    let n = u32::from_be_bytes(genuine[10..14].try_into().unwrap()) as usize;
    let mut clear: serde_json::Value = serde_json::from_slice(&genuine[14..14 + n]).unwrap();
    // Format 3: the key record's password derivation, under a key id of its own.
    clear["key"]["password"]["kdf"]["iterations"] = serde_json::Value::from(iterations);
    clear["key"]["password"]["kdf"]["salt"] = serde_json::Value::from(hex_of(&salt));
    clear["key"]["id"] = serde_json::Value::from(hex_of(&salt));
    let json = serde_json::to_vec(&clear).unwrap();
    let mut forged = b"KEEPSAKE".to_vec();
    forged.extend_from_slice(&3u16.to_be_bytes());
    forged.extend_from_slice(&(json.len() as u32).to_be_bytes());
    forged.extend_from_slice(&json);
    let mut crc = flate2::Crc::new();
    crc.update(&forged);
    forged.extend_from_slice(&crc.sum().to_be_bytes());
    forged.extend_from_slice(&genuine[14 + n + 4..genuine.len() - 8]);
    let len = forged.len() as u64 + 8;
    forged.extend_from_slice(&len.to_be_bytes());
    forged
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn planted_objects_asking_for_ten_million_iterations_each_are_listed_without_deriving() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 20);
    let engine = env.engine();
    let genuine = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    // The destination: the genuine copy, and 50 planted files, each its own salt and 10 M
    // iterations (minutes of work each, were they derived).
    let dest_dir = env.dir.path().join("bucket");
    engine.copy_to(&genuine.id, "usb", &LocalFolder::new(&dest_dir).unwrap(), &job()).unwrap();
    let bytes = std::fs::read(file_of(&engine, &genuine)).unwrap();
    for i in 0..50u8 {
        let mut salt = [0x5a; 16];
        salt[0] = i;
        let name = format!("backup_20260102_0000{i:02}_0badc0{i:02x}.keepsake");
        std::fs::write(dest_dir.join(name), forge(&bytes, salt, 10_000_000)).unwrap();
    }
    // Listed on a new computer: another installation, the password at hand.
    let elsewhere = env.other_installation("new-computer");
    let remote = keepsake_engine::Engine::open_folder(&elsewhere, &dest_dir)
        .unwrap()
        .with_secrets(Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)));
    let t0 = std::time::Instant::now();
    let report = remote.scan().unwrap();
    assert!(t0.elapsed() < std::time::Duration::from_secs(60), "took {:?}", t0.elapsed());
    assert_eq!(report.foreign.len(), 1, "the genuine backup lists: {report:?}");
    assert_eq!(report.foreign[0].id, genuine.id);
    assert_eq!(report.files.len(), 50, "{report:?}");
    for f in &report.files {
        assert_eq!(f.state, keepsake_engine::FileState::Locked, "{f:?}");
        assert!(f.message.contains("not this installation's"), "{f:?}");
    }
}

#[test]
fn one_listing_derives_a_bounded_number_of_keys_and_says_what_it_left_unread() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 20);
    let engine = env.engine();
    let genuine = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let bytes = std::fs::read(file_of(&engine, &genuine)).unwrap();
    let dest_dir = env.dir.path().join("bucket");
    std::fs::create_dir_all(&dest_dir).unwrap();
    // This installation's own iteration count, each its own salt: each a derivation.
    let planted = keepsake_engine::folder::MAX_SCAN_DERIVATIONS as usize + 4;
    for i in 0..planted as u8 {
        let mut salt = [0xa5; 16];
        salt[0] = i;
        let name = format!("backup_20260102_0000{i:02}_0badc0{i:02x}.keepsake");
        std::fs::write(dest_dir.join(name), forge(&bytes, salt, 600_000)).unwrap();
    }
    let elsewhere = env.other_installation("new-computer");
    let remote = keepsake_engine::Engine::open_folder(&elsewhere, &dest_dir)
        .unwrap()
        .with_secrets(Arc::new(keepsake_engine::StaticSecret::new(PASSWORD)));
    let report = remote.scan().unwrap();
    assert_eq!(report.files.len(), planted, "every planted file is listed: {report:?}");
    let unread = report.files.iter().filter(|f| f.message.contains("not opened in this listing")).count();
    assert_eq!(unread, 4, "past the bound, files are said unread, not derived: {report:?}");
}
