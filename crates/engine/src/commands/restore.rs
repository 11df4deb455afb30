//! `restore` and `decrypt`: put the database in a backup back in place.
//!
//! Order matters, so that a restore can never make things worse: the backup is decoded and
//! checked into a temporary file beside the target first (a wrong password or a damaged backup
//! stops here, with the target untouched), then a safety backup of the current database is
//! taken, then the target is replaced. An existing database is replaced through SQLite's own
//! backup API on a connection to it, so SQLite's locking protects other programs that have it
//! open, its journal (or WAL) makes the switch atomic against a crash, and stale `-wal`/`-shm`
//! files are handled by SQLite itself. A target that does not exist (or is not a database) is
//! replaced by an atomic rename.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::commands::decode::DecodeOptions;
use crate::durable::{self, sync_dir, sync_file};
use crate::engine::{Engine, RunInfo};
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{
    BackupMetadata, BackupOptions, BackupType, Operation, Origin, RestoreOptions, RestoreOutcome,
};
use crate::seams::{Job, Phase};

impl Engine {
    /// Restores backup `id` over the database at `target` (which may be the live database or
    /// another path).
    pub fn restore(
        &self,
        id: &str,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<RestoreOutcome> {
        let info =
            RunInfo { backup_type: None, source: Some(target.to_path_buf()), backup_id: Some(id.to_owned()) };
        self.locked_run(Operation::Restore, info, || self.restore_locked(id, target, opts, job))
    }

    /// Puts every file of `source` back as it was in one run: backup `id` (of the source's
    /// database) over `source.database`, and each backup made with it (`with`) over the file of
    /// `source.also` it was made of. A backup's own record of its path never chooses a target:
    /// only the source's files are written. Before anything is checked or written, every target
    /// must be free: while the app holds one (it is running), nothing is done and the error
    /// names the app ("Close Firefox first"). Each file is restored as [`Engine::restore`] does
    /// (checked first, safety backup, atomic replace); the outcomes are in the source's order.
    pub fn restore_app(
        &self,
        id: &str,
        source: &crate::sources::Source,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<Vec<RestoreOutcome>> {
        let main = self.get(id)?;
        if main.with.is_some() {
            return Err(Error::invalid(format!(
                "backup {id} is one of an app's other files; restore the backup it was made with ({})",
                main.with.as_deref().unwrap_or_default()
            ))
            .with_backup(id));
        }
        let made_with: Vec<BackupMetadata> =
            self.list(None)?.into_iter().filter(|b| b.with.as_deref() == Some(id)).collect();
        let mut pairs: Vec<(String, PathBuf)> = vec![(id.to_owned(), source.database.clone())];
        for file in &source.also {
            let absolute = crate::engine::absolute(file);
            if let Some(b) = made_with.iter().find(|b| b.source_path == absolute || &b.source_path == file) {
                pairs.push((b.id.clone(), file.clone()));
            }
        }
        refuse_held_app(source, pairs.iter().map(|(_, t)| t.as_path()))?;
        pairs.iter().map(|(id, target)| self.restore(id, target, opts, job)).collect()
    }

    /// What a restore of `meta` must be confirmed for, if anything: `foreign` (not recorded
    /// here), `unencrypted` (into a source that encrypts), or both.
    pub fn restore_concern(&self, meta: &BackupMetadata, opts: &RestoreOptions) -> Option<Reason> {
        let foreign = meta.origin == Origin::Foreign && !opts.allow_foreign;
        let plain = !meta.encrypted && opts.source_encrypts && !opts.allow_unencrypted;
        match (foreign, plain) {
            (true, true) => Some(Reason::ForeignUnencrypted),
            (true, false) => Some(Reason::Foreign),
            (false, true) => Some(Reason::Unencrypted),
            (false, false) => None,
        }
    }

    /// Refuses a restore of `meta` (whole or some tables) that needs a confirmation `opts`
    /// does not give (see [`Engine::restore_concern`]).
    pub(crate) fn confirmed(&self, meta: &BackupMetadata, opts: &RestoreOptions) -> Result<()> {
        let Some(reason) = self.restore_concern(meta, opts) else {
            return Ok(());
        };
        let why = match reason {
            Reason::Foreign => "was not made by this installation of Keepsake",
            Reason::Unencrypted => "is not encrypted, and this database's backups are",
            _ => "was not made by this installation of Keepsake and is not encrypted",
        };
        Err(Error::new(
            ErrorCode::ConfirmationRequired,
            format!("backup {} {why}; restoring it needs your confirmation", meta.id),
        )
        .with_backup(&meta.id)
        .with_reason(reason))
    }

    fn restore_locked(
        &self,
        id: &str,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<RestoreOutcome> {
        let t0 = Instant::now();
        let meta = self.get(id)?;
        self.confirmed(&meta, opts)?;
        refuse_held(target, meta.opaque.is_some())?;
        if meta.opaque.is_some() {
            return self.restore_opaque_locked(&meta, target, opts, job, t0);
        }
        if !opts.tables.is_empty() {
            return self.restore_tables_locked(&meta, target, opts, job, t0);
        }
        target_folder(target)?;
        let existing = Existing::of(target);
        if opts.new_file && existing != Existing::None {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("{} already exists; restore to a new file", shown(target)),
            )
            .with_path(target)
            .with_reason(Reason::TargetExists));
        }
        if existing == Existing::Other {
            return Err(Error::new(
                ErrorCode::TargetNotADatabase,
                format!(
                    "{} exists and is not a SQLite database; Keepsake will not replace it",
                    shown(target)
                ),
            )
            .with_path(target));
        }
        // Decoded in a private folder of our own beside the target (same file system, so the
        // last step can be a rename); nothing planted beside it can be read with it.
        let scratch = private_dir_beside(target)?;
        let tmp = scratch.path().join("database");
        let by_rename = existing == Existing::None;
        let decode_opts = DecodeOptions { integrity: opts.verify_first, sync: by_rename };
        let decoded = self.decode(&meta, &tmp, decode_opts, job, Phase::Restore)?;
        if opts.verify_first && meta.origin == Origin::Recorded {
            self.set_verification(&meta.id, decoded.ok(), &decoded.checks, self.clock.now())?;
        }
        if let Some(e) = decoded.error {
            return Err(e);
        }
        job.cancel.check()?;

        let safety_backup_id = if opts.new_file {
            // Nothing to keep a safety backup of, and nothing that appeared meanwhile replaced.
            sync_file(&tmp)?;
            durable::rename_noreplace(&tmp, target)?;
            None
        } else {
            let id = self.safety_backup(&meta, target, opts, job)?;
            job.cancel.check()?;
            replace_database(&tmp, target, self.busy_timeout)?;
            id
        };
        drop(scratch);
        Ok(RestoreOutcome {
            backup_id: meta.id.clone(),
            target: target.to_path_buf(),
            safety_backup_id,
            verified: opts.verify_first,
            duration_ms: t0.elapsed().as_millis() as u64,
            tables: Vec::new(),
            referenced_by: Vec::new(),
            triggers: Vec::new(),
        })
    }

    /// [`Engine::restore`] of a file kept as bytes (its app encrypts it): checked as far as it
    /// can be (checksum, decryption, decompression, lengths), a safety backup of the file there
    /// (kept as bytes too), then put back whole by renames in the target's folder: the `-wal`,
    /// `-shm` and `-journal` there are moved aside (`.keepsake-stale`, never deleted), the file
    /// takes their place, then the `-wal` or `-journal` it was backed up with.
    fn restore_opaque_locked(
        &self,
        meta: &BackupMetadata,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
        t0: Instant,
    ) -> Result<RestoreOutcome> {
        if !opts.tables.is_empty() {
            return Err(crate::commands::tables::opaque_inside(meta));
        }
        let dir = target_folder(target)?;
        let exists = match fs::symlink_metadata(target) {
            Err(_) => false,
            Ok(m) if m.file_type().is_file() => true,
            Ok(_) => {
                return Err(Error::new(
                    ErrorCode::TargetNotADatabase,
                    format!("{} exists and is not a file; Keepsake will not replace it", shown(target)),
                )
                .with_path(target));
            }
        };
        if opts.new_file && exists {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("{} already exists; restore to a new file", shown(target)),
            )
            .with_path(target)
            .with_reason(Reason::TargetExists));
        }
        let scratch = private_dir_beside(target)?;
        let tmp = scratch.path().join("database");
        let decoded =
            self.decode(meta, &tmp, DecodeOptions { integrity: true, sync: false }, job, Phase::Restore)?;
        if opts.verify_first && meta.origin == Origin::Recorded {
            self.set_verification(&meta.id, decoded.ok(), &decoded.checks, self.clock.now())?;
        }
        if let Some(e) = decoded.error {
            return Err(e);
        }
        // The files as the backup itself states them (its header, checked when read), not as
        // recorded beside it.
        let parts = decoded.header.and_then(|h| h.opaque).unwrap_or_default();
        crate::commands::decode::split_opaque(&tmp, &parts)?;
        job.cancel.check()?;
        let safety_backup_id = if opts.new_file {
            // Nothing is written while a file beside the new one is in the way.
            if let Some(taken) = parts.iter().skip(1).map(|p| beside(target, &p.suffix)).find(|p| p.exists())
            {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("{} already exists; restore to a new file", shown(&taken)),
                )
                .with_path(&taken)
                .with_reason(Reason::TargetExists));
            }
            durable::rename_noreplace(&tmp, target)?;
            None
        } else {
            let id = self.safety_backup(meta, target, opts, job)?;
            job.cancel.check()?;
            refuse_held(target, true)?;
            move_stale_aside(target)?;
            fs::rename(&tmp, target).map_err(|e| Error::write(target, e))?;
            id
        };
        for p in parts.iter().skip(1) {
            let to = beside(target, &p.suffix);
            // A new file's companions never replace a file that is there.
            durable::rename_noreplace(&beside(&tmp, &p.suffix), &to)?;
        }
        sync_dir(dir);
        drop(scratch);
        Ok(RestoreOutcome {
            backup_id: meta.id.clone(),
            target: target.to_path_buf(),
            safety_backup_id,
            verified: true,
            duration_ms: t0.elapsed().as_millis() as u64,
            tables: Vec::new(),
            referenced_by: Vec::new(),
            triggers: Vec::new(),
        })
    }

    /// The safety backup of `target` before restoring `meta` over it (or some of its tables),
    /// when asked for and there is a database there.
    pub(crate) fn safety_backup(
        &self,
        meta: &BackupMetadata,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<Option<String>> {
        let opaque = meta.opaque.is_some();
        let there = if opaque { target.is_file() } else { is_database(target) };
        if !opts.safety_backup || !there {
            return Ok(None);
        }
        let safety = BackupOptions {
            opaque,
            encrypt: opts.source_encrypts,
            compress: true,
            backup_type: BackupType::Safety,
            description: Some(if opts.tables.is_empty() {
                format!("Before restoring {}", meta.id)
            } else {
                format!("Before restoring {} from {}", opts.tables.join(", "), meta.id)
            }),
            ..BackupOptions::default()
        };
        if let Some(local) = &self.safety_to {
            let info = RunInfo {
                backup_type: Some(BackupType::Safety),
                source: Some(target.to_path_buf()),
                backup_id: None,
            };
            let made = local.locked_run(Operation::Backup, info, || {
                local.backup_locked(target, &safety, job, Phase::SafetyBackup)
            })?;
            return Ok(Some(made.id));
        }
        Ok(Some(self.backup_locked(target, &safety, job, Phase::SafetyBackup)?.id))
    }

    /// Writes the plain database inside backup `id` to `dest`, which must not exist (and a file
    /// created there meanwhile is never replaced).
    pub fn decrypt_to(&self, id: &str, dest: &Path, job: &Job) -> Result<()> {
        let meta = self.get(id)?;
        if fs::symlink_metadata(dest).is_ok() {
            return Err(Error::invalid(format!("{} already exists; choose a new file name", shown(dest)))
                .with_path(dest));
        }
        let scratch = private_dir_beside(dest)?;
        let tmp = scratch.path().join("database");
        let decoded =
            self.decode(&meta, &tmp, DecodeOptions { integrity: true, sync: true }, job, Phase::Restore)?;
        if let Some(e) = decoded.error {
            return Err(e);
        }
        // A file its app encrypts comes out as it was: the file, and its `-wal` or `-journal`
        // beside it.
        let parts = decoded.header.and_then(|h| h.opaque).unwrap_or_default();
        if !parts.is_empty() {
            crate::commands::decode::split_opaque(&tmp, &parts)?;
            for p in parts.iter().skip(1) {
                if fs::symlink_metadata(beside(dest, &p.suffix)).is_ok() {
                    return Err(Error::invalid(format!(
                        "{} already exists; choose a new file name",
                        shown(&beside(dest, &p.suffix))
                    )));
                }
            }
        }
        durable::rename_noreplace(&tmp, dest)?;
        for p in parts.iter().skip(1) {
            durable::rename_noreplace(&beside(&tmp, &p.suffix), &beside(dest, &p.suffix))?;
        }
        if let Some(d) = dest.parent() {
            sync_dir(d);
        }
        Ok(())
    }
}

