//! A bandwidth limit: a [`Store`] whose writes go no faster on average than a set rate, for a
//! destination on a connection that others share. Reading is not limited (a restore or a check
//! should be as fast as it can). The writer hands the inner writer small pieces and sleeps
//! between them as long as the bytes written so far ask for; a store that gathers parts (S3's
//! multipart upload) or a whole object (WebDAV) before sending keeps the average, not every
//! instant, under the limit.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Store, StoreEntry, StoreWrite};
use crate::error::Result;

/// How long to wait, so that `sent` bytes since `start` stay within `bytes_per_second`.
#[derive(Debug, Clone)]
pub struct Pace {
    bytes_per_second: u64,
    start: Option<Instant>,
    sent: u64,
}

impl Pace {
    /// A pace of at most `bytes_per_second` (at least 1).
    pub fn new(bytes_per_second: u64) -> Pace {
        Pace { bytes_per_second: bytes_per_second.max(1), start: None, sent: 0 }
    }

    /// The most to hand on at once: a tenth of a second's worth (at least 4 KiB), so that a
    /// wait is never long.
    pub fn piece(&self) -> usize {
        usize::try_from(self.bytes_per_second / 10).unwrap_or(usize::MAX).max(4096)
    }

    /// Counts `n` more bytes sent at `now`; returns how long to wait before sending more.
    pub fn after(&mut self, n: usize, now: Instant) -> Duration {
        let start = *self.start.get_or_insert(now);
        self.sent += n as u64;
        let due = Duration::from_secs_f64(self.sent as f64 / self.bytes_per_second as f64);
        due.saturating_sub(now.saturating_duration_since(start))
    }
}

/// How a paced writer waits: for `Duration`, or less when the host stops it (then `true`, and
/// the write fails).
pub type Wait = Arc<dyn Fn(Duration) -> bool + Send + Sync>;

/// `inner` with its writes limited to `bytes_per_second`.
pub struct Throttled {
    inner: Arc<dyn Store>,
    bytes_per_second: u64,
    wait: Wait,
}

impl std::fmt::Debug for Throttled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttled")
            .field("inner", &self.inner)
            .field("bytes_per_second", &self.bytes_per_second)
            .finish()
    }
}

impl Throttled {
    /// `inner`, writing at most `bytes_per_second` on average; its waits are plain sleeps.
    pub fn new(inner: Arc<dyn Store>, bytes_per_second: u64) -> Throttled {
        Throttled::with_wait(
            inner,
            bytes_per_second,
            Arc::new(|d| {
                std::thread::sleep(d);
                false
            }),
        )
    }

    /// [`Throttled::new`] waiting with `wait`, which a stop wakes (woken, never polled): a
    /// write that was stopped fails at once.
    pub fn with_wait(inner: Arc<dyn Store>, bytes_per_second: u64, wait: Wait) -> Throttled {
        Throttled { inner, bytes_per_second, wait }
    }
}

impl Store for Throttled {
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
        self.inner.open(name)
    }
    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        self.inner.read_range(name, offset, len)
    }
    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        Ok(Box::new(PacedWrite {
            inner: self.inner.create(name)?,
            pace: Pace::new(self.bytes_per_second),
            wait: Arc::clone(&self.wait),
        }))
    }
    fn delete(&self, name: &str) -> Result<()> {
        self.inner.delete(name)
    }
    fn tidy(&self) {
        self.inner.tidy();
    }
    fn local_dir(&self) -> Option<&std::path::Path> {
        self.inner.local_dir()
    }
}

struct PacedWrite {
    inner: Box<dyn StoreWrite>,
    pace: Pace,
    wait: Wait,
}

impl Write for PacedWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(&buf[..buf.len().min(self.pace.piece())])?;
        let wait = self.pace.after(n, Instant::now());
        // Not `ErrorKind::Interrupted`: `write_all` would write again.
        if !wait.is_zero() && (self.wait)(wait) {
            return Err(std::io::Error::other("the upload was stopped"));
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl StoreWrite for PacedWrite {
    fn commit(self: Box<Self>) -> Result<()> {
        self.inner.commit()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn the_pace_waits_as_long_as_the_bytes_sent_ask_for() {
        let mut p = Pace::new(100_000);
        assert_eq!(p.piece(), 10_000);
        let t0 = Instant::now();
        // 50 kB at once: half a second's worth, none of it elapsed yet.
        assert_eq!(p.after(50_000, t0), Duration::from_millis(500));
        // Another 50 kB once 0.8 s passed: due at 1 s, so 0.2 s more.
        assert_eq!(p.after(50_000, t0 + Duration::from_millis(800)), Duration::from_millis(200));
        // Slower than the limit by itself: no wait.
        assert_eq!(p.after(10_000, t0 + Duration::from_secs(5)), Duration::ZERO);
        assert_eq!(Pace::new(1000).piece(), 4096, "never tiny pieces");
    }

    #[test]
    fn a_throttled_store_keeps_the_contract_and_its_inner_location() {
        let store = Throttled::new(Arc::new(MemoryStore::new("paced")), 1 << 30);
        assert_eq!(store.location(), "memory:paced");
        crate::store::conformance::check(&store);
    }

    #[test]
    fn a_wait_that_is_stopped_fails_the_write_at_once_and_nothing_is_committed() {
        let memory = Arc::new(MemoryStore::new("paced"));
        let cancel = keepsake_model::seams::CancelToken::new();
        let stop = cancel.clone();
        // 4 KiB a second: the second piece would wait a second; the stop comes first.
        let store = Throttled::with_wait(memory.clone(), 4096, Arc::new(move |d| stop.wait_timeout(d)));
        let mut w = store.create("backup_x.db.gz").unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        });
        let t0 = Instant::now();
        let err = w.write_all(&[7u8; 64 * 1024]).unwrap_err();
        assert!(t0.elapsed() < Duration::from_secs(10), "woken by the stop, not after 16 s of pacing");
        assert_eq!(err.to_string(), "the upload was stopped");
        drop(w);
        assert!(memory.list().unwrap().is_empty(), "nothing committed");
    }
}
