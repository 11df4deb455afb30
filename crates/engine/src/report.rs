//! The weekly summary of one database's backups: what was made, what failed, what was checked,
//! the room they take, where they were copied, and the alerts raised, over a period (the last
//! seven days). Only figures: each front end words them (the window, a desktop notification, an
//! e-mail from `keepsake daemon`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::Result;
use crate::model::{BackupType, Operation, RunStatus, VerificationStatus};

/// How long a summary looks back.
pub const REPORT_DAYS: i64 = 7;

/// One database's week.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The database.
    pub database: PathBuf,
    /// The start of the period.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub since: DateTime<Utc>,
    /// Its end (now, when made).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub until: DateTime<Utc>,
    /// Backups made in the period (successful backup runs, those retention deleted since
    /// included; safety backups before a restore not counted).
    pub made: u32,
    /// Backup runs that failed in the period.
    pub failed: u32,
    /// Backups of the period still kept that passed their check.
    pub verified: u32,
    /// Backups of the period whose check failed.
    pub verify_failed: u32,
    /// Bytes the backups of this database take in its folder now.
    pub space_used: u64,
    /// How many backups of it the folder holds now.
    pub backups_kept: u32,
    /// The newest backup, when any.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_backup_at: Option<DateTime<Utc>>,
    /// Backups of the period copied whole, by destination name.
    pub copies: BTreeMap<String, u32>,
    /// Content alerts raised in the period.
    pub alerts: Vec<crate::watch::Alert>,
}

/// Whether the weekly summary named `what` (`email`, `notification`) is due at `now`: a week
/// after the last one, as recorded in this installation's folder. The first week starts the
/// first time it is asked (recorded then, so nothing is sent on a first start).
pub fn weekly_due(home: &crate::Installation, what: &str, now: DateTime<Utc>) -> bool {
    let file = home.dir().join(format!("weekly-{what}"));
    let last = std::fs::read_to_string(&file).ok().and_then(|t| t.trim().parse::<DateTime<Utc>>().ok());
    match last {
        Some(last) => now - last >= Duration::days(REPORT_DAYS),
        None => {
            weekly_done(home, what, now);
            false
        }
    }
}

/// Records that the weekly summary named `what` could not go out at `now`: it is due again
/// `after` from now (not at once: a wrong password must not be tried twice a minute).
pub fn weekly_retry(home: &crate::Installation, what: &str, now: DateTime<Utc>, after: Duration) {
    weekly_done(home, what, now - Duration::days(REPORT_DAYS) + after);
}

/// Records that the weekly summary named `what` went out at `now`.
pub fn weekly_done(home: &crate::Installation, what: &str, now: DateTime<Utc>) {
    let _ =
        crate::durable::write_atomic(&home.dir().join(format!("weekly-{what}")), now.to_rfc3339().as_bytes());
}

impl Report {
    /// Whether something in it needs the person (a failure, a failed check, an alert not
    /// dismissed).
    pub fn needs_attention(&self) -> bool {
        self.failed > 0 || self.verify_failed > 0 || self.alerts.iter().any(|a| a.dismissed_at.is_none())
    }
}

impl Engine {
    /// The summary of `database`'s backups over the [`REPORT_DAYS`] days before `until`.
    pub fn report(&self, database: &Path, until: DateTime<Utc>) -> Result<Report> {
        let since = until - Duration::days(REPORT_DAYS);
        let ours = |p: &Path| p == database || crate::engine::absolute(database) == p;
        let in_period = |t: DateTime<Utc>| t > since && t <= until;
        let backups: Vec<_> = self
            .list(None)?
            .into_iter()
            .filter(|b| ours(&b.source_path) && b.backup_type != BackupType::Safety)
            .collect();
        let new: Vec<_> = backups.iter().filter(|b| in_period(b.created_at)).collect();
        // Runs, not files: backups made this week and since deleted by retention count too.
        let runs: Vec<_> = self
            .history(None)?
            .into_iter()
            .filter(|r| {
                r.operation == Operation::Backup
                    && in_period(r.started_at)
                    && r.source_path.as_deref().is_some_and(ours)
            })
            .collect();
        let count = |status: RunStatus| runs.iter().filter(|r| r.status == status).count() as u32;
        let failed = count(RunStatus::Failed);
        let mut copies = BTreeMap::new();
        let new_ids: std::collections::HashSet<&str> = new.iter().map(|b| b.id.as_str()).collect();
        for c in self.copies()? {
            if new_ids.contains(c.backup_id.as_str()) {
                *copies.entry(c.destination).or_insert(0) += 1;
            }
        }
        let alerts = self
            .alerts(true)?
            .into_iter()
            .filter(|a| ours(&a.source_path) && in_period(a.raised_at))
            .collect();
        Ok(Report {
            database: database.to_path_buf(),
            since,
            until,
            made: count(RunStatus::Success).max(new.len() as u32),
            failed,
            verified: new.iter().filter(|b| b.verification == VerificationStatus::Passed).count() as u32,
            verify_failed: new.iter().filter(|b| b.verification == VerificationStatus::Failed).count() as u32,
            space_used: backups.iter().map(|b| b.stored_size).sum(),
            backups_kept: backups.len() as u32,
            last_backup_at: backups.iter().map(|b| b.created_at).max(),
            copies,
            alerts,
        })
    }
}