/// What is at a restore's target now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Nothing.
    None,
    /// A database SQLite can open (or one another program locks).
    Database,
    /// Something else: a file that is not a database, a folder, a link.
    Other,
}

impl Existing {
    pub(crate) fn of(path: &Path) -> Existing {
        match fs::symlink_metadata(path) {
            Err(_) => Existing::None,
            Ok(m) if !m.file_type().is_file() => Existing::Other,
            Ok(m) if m.len() == 0 => Existing::Database,
            Ok(_) if is_database(path) => Existing::Database,
            Ok(_) => Existing::Other,
        }
    }
}

/// The folder a restore writes `target` into, which must exist.
fn target_folder(target: &Path) -> Result<&Path> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::new(ErrorCode::InvalidInput, format!("folder does not exist: {}", shown(dir)))
            .with_path(dir));
    }
    Ok(dir)
}

/// `path` with `suffix` added to its name (`db.sqlite` and `-wal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Moves the `-wal`, `-shm` and `-journal` beside `target` aside (`.keepsake-stale`, never
/// deleted: they may matter to someone investigating), so that none is applied to the file that
/// takes its place.
fn move_stale_aside(target: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = beside(target, suffix);
        if fs::symlink_metadata(&side).is_ok() {
            let aside = beside(target, &format!("{suffix}.keepsake-stale"));
            fs::rename(&side, &aside).map_err(|e| Error::write(&side, e))?;
        }
    }
    Ok(())
}

