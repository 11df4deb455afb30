//! A database another program holds under an exclusive lock, copied consistently.
//!
//! Firefox, Thunderbird and Chromium open their databases in SQLite's exclusive locking mode:
//! while they run, no other program can even read them ("database is locked"), so
//! [`crate::snapshot::Snapshot`] cannot start its read transaction. Their files can still be
//! read as files. A copy of the database file (and its `-wal` or `-journal`) is consistent when
//! nothing wrote to any of them while it was taken, which is checked, not assumed:
//!
//! 1. Each file's identity, size, change time and first bytes (the database header with its
//!    change counter; the WAL header with its checkpoint sequence and salts) are read before
//!    and after the copy. Any difference means the app wrote meanwhile: the copy is thrown away
//!    and taken again, up to [`TRIES`] times, waiting a little longer each time.
//! 2. The copy is opened by SQLite, which recovers it as after a power cut: the WAL's frames up
//!    to its last commit are kept (a frame half-written at the end fails its checksum and is
//!    ignored), a hot journal is rolled back. That is a state the app committed.
//! 3. `PRAGMA integrity_check` of the copy must say `ok`; then the WAL is checkpointed into the
//!    copy, which the backup reads as it reads any database.
//!
//! A copy that never settles is an error (`source_busy`), never a backup.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{OPAQUE_PAGE, OpaquePart};
use crate::seams::CancelToken;

/// How many times a copy is taken before giving up.
pub const TRIES: u32 = 8;

/// SQLite's shared lock range (after the pending and reserved bytes at 1 GiB): a program in
/// exclusive mode holds a write lock on it.
const SHARED_RANGE: (i64, i64) = (0x4000_0002, 510);

/// Whether another program holds the database at `path` under an exclusive SQLite lock right
/// now (asked with `F_GETLK`, which takes no lock). A reader or a brief writer does not count.
#[allow(unsafe_code)]
pub fn held_exclusively(path: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(f) = File::open(path) else { return false };
    // SAFETY: `flock` is plain data; F_GETLK only fills it in.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_RDLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = SHARED_RANGE.0;
    lock.l_len = SHARED_RANGE.1;
    // SAFETY: a valid descriptor and a valid `flock` for the call's lifetime.
    let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lock) };
    rc == 0 && lock.l_type == libc::F_WRLCK as libc::c_short
}

/// A consistent copy, removed when dropped.
#[derive(Debug)]
pub struct HeldCopy {
    dir: tempfile::TempDir,
    /// How many copies it took.
    pub tries: u32,
}

impl HeldCopy {
    /// The copied database, self-contained (its WAL checkpointed into it).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("db")
    }
}

/// What identifies one state of a file: absent, or its inode, size, change time and first bytes.
#[derive(Debug, PartialEq, Eq)]
struct Seen(Option<(u64, u64, i64, i64, Vec<u8>)>);

fn seen(path: &Path, head: usize) -> Result<Seen> {
    let mut f = match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Seen(None)),
        Err(e) => return Err(unreadable(path, e)),
        Ok(f) => f,
    };
    let m = f.metadata().map_err(|e| unreadable(path, e))?;
    let mut bytes = Vec::with_capacity(head);
    (&mut f).take(head as u64).read_to_end(&mut bytes).map_err(|e| unreadable(path, e))?;
    Ok(Seen(Some((m.ino(), m.len(), m.mtime(), m.mtime_nsec(), bytes))))
}

