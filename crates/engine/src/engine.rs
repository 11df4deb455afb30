//! The [`Engine`]: one store of backups (a folder, or any [`Store`]), this installation's catalog
//! of it, and the seams (clock, password). Each user verb lives in its own file under
//! `commands/`; this file holds what they share: opening, naming backups, and running an
//! operation under the store's lock with its run recorded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::catalog::{Catalog, RecordOrigin};
use crate::error::{Error, ErrorCode, Result};
use crate::installation::Installation;
use crate::lock::FolderLock;
use crate::model::{BackupMetadata, BackupType, Operation, RunRecord, RunStatus, VerificationStatus};
use crate::seams::{Clock, NoSecret, SecretSource, SystemClock};
use crate::store::{LocalFolder, Store};

/// A store of backups and everything that can be done with it.
pub struct Engine {
    store: Arc<dyn Store>,
    pub(crate) home: Installation,
    catalog: Mutex<Catalog>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) secrets: Arc<dyn SecretSource>,
    pub(crate) workers: usize,
    pub(crate) kdf_iterations: u32,
    /// Listing opens backups whose key derivation is not this installation's (asked for).
    pub(crate) foreign_kdf: bool,
    pub(crate) busy_timeout: std::time::Duration,
    /// Where a restore's safety backup goes when not in this store (a restore from a
    /// destination keeps it in the local backup folder, never on the server).
    pub(crate) safety_to: Option<Arc<Engine>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("store", &self.store.location()).finish_non_exhaustive()
    }
}

/// What a run records besides its outcome.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunInfo {
    pub backup_type: Option<BackupType>,
    /// The database backed up, or the restore's target.
    pub source: Option<PathBuf>,
    /// The backup the operation is about, when known before it runs.
    pub backup_id: Option<String>,
}

/// When a run started: the clock's time (recorded) and the monotonic instant (its duration).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Started {
    at: DateTime<Utc>,
    t0: Instant,
}

/// How a run ended: its result, the backup it made or used, the safety backup a restore made.
#[derive(Debug)]
pub(crate) struct RunEnd {
    pub(crate) result: Result<()>,
    pub(crate) backup_id: Option<String>,
    pub(crate) safety_backup_id: Option<String>,
}

/// What an operation's result tells its run record.
pub(crate) trait Outcome {
    /// The backup made or used, if any.
    fn backup_id(&self) -> Option<String> {
        None
    }
    /// The safety backup a restore took.
    fn safety_backup_id(&self) -> Option<String> {
        None
    }
}

impl Engine {
    /// Opens `store` for `home` (this installation). The first time a folder that an older
    /// Keepsake used is opened, its old catalog's backups are taken over once, each checked
    /// against its file.
    pub fn open(home: &Installation, store: Arc<dyn Store>) -> Result<Engine> {
        let catalog = Catalog::open(&home.catalog_path(), store.location())?;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        let engine = Engine {
            store,
            home: home.clone(),
            catalog: Mutex::new(catalog),
            clock: Arc::new(SystemClock),
            secrets: Arc::new(NoSecret),
            workers,
            kdf_iterations: crate::format::KDF_ITERATIONS,
            foreign_kdf: false,
            busy_timeout: crate::snapshot::BUSY_TIMEOUT,
            safety_to: None,
        };
        engine.take_over_legacy()?;
        Ok(engine)
    }

    /// Opens the backup folder `dir` (created, 0700, when missing).
    pub fn open_folder(home: &Installation, dir: impl Into<PathBuf>) -> Result<Engine> {
        Engine::open(home, Arc::new(LocalFolder::new(dir)?.with_owner(&home.id()[..8])))
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
        self.kdf_iterations =
            iterations.clamp(crate::format::KDF_ITERATIONS, crate::format::keys::MAX_ITERATIONS);
        self
    }

    /// Whether a listing derives keys for backups whose key derivation asks for another
    /// iteration count than this installation's (by default such a file, which anybody could
    /// have planted asking for minutes of work, is listed as locked without trying).
    pub fn with_foreign_kdf(mut self, allow: bool) -> Engine {
        self.foreign_kdf = allow;
        self
    }

    /// Takes a restore's safety backup in `local` (its own folder, lock and records) instead of
    /// this store: what a restore from a copy elsewhere does, so the state before the restore
    /// stays on this computer, encrypted as the source's backups are, and `local` can undo it.
    pub fn with_safety_backups_in(mut self, local: Arc<Engine>) -> Engine {
        self.safety_to = Some(local);
        self
    }