/// A new folder (0700) beside `target`, removed when dropped.
fn private_dir_beside(target: &Path) -> Result<tempfile::TempDir> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut b = tempfile::Builder::new();
    b.prefix(".keepsake-restore-");
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    b.tempdir_in(dir).map_err(|e| Error::write(dir, e))
}

/// Whether `path` holds something SQLite must be asked about before it is replaced: a readable
/// database, or one locked by another program (never replace that behind SQLite's back).
/// Only a file SQLite calls "not a database" or corrupt may be replaced by a rename.
fn is_database(path: &Path) -> bool {
    use rusqlite::ffi::ErrorCode as C;
    if !path.exists() {
        return false;
    }
    let probe = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)));
    match probe {
        Ok(_) => true,
        Err(e) => !matches!(e.sqlite_error_code(), Some(C::NotADatabase | C::DatabaseCorrupt)),
    }
}

/// Replaces `target` with the database in `tmp` (which is removed), atomically.
pub(crate) fn replace_database(tmp: &Path, target: &Path, busy_timeout: Duration) -> Result<()> {
    if is_database(target) {
        copy_through_sqlite(tmp, target, busy_timeout)?;
        let _ = fs::remove_file(tmp);
        return Ok(());
    }
    // No usable database there: nothing can hold it open through SQLite. Stale journal files
    // would be applied to the new file.
    move_stale_aside(target)?;
    sync_file(tmp)?;
    fs::rename(tmp, target).map_err(|e| Error::write(target, e))?;
    if let Some(d) = target.parent() {
        sync_dir(d);
    }
    Ok(())
}

