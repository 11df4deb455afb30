//! Room on the backup folder's disk: before a backup, its size is estimated (the last backup's
//! of the same database, else the database's own) and set against the disk's free space. When
//! the disk would drop below a margin (the smaller of a share of the disk and a size: 10 % or
//! 1 GiB by default) the hosts warn; when the backup cannot fit at all it is not started
//! (`destination_full`). Either way the backups whose deletion would make room are suggested,
//! as the cleanup "keep the last N" would pick them (never the newest, a verified one that is the
//! newest verified, a pinned one, or one a kept increment needs).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Result};
use crate::model::BackupType;
use crate::retention::{RetentionPolicy, plan_retention};

/// Room kept free beside a backup whatever the margin (the same as the engine's other checks).
pub const SPARE: u64 = 16 << 20;

/// How much room the backup folder's disk keeps after a backup before Keepsake warns: the
/// smaller of `percent` of the disk and `mib` MiB.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceMargin {
    /// A share of the whole disk, in percent (default 10).
    #[serde(default = "default_percent")]
    pub percent: u32,
    /// A size, in MiB (default 1024).
    #[serde(default = "default_mib")]
    pub mib: u64,
}

fn default_percent() -> u32 {
    10
}

fn default_mib() -> u64 {
    1024
}

impl Default for SpaceMargin {
    fn default() -> Self {
        SpaceMargin { percent: default_percent(), mib: default_mib() }
    }
}

impl SpaceMargin {
    /// Whether it is the default (not written to the settings file then).
    pub fn is_default(&self) -> bool {
        *self == SpaceMargin::default()
    }

    /// The margin in bytes on a disk of `total` bytes.
    pub fn bytes_of(&self, total: u64) -> u64 {
        let share = (u128::from(total) * u128::from(self.percent.min(100)) / 100) as u64;
        share.min(self.mib.saturating_mul(1 << 20))
    }
}

/// How the room for the next backup stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceState {
    /// Room for it, with the margin to spare.
    Enough,
    /// It fits, but leaves less than the margin free.
    Low,
    /// It does not fit: it is not started.
    NoRoom,
}

/// Backups whose deletion would make room: what a cleanup keeping the last `keep_last` would
/// delete now.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeUp {
    /// The backups, newest first (deleted in this order, an increment before what it builds on).
    pub ids: Vec<String>,
    /// The bytes their files take.
    pub bytes: u64,
    /// The cleanup rule that picks them (`keepsake cleanup --keep-last N`).
    pub keep_last: u32,
    /// Whether deleting them makes enough room (else they are all that may be deleted).
    pub enough: bool,
}

/// The room for the next backup of a database on its backup folder's disk.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceCheck {
    /// The backup folder.
    pub folder: PathBuf,
    /// The next backup's size as estimated.
    pub estimate: u64,
    /// The room it needs: the estimate and what Keepsake keeps free beside any file it writes.
    pub needed: u64,
    /// Free bytes on the disk now (for this user).
    pub free: u64,
    /// The disk's size.
    pub total: u64,
    /// The bytes to keep free after a backup.
    pub margin: u64,
    /// How it stands.
    pub state: SpaceState,
    /// What to delete to make room, when low or full and some backups may go.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub free_up: Option<FreeUp>,
}

impl SpaceCheck {
    /// Bytes to free for the next backup to leave the margin.
    pub fn shortfall(&self) -> u64 {
        self.estimate.saturating_add(self.margin).saturating_add(SPARE).saturating_sub(self.free)
    }
}