    /// Threads used to compress and decompress (default: the number of cores, at most 8).
    pub fn with_workers(mut self, workers: usize) -> Engine {
        self.workers = workers.clamp(1, 64);
        self
    }

    /// How long to wait for another program's lock on a database (default 10 s).
    pub fn with_busy_timeout(mut self, timeout: std::time::Duration) -> Engine {
        self.busy_timeout = timeout;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The folder of a store that is one.
    pub fn backup_dir(&self) -> Option<&Path> {
        self.store.local_dir()
    }

    /// Where a backup's file is, for a store that is a folder.
    pub fn backup_path(&self, meta: &BackupMetadata) -> Option<PathBuf> {
        self.store.local_dir().map(|d| d.join(&meta.file_name))
    }

    /// The store's location, for messages: a folder's path, or a URL.
    pub(crate) fn where_(&self) -> String {
        match self.store.local_dir() {
            Some(d) => d.display().to_string(),
            None => self.store.location().to_owned(),
        }
    }

    pub(crate) fn catalog(&self) -> Result<MutexGuard<'_, Catalog>> {
        self.catalog.lock().map_err(|_| Error::new(ErrorCode::Io, "catalog lock poisoned"))
    }

    /// Takes the store's lock (one operation at a time, across this installation's processes)
    /// and clears what a crashed run left behind.
    pub(crate) fn lock(&self) -> Result<FolderLock> {
        let lock = FolderLock::acquire(&self.home.lock_path(self.store.location()), &self.where_())?;
        self.store.tidy();
        crate::installation::sweep_scratch(&self.home.scratch_dir());
        self.settle_pending()?;
        Ok(lock)
    }

    /// Settles backups recorded as about to be committed whose writer died: one whose file is
    /// there, whole (its recorded size and SHA-256), is confirmed; any other is forgotten (its
    /// partial file was removed by `tidy`, and a file of that name that does not match the
    /// record is somebody else's, listed as foreign).
    fn settle_pending(&self) -> Result<()> {
        let pending = self.catalog()?.pending()?;
        for m in pending {
            let whole = match self.store.stat(&m.file_name)? {
                Some(e) if e.size == m.stored_size => {
                    let obj = crate::format::file::Object::new(self.store.as_ref(), &m.file_name);
                    crate::format::file::sha256_of(&obj)?.0 == m.sha256
                }
                _ => false,
            };
            let cat = self.catalog()?;
            if whole { cat.confirm(&m.id)? } else { cat.remove(&m.id)? }
        }
        Ok(())
    }

    /// Runs `f` under the store's lock and records the run, whatever its outcome.
    pub(crate) fn locked_run<T: Outcome>(
        &self,
        op: Operation,
        info: RunInfo,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.recorded_run(op, info, || {
            let _lock = self.lock()?;
            f()
        })
    }

    /// Runs `f` (without the lock) and records the run, whatever its outcome.
    pub(crate) fn recorded_run<T: Outcome>(
        &self,
        op: Operation,
        info: RunInfo,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let started = self.started();
        let result = f();
        let (backup_id, safety_backup_id) = match &result {
            Ok(v) => (v.backup_id().or(info.backup_id.clone()), v.safety_backup_id()),
            Err(_) => (info.backup_id.clone(), None),
        };
        let end = RunEnd { result: result.as_ref().map(|_| ()).map_err(copy), backup_id, safety_backup_id };
        self.record(op, &info, started, end);
        result
    }

    /// When a run starts, for [`Engine::record`].
    pub(crate) fn started(&self) -> Started {
        Started { at: self.clock.now(), t0: Instant::now() }
    }