/// Copies every page of `src` into `target` in one SQLite transaction.
fn copy_through_sqlite(src: &Path, target: &Path, busy_timeout: Duration) -> Result<()> {
    let terr = |e| Error::internal_db(target, e);
    let source = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::internal_db(src, e))?;
    let mut dest = Connection::open_with_flags(target, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(terr)?;
    dest.busy_timeout(busy_timeout).map_err(terr)?;
    let dest_wal = dest
        .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
        .map_err(terr)?
        .eq_ignore_ascii_case("wal");
    let page_size = |c: &Connection| c.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0));
    let differs =
        page_size(&source).map_err(|e| Error::internal_db(src, e))? != page_size(&dest).map_err(terr)?;
    if dest_wal && differs {
        // SQLite cannot change the page size of a WAL database; go through rollback mode.
        dest.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).map_err(busy(target))?;
    }
    {
        let b = Backup::new(&source, &mut dest).map_err(busy(target))?;
        loop {
            match b.step(-1).map_err(busy(target))? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    return Err(Error::new(
                        ErrorCode::TargetBusy,
                        format!("{} is in use by another program", shown(target)),
                    ));
                }
                _ => {}
            }
        }
    }
    if dest_wal && differs {
        dest.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).map_err(terr)?;
    }
    Ok(())
}

