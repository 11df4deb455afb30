//! `run_source`: what happens at a scheduled slot, on "run now" and on "Back up now": back up a
//! source with its own settings, verify the new backup, apply the source's retention (scheduled
//! runs), and record the run with its outcome. Also the history query the scheduler decides from (`source_history`).
//!
//! The steps run under one folder lock, so nothing (another scheduler, a restore) can slip in
//! between a backup and the cleanup that counts on it. A busy folder makes the run `skipped`, not
//! failed: the slot counts as covered, the next one runs, and the history says why. When to run
//! is not decided here but in `scheduler`, as pure functions of `now`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::{Engine, RunEnd, RunInfo};
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{
    BackupMetadata, BackupType, Operation, Problem, RunStatus, ScheduledRun, SourceHistory,
    VerificationStatus,
};
use crate::seams::{Job, Phase};
use crate::sources::Source;

/// How a run of a source is asked for: at a scheduled slot (its retention applied after), or
/// by a person ("Back up now", with a note and tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHow {
    /// Recorded as this type of backup.
    pub backup_type: BackupType,
    /// A note stored with the backup.
    pub description: Option<String>,
    /// Tags stored with the backup.
    pub tags: Vec<String>,
    /// The source's retention is applied after a sound backup.
    pub retention: bool,
}

impl RunHow {
    /// A scheduled run: the source's settings, its retention after.
    pub fn scheduled() -> RunHow {
        RunHow { backup_type: BackupType::Scheduled, description: None, tags: Vec::new(), retention: true }
    }

    /// "Back up now": the source's settings, a note and tags; nothing deleted after.
    pub fn manual(description: Option<String>, tags: Vec<String>) -> RunHow {
        RunHow { backup_type: BackupType::Manual, description, tags, retention: false }
    }
}

impl Engine {
    /// Runs one scheduled backup of `source`, whose backup folder must be this engine's: see
    /// [`Engine::run_source`].
    pub fn run_scheduled(&self, source: &Source, job: &Job) -> Result<ScheduledRun> {
        self.run_source(source, &RunHow::scheduled(), job)
    }

    /// Backs `source` up with its own settings as `how` says, whose backup folder must be this
    /// engine's: the backup, its verification, the alerts it raised, the source's retention
    /// after (scheduled runs), and the room for the next backup: one outcome every host tells
    /// the person from.
    ///
    /// `Ok` when the run happened or was skipped because the folder was busy (see
    /// [`ScheduledRun::status`]); `Err` when no backup could be made (missing database, wrong
    /// password, full disk, cancelled...). Either way the run is in the history, as a
    /// `how.backup_type` backup of `source.database`.
    pub fn run_source(&self, source: &Source, how: &RunHow, job: &Job) -> Result<ScheduledRun> {
        let started = self.started();
        let t0 = Instant::now();
        let db = source.database.as_path();
        let info =
            RunInfo { backup_type: Some(how.backup_type), source: Some(db.to_path_buf()), backup_id: None };
        let record = |result: &Result<()>, id: Option<String>| {
            let result = result.as_ref().map(|_| ()).map_err(crate::engine::copy);
            let end = RunEnd { result, backup_id: id, safety_backup_id: None };
            self.record(Operation::Backup, &info, started, end);
        };
        if !self.backup_dir().is_some_and(|d| same_folder(&source.backup_dir, d)) {
            return Err(Error::invalid(format!(
                "source {:?} keeps its backups in {}, not in {}; open the engine on the source's folder",
                source.name,
                shown(&source.backup_dir),
                self.where_()
            )));
        }
        let _lock = match self.lock() {
            Ok(lock) => lock,
            Err(e) => {
                let result = Err(Error::new(e.code(), e.message().to_owned()));
                record(&result, None);
                if e.code() != ErrorCode::Busy {
                    return Err(e);
                }
                return Ok(ScheduledRun {
                    status: RunStatus::Skipped,
                    error_code: Some(e.code()),
                    message: Some(e.message().to_owned()),
                    ..empty_run(source, t0)
                });
            }
        };

        // Verified below rather than by `backup_locked`, to get the report (and its code); the
        // room it needs counts the verification's scratch space all the same.
        let opts = crate::model::BackupOptions {
            verify: source.verify_after_backup,
            description: how.description.clone().filter(|d| !d.trim().is_empty()),
            tags: how.tags.clone(),
            ..source.backup_options(how.backup_type)
        };
        let meta = match self.make_locked(db, &opts, job, Phase::Backup) {
            Ok(meta) => meta,
            Err(e) => {
                record(&Err(Error::new(e.code(), e.message().to_owned())), None);
                return Err(e);
            }
        };
        let id = Some(meta.id.clone());
        let mut run = ScheduledRun { status: RunStatus::Success, ..empty_run(source, t0) };
        let meta = if source.verify_after_backup {
            // A verification that could not finish (cancelled) fails the run: the backup stays,
            // unverified, and the next start catches the slot up.
            let report = match self.verify_inner(&meta, job) {
                Ok(report) => report,
                Err(e) => {
                    record(&Err(Error::new(e.code(), e.message().to_owned())), id);
                    return Err(e);
                }
            };
            let meta = BackupMetadata {
                verification: if report.ok { VerificationStatus::Passed } else { VerificationStatus::Failed },
                verified_at: Some(report.verified_at),
                ..meta
            };
            // As recorded now (with what the check said of the database's integrity).
            let meta = self.get(&meta.id).unwrap_or(meta);
            if !report.ok {
                let code = report.code.unwrap_or(ErrorCode::BackupDamaged);
                let failed = report.checks.iter().find(|c| c.status == crate::model::CheckStatus::Failed);
                let why =
                    failed.map(|c| format!(": {} check failed: {}", c.name, c.message)).unwrap_or_default();
                let message = format!("backup {} failed its verification{why}", meta.id);
                run.status = RunStatus::Failed;
                run.error_code = Some(code);
                run.message = Some(message.clone());
            }
            run.verify = Some(report);
            meta
        } else {
            meta
        };
        run.alerts = self.alerts_of(&meta.id)?;
        if run.status == RunStatus::Success {
            self.back_up_also(source, &opts, &meta.id, &mut run, job)?;
        }
        let recorded = match (&run.error_code, &run.message) {
            (Some(code), Some(message)) => Err(Error::new(*code, message.clone())),
            _ => Ok(()),
        };
        record(&recorded, id);

        // Never make room for a backup that failed its check: with "keep the last N", doing so
        // would trade good old backups for bad new ones, one run at a time.
        if how.retention && run.status == RunStatus::Success && !source.retention.is_empty() {
            let started = self.started();
            let result = self.cleanup_locked(&source.retention);
            let outcome = result.as_ref().map(|_| ()).map_err(crate::engine::copy);
            let end = RunEnd { result: outcome, backup_id: None, safety_backup_id: None };
            self.record(Operation::Cleanup, &RunInfo::default(), started, end);
            match result {
                Ok(plan) => run.cleanup = Some(plan),
                Err(e) => {
                    run.cleanup_error = Some(Problem { code: e.code(), message: e.message().to_owned() })
                }
            }
        }
        run.backup = Some(meta);
        // The room for the next one, as the disk stands now (after the cleanup): every host
        // tells the person from this one answer.
        run.space = self.space_check_for(db, &source.low_space, source.verify_after_backup).ok().flatten();
        run.duration_ms = t0.elapsed().as_millis() as u64;
        Ok(run)
    }

