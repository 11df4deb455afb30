//! Room on the backup folder's disk: before a backup, what it will take on that disk is
//! estimated (the last backup of the same database, scaled by how the database grew, else the
//! database's own size; plus the scratch space a verification decodes into when that is on the
//! same disk) and set against the disk's free space. A backup that fits, keeping a small reserve
//! free (the smaller of 10 % of the disk and 16 MiB), is made; one that does not is not started
//! (`destination_full`). The hosts warn while there is still room: when a backup would leave
//! less than the margin free (the smaller of a share of the disk and a size: 10 % or 1 GiB by
//! default), or too little for one more backup like it. Either way the backups whose deletion
//! would make room are suggested, as the cleanup "keep the last N" would pick them (never the
//! newest, a verified one that is the newest verified, a pinned one, or one a kept increment
//! needs).
//!
//! The snapshot itself writes nothing but the backup file: pages are read through SQLite and
//! streamed into the file, which is written under a hidden name beside it and renamed when whole.

use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result};
use crate::model::BackupType;
use crate::retention::{RetentionPolicy, plan_retention};

/// Room a backup keeps free on its disk whatever the margin: this, or 10 % of a smaller disk.
pub const SPARE: u64 = 16 << 20;

/// The room kept free on a disk of `total` bytes whatever the margin: the smaller of [`SPARE`]
/// and the default margin's share (10 %), so a small disk is not refused a backup that fits.
pub fn reserve_of(total: u64) -> u64 {
    SpaceMargin::default().bytes_of(total).min(SPARE)
}

pub use crate::model::SpaceMargin;

pub use crate::error::FreeUp;
pub use crate::model::{SpaceCheck, SpaceState};

/// What a host already told a person about each source's backup disk, so that it tells again
/// only when things get worse (low, then no room) and forgets once there is room again. Every
/// host keeps one (the app, the daemon): the same rule, not one each.
#[derive(Debug, Default)]
pub struct SpaceTold(std::collections::HashMap<String, SpaceState>);

impl SpaceTold {
    /// Whether `now` is worth telling for `source`: it got worse since the person was last told.
    pub fn worse(&mut self, source: &str, now: SpaceState) -> bool {
        let rank = |s: SpaceState| match s {
            SpaceState::Enough => 0,
            SpaceState::Low => 1,
            SpaceState::NoRoom => 2,
        };
        if now == SpaceState::Enough {
            self.0.remove(source);
            return false;
        }
        let worse = self.0.get(source).is_none_or(|before| rank(now) > rank(*before));
        self.0.insert(source.to_owned(), now);
        worse
    }
}

impl Engine {
    /// The room for the next backup of `database` on the backup folder's disk; `None` for a
    /// store that is not a folder on this computer, or a disk that cannot say. A backup that is
    /// verified right after it is made also needs the scratch space of [`Engine::space_check_for`].
    pub fn space_check(&self, database: &Path, margin: &SpaceMargin) -> Result<Option<SpaceCheck>> {
        self.space_check_for(database, margin, false)
    }

    /// [`Engine::space_check`] for a backup verified (`verify`) or not right after it is made.
    pub fn space_check_for(
        &self,
        database: &Path,
        margin: &SpaceMargin,
        verify: bool,
    ) -> Result<Option<SpaceCheck>> {
        Ok(self.room(database, margin, verify)?.map(|(check, _)| check))
    }

    /// The check, and what its `needed` is made of.
    fn room(
        &self,
        database: &Path,
        margin: &SpaceMargin,
        verify: bool,
    ) -> Result<Option<(SpaceCheck, Needs)>> {
        let Some(folder) = self.store().local_dir().map(Path::to_path_buf) else { return Ok(None) };
        let Some((free, total)) = crate::durable::disk_space(&folder) else { return Ok(None) };
        let estimate = self.estimate(database)?;
        // A verification decodes the whole database into this installation's scratch folder
        // (removed when it is done): it counts when that folder is on the same disk.
        let scratch_dir = self.home.scratch_dir();
        let scratch = if verify && same_disk(&folder, &scratch_dir) { database_size(database) } else { 0 };
        let needs = Needs { estimate, scratch, reserve: reserve_of(total), scratch_dir };
        let needed = estimate.saturating_add(scratch).saturating_add(needs.reserve);
        let margin = margin.bytes_of(total);
        // What is left after it, which must keep the margin and room for the next one like it.
        let after = free.saturating_sub(estimate);
        let state = if needed > free {
            SpaceState::NoRoom
        } else if after < margin || after < needed {
            SpaceState::Low
        } else {
            SpaceState::Enough
        };
        let mut check = SpaceCheck { folder, estimate, needed, free, total, margin, state, free_up: None };
        if state != SpaceState::Enough {
            check.free_up = self.free_up(check.shortfall())?;
            // When even that cannot leave the margin, room for the backup itself is still worth
            // offering.
            if state == SpaceState::NoRoom && !check.free_up.as_ref().is_some_and(|f| f.enough) {
                check.free_up = self.free_up(needed.saturating_sub(free))?.or(check.free_up);
            }
        }
        Ok(Some((check, needs)))
    }

