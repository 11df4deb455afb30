//! `undo_restore`: put a database back as it was before the last restore over it, from the
//! safety backup that restore took.
//!
//! Which backup that is is decided here, not by hosts: the newest `safety` backup of that
//! database (recorded by its absolute path). The undo is itself a restore with a safety backup,
//! so undoing an undo is possible too and nothing is ever lost.

use std::path::Path;

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{BackupMetadata, BackupType, RestoreOptions, RestoreOutcome};
use crate::seams::Job;

impl Engine {
    /// The newest safety backup of the database at `database` in this folder: the state of the
    /// database just before the last restore over it. `backup_not_found` when there is none.
    pub fn newest_safety_backup(&self, database: &Path) -> Result<BackupMetadata> {
        let wanted = std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf());
        // `list` is newest first.
        self.list(None)?
            .into_iter()
            .find(|b| b.backup_type == BackupType::Safety && b.source_path == wanted)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::BackupNotFound,
                    format!(
                        "no safety backup of {} in {}: nothing to undo",
                        shown(database),
                        shown(self.backup_dir())
                    ),
                )
            })
    }

    /// Undoes the last restore over `database`: restores its newest safety backup over it,
    /// verifying the backup first and taking a new safety backup of the current state.
    pub fn undo_restore(&self, database: &Path, job: &Job) -> Result<RestoreOutcome> {
        let safety = self.newest_safety_backup(database)?;
        self.restore(&safety.id, database, &RestoreOptions { verify_first: true, safety_backup: true }, job)
    }
}
