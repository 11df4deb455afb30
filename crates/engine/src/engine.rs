//! The [`Engine`]: one backup folder, its catalog, and the seams (clock, password). Each user
//! verb lives in its own file under `commands/`; this file holds what they share: opening the
//! folder, naming backups, recording runs, and keeping the catalog in step with the files.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::format::file;
use crate::lock::FolderLock;
use crate::model::{BackupMetadata, BackupType, Operation, RunRecord, RunStatus, VerificationStatus};
use crate::seams::{Clock, NoSecret, SecretSource, SystemClock};

/// File name suffix of an unencrypted backup (a gzip file).
pub(crate) const PLAIN_EXT: &str = ".db.gz";
/// File name suffix of an encrypted backup.
pub(crate) const ENCRYPTED_EXT: &str = ".keepsake";
/// Suffix of a backup being written; such files are never listed and are removed when found.
pub(crate) const PARTIAL_EXT: &str = ".partial";

/// A backup folder and everything that can be done with it.
pub struct Engine {
    dir: PathBuf,
    catalog: Mutex<Catalog>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) secrets: Arc<dyn SecretSource>,
    pub(crate) workers: usize,
    pub(crate) kdf_iterations: u32,
    pub(crate) busy_timeout: std::time::Duration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens (creating if needed) a backup folder. A missing catalog is rebuilt from the backup
    /// files, and files the catalog does not know (a crash between writing and recording) are
    /// added, so no complete backup is ever lost from the list.
    pub fn open(backup_dir: impl Into<PathBuf>) -> Result<Engine> {
        let dir: PathBuf = backup_dir.into();
        create_private_dir(&dir)?;
        let catalog = Catalog::open(&dir)?;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        let engine = Engine {
            dir,
            catalog: Mutex::new(catalog),
            clock: Arc::new(SystemClock),
            secrets: Arc::new(NoSecret),
            workers,
            kdf_iterations: crate::format::KDF_ITERATIONS,
            busy_timeout: crate::snapshot::BUSY_TIMEOUT,
        };
        engine.reconcile()?;
        Ok(engine)
    }

    /// Uses `secrets` when a password is needed.
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretSource>) -> Engine {
        self.secrets = secrets;
        self
    }

    /// Uses `clock` for timestamps.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Engine {
        self.clock = clock;
        self
    }

    /// PBKDF2 iterations for new encrypted backups (never below 600,000).
    pub fn with_kdf_iterations(mut self, iterations: u32) -> Engine {
        self.kdf_iterations = iterations.max(crate::format::KDF_ITERATIONS);
        self
    }

    /// Threads used to compress and decompress (default: the number of cores).
    pub fn with_workers(mut self, workers: usize) -> Engine {
        self.workers = workers.max(1);
        self
    }

    /// How long to wait for another program's lock on a database (default 10 s).
    pub fn with_busy_timeout(mut self, timeout: std::time::Duration) -> Engine {
        self.busy_timeout = timeout;
        self
    }

    pub fn backup_dir(&self) -> &Path {
        &self.dir
    }

    /// Where a backup's file is.
    pub fn backup_path(&self, meta: &BackupMetadata) -> PathBuf {
        self.dir.join(&meta.file_name)
    }

    pub(crate) fn catalog(&self) -> Result<MutexGuard<'_, Catalog>> {
        self.catalog.lock().map_err(|_| Error::new(ErrorCode::Io, "catalog lock poisoned"))
    }

    /// Takes the folder lock and clears what a crashed run left behind.
    pub(crate) fn lock(&self) -> Result<FolderLock> {
        let lock = FolderLock::acquire(&self.dir)?;
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && name.ends_with(PARTIAL_EXT) {
                    let _ = fs::remove_file(e.path());
                } else if name.starts_with(VERIFY_DIR_PREFIX) && is_stale(&e) {
                    // A verification's scratch copy whose process died. Verifications do not
                    // take the folder lock, so only one untouched for an hour is left over.
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
        Ok(lock)
    }

    /// A new unique id for a backup made at `now`.
    pub(crate) fn new_id(&self, now: DateTime<Utc>) -> Result<String> {
        let base = now.format("backup_%Y%m%d_%H%M%S").to_string();
        let cat = self.catalog()?;
        for n in 1u32.. {
            let id = if n == 1 { base.clone() } else { format!("{base}_{n}") };
            let taken = cat.get(&id)?.is_some()
                || [PLAIN_EXT, ENCRYPTED_EXT].iter().any(|ext| self.dir.join(format!("{id}{ext}")).exists());
            if !taken {
                return Ok(id);
            }
        }
        Err(Error::invalid("no free backup id"))
    }

    /// Metadata of a backup, or `backup_not_found`.
    pub fn get(&self, id: &str) -> Result<BackupMetadata> {
        self.catalog()?.get(id)?.ok_or_else(|| {
            Error::new(ErrorCode::BackupNotFound, format!("no backup {id:?} in {}", shown(&self.dir)))
        })
    }

    /// Backups, newest first.
    pub fn list(&self, limit: Option<usize>) -> Result<Vec<BackupMetadata>> {
        self.catalog()?.list(limit)
    }

    /// Past runs, newest first, failed ones too.
    pub fn history(&self, limit: Option<usize>) -> Result<Vec<RunRecord>> {
        self.catalog()?.history(limit)
    }

    /// Records a run that ended with `result`.
    pub(crate) fn record<T>(
        &self,
        op: Operation,
        backup_type: Option<BackupType>,
        source: Option<&Path>,
        started: DateTime<Utc>,
        t0: Instant,
        result: &Result<T>,
        backup_id: Option<String>,
    ) {
        let (status, code, message) = match result {
            Ok(_) => (RunStatus::Success, None, None),
            Err(e) if e.code() == ErrorCode::Cancelled => {
                (RunStatus::Cancelled, Some(e.code()), Some(e.message().to_owned()))
            }
            Err(e) if e.code() == ErrorCode::Busy => {
                (RunStatus::Skipped, Some(e.code()), Some(e.message().to_owned()))
            }
            Err(e) => (RunStatus::Failed, Some(e.code()), Some(e.message().to_owned())),
        };
        let run = RunRecord {
            id: 0,
            operation: op,
            backup_type,
            backup_id,
            source_path: source.map(Path::to_path_buf),
            started_at: started,
            duration_ms: t0.elapsed().as_millis() as u64,
            status,
            error_code: code,
            message,
        };
        // History is best effort: failing to record must not turn a good backup into an error.
        if let Ok(cat) = self.catalog() {
            let _ = cat.record_run(&run);
        }
    }

    /// Records a run that was not started (e.g. the folder was busy), for schedulers.
    pub fn record_skipped(
        &self,
        op: Operation,
        backup_type: Option<BackupType>,
        source: Option<&Path>,
        reason: &Error,
    ) {
        let r: Result<()> = Err(Error::new(ErrorCode::Busy, reason.message().to_owned()));
        self.record(op, backup_type, source, self.clock.now(), Instant::now(), &r, None);
    }

    /// Brings the catalog in step with the backup files.
    fn reconcile(&self) -> Result<()> {
        let files = self.backup_files()?;
        let cat = self.catalog()?;
        let known: std::collections::HashSet<String> = cat.ids()?.into_iter().collect();
        for (id, path) in &files {
            if !known.contains(id)
                && let Ok(meta) = metadata_from_file(path)
            {
                cat.upsert(&meta)?;
            }
        }
        let present: std::collections::HashSet<&String> = files.iter().map(|(id, _)| id).collect();
        for id in known.iter().filter(|id| !present.contains(id)) {
            cat.remove(id)?;
        }
        Ok(())
    }

    /// Complete backup files in the folder: (id, path).
    fn backup_files(&self) -> Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let entries = fs::read_dir(&self.dir).map_err(|e| Error::read(&self.dir, e))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with("backup_") {
                continue;
            }
            for ext in [PLAIN_EXT, ENCRYPTED_EXT] {
                if let Some(id) = name.strip_suffix(ext) {
                    out.push((id.to_owned(), e.path()));
                }
            }
        }
        Ok(out)
    }

    /// Forgets the catalog's list and reads it again from the backup files (verification
    /// results are lost: every backup becomes unverified). Returns the number of backups.
    pub fn rebuild_catalog(&self) -> Result<usize> {
        let _lock = self.lock()?;
        let files = self.backup_files()?;
        let cat = self.catalog()?;
        cat.clear_backups()?;
        let mut n = 0;
        for (_, path) in files {
            if let Ok(meta) = metadata_from_file(&path) {
                cat.upsert(&meta)?;
                n += 1;
            }
        }
        Ok(n)
    }

    pub(crate) fn set_verification(&self, id: &str, ok: bool, at: DateTime<Utc>) -> Result<()> {
        let status = if ok { VerificationStatus::Passed } else { VerificationStatus::Failed };
        self.catalog()?.set_verification(id, status, at)
    }

    pub(crate) fn insert(&self, meta: &BackupMetadata) -> Result<()> {
        self.catalog()?.upsert(meta)
    }

    pub(crate) fn forget(&self, id: &str) -> Result<()> {
        self.catalog()?.remove(id)
    }

    pub(crate) fn failed_runs(&self) -> Result<u64> {
        self.catalog()?.failed_runs()
    }
}

/// Metadata of a backup read from its own file (for a catalog rebuild).
pub(crate) fn metadata_from_file(path: &Path) -> Result<BackupMetadata> {
    let h = file::read_header(path)?;
    let stored_size = fs::metadata(path).map_err(|e| Error::read(path, e))?.len();
    let sha256 = file::sha256_file(path)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(crate::commands::backup::metadata(&h, file_name, stored_size, sha256, 0))
}

/// Creates a folder readable by its owner only (backups hold the user's data).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| Error::write(dir, e))
}

/// Makes a rename durable.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Prefix of the scratch folder a verification decodes into, inside the backup folder.
pub(crate) const VERIFY_DIR_PREFIX: &str = ".keepsake-verify-";

fn is_stale(e: &fs::DirEntry) -> bool {
    e.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(3600))
}
