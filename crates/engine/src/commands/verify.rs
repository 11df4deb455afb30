//! `verify`: decode a backup into a temporary file beside it and check everything (see
//! `decode`), then record the result with the backup and in the history.

use std::time::Instant;

use crate::commands::decode::DecodeOptions;
use crate::engine::Engine;
use crate::error::{ErrorCode, Result};
use crate::model::{BackupMetadata, Operation, VerifyReport};
use crate::seams::{Job, Phase};

impl Engine {
    /// Verifies a backup. `Ok` with `ok: false` when the backup is bad; `Err` when it could not
    /// be checked (wrong or missing password, unknown id, cancelled).
    pub fn verify(&self, id: &str, job: &Job) -> Result<VerifyReport> {
        let started = self.clock.now();
        let t0 = Instant::now();
        let result = self.get(id).and_then(|meta| self.verify_inner(&meta, job));
        let record: Result<()> = match &result {
            Ok(r) if !r.ok => Err(crate::error::Error::new(
                r.code.unwrap_or(ErrorCode::BackupDamaged),
                format!("backup {id} failed verification"),
            )),
            Ok(_) => Ok(()),
            Err(e) => Err(crate::error::Error::new(e.code(), e.message().to_owned())),
        };
        self.record(Operation::Verify, None, None, started, t0, &record, Some(id.to_owned()));
        result
    }

    pub(crate) fn verify_inner(&self, meta: &BackupMetadata, job: &Job) -> Result<VerifyReport> {
        let t0 = Instant::now();
        let tmp = tempfile::Builder::new()
            .prefix(crate::engine::VERIFY_DIR_PREFIX)
            .tempdir_in(self.backup_dir())
            .map_err(|e| crate::error::Error::write(self.backup_dir(), e))?;
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
        self.set_verification(&meta.id, report.ok, now)?;
        Ok(report)
    }
}
