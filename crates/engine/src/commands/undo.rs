//! `undo_restore`: put a database back as it was before the last restore over it, from the
//! safety backup that restore took.
//!
//! Which backup that is comes from the history this installation recorded, never from a file's
//! header: the newest successful restore over that database that took a safety backup names
//! it, and it must still be a recorded backup. The undo is itself a restore with a safety
//! backup, so undoing an undo is possible too and nothing is ever lost.

use std::path::Path;

use crate::engine::{Engine, absolute};
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{BackupMetadata, Operation, RestoreOptions, RestoreOutcome, RunStatus};
use crate::seams::Job;

impl Engine {
    /// The safety backup the last restore over `database` took: the state of the database just
    /// before it. `backup_not_found` when there is none.
    pub fn newest_safety_backup(&self, database: &Path) -> Result<BackupMetadata> {
        let nothing = || {
            Error::new(
                ErrorCode::BackupNotFound,
                format!("no safety backup of {} in {}: nothing to undo", shown(database), self.where_()),
            )
            .with_path(database)
        };
        let forms = crate::commands::scheduled::path_forms(database);
        let run = self
            .catalog()?
            .find_run(Operation::Restore, &forms, None, &[RunStatus::Success], false)?
            .ok_or_else(nothing)?;
        let id = run.safety_backup_id.ok_or_else(nothing)?;
        let recorded = self.catalog()?.get(&id)?;
        match recorded {
            Some(m) => Ok(m),
            None => Err(nothing()),
        }
    }

    /// Undoes the last restore of an app's files ([`Engine::restore_app`]): each file of
    /// `source` that a restore replaced goes back as it was just before (the main database's
    /// outcome first). Refused, with nothing done, while the app holds any of them.
    pub fn undo_restore_app(
        &self,
        source: &crate::sources::Source,
        job: &Job,
    ) -> Result<Vec<RestoreOutcome>> {
        let mut undone = Vec::new();
        crate::commands::restore::refuse_held_app(source, source.files())?;
        for (i, file) in source.files().enumerate() {
            match self.undo_restore(file, source.encrypt, job) {
                // One of the app's other files that no restore replaced stays as it is.
                Err(e) if i > 0 && e.code() == ErrorCode::BackupNotFound => {}
                other => undone.push(other?),
            }
        }
        Ok(undone)
    }

    /// Undoes the last restore over `database`: restores its safety backup over it, verifying
    /// the backup first and taking a new safety backup of the current state (encrypted when
    /// `source_encrypts`).
    pub fn undo_restore(&self, database: &Path, source_encrypts: bool, job: &Job) -> Result<RestoreOutcome> {
        let safety = self.newest_safety_backup(&absolute(database))?;
        let opts = RestoreOptions {
            verify_first: true,
            safety_backup: true,
            source_encrypts,
            // The safety backup is ours and was taken with this source's setting at the time.
            allow_unencrypted: true,
            allow_foreign: false,
            ..RestoreOptions::default()
        };
        self.restore(&safety.id, database, &opts, job)
    }
}