fn unreadable(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorCode::SourceUnreadable, format!("cannot read database {}: {e}", shown(path)))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The database and the files that belong to it, each with how much of its start identifies it.
fn family(path: &Path) -> [(PathBuf, &'static str, usize); 3] {
    [
        (path.to_path_buf(), "", 100),
        (with_suffix(path, "-wal"), "-wal", 32),
        (with_suffix(path, "-journal"), "-journal", 28),
    ]
}

/// Copies the database at `path`, which another program holds, into a new folder in `scratch`
/// (see the module's documentation).
pub fn copy_held(path: &Path, scratch: &Path, cancel: &CancelToken) -> Result<HeldCopy> {
    std::fs::create_dir_all(scratch).map_err(|e| Error::write(scratch, e))?;
    let files = family(path);
    let mut last_problem = String::from("it kept changing while it was copied");
    for attempt in 1..=TRIES {
        cancel.check()?;
        if attempt > 1 && cancel.wait_timeout(Duration::from_millis(50 * u64::from(attempt))) {
            cancel.check()?;
        }
        let dir = tempfile::Builder::new()
            .prefix("held-")
            .tempdir_in(scratch)
            .map_err(|e| Error::write(scratch, e))?;
        let target = dir.path().join("db");
        let before: Vec<Seen> = files.iter().map(|(p, _, head)| seen(p, *head)).collect::<Result<_>>()?;
        if before[0].0.is_none() {
            return Err(Error::new(
                ErrorCode::SourceNotFound,
                format!("database not found: {}", shown(path)),
            ));
        }
        for ((from, suffix, _), s) in files.iter().zip(&before) {
            if s.0.is_some() {
                match std::fs::copy(from, with_suffix(&target, suffix)) {
                    Ok(_) => {}
                    // The app removed its WAL or journal meanwhile: the next look says so.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && !suffix.is_empty() => {}
                    Err(e) => return Err(Error::write(&target, e)),
                }
            }
        }
        let after: Vec<Seen> = files.iter().map(|(p, _, head)| seen(p, *head)).collect::<Result<_>>()?;
        if before != after {
            last_problem = "it kept changing while it was copied".into();
            continue;
        }
        match settle(&target) {
            Ok(()) => return Ok(HeldCopy { dir, tries: attempt }),
            Err(why) => last_problem = why,
        }
    }
    Err(Error::new(
        ErrorCode::SourceBusy,
        format!(
            "database is held by another program and could not be copied whole ({last_problem}; tried {TRIES} times): {}",
            shown(path)
        ),
    ))
}

/// Opens the copy (SQLite recovers its WAL or rolls back its journal), checks it and folds its
/// WAL into it. `Err` says why it is not a sound copy.
fn settle(db: &Path) -> std::result::Result<(), String> {
    let conn =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| e.to_string())?;
    // The copy is ours alone: a normal locking mode, whatever the app uses.
    conn.pragma_update(None, "locking_mode", "NORMAL").map_err(|e| e.to_string())?;
    let lines: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| format!("the copy failed SQLite's check: {e}"))?;
    if lines.len() != 1 || lines[0] != "ok" {
        return Err(format!("the copy failed SQLite's check: {}", lines.join("; ")));
    }
    let mode: String =
        conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).map_err(|e| e.to_string())?;
    if mode.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A file its app encrypts itself (SQLCipher), copied whole with the `-wal` or `-journal`
/// beside it, removed when dropped. SQLite cannot read such a file, so nothing inside it is
/// checked; the copy is consistent because nothing changed while it was taken: each file's
/// identity, size and change time before and after, and the SHA-256 of each file read a second
/// time, equal the copy's ([`copy_opaque`]).
#[derive(Debug)]
pub struct OpaqueCopy {
    dir: tempfile::TempDir,
    /// The files copied, the file itself first, with their lengths.
    pub parts: Vec<OpaquePart>,
    /// How many copies it took.
    pub tries: u32,
}

impl OpaqueCopy {
    /// Bytes in the backup's image: each part padded to whole pages.
    pub fn size(&self) -> u64 {
        self.page_count() * u64::from(OPAQUE_PAGE)
    }

    /// Pages of [`OPAQUE_PAGE`] bytes in the image.
    pub fn page_count(&self) -> u64 {
        self.parts.iter().map(OpaquePart::pages).sum()
    }

    /// Streams the image, page by page: each part's bytes, its last page padded with zeros.
    pub fn for_each_page(&self, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let page = OPAQUE_PAGE as usize;
        for part in &self.parts {
            let path = with_suffix(&self.dir.path().join("file"), &part.suffix);
            let mut file = File::open(&path).map_err(|e| unreadable(&path, e))?;
            let mut left = part.length;
            let mut buf = vec![0u8; page];
            while left > 0 {
                let n = left.min(page as u64) as usize;
                buf[n..].fill(0);
                file.read_exact(&mut buf[..n]).map_err(|e| unreadable(&path, e))?;
                f(&buf)?;
                left -= n as u64;
            }
        }
        Ok(())
    }
}