    /// The app's other files (`source.also`), backed up after its main database in the same
    /// run, each `with` it, and verified as it is. A file that cannot be backed up or fails
    /// its check fails the run (naming the file); the others are still made. Cancelling stops
    /// the run.
    fn back_up_also(
        &self,
        source: &Source,
        opts: &crate::model::BackupOptions,
        main: &str,
        run: &mut ScheduledRun,
        job: &Job,
    ) -> Result<()> {
        let opts = crate::model::BackupOptions { with: Some(main.to_owned()), ..opts.clone() };
        let fail = |run: &mut ScheduledRun, code: ErrorCode, message: String| {
            if run.status == RunStatus::Success {
                run.status = RunStatus::Failed;
                run.error_code = Some(code);
                run.message = Some(message);
            }
        };
        for path in &source.also {
            let opts = crate::model::BackupOptions { opaque: source.is_opaque(path), ..opts.clone() };
            let meta = match self.make_locked(path, &opts, job, Phase::Backup) {
                Ok(meta) => meta,
                Err(e) if e.code() == ErrorCode::Cancelled => return Err(e),
                Err(e) => {
                    fail(run, e.code(), format!("{} was not backed up: {}", shown(path), e.message()));
                    continue;
                }
            };
            let meta = if source.verify_after_backup {
                let report = self.verify_inner(&meta, job)?;
                if !report.ok {
                    let code = report.code.unwrap_or(ErrorCode::BackupDamaged);
                    fail(run, code, format!("backup {} of {} failed its verification", meta.id, shown(path)));
                }
                self.get(&meta.id).unwrap_or(meta)
            } else {
                meta
            };
            run.alerts.extend(self.alerts_of(&meta.id)?);
            run.also.push(meta);
        }
        Ok(())
    }

    /// What this folder's history says about the database at `database`: the last scheduled
    /// attempt, the last success and the first run (see [`SourceHistory`]).
    pub fn source_history(&self, database: &Path) -> Result<SourceHistory> {
        let paths = path_forms(database);
        let cat = self.catalog()?;
        let attempts = [RunStatus::Success, RunStatus::Failed, RunStatus::Skipped];
        let any = [RunStatus::Success, RunStatus::Failed, RunStatus::Skipped, RunStatus::Cancelled];
        Ok(SourceHistory {
            last_attempt: cat.find_run(
                Operation::Backup,
                &paths,
                Some(BackupType::Scheduled),
                &attempts,
                false,
            )?,
            last_success: cat
                .find_run(Operation::Backup, &paths, None, &[RunStatus::Success], false)?
                .map(|r| r.started_at),
            first_attempt: cat.find_run(Operation::Backup, &paths, None, &any, true)?.map(|r| r.started_at),
        })
    }
}

fn empty_run(source: &Source, t0: Instant) -> ScheduledRun {
    ScheduledRun {
        source: source.name.clone(),
        status: RunStatus::Skipped,
        error_code: None,
        message: None,
        backup: None,
        also: Vec::new(),
        verify: None,
        cleanup: None,
        cleanup_error: None,
        alerts: Vec::new(),
        space: None,
        duration_ms: t0.elapsed().as_millis() as u64,
    }
}

/// The ways a database path may have been recorded: as given, and absolute.
pub(crate) fn path_forms(database: &Path) -> Vec<String> {
    let mut forms = vec![database.to_string_lossy().into_owned()];
    if let Ok(abs) = std::path::absolute(database) {
        let abs = abs.to_string_lossy().into_owned();
        if !forms.contains(&abs) {
            forms.push(abs);
        }
    }
    forms
}

fn same_folder(a: &Path, b: &Path) -> bool {
    let resolved =
        |p: &Path| p.canonicalize().or_else(|_| std::path::absolute(p)).unwrap_or_else(|_| PathBuf::from(p));
    resolved(a) == resolved(b)
}