/// A restore never starts (no check, no safety backup) while another program holds the target
/// under an exclusive lock: the app that owns it is running (told from the lock, never from a
/// process name). The caller names the app (`Error::with_app`) when it knows it.
/// For a file kept as bytes (`opaque`), any program that has it open counts: SQLite's locks
/// cannot protect a file replaced whole.
pub(crate) fn refuse_held(target: &Path, opaque: bool) -> Result<()> {
    let held = if opaque {
        keepsake_format::held::in_use(target)
    } else {
        keepsake_format::held::held_exclusively(target)
    };
    if held {
        return Err(Error::new(
            ErrorCode::TargetBusy,
            format!(
                "{} is held open by the app it belongs to; close the app first; nothing was changed",
                shown(target)
            ),
        )
        .with_path(target)
        .with_reason(crate::error::Reason::HeldByApp));
    }
    Ok(())
}

/// [`refuse_held`] for each of an app's `files`, the error naming the app ("close Firefox
/// first: ...") when the source says which app it is.
pub(crate) fn refuse_held_app<'a>(
    source: &crate::sources::Source,
    files: impl IntoIterator<Item = &'a Path>,
) -> Result<()> {
    let app = source
        .app
        .as_deref()
        .and_then(|a| crate::discover::Catalogue::shipped().app(a).map(|a| a.name.clone()));
    for target in files {
        if let Err(e) = refuse_held(target, source.is_opaque(target)) {
            return Err(match &app {
                Some(name) => Error::new(
                    e.code(),
                    format!("close {name} first: it has {} open; nothing was changed", shown(target)),
                )
                .with_path(target)
                .with_reason(Reason::HeldByApp)
                .with_app(name.clone()),
                None => e,
            });
        }
    }
    Ok(())
}

pub(crate) fn busy(target: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        let e = Error::internal_db(target, e);
        if e.code() == ErrorCode::TargetBusy {
            Error::new(
                ErrorCode::TargetBusy,
                format!("{} is in use by another program; nothing was changed", shown(target)),
            )
        } else {
            e
        }
    }
}
