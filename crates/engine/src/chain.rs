//! Chains of increments: which backups a backup needs to be restored (itself, the increment it
//! builds on, and so on down to a full backup), and which backups need it. Decided from this
//! installation's records (and, for foreign files, from what they say, which is checked when
//! they are read).

use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupKind, BackupMetadata, Concern, Origin};

/// A chain longer than this is damaged (a loop), whatever its records say.
const MAX_LINKS: usize = 10_000;

impl Engine {
    /// The backups `meta` needs to be restored, newest first: itself, then the backup it builds
    /// on, down to the full backup that starts its chain. `backup_not_found` (naming the missing
    /// link) when one is gone; a broken order (a loop, a link that is not where the chain says)
    /// is `backup_damaged`.
    pub fn chain_of(&self, meta: &BackupMetadata) -> Result<Vec<BackupMetadata>> {
        let mut links = vec![meta.clone()];
        let mut foreign: Option<Vec<BackupMetadata>> = None;
        while let Some(link) = links.last().and_then(|l| l.chain.clone()) {
            if links.len() > MAX_LINKS || links.iter().any(|l| l.id == link.base) {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("the chain of backup {} loops", meta.id),
                )
                .with_backup(&meta.id));
            }
            let newest = links.last().map(|l| l.origin).unwrap_or_default();
            // Bound first: the catalog's guard must be released before `with_concern` and
            // `scan` take it again.
            let recorded = self.catalog()?.get(&link.base)?;
            let base = match recorded {
                Some(b) => Some(self.with_concern(b)),
                None if newest == Origin::Foreign || meta.origin == Origin::Foreign => {
                    let all = match &foreign {
                        Some(f) => f,
                        None => foreign.insert(self.scan()?.foreign),
                    };
                    all.iter()
                        .find(|f| f.id == link.base || f.claimed_id.as_deref() == Some(&link.base))
                        .cloned()
                }
                None => None,
            };
            let Some(base) = base else {
                return Err(Error::new(
                    ErrorCode::BackupNotFound,
                    format!(
                        "backup {} builds on {}, which is not in {}: it cannot be restored",
                        links.last().map_or("", |l| l.id.as_str()),
                        link.base,
                        self.where_()
                    ),
                )
                .with_backup(&link.base)
                .with_reason(Reason::MissingLink));
            };
            if let Some(sum) = &base.db_checksum
                && *sum != link.base_checksum
            {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!(
                        "backup {} does not build on the {} that is here (another checksum)",
                        meta.id, base.id
                    ),
                )
                .with_backup(&base.id)
                .with_reason(Reason::WrongLink));
            }
            links.push(base);
        }
        if links.last().is_some_and(|l| l.kind != BackupKind::Full) {
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("the chain of backup {} has no full backup", meta.id),
            )
            .with_backup(&meta.id));
        }
        Ok(links)
    }

    /// The recorded backups that build on `id`, directly or not.
    pub(crate) fn dependents(&self, id: &str) -> Result<Vec<BackupMetadata>> {
        let all = self.catalog()?.list()?;
        let mut needed = vec![id.to_owned()];
        let mut out = Vec::new();
        // Links are recorded newest first; walk oldest first so a chain is found in one pass.
        for b in all.iter().rev() {
            if let Some(c) = &b.chain
                && needed.contains(&c.base)
            {
                needed.push(b.id.clone());
                out.push(b.clone());
            }
        }
        Ok(out)
    }

    /// A recorded increment whose chain cannot be restored gets [`Concern::BrokenChain`].
    pub(crate) fn with_chain_concern(&self, mut m: BackupMetadata) -> BackupMetadata {
        if m.concern.is_none() && m.kind == BackupKind::Increment {
            let broken = match self.chain_of(&m) {
                Ok(links) => {
                    links.iter().skip(1).any(|l| l.concern.is_some() || l.origin != Origin::Recorded)
                }
                Err(_) => true,
            };
            if broken {
                m.concern = Some(Concern::BrokenChain);
            }
        }
        m
    }
}
