//! The storage seam: the few things backups need from a place that holds them. The engine reads
//! and writes backup files only through a [`Store`], so a local folder, an in-memory store for
//! tests and (in their own crate) remote object stores are interchangeable, and one
//! conformance suite (`store::conformance`, behind the `conformance` feature) holds every
//! implementation to the same contract.
//!
//! The contract, which the conformance suite checks:
//! - names are flat: letters, digits, `.`, `_` and `-`, not starting with `.` ([`check_name`]);
//! - [`Store::create`] writes under a name that nobody can see until [`StoreWrite::commit`]
//!   returns: then the whole object is there, durable, or nothing is (a dropped writer leaves
//!   nothing); committing over an existing name fails with `invalid_input`;
//! - [`Store::list`] returns regular objects only, never blocks on something that is not one,
//!   and never lists a write in progress;
//! - everything read back is untrusted input: a store can hold anything anyone put there.
//!
//! Implementations are synchronous: the engine has no async runtime. One that needs a runtime
//! (the remote stores) owns it.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod local;
pub mod memory;
pub mod throttle;

pub use local::LocalFolder;
pub use memory::MemoryStore;
pub use throttle::Throttled;

/// One object in a store, as the store describes it (untrusted, like the object itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEntry {
    /// The object's name (see [`check_name`]).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written, when the store knows.
    pub modified: Option<DateTime<Utc>>,
}

/// A place that holds backups.
pub trait Store: Send + Sync + fmt::Debug {
    /// A stable text naming this place, unique among stores: `file:///home/ann/backups`,
    /// `memory:tests`, `s3://bucket/prefix`. The catalog keys its records by it.
    fn location(&self) -> &str;

    /// The objects in the store (regular objects only; writes in progress are never listed).
    fn list(&self) -> Result<Vec<StoreEntry>>;

    /// One object, or `None` when there is none of that name.
    fn stat(&self, name: &str) -> Result<Option<StoreEntry>>;

    /// Reads a whole object from its start. `backup_not_found` when it does not exist.
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>>;

    /// Reads `len` bytes from `offset` (fewer when the object ends first).
    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>>;

    /// Starts writing a new object; nothing is visible under `name` until it is committed.
    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>>;

    /// Deletes an object; deleting one that does not exist is not an error.
    fn delete(&self, name: &str) -> Result<()>;

    /// Clears what writers that died left behind. Called with the store's lock held.
    fn tidy(&self) {}

    /// The folder on this computer, for a store that is one: the free-space check, and where
    /// an older Keepsake kept its catalog.
    fn local_dir(&self) -> Option<&Path> {
        None
    }
}

/// A new object being written; see [`Store::create`]. Dropped without `commit`, it leaves
/// nothing behind.
pub trait StoreWrite: Write + Send {
    /// Makes the object durable and visible under its name, all at once.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// Longest object name accepted.
pub const MAX_NAME_LEN: usize = 200;

/// Checks an object name: 1 to [`MAX_NAME_LEN`] characters among letters, digits, `.`, `_`
/// and `-`, not starting with `.` (so never `..`, never a path, never a hidden file).
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("{:?} is not a valid backup file name", crate::error::escaped(name))))
    }
}

/// Whether a listed name is one a store may hold (others are skipped when listing).
pub fn is_valid_name(name: &str) -> bool {
    check_name(name).is_ok()
}

/// Opens a destination's store (the remote crate, with the secret from the keyring): the seam
/// the engine's copier reaches the destinations through.
pub trait DestinationOpener: Send + Sync {
    /// The store of `dest`.
    fn open(&self, dest: &keepsake_model::destinations::Destination) -> Result<std::sync::Arc<dyn Store>>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_local_folder_passes_the_conformance_suite() {
        let d = tempfile::tempdir().unwrap();
        conformance::check(&LocalFolder::new(d.path().join("backups")).unwrap());
    }

    #[test]
    fn the_memory_store_passes_the_conformance_suite() {
        conformance::check(&MemoryStore::new("tests"));
    }

    #[cfg(unix)]
    #[test]
    #[allow(unsafe_code)]
    fn a_fifo_or_a_link_under_a_backup_name_is_skipped_and_never_blocks() {
        use std::os::unix::ffi::OsStrExt;
        let d = tempfile::tempdir().unwrap();
        let store = LocalFolder::new(d.path()).unwrap();
        let fifo = d.path().join("backup_20260101_000000.db.gz");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let elsewhere = tempfile::tempdir().unwrap();
        let secret = elsewhere.path().join("secret.txt");
        std::fs::write(&secret, b"not yours").unwrap();
        std::os::unix::fs::symlink(&secret, d.path().join("backup_20260101_000001.db.gz")).unwrap();
        assert!(store.list().unwrap().is_empty(), "neither the FIFO nor the link is listed");
        assert!(store.stat("backup_20260101_000000.db.gz").unwrap().is_none());
        // Opening returns at once with an error instead of waiting for a writer.
        assert!(store.open("backup_20260101_000000.db.gz").is_err());
        assert!(store.open("backup_20260101_000001.db.gz").is_err(), "a link is never followed");
        assert!(store.read_range("backup_20260101_000001.db.gz", 0, 4).is_err());
        // Writing under a name a link occupies never writes through the link.
        let mut w = store.create("backup_20260101_000001.db.gz").unwrap();
        w.write_all(b"new").unwrap();
        assert!(w.commit().is_err());
        assert_eq!(std::fs::read(&secret).unwrap(), b"not yours");
    }

    #[cfg(unix)]
    #[test]
    fn new_objects_and_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("new/backups");
        let store = LocalFolder::new(&dir).unwrap();
        let mut w = store.create("backup_a.db.gz").unwrap();
        w.write_all(b"x").unwrap();
        w.commit().unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("backup_a.db.gz")), 0o600);
    }

    #[test]
    fn a_full_memory_store_fails_as_a_full_disk_and_keeps_nothing() {
        let store = MemoryStore::with_capacity("small", 1000);
        let mut w = store.create("backup_a.db.gz").unwrap();
        let e = w.write_all(&[0u8; 2000]).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
        drop(w);
        assert!(store.list().unwrap().is_empty());
        let e = crate::error::Error::write(std::path::Path::new("x"), e);
        assert_eq!(e.code(), ErrorCode::DestinationFull);
    }
}