impl Engine {
    /// The room for the next backup of `database` on the backup folder's disk; `None` for a
    /// store that is not a folder on this computer, or a disk that cannot say.
    pub fn space_check(&self, database: &Path, margin: &SpaceMargin) -> Result<Option<SpaceCheck>> {
        let Some(folder) = self.store().local_dir().map(Path::to_path_buf) else { return Ok(None) };
        let Some((free, total)) = crate::durable::disk_space(&folder) else { return Ok(None) };
        let last = self.last_backup_of(database)?.filter(|b| b.backup_type != BackupType::Safety);
        let estimate = match last {
            // After an increment the next may be a full backup (a chain starts afresh, or most
            // pages changed): as big as the full backup the chain builds on.
            Some(b) => match &b.chain {
                Some(link) => b.stored_size.max(self.get(&link.full).map_or(0, |f| f.stored_size)),
                None => b.stored_size,
            },
            None => database_size(database),
        };
        let margin = margin.bytes_of(total);
        let after = free.saturating_sub(estimate);
        let state = if estimate.saturating_add(SPARE) > free {
            SpaceState::NoRoom
        } else if after < margin {
            SpaceState::Low
        } else {
            SpaceState::Enough
        };
        let needed = estimate.saturating_add(SPARE);
        let mut check = SpaceCheck { folder, estimate, needed, free, total, margin, state, free_up: None };
        if state != SpaceState::Enough {
            check.free_up = self.free_up(check.shortfall())?;
            // When even that cannot leave the margin, room for the backup itself is still worth
            // offering.
            if state == SpaceState::NoRoom && !check.free_up.as_ref().is_some_and(|f| f.enough) {
                check.free_up = self.free_up(needed.saturating_sub(free))?.or(check.free_up);
            }
        }
        Ok(Some(check))
    }

    /// The fewest oldest backups whose deletion frees `needed` bytes, as "keep the last N"
    /// picks them; all it may delete when none frees enough; `None` when it may delete none.
    pub fn free_up(&self, needed: u64) -> Result<Option<FreeUp>> {
        let now = self.clock.now().with_timezone(&chrono::Local);
        let present: Vec<_> = self.list(None)?.into_iter().filter(|b| b.concern.is_none()).collect();
        let plan = |keep: u32| {
            plan_retention(
                &present,
                &RetentionPolicy { keep_last: Some(keep), ..RetentionPolicy::default() },
                &now,
            )
        };
        let count = present.len() as u32;
        if count < 2 {
            return Ok(None);
        }
        // Keeping fewer frees no less: the most kept that frees enough, found by halving.
        let (mut lo, mut hi) = (1, count - 1);
        if plan(lo).freed_bytes() >= needed {
            while lo < hi {
                let mid = lo + (hi - lo).div_ceil(2);
                if plan(mid).freed_bytes() >= needed { lo = mid } else { hi = mid - 1 }
            }
        }
        let chosen = plan(lo);
        if chosen.delete.is_empty() {
            return Ok(None);
        }
        let bytes = chosen.freed_bytes();
        Ok(Some(FreeUp {
            ids: chosen.delete.iter().map(|e| e.id.clone()).collect(),
            bytes,
            keep_last: lo,
            enough: bytes >= needed,
        }))
    }

    /// Refuses to start a backup of `database` that cannot fit on the folder's disk, saying
    /// what would make room.
    pub(crate) fn ensure_room(&self, database: &Path) -> Result<()> {
        let Some(check) = self.space_check(database, &SpaceMargin::default())? else { return Ok(()) };
        if check.state != SpaceState::NoRoom {
            return Ok(());
        }
        let mut e = Error::new(
            ErrorCode::DestinationFull,
            format!(
                "not enough room in {} for the next backup: about {} MiB needed, {} MiB free",
                crate::error::shown(&check.folder),
                check.estimate.saturating_add(SPARE).div_ceil(1 << 20),
                check.free >> 20
            ),
        )
        .with_path(&check.folder)
        .with_sizes(check.estimate.saturating_add(SPARE), check.free)
        .with_reason("no_room");
        e.set_free_up(check.free_up);
        Err(e)
    }
}

/// The database's size on disk, its write-ahead log included.
fn database_size(database: &Path) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    len(database) + len(Path::new(&wal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_the_smaller_of_the_share_and_the_size() {
        let m = SpaceMargin::default();
        assert_eq!(m.bytes_of(2_000 << 30), 1 << 30, "a big disk: 1 GiB");
        assert_eq!(m.bytes_of(4 << 30), (4u64 << 30) / 10, "a 4 GiB stick: 10 %");
        assert_eq!(SpaceMargin { percent: 0, mib: 1024 }.bytes_of(1 << 40), 0, "0 %: never warns");
    }
}