    /// Records a run that started at `started` and ended as `end` says.
    pub(crate) fn record(&self, op: Operation, info: &RunInfo, started: Started, end: RunEnd) {
        let RunEnd { result, backup_id, safety_backup_id } = end;
        let Started { at: started, t0 } = started;
        let (status, code, message) = match &result {
            Ok(()) => (RunStatus::Success, None, None),
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
            backup_type: info.backup_type,
            backup_id,
            source_path: info.source.as_deref().map(absolute),
            started_at: started,
            duration_ms: t0.elapsed().as_millis() as u64,
            status,
            error_code: code,
            message,
            safety_backup_id,
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
        let info = RunInfo { backup_type, source: source.map(Path::to_path_buf), backup_id: None };
        let skipped = Error::new(ErrorCode::Busy, reason.message().to_owned());
        let end = RunEnd { result: Err(skipped), backup_id: None, safety_backup_id: None };
        self.record(op, &info, self.started(), end);
    }

    /// A new unique id for a backup made at `now`.
    pub(crate) fn new_id(&self, now: DateTime<Utc>) -> Result<String> {
        for _ in 0..16 {
            let id = crate::names::new_id(now)?;
            let taken = self.catalog()?.get(&id)?.is_some()
                || [true, false]
                    .iter()
                    .map(|enc| self.store.stat(&crate::names::file_name(&id, *enc)))
                    .any(|s| !matches!(s, Ok(None)));
            if !taken {
                return Ok(id);
            }
        }
        Err(Error::new(ErrorCode::Io, "no free backup id"))
    }

    /// A backup by id: a recorded one, else a foreign one found in the store (by id or file
    /// name). `backup_not_found` when there is none.
    pub fn get(&self, id: &str) -> Result<BackupMetadata> {
        let recorded = self.catalog()?.get(id)?;
        if let Some(mut m) = recorded {
            m.pinned = self.catalog()?.pins()?.remove(&m.id);
            return Ok(self.with_chain_concern(self.with_concern(m)));
        }
        let report = self.scan()?;
        if let Some(m) = report.foreign.iter().find(|b| b.id == id || b.file_name == id) {
            return Ok(m.clone());
        }
        // A file of that backup that did not open with what was at hand: opened again with the
        // secret source (which may ask), so the person hears why (a wrong password, a typo in
        // the recovery key), or it opens now and is listed.
        let locked = report
            .files
            .iter()
            .find(|f| crate::names::parse_file_name(&f.file_name).is_some_and(|(fid, _)| fid == id));
        if let Some(f) = locked {
            let obj = crate::format::file::Object::new(self.store.as_ref(), &f.file_name);
            crate::format::file::open(
                &obj,
                self.secrets.as_ref(),
                &self.home.keys,
                &crate::seams::CancelToken::new(),
            )
            .map_err(|e| e.with_backup(id))?;
            if let Some(m) = self.scan()?.foreign.into_iter().find(|b| b.id == id) {
                return Ok(m);
            }
        }
        Err({
            Error::new(
                ErrorCode::BackupNotFound,
                format!("no backup {:?} in {}", crate::error::escaped(id), self.where_()),
            )
            .with_backup(id)
        })
    }

    /// The backups this installation recorded in the store, newest first; each one whose file
    /// is gone or changed carries that concern (nothing disappears from the list silently).
    pub fn list(&self, limit: Option<usize>) -> Result<Vec<BackupMetadata>> {
        let (recorded, mut pins) = {
            let catalog = self.catalog()?;
            (catalog.list()?, catalog.pins()?)
        };
        // One listing of the store for every record's file, not a lookup each (a folder of
        // thousands of backups, a remote store); a store that cannot be listed is asked file by
        // file, as before.
        let listed: Option<HashMap<String, u64>> =
            self.store.list().ok().map(|l| l.into_iter().map(|e| (e.name, e.size)).collect());
        let recorded: Vec<BackupMetadata> = recorded
            .into_iter()
            .map(|mut m| {
                m.pinned = pins.remove(&m.id);
                match &listed {
                    Some(listed) => with_listed_concern(listed, m),
                    None => self.with_concern(m),
                }
            })
            .collect();
        // An increment's chain, followed among these records; a link recorded elsewhere (or
        // not at all) is looked up as `with_chain_concern` does.
        let broken: Vec<Option<bool>> = {
            let by_id: HashMap<&str, &BackupMetadata> = recorded.iter().map(|m| (m.id.as_str(), m)).collect();
            recorded.iter().map(|m| chain_broken_among(m, &by_id)).collect()
        };
        let mut all: Vec<BackupMetadata> = recorded
            .into_iter()
            .zip(broken)
            .map(|(mut m, broken)| match broken {
                Some(true) => {
                    m.concern = Some(crate::model::Concern::BrokenChain);
                    m
                }
                Some(false) => m,
                None => self.with_chain_concern(m),
            })
            .collect();
        if let Some(n) = limit {
            all.truncate(n);
        }
        Ok(all)
    }

    /// A recorded backup with its file checked cheaply (present, same size).
    pub(crate) fn with_concern(&self, mut m: BackupMetadata) -> BackupMetadata {
        m.concern = match self.store.stat(&m.file_name) {
            Ok(None) => Some(crate::model::Concern::Missing),
            Ok(Some(e)) if e.size != m.stored_size => Some(crate::model::Concern::Changed),
            _ => m.concern.filter(|c| *c == crate::model::Concern::Changed),
        };
        m
    }

    /// Past runs on this store, newest first, failed ones too.
    pub fn history(&self, limit: Option<usize>) -> Result<Vec<RunRecord>> {
        self.catalog()?.history(limit)
    }

    /// Records a verification's outcome: passed or failed, and what it says of the database's
    /// integrity at the snapshot (see [`crate::model::BackupMetadata::source_integrity`]).
    pub(crate) fn set_verification(
        &self,
        id: &str,
        ok: bool,
        checks: &[crate::model::Check],
        at: DateTime<Utc>,
    ) -> Result<()> {
        use crate::model::CheckStatus::{Failed, Passed};
        let status = if ok { VerificationStatus::Passed } else { VerificationStatus::Failed };
        let check = |name: &str| checks.iter().find(|c| c.name == name).map(|c| c.status);
        let intact = check("checksum") == Some(Passed)
            && check("decrypt") != Some(Failed)
            && check("decompress") == Some(Passed);
        let integrity = match check("integrity") {
            Some(Passed) => Some(true),
            Some(Failed) if intact => Some(false),
            _ => None,
        };
        self.catalog()?.set_verification(id, status, at, integrity)?;
        if integrity == Some(false) {
            self.raise_integrity_alert(id)?;
        }
        Ok(())
    }

    /// Records a backup this installation wrote.
    pub(crate) fn insert(&self, meta: &BackupMetadata) -> Result<()> {
        self.catalog()?.record(meta, RecordOrigin::Made)
    }

    pub(crate) fn forget(&self, id: &str) -> Result<()> {
        self.catalog()?.remove(id)
    }

    pub(crate) fn failed_runs(&self) -> Result<u64> {
        self.catalog()?.failed_runs()
    }
}

/// An error's code and message again (the first stays with the caller).
pub(crate) fn copy(e: &Error) -> Error {
    Error::new(e.code(), e.message().to_owned())
}

/// `p` made absolute (as recorded in runs and headers).
pub(crate) fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Outcome for () {}
impl Outcome for BackupMetadata {
    fn backup_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for crate::model::RestoreOutcome {
    fn backup_id(&self) -> Option<String> {
        Some(self.backup_id.clone())
    }
    fn safety_backup_id(&self) -> Option<String> {
        self.safety_backup_id.clone()
    }
}
impl Outcome for crate::retention::CleanupPlan {}

/// [`Engine::with_concern`] from a listing of the store (name to size) instead of a lookup.
fn with_listed_concern(listed: &HashMap<String, u64>, mut m: BackupMetadata) -> BackupMetadata {
    m.concern = match listed.get(&m.file_name) {
        None => Some(crate::model::Concern::Missing),
        Some(size) if *size != m.stored_size => Some(crate::model::Concern::Changed),
        Some(_) => m.concern.filter(|c| *c == crate::model::Concern::Changed),
    };
    m
}

/// Whether the chain of `m` (an increment with no concern of its own) is broken, followed among
/// `by_id` (this store's records, their concerns known): `Some(false)` for a full backup or one
/// with a concern already; `None` when a link is not among them (the caller looks it up).
fn chain_broken_among(m: &BackupMetadata, by_id: &HashMap<&str, &BackupMetadata>) -> Option<bool> {
    if m.concern.is_some() || m.kind != crate::model::BackupKind::Increment {
        return Some(false);
    }
    let mut seen = std::collections::HashSet::from([m.id.as_str()]);
    let mut link = m.chain.as_ref()?;
    loop {
        let base = by_id.get(link.base.as_str())?;
        if !seen.insert(base.id.as_str()) {
            return Some(true);
        }
        if base.concern.is_some() || base.origin != crate::model::Origin::Recorded {
            return Some(true);
        }
        match &base.chain {
            Some(next) => link = next,
            None => return Some(false),
        }
    }
}
