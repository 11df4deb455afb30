//! Content alerts and pins: raised after each backup from what it recorded (see `watch`), kept
//! in this installation's catalog; the backup before a change is pinned so that retention keeps
//! it until the person unpins it.

use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupMetadata, BackupType, Origin};
use crate::watch::{Alert, AlertKind, WatchRules, changes, integrity_failed};

impl Engine {
    /// Content alerts on this store's backups, newest first: standing ones, or all with
    /// `with_dismissed`.
    pub fn alerts(&self, with_dismissed: bool) -> Result<Vec<Alert>> {
        self.catalog()?.alerts(with_dismissed)
    }

    /// Dismisses alert `id` ("this was me"). The backup it pinned stays pinned.
    pub fn dismiss_alert(&self, id: i64) -> Result<()> {
        if self.catalog()?.dismiss_alert(id, self.clock.now())? {
            Ok(())
        } else {
            Err(Error::invalid(format!("no alert {id} in {}", self.where_()))
                .with_reason(Reason::NoSuchAlert))
        }
    }

    /// Pins backup `id`: every retention rule keeps it until it is unpinned. Only a backup
    /// recorded here can be pinned (a foreign one is never deleted by a rule anyway).
    pub fn pin(&self, id: &str) -> Result<BackupMetadata> {
        let meta = self.get(id)?;
        if meta.origin != Origin::Recorded {
            return Err(Error::invalid(format!(
                "backup {id} was not made here; retention never deletes it, so it needs no pin"
            ))
            .with_backup(id)
            .with_reason(Reason::Foreign));
        }
        self.catalog()?.pin(&meta.id, self.clock.now(), None)?;
        self.get(&meta.id)
    }

    /// Unpins backup `id` (retention rules apply to it again).
    pub fn unpin(&self, id: &str) -> Result<BackupMetadata> {
        let meta = self.get(id)?;
        self.catalog()?.unpin(&meta.id)?;
        self.get(&meta.id)
    }

    /// The standing alerts raised on backup `id`.
    pub fn alerts_of(&self, id: &str) -> Result<Vec<Alert>> {
        Ok(self.alerts(false)?.into_iter().filter(|a| a.backup_id == id).collect())
    }

    /// Compares a new backup with the source's previous one; records what `rules` call alerts
    /// and pins the previous backup (the last one before the change).
    pub(crate) fn watch(
        &self,
        new: &BackupMetadata,
        previous: Option<&BackupMetadata>,
        rules: WatchRules,
    ) -> Result<Vec<Alert>> {
        let Some(previous) = previous else { return Ok(Vec::new()) };
        let found = changes(previous, new, rules);
        self.record_alerts(found, Some(previous))
    }

    /// Records `found`, pinning `keep` (if any) because of the first.
    fn record_alerts(&self, found: Vec<Alert>, keep: Option<&BackupMetadata>) -> Result<Vec<Alert>> {
        let catalog = self.catalog()?;
        let mut out = Vec::new();
        for mut alert in found {
            alert.pinned = keep.map(|k| k.id.clone());
            alert.id = catalog.add_alert(&alert)?;
            if let Some(k) = keep {
                catalog.pin(&k.id, self.clock.now(), Some(alert.id))?;
            }
            out.push(alert);
        }
        Ok(out)
    }

    /// Backup `id`'s database failed its integrity check: an alert (once per backup), and the
    /// newest earlier backup of it known sound is pinned (else, for backups made before every
    /// backup was checked, the newest earlier one whose soundness is not known; never one known
    /// damaged, a safety backup, or one whose file is missing or changed).
    pub(crate) fn raise_integrity_alert(&self, id: &str) -> Result<()> {
        let known = self.catalog()?.alerts(true)?;
        if known.iter().any(|a| a.backup_id == id && a.kind == AlertKind::IntegrityFailed) {
            return Ok(());
        }
        let Some(meta) = self.catalog()?.get(id)? else {
            return Err(Error::new(ErrorCode::BackupNotFound, format!("no backup {id}")));
        };
        // Newest first: what comes after `meta` in the list was made before it (by the same
        // order the list has, so backups made within one clock tick are still told apart).
        let earlier: Vec<BackupMetadata> = self
            .list(None)?
            .into_iter()
            .skip_while(|b| b.id != meta.id)
            .skip(1)
            .filter(|b| {
                b.source_path == meta.source_path
                    && b.backup_type != BackupType::Safety
                    && b.concern.is_none()
                    && b.created_at <= meta.created_at
            })
            .collect();
        let good = earlier
            .iter()
            .find(|b| b.source_integrity == Some(true))
            .or_else(|| earlier.iter().find(|b| b.source_integrity.is_none()));
        self.record_alerts(vec![integrity_failed(&meta)], good)?;
        Ok(())
    }
}
