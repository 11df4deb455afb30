//! The page manifest of a source's newest backup: one term (see `format::checksum`) per page,
//! kept in this installation's private folder, never in the backup folder. The next backup
//! compares each page's term with the manifest's to find what changed, and writes its own
//! manifest as it goes. Losing it costs only space: without it the next backup is a full one.
//!
//! File: `manifests/<store key>/<backup id>.terms`: `KSMF2` and a zero byte, page size (u32 BE),
//! page count (u64 BE), the database checksum (32 bytes), the key check of the password the
//! backup was encrypted with (16 bytes, zeros for a backup that is not encrypted), then the terms
//! of pages 1, 2, ... (u128 BE each). Read and written sequentially, so memory stays small
//! whatever the size. An increment builds only on a backup encrypted with the same key, so a
//! whole chain opens with one password. (A `KSMF1` manifest, without the key check, is not used:
//! the next backup is a full one.)

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use crate::durable;
use crate::error::{Error, Result};
use crate::installation::{Installation, key_of};

const MAGIC: &[u8; 6] = b"KSMF2\0";
/// Bytes before the first term.
const HEAD: usize = 6 + 4 + 8 + 32 + 16;

/// The manifest folder of a store.
fn dir(home: &Installation, store: &str) -> PathBuf {
    home.dir().join("manifests").join(key_of(store))
}

fn path_of(home: &Installation, store: &str, id: &str) -> PathBuf {
    dir(home, store).join(format!("{id}.terms"))
}

/// A manifest being read: the page size, page count and checksum it describes, then its terms.
pub(crate) struct ManifestReader {
    pub page_size: u32,
    pub page_count: u64,
    pub checksum: [u8; 32],
    /// The key check of the backup's encryption key; `None` when it is not encrypted.
    pub key_check: Option<[u8; 16]>,
    inner: BufReader<File>,
    read: u64,
}

impl ManifestReader {
    /// The manifest of backup `id`, if one is kept and readable.
    pub(crate) fn open(home: &Installation, store: &str, id: &str) -> Option<ManifestReader> {
        let f = durable::open_regular(&path_of(home, store, id)).ok()??;
        let mut inner = BufReader::with_capacity(1 << 16, f);
        let mut head = [0u8; HEAD];
        inner.read_exact(&mut head).ok()?;
        if &head[..6] != MAGIC {
            return None;
        }
        let page_size = u32::from_be_bytes(head[6..10].try_into().ok()?);
        let page_count = u64::from_be_bytes(head[10..18].try_into().ok()?);
        let checksum: [u8; 32] = head[18..50].try_into().ok()?;
        let key_check: [u8; 16] = head[50..66].try_into().ok()?;
        let key_check = (key_check != [0; 16]).then_some(key_check);
        Some(ManifestReader { page_size, page_count, checksum, key_check, inner, read: 0 })
    }

    /// The terms of the next `n` pages (fewer past the end), appended to `out`.
    pub(crate) fn next_terms(&mut self, n: usize, out: &mut Vec<u128>) -> Result<()> {
        let n = (n as u64).min(self.page_count - self.read) as usize;
        let mut b = [0u8; 16];
        for _ in 0..n {
            self.inner.read_exact(&mut b).map_err(|e| {
                Error::new(crate::error::ErrorCode::Io, format!("a page manifest is cut short: {e}"))
            })?;
            out.push(u128::from_be_bytes(b));
        }
        self.read += n as u64;
        Ok(())
    }
}

/// A manifest being written for a new backup; nothing is kept unless [`ManifestWriter::finish`]
/// is called.
pub(crate) struct ManifestWriter {
    out: BufWriter<File>,
    tmp: durable::RemoveOnDrop,
    tmp_path: PathBuf,
    path: PathBuf,
    dir: PathBuf,
    pages: u64,
}

impl ManifestWriter {
    pub(crate) fn create(home: &Installation, store: &str, id: &str) -> Result<ManifestWriter> {
        let dir = dir(home, store);
        durable::create_private_dir(&dir)?;
        let path = path_of(home, store, id);
        let tmp_path = dir.join(format!(".{id}.terms.partial"));
        let _ = fs::remove_file(&tmp_path);
        let mut out = BufWriter::with_capacity(1 << 16, durable::create_private(&tmp_path)?);
        // The header is written last (the checksum is known at the end): a placeholder now.
        out.write_all(&[0u8; HEAD]).map_err(|e| Error::write(&tmp_path, e))?;
        Ok(ManifestWriter {
            out,
            tmp: durable::RemoveOnDrop::new(tmp_path.clone()),
            tmp_path,
            path,
            dir,
            pages: 0,
        })
    }

    /// The terms of the next pages, in page order.
    pub(crate) fn push(&mut self, terms: &[u128]) -> Result<()> {
        for t in terms {
            self.out.write_all(&t.to_be_bytes()).map_err(|e| Error::write(&self.tmp_path, e))?;
        }
        self.pages += terms.len() as u64;
        Ok(())
    }

    /// Completes the manifest of a backup of `page_count` pages of `page_size` bytes, whose
    /// checksum is `checksum`, encrypted with the key whose check is `key_check`, and removes the
    /// store's older manifests for the same database (`superseded`).
    pub(crate) fn finish(
        mut self,
        page_size: u32,
        page_count: u64,
        checksum: &[u8; 32],
        key_check: Option<[u8; 16]>,
        superseded: &[String],
    ) -> Result<()> {
        use std::io::{Seek, SeekFrom};
        if self.pages != page_count {
            return Err(Error::new(crate::error::ErrorCode::Io, "a page manifest does not cover every page"));
        }
        let mut head = Vec::with_capacity(HEAD);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&page_size.to_be_bytes());
        head.extend_from_slice(&page_count.to_be_bytes());
        head.extend_from_slice(checksum);
        head.extend_from_slice(&key_check.unwrap_or([0; 16]));
        self.out.flush().map_err(|e| Error::write(&self.tmp_path, e))?;
        let f = self.out.get_mut();
        f.seek(SeekFrom::Start(0))
            .and_then(|_| f.write_all(&head))
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::write(&self.tmp_path, e))?;
        fs::rename(&self.tmp_path, &self.path).map_err(|e| Error::write(&self.path, e))?;
        self.tmp.disarm();
        for old in superseded {
            let _ = fs::remove_file(self.dir.join(format!("{old}.terms")));
        }
        durable::sync_dir(&self.dir);
        Ok(())
    }
}

/// Removes the manifest of backup `id` (it was deleted).
pub(crate) fn forget(home: &Installation, store: &str, id: &str) {
    let _ = fs::remove_file(path_of(home, store, id));
}
