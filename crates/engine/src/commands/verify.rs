//! `verify`: decode a backup into a private scratch folder of this installation (never inside
//! the backup folder, where a planted `-wal` could sit beside it) and check everything (see
//! `decode`), then record the result with the backup and in the history.

use std::time::Instant;

use crate::commands::decode::DecodeOptions;
use crate::engine::{Engine, RunInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupMetadata, Operation, Origin, VerifyReport};
use crate::seams::{Job, Phase};

impl Engine {
    /// Verifies a backup. `Ok` with `ok: false` when the backup is bad; `Err` when it could not
    /// be checked (wrong or missing password, unknown id, cancelled).
    pub fn verify(&self, id: &str, job: &Job) -> Result<VerifyReport> {
        let info = RunInfo { backup_id: Some(id.to_owned()), ..RunInfo::default() };
        let mut report = None;
        let result = self.recorded_run(Operation::Verify, info, || {
            let r = self.get(id).and_then(|meta| self.verify_inner(&meta, job))?;
            let ok = r.ok;
            let code = r.code;
            report = Some(r);
            if ok {
                Ok(())
            } else {
                Err(Error::new(
                    code.unwrap_or(ErrorCode::BackupDamaged),
                    format!("backup {id} failed verification"),
                ))
            }
        });
        match (result, report) {
            (_, Some(report)) => Ok(report),
            (Err(e), None) => Err(e),
            (Ok(()), None) => Err(Error::new(ErrorCode::Io, "verification produced no report")),
        }
    }

    pub(crate) fn verify_inner(&self, meta: &BackupMetadata, job: &Job) -> Result<VerifyReport> {
        let t0 = Instant::now();
        let scratch = self.home.scratch_dir();
        crate::durable::create_private_dir(&scratch)?;
        let mut b = tempfile::Builder::new();
        b.prefix(crate::installation::SCRATCH_PREFIX);
        #[cfg(unix)]
        b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let tmp = b.tempdir_in(&scratch).map_err(|e| Error::write(&scratch, e))?;
        let decoded = self.decode(
            meta,
            &tmp.path().join("check.db"),
            DecodeOptions { integrity: true, sync: false },
            job,
            Phase::Verify,
        )?;
        let now = self.clock.now();
        let report = VerifyReport {
            backup_id: meta.id.clone(),
            ok: decoded.ok(),
            code: decoded.error.as_ref().map(|e| e.code()),
            checks: decoded.checks,
            verified_at: now,
            duration_ms: t0.elapsed().as_millis() as u64,
        };
        if meta.origin == Origin::Recorded {
            self.set_verification(&meta.id, report.ok, &report.checks, now)?;
        }
        Ok(report)
    }
}
