//! Managing the folder: delete one backup, clean up by retention, statistics.

use chrono::Local;

use crate::engine::{Engine, RunInfo};
use crate::error::Reason;
use crate::error::{Error, Result};
use crate::model::{Operation, Origin, Stats, VerificationStatus};
use crate::retention::{CleanupPlan, RetentionPolicy, plan_retention};

impl Engine {
    /// Deletes one backup: its file (found by the name its id gives, in this store only) and
    /// its record. A foreign backup can be deleted too, when asked for by id.
    pub fn delete(&self, id: &str) -> Result<()> {
        let info = RunInfo { backup_id: Some(id.to_owned()), ..RunInfo::default() };
        self.locked_run(Operation::Delete, info, || {
            self.delete_locked(id)?;
            // An app's other files made in the same run go with it; one a later backup still
            // builds on stays, and goes with the cleanup that frees it.
            for b in self.list(None)?.into_iter().filter(|b| b.with.as_deref() == Some(id)) {
                match self.delete_locked(&b.id) {
                    Err(e) if e.facts().reason == Some(Reason::NeededByLater) => {}
                    other => other?,
                }
            }
            Ok(())
        })
    }

    fn delete_locked(&self, id: &str) -> Result<()> {
        let meta = self.get(id)?;
        if meta.pinned.is_some() {
            return Err(Error::invalid(format!(
                "backup {} is pinned (kept whatever retention says): unpin it first",
                meta.id
            ))
            .with_backup(&meta.id)
            .with_reason(Reason::Pinned));
        }
        if meta.origin == Origin::Recorded {
            let later = self.dependents(&meta.id)?;
            if !later.is_empty() {
                let names: Vec<&str> = later.iter().take(3).map(|b| b.id.as_str()).collect();
                return Err(Error::invalid(format!(
                    "backup {} is needed to restore {} later backup(s) ({}{}): delete those first",
                    meta.id,
                    later.len(),
                    names.join(", "),
                    if later.len() > 3 { ", ..." } else { "" }
                ))
                .with_backup(&meta.id)
                .with_reason(Reason::NeededByLater));
            }
        }
        crate::store::check_name(&meta.file_name)?;
        self.store().delete(&meta.file_name)?;
        if meta.origin == Origin::Recorded {
            self.forget(&meta.id)?;
            crate::manifest::forget(&self.home, self.store().location(), &meta.id);
        }
        Ok(())
    }

    /// What a cleanup with `policy` would keep and delete now (local days, weeks, months).
    /// Only recorded backups whose file is there count: a foreign file is never deleted by a
    /// rule, and never counts as one of the backups a rule keeps.
    pub fn plan_cleanup(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let now = self.clock.now().with_timezone(&Local);
        let present: Vec<_> = self.list(None)?.into_iter().filter(|b| b.concern.is_none()).collect();
        Ok(plan_retention(&present, policy, &now))
    }

    /// Applies a cleanup; returns the plan that was carried out.
    pub fn cleanup(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        self.locked_run(Operation::Cleanup, RunInfo::default(), || self.cleanup_locked(policy))
    }

    /// A cleanup while the caller holds the folder lock (not recorded).
    pub(crate) fn cleanup_locked(&self, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let plan = self.plan_cleanup(policy)?;
        for e in &plan.delete {
            self.delete_locked(&e.id)?;
        }
        Ok(plan)
    }

    /// Figures over the backups this installation recorded in the store.
    pub fn stats(&self) -> Result<Stats> {
        let every = self.list(None)?;
        // Backups are counted as restore points: an app's other files made in the same run are
        // part of their run's backup (their sizes count, they are on the disk).
        let all: Vec<&crate::model::BackupMetadata> = every.iter().filter(|b| b.with.is_none()).collect();
        let ratios: Vec<f64> =
            all.iter().filter(|b| b.original_size > 0).map(|b| b.compression_ratio()).collect();
        Ok(Stats {
            count: all.len() as u64,
            total_original_size: every.iter().map(|b| b.original_size).sum(),
            total_stored_size: every.iter().map(|b| b.stored_size).sum(),
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
