//! A folder on this computer (or a mounted share) as a [`Store`]: what people pick as "where
//! backups go". New objects are written to a hidden `.NAME.OWNER.TOKEN.partial` file (0600,
//! never following a link), synced, and renamed into place without replacing anything; listing
//! skips links, FIFOs, folders and hidden files, and opening never blocks on something that is
//! not a regular file.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use super::{Store, StoreEntry, StoreWrite, check_name, is_valid_name};
use crate::durable;
use crate::error::{Error, ErrorCode, Result, shown};

/// Suffix of an object being written.
const PARTIAL_SUFFIX: &str = ".partial";
/// A partial file untouched for this long belongs to a writer that died.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A backup folder on a local or mounted file system.
#[derive(Debug, Clone)]
pub struct LocalFolder {
    dir: PathBuf,
    location: String,
    /// Who writes through this handle (a short tag of the installation), so that its own dead
    /// partial files can be told from another computer's write in progress.
    owner: String,
}

impl LocalFolder {
    /// The folder at `dir`, created (0700, with its parents) when missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<LocalFolder> {
        let dir: PathBuf = dir.into();
        durable::create_private_dir(&dir)?;
        let meta = fs::metadata(&dir).map_err(|e| Error::read(&dir, e))?;
        if !meta.is_dir() {
            return Err(Error::invalid(format!("{} is not a folder", shown(&dir))).with_path(&dir));
        }
        let resolved = dir.canonicalize().or_else(|_| std::path::absolute(&dir)).unwrap_or(dir.clone());
        let location = format!("file://{}", resolved.display());
        Ok(LocalFolder { dir, location, owner: "anon".into() })
    }

    /// The same folder, writing as `owner` (letters and digits; see [`Store::tidy`]).
    pub fn with_owner(mut self, owner: &str) -> LocalFolder {
        let tag: String = owner.chars().filter(char::is_ascii_alphanumeric).take(12).collect();
        if !tag.is_empty() {
            self.owner = tag;
        }
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        check_name(name)?;
        Ok(self.dir.join(name))
    }

    /// Removes what writers that died left behind: this owner's partial files (the caller
    /// holds the lock, so none of its writes is in progress), and anyone else's untouched for
    /// an hour (a younger one may be another computer's write, seen through a synced folder).
    fn sweep_partials(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        let mine = format!(".{}.", self.owner);
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') || !name.ends_with(PARTIAL_SUFFIX) {
                continue;
            }
            if name.contains(&mine) || is_stale(&e) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Whether a leftover (a partial file, a scratch folder) was untouched for long enough that its
/// writer must be gone.
pub fn is_stale(e: &fs::DirEntry) -> bool {
    e.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_AFTER)
}

fn entry(name: String, meta: &fs::Metadata) -> StoreEntry {
    StoreEntry { name, size: meta.len(), modified: meta.modified().ok().map(time) }
}

fn time(t: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(t)
}

impl Store for LocalFolder {
    fn location(&self) -> &str {
        &self.location
    }

    fn list(&self) -> Result<Vec<StoreEntry>> {
        let entries = fs::read_dir(&self.dir).map_err(|e| Error::read(&self.dir, e))?;
        let mut out = Vec::new();
        for e in entries.flatten() {
            let Ok(name) = e.file_name().into_string() else { continue };
            if !is_valid_name(&name) {
                continue;
            }
            // `DirEntry::metadata` does not follow links: a link, a FIFO or a folder is skipped.
            match e.metadata() {
                Ok(m) if m.file_type().is_file() => out.push(entry(name, &m)),
                _ => {}
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn stat(&self, name: &str) -> Result<Option<StoreEntry>> {
        let path = self.path(name)?;
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => Ok(Some(entry(name.to_owned(), &m))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::read(&path, e)),
        }
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        let path = self.path(name)?;
        match durable::open_regular(&path)? {
            Some(f) => Ok(Box::new(f)),
            None => Err(missing(&path)),
        }
    }

    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let path = self.path(name)?;
        let mut f = durable::open_regular(&path)?.ok_or_else(|| missing(&path))?;
        f.seek(SeekFrom::Start(offset)).map_err(|e| Error::read(&path, e))?;
        let mut buf = Vec::with_capacity(len.min(1 << 20));
        f.take(len as u64).read_to_end(&mut buf).map_err(|e| Error::read(&path, e))?;
        Ok(buf)
    }

    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        let path = self.path(name)?;
        let mut token = [0u8; 6];
        getrandom::fill(&mut token)
            .map_err(|e| Error::new(ErrorCode::Io, format!("no randomness from the OS: {e}")))?;
        let partial = self.dir.join(format!(".{name}.{}.{}{PARTIAL_SUFFIX}", self.owner, hex::encode(token)));
        let file = durable::create_private(&partial)?;
        Ok(Box::new(LocalWrite {
            out: BufWriter::with_capacity(1 << 20, file),
            partial: durable::RemoveOnDrop::new(partial.clone()),
            partial_path: partial,
            path,
            dir: self.dir.clone(),
        }))
    }

    fn delete(&self, name: &str) -> Result<()> {
        let path = self.path(name)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                durable::sync_dir(&self.dir);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::write(&path, e)),
        }
    }

    fn tidy(&self) {
        self.sweep_partials();
    }

    fn local_dir(&self) -> Option<&Path> {
        Some(&self.dir)
    }
}

fn missing(path: &Path) -> Error {
    Error::new(ErrorCode::BackupNotFound, format!("backup file missing: {}", shown(path))).with_path(path)
}

struct LocalWrite {
    out: BufWriter<File>,
    partial: durable::RemoveOnDrop,
    partial_path: PathBuf,
    path: PathBuf,
    dir: PathBuf,
}

impl Write for LocalWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl StoreWrite for LocalWrite {
    fn commit(self: Box<Self>) -> Result<()> {
        let LocalWrite { out, partial, partial_path, path, dir } = *self;
        let file = out.into_inner().map_err(|e| Error::write(&partial_path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::write(&partial_path, e))?;
        drop(file);
        durable::rename_noreplace(&partial_path, &path)?;
        partial.disarm();
        durable::sync_dir(&dir);
        Ok(())
    }
}
