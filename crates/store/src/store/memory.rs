//! An in-memory [`Store`] for tests: objects in a map, with an optional capacity so that a full
//! disk can be played without a small file system, and a way to change objects behind the
//! engine's back (what a planted or damaged file looks like).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use super::{Store, StoreEntry, StoreWrite, check_name};
use crate::error::{Error, ErrorCode, Result};

#[derive(Debug, Default)]
struct Objects {
    map: BTreeMap<String, (Vec<u8>, DateTime<Utc>)>,
    /// Bytes the store may hold in all (committed objects and writes in progress).
    capacity: Option<u64>,
    /// Bytes held by writes in progress.
    pending: u64,
}

impl Objects {
    fn used(&self) -> u64 {
        self.map.values().map(|(b, _)| b.len() as u64).sum::<u64>() + self.pending
    }
}

/// Objects held in memory. Cloning shares them.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    location: String,
    objects: Arc<Mutex<Objects>>,
}

impl MemoryStore {
    /// An empty store named `memory:<name>`.
    pub fn new(name: &str) -> MemoryStore {
        MemoryStore { location: format!("memory:{name}"), objects: Arc::default() }
    }

    /// The same, holding at most `bytes`: a write beyond fails as a full disk does.
    pub fn with_capacity(name: &str, bytes: u64) -> MemoryStore {
        let store = MemoryStore::new(name);
        store.lock().capacity = Some(bytes);
        store
    }

    fn lock(&self) -> MutexGuard<'_, Objects> {
        self.objects.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts bytes under a name directly (a file someone else put there).
    pub fn insert(&self, name: &str, bytes: Vec<u8>) {
        self.lock().map.insert(name.to_owned(), (bytes, Utc::now()));
    }

    /// An object's bytes.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        self.lock().map.get(name).map(|(b, _)| b.clone())
    }
}

impl Store for MemoryStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn list(&self) -> Result<Vec<StoreEntry>> {
        Ok(self
            .lock()
            .map
            .iter()
            .map(|(name, (b, at))| StoreEntry {
                name: name.clone(),
                size: b.len() as u64,
                modified: Some(*at),
            })
            .collect())
    }

    fn stat(&self, name: &str) -> Result<Option<StoreEntry>> {
        check_name(name)?;
        Ok(self.lock().map.get(name).map(|(b, at)| StoreEntry {
            name: name.to_owned(),
            size: b.len() as u64,
            modified: Some(*at),
        }))
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        check_name(name)?;
        let bytes = self.get(name).ok_or_else(|| missing(&self.location, name))?;
        Ok(Box::new(Cursor::new(bytes)))
    }

    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        check_name(name)?;
        let objects = self.lock();
        let (bytes, _) = objects.map.get(name).ok_or_else(|| missing(&self.location, name))?;
        let start = (offset.min(bytes.len() as u64)) as usize;
        let end = start.saturating_add(len).min(bytes.len());
        Ok(bytes[start..end].to_vec())
    }

    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        check_name(name)?;
        Ok(Box::new(MemoryWrite { store: self.clone(), name: name.to_owned(), buf: Vec::new() }))
    }

    fn delete(&self, name: &str) -> Result<()> {
        check_name(name)?;
        self.lock().map.remove(name);
        Ok(())
    }
}

fn missing(location: &str, name: &str) -> Error {
    Error::new(ErrorCode::BackupNotFound, format!("backup file missing: {name} in {location}"))
}

struct MemoryWrite {
    store: MemoryStore,
    name: String,
    buf: Vec<u8>,
}

impl Write for MemoryWrite {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let mut objects = self.store.lock();
        if let Some(cap) = objects.capacity
            && objects.used() + data.len() as u64 > cap
        {
            return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left in the store"));
        }
        objects.pending += data.len() as u64;
        drop(objects);
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MemoryWrite {
    fn drop(&mut self) {
        let mut objects = self.store.lock();
        objects.pending = objects.pending.saturating_sub(self.buf.len() as u64);
    }
}

impl StoreWrite for MemoryWrite {
    fn commit(mut self: Box<Self>) -> Result<()> {
        let bytes = std::mem::take(&mut self.buf);
        let mut objects = self.store.lock();
        objects.pending = objects.pending.saturating_sub(bytes.len() as u64);
        if objects.map.contains_key(&self.name) {
            return Err(Error::invalid(format!("{} already exists in {}", self.name, self.store.location)));
        }
        objects.map.insert(self.name.clone(), (bytes, Utc::now()));
        Ok(())
    }
}