    /// The next backup's file size: the last backup's of the same database, scaled by how much
    /// the database grew or shrank since (the compression it got stays about the same); after an
    /// increment, as big as a new full backup (a chain starts afresh, or most pages changed);
    /// without a backup yet, the database's own size (what a database that does not compress
    /// takes).
    fn estimate(&self, database: &Path) -> Result<u64> {
        let last = self.last_backup_of(database)?.filter(|b| b.backup_type != BackupType::Safety);
        let now = std::fs::metadata(database).map(|m| m.len()).unwrap_or(0);
        let scaled = |b: &crate::model::BackupMetadata| {
            if b.original_size == 0 || now == 0 {
                b.stored_size
            } else {
                (u128::from(b.stored_size) * u128::from(now) / u128::from(b.original_size)) as u64
            }
        };
        Ok(match last {
            Some(b) => match &b.chain {
                Some(link) => b.stored_size.max(self.get(&link.full).map_or(0, |f| scaled(&f))),
                None => scaled(&b),
            },
            None => database_size(database),
        })
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

    /// Refuses to start a backup of `database` that cannot fit on the folder's disk (with the
    /// scratch space of its verification when `verify`), saying what it needs, what is free and
    /// what would make room.
    pub(crate) fn ensure_room(&self, database: &Path, verify: bool) -> Result<()> {
        let Some((check, needs)) = self.room(database, &SpaceMargin::default(), verify)? else {
            return Ok(());
        };
        if check.state != SpaceState::NoRoom {
            return Ok(());
        }
        let mut e = Error::new(ErrorCode::DestinationFull, needs.refusal(&check))
            .with_path(&check.folder)
            .with_sizes(check.needed, check.free)
            .with_reason(Reason::NoRoom);
        e.set_free_up(check.free_up);
        Err(e)
    }
}

/// What the room a backup needs is made of.
struct Needs {
    /// Its file.
    estimate: u64,
    /// Scratch space on the same disk while it is made and checked (0: none there).
    scratch: u64,
    /// Kept free whatever the margin.
    reserve: u64,
    /// Where the scratch space is.
    scratch_dir: PathBuf,
}

impl Needs {
    /// The refusal's words, whose numbers add up: each part rounded up and the free space down,
    /// so the sum shown is always more than the free space shown.
    fn refusal(&self, check: &SpaceCheck) -> String {
        let unit = Unit::for_size(check.needed.max(check.free));
        let (file, scratch, reserve) = (
            unit.tenths(self.estimate, true),
            unit.tenths(self.scratch, true),
            unit.tenths(self.reserve, true),
        );
        let scratch_words = if self.scratch > 0 {
            format!(
                ", {} of scratch space in {} while it is checked (freed after),",
                unit.show(scratch),
                crate::error::shown(&self.scratch_dir)
            )
        } else {
            String::new()
        };
        let share = if self.reserve < SPARE { " (10 % of the disk)" } else { "" };
        format!(
            "not enough room in {} for the next backup: it needs about {} for the backup{scratch_words} and \
             keeps {}{share} free, {} in all; {} is free",
            crate::error::shown(&check.folder),
            unit.show(file),
            unit.show(reserve),
            unit.show(file + scratch + reserve),
            unit.show(unit.tenths(check.free, false)),
        )
    }
}

/// MiB or GiB, shown to a tenth.
#[derive(Clone, Copy)]
enum Unit {
    MiB,
    GiB,
}

impl Unit {
    fn for_size(bytes: u64) -> Unit {
        if bytes >= 10 << 30 { Unit::GiB } else { Unit::MiB }
    }

    fn bytes(self) -> u128 {
        match self {
            Unit::MiB => 1 << 20,
            Unit::GiB => 1 << 30,
        }
    }

    /// `bytes` in tenths of the unit, rounded up or down.
    fn tenths(self, bytes: u64, up: bool) -> u64 {
        let (n, d) = (u128::from(bytes) * 10, self.bytes());
        (if up { n.div_ceil(d) } else { n / d }) as u64
    }

    fn show(self, tenths: u64) -> String {
        let name = match self {
            Unit::MiB => "MiB",
            Unit::GiB => "GiB",
        };
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

/// Whether `dir` (or, when it does not exist yet, the folder it would be made in) is on the
/// file system of `folder`. Unknown (another system): counted as the same, to be safe.
fn same_disk(folder: &Path, dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let device = |p: &Path| p.ancestors().find_map(|a| std::fs::metadata(a).ok()).map(|m| m.dev());
        match (device(folder), device(dir)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (folder, dir);
        true
    }
}

/// The database's size on disk, its write-ahead log included.
fn database_size(database: &Path) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    len(database) + len(Path::new(&wal))
}

/// Fails with `destination_full` (before anything is written) when the file system of `path`
/// cannot take `bytes` more and keep its reserve free ([`reserve_of`], as a backup's own
/// check counts it): a backup that claims a huge size cannot fill the disk.
pub(crate) fn check_room(path: &Path, bytes: u64) -> Result<()> {
    let dir = if path.is_dir() { path } else { path.parent().unwrap_or(path) };
    match crate::durable::disk_space(dir) {
        Some((free, total)) if free < bytes.saturating_add(reserve_of(total)) => Err(Error::new(
            ErrorCode::DestinationFull,
            format!(
                "not enough room in {}: {bytes} bytes needed, {free} free",
                crate::error::shown(path.parent().unwrap_or(path))
            ),
        )
        .with_path(path)
        .with_sizes(bytes, free)),
        _ => Ok(()),
    }
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