/// SHA-256 of the file at `path`, copied to `to` on the way when given.
fn hash_file(path: &Path, to: Option<&Path>) -> std::io::Result<(u64, [u8; 32])> {
    use sha2::Digest;
    use std::io::Write;
    let mut src = File::open(path)?;
    let mut out = match to {
        Some(t) => Some(std::fs::OpenOptions::new().write(true).create_new(true).open(t)?),
        None => None,
    };
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = src.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        if let Some(o) = out.as_mut() {
            o.write_all(&buf[..k])?;
        }
        n += k as u64;
    }
    Ok((n, h.finalize().into()))
}

/// Copies the file at `path`, which its app encrypts (and may hold open), with its `-wal` or
/// `-journal`, into a new folder in `scratch` (see [`OpaqueCopy`]). A file that keeps changing
/// is an error (`source_busy`) after [`TRIES`] copies, never a backup.
pub fn copy_opaque(path: &Path, scratch: &Path, cancel: &CancelToken) -> Result<OpaqueCopy> {
    std::fs::create_dir_all(scratch).map_err(|e| Error::write(scratch, e))?;
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(ErrorCode::SourceNotFound, format!("file not found: {}", shown(path))));
        }
        Err(e) => return Err(unreadable(path, e)),
        Ok(m) if !m.file_type().is_file() => {
            return Err(Error::new(ErrorCode::NotADatabase, format!("not a file: {}", shown(path))));
        }
        Ok(_) => {}
    }
    let files = family(path);
    for attempt in 1..=TRIES {
        cancel.check()?;
        if attempt > 1 && cancel.wait_timeout(Duration::from_millis(50 * u64::from(attempt))) {
            cancel.check()?;
        }
        let dir = tempfile::Builder::new()
            .prefix("opaque-")
            .tempdir_in(scratch)
            .map_err(|e| Error::write(scratch, e))?;
        let target = dir.path().join("file");
        let before: Vec<Seen> = files.iter().map(|(p, _, head)| seen(p, *head)).collect::<Result<_>>()?;
        if before[0].0.is_none() {
            return Err(Error::new(ErrorCode::SourceNotFound, format!("file not found: {}", shown(path))));
        }
        let mut parts = Vec::new();
        let mut sums = Vec::new();
        let mut vanished = false;
        for ((from, suffix, _), s) in files.iter().zip(&before) {
            if s.0.is_none() {
                continue;
            }
            match hash_file(from, Some(&with_suffix(&target, suffix))) {
                Ok((length, sum)) => {
                    // An empty `-wal` or `-journal` holds nothing to put back.
                    if length > 0 || suffix.is_empty() {
                        parts.push(OpaquePart { suffix: (*suffix).to_owned(), length });
                        sums.push((from.clone(), sum));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !suffix.is_empty() => vanished = true,
                Err(e) => return Err(unreadable(from, e)),
            }
        }
        let after: Vec<Seen> = files.iter().map(|(p, _, head)| seen(p, *head)).collect::<Result<_>>()?;
        if vanished || before != after {
            continue;
        }
        // The same bytes once more: a change within one tick of the clock leaves the change
        // time alone, never the content.
        let again = sums.iter().all(|(p, sum)| hash_file(p, None).is_ok_and(|(_, s)| s == *sum));
        if again {
            return Ok(OpaqueCopy { dir, parts, tries: attempt });
        }
    }
    Err(Error::new(
        ErrorCode::SourceBusy,
        format!(
            "{} kept changing while it was copied (tried {TRIES} times); it is backed up at the next run",
            shown(path)
        ),
    ))
}

/// Whether any program has the file at `path` open through SQLite (SQLCipher included) right
/// now: a lock on its lock bytes, or on the WAL index's (asked with `F_GETLK`, which takes no
/// lock). Put back a file nobody has open, or the app would go on with the one it read.
#[allow(unsafe_code)]
pub fn in_use(path: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let locked = |file: &Path, start: i64, len: i64| {
        let Ok(f) = File::open(file) else { return false };
        // SAFETY: `flock` is plain data; F_GETLK only fills it in.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = libc::F_WRLCK as libc::c_short;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = start;
        lock.l_len = len;
        // SAFETY: a valid descriptor and a valid `flock` for the call's lifetime.
        let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lock) };
        rc == 0 && lock.l_type != libc::F_UNLCK as libc::c_short
    };
    // The pending, reserved and shared bytes of the file; the WAL index's lock bytes (120 to
    // 127) and its "in use" byte (128).
    locked(path, 0x4000_0000, 512) || locked(&with_suffix(path, "-shm"), 120, 9)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn held_by_child(db: &Path, wal: bool) -> std::process::Child {
        let mode = if wal { "c.execute('PRAGMA journal_mode=WAL')\n" } else { "" };
        let script = format!(
            "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\n{mode}c.execute('PRAGMA locking_mode=EXCLUSIVE')\nc.execute('CREATE TABLE IF NOT EXISTS t(x)')\nc.execute(\"INSERT INTO t VALUES ('seen')\")\nprint('held',flush=True)\ntime.sleep(60)"
        );
        let mut child = std::process::Command::new("/usr/bin/python3")
            .args(["-c", &script])
            .arg(db)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line)
            .unwrap();
        assert_eq!(line.trim(), "held");
        child
    }

    #[test]
    fn a_database_held_in_exclusive_mode_is_copied_whole_in_wal_and_rollback_mode() {
        for wal in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("app.db");
            let mut child = held_by_child(&db, wal);
            assert!(held_exclusively(&db));
            // Nobody else can read it.
            let c = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            assert!(c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).is_err());
            let copy = copy_held(&db, &dir.path().join("scratch"), &CancelToken::new()).unwrap();
            let c = Connection::open(copy.path()).unwrap();
            let x: String = c.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
            assert_eq!(x, "seen");
            assert!(
                !with_suffix(&copy.path(), "-wal").exists()
                    || std::fs::metadata(with_suffix(&copy.path(), "-wal")).unwrap().len() == 0
            );
            child.kill().unwrap();
            child.wait().unwrap();
            assert!(!held_exclusively(&db), "wal={wal}");
        }
    }

    /// A file that keeps changing while it is copied is never called a copy; one that holds
    /// still is copied byte for byte, with its `-wal`, padded to whole pages.
    #[test]
    fn an_opaque_file_is_copied_only_when_it_holds_still() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("vault.db");
        std::fs::write(&f, vec![7u8; 5000]).unwrap();
        std::fs::write(with_suffix(&f, "-wal"), b"wal").unwrap();
        let copy = copy_opaque(&f, &dir.path().join("scratch"), &CancelToken::new()).unwrap();
        assert_eq!(
            copy.parts,
            [
                OpaquePart { suffix: String::new(), length: 5000 },
                OpaquePart { suffix: "-wal".into(), length: 3 }
            ]
        );
        let mut image = Vec::new();
        copy.for_each_page(|p| {
            image.extend_from_slice(p);
            Ok(())
        })
        .unwrap();
        assert_eq!(image.len() as u64, copy.size());
        assert_eq!(image.len(), 3 * 4096);
        assert!(image[..5000].iter().all(|b| *b == 7) && image[5000..8192].iter().all(|b| *b == 0));
        assert_eq!(&image[8192..8195], b"wal");
        drop(copy);

        // An app that writes a byte somewhere every millisecond, in place (as SQLite does), while
        // each copy of its 32 MiB takes many milliseconds.
        std::fs::write(&f, vec![0u8; 32 << 20]).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (f, stop) = (f.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                use std::os::unix::fs::FileExt;
                let file = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
                let mut i = 0u64;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    i += 1;
                    file.write_at(&[(i % 251) as u8 + 1], (i * 7919) % (32 << 20)).unwrap();
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        let e = copy_opaque(&f, &dir.path().join("scratch"), &CancelToken::new()).unwrap_err();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        writer.join().unwrap();
        assert_eq!(e.code(), ErrorCode::SourceBusy, "{}", e.message());
        assert_eq!(std::fs::read_dir(dir.path().join("scratch")).unwrap().count(), 0);
    }

    #[test]
    fn a_copy_that_fails_the_check_is_never_returned() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bad.db");
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE t(a); CREATE INDEX ta ON t(a); INSERT INTO t VALUES (1),(2),(3);
             PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'ta';",
        )
        .unwrap();
        drop(c);
        let e = copy_held(&db, &dir.path().join("scratch"), &CancelToken::new()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SourceBusy);
        assert!(e.message().contains("failed SQLite's check"), "{}", e.message());
        // Nothing is left behind in the scratch folder.
        assert_eq!(std::fs::read_dir(dir.path().join("scratch")).unwrap().count(), 0);
    }
}
