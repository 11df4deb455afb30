//! Managing the folder: delete one backup, clean up by retention, statistics.

use std::fs;
use std::time::Instant;

use chrono::Local;

use crate::engine::{Engine, sync_dir};
use crate::error::{Error, Result};
use crate::model::{Operation, Stats, VerificationStatus};
use crate::retention::{CleanupPlan, RetentionPolicy, plan_retention};

impl Engine {
    /// Deletes one backup (file and catalog entry).
    pub fn delete(&self, id: &str) -> Result<()> {
        let started = self.clock.now();
        let t0 = Instant::now();
        let result = self.lock().and_then(|_lock| self.delete_locked(id));
        self.record(Operation::Delete, None, None, started, t0, &result, Some(id.to_owned()));
        result
    }

    fn delete_locked(&self, id: &str) -> Result<()> {
        let meta = self.get(id)?;
        let path = self.backup_path(&meta);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::write(&path, e)),
        }
        sync_dir(self.backup_dir());
        self.forget(id)
    }

    /// What a cleanup with `policy` would keep and delete now (local days, weeks, months).
    pub fn plan_cleanup(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let now = self.clock.now().with_timezone(&Local);
        Ok(plan_retention(&self.list(None)?, policy, &now))
    }

    /// Applies a cleanup; returns the plan that was carried out.
    pub fn cleanup(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let started = self.clock.now();
        let t0 = Instant::now();
        let result = self.lock().and_then(|_lock| self.cleanup_locked(policy));
        self.record(Operation::Cleanup, None, None, started, t0, &result, None);
        result
    }

    /// A cleanup while the caller holds the folder lock (not recorded).
    pub(crate) fn cleanup_locked(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let plan = self.plan_cleanup(policy)?;
        for e in &plan.delete {
            self.delete_locked(&e.id)?;
        }
        Ok(plan)
    }

    /// Figures over every backup in the folder.
    pub fn stats(&self) -> Result<Stats> {
        let all = self.list(None)?;
        let ratios: Vec<f64> =
            all.iter().filter(|b| b.original_size > 0).map(|b| b.compression_ratio()).collect();
        Ok(Stats {
            count: all.len() as u64,
            total_original_size: all.iter().map(|b| b.original_size).sum(),
            total_stored_size: all.iter().map(|b| b.stored_size).sum(),
            average_compression_ratio: (!ratios.is_empty())
                .then(|| ratios.iter().sum::<f64>() / ratios.len() as f64),
            verified_count: all.iter().filter(|b| b.verification == VerificationStatus::Passed).count()
                as u64,
            failed_count: all.iter().filter(|b| b.verification == VerificationStatus::Failed).count() as u64,
            unverified_count: all.iter().filter(|b| b.verification == VerificationStatus::Unverified).count()
                as u64,
            oldest: all.iter().map(|b| b.created_at).min(),
            newest: all.iter().map(|b| b.created_at).max(),
            failed_runs: self.failed_runs()?,
        })
    }
}
