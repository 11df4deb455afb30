//! Taking back tables: some tables of a backup put back into the live database, their rows
//! replaced in one transaction, every other table as it was. From the backup the window has
//! open ([`Engine::take_back`] on a [`BackupView`]: nothing is decoded again), or from a backup
//! decoded for the purpose (`restore` with `tables`, the CLI's `restore --table`); both run one
//! body on the decoded file (`put_back_tables`).
//!
//! It follows a full restore's order, so it can never make things worse: the backup checked
//! first (the database untouched), then a safety backup of the whole database, then one
//! transaction that replaces the tables' rows; rows of other tables left pointing at nothing
//! (foreign keys) roll it back unless the person confirmed. It is recorded as a restore, so
//! undo puts back the database as it was. A table gone from the database is created again from
//! the backup's definition (`tables::run_definition`, which runs nothing else).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

use crate::commands::compare::{q, tables};
use crate::commands::decode::DecodeOptions;
use crate::commands::restore::{Existing, busy};
use crate::commands::tables::{BackupView, definitions, run_definition};
use crate::engine::{Engine, RunInfo};
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{BackupMetadata, Check, Operation, Origin, RestoreOptions, RestoreOutcome, TableRestored};
use crate::seams::Job;

impl Engine {
    /// Takes back `opts.tables` of the backup `view` shows (one this engine opened with
    /// [`Engine::open_backup`]) into the database at `target`, from the view's decoded copy:
    /// the backup is not decoded again. Under the folder's lock and recorded as a restore, as
    /// [`Engine::restore`] with `tables` is; `opts.verify_first` runs SQLite's integrity check
    /// on the decoded copy first (its bytes were checked when the view was opened), which makes
    /// it a verification, recorded so.
    ///
    /// # Errors
    ///
    /// `confirmation_required` for a foreign or unencrypted backup not confirmed
    /// (`allow_foreign`, `allow_unencrypted`) and for rows left pointing at nothing
    /// (`broken_references`, unless `allow_broken_references`); `invalid_input` for no table
    /// named, a table the backup does not have (`no_such_table`), one of SQLite's own
    /// (`internal_table`) or one whose columns changed since (`columns_changed`);
    /// `integrity_failed` when the check fails; `source_not_found` or `target_not_a_database`
    /// for a `target` that is not a database; `target_busy` while another program holds it.
    pub fn take_back(
        &self,
        view: &BackupView,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<RestoreOutcome> {
        let info = RunInfo {
            backup_type: None,
            source: Some(target.to_path_buf()),
            backup_id: Some(view.backup().id.clone()),
        };
        self.locked_run(Operation::Restore, info, || self.take_back_locked(view, target, opts, job))
    }

    fn take_back_locked(
        &self,
        view: &BackupView,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
    ) -> Result<RestoreOutcome> {
        let t0 = Instant::now();
        let meta = view.backup();
        self.confirmed(meta, opts)?;
        if opts.tables.is_empty() {
            return Err(Error::invalid(format!("no table named to take back from backup {}", meta.id))
                .with_backup(&meta.id));
        }
        a_database(target)?;
        if opts.verify_first {
            self.verify_view(view, job)?;
        }
        job.cancel.check()?;
        self.put_back_tables(meta, &view.decoded.path, target, opts, job, t0)
    }

    /// SQLite's integrity check of the view's decoded copy, against its header: with the
    /// checks of the bytes done when it was decoded, a whole verification, recorded as one.
    fn verify_view(&self, view: &BackupView, job: &Job) -> Result<()> {
        let meta = view.backup();
        let mut checks: Vec<Check> =
            view.decoded.checks.iter().filter(|c| c.name != "integrity").cloned().collect();
        let opts = DecodeOptions { integrity: true, sync: false };
        let failed = self.check_decoded(&view.decoded.path, &view.decoded.header, opts, job, &mut checks)?;
        if meta.origin == Origin::Recorded {
            self.set_verification(&meta.id, failed.is_none(), &checks, self.clock.now())?;
        }
        failed.map_or(Ok(()), Err)
    }

    /// `restore` with `tables`: puts back `opts.tables` of backup `meta` into the database at
    /// `target`, decoding the backup for it (and checking it whole with `verify_first`).
    pub(crate) fn restore_tables_locked(
        &self,
        meta: &BackupMetadata,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
        t0: Instant,
    ) -> Result<RestoreOutcome> {
        a_database(target)?;
        let decoded = self.decode_to_scratch(meta, opts.verify_first, job)?;
        job.cancel.check()?;
        self.put_back_tables(meta, &decoded.path, target, opts, job, t0)
    }

    /// Puts back `opts.tables` of backup `meta`, decoded and checked at `decoded`, into the
    /// database at `target` (see the module); `t0` is when the run started.
    fn put_back_tables(
        &self,
        meta: &BackupMetadata,
        decoded: &Path,
        target: &Path,
        opts: &RestoreOptions,
        job: &Job,
        t0: Instant,
    ) -> Result<RestoreOutcome> {
        let terr = |e| Error::internal_db(target, e);
        let conn = Connection::open_with_flags(
            target,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(terr)?;
        conn.busy_timeout(self.busy_timeout).map_err(terr)?;
        conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(terr)?;
        conn.execute("ATTACH DATABASE ?1 AS b", [decoded.to_string_lossy()]).map_err(terr)?;
        let berr = |e: rusqlite::Error| Error::new(ErrorCode::BackupDamaged, format!("{}: {e}", meta.id));
        let then = tables(&conn, "b").map_err(berr)?;
        let now = tables(&conn, "main").map_err(busy(target))?;
        let wanted: BTreeSet<&str> = opts.tables.iter().map(String::as_str).collect();
        for t in &wanted {
            let Some(info) = then.get(*t) else {
                return Err(Error::invalid(format!("backup {} has no table {t:?}", meta.id))
                    .with_backup(&meta.id)
                    .with_reason(Reason::NoSuchTable)
                    .with_tables(vec![(*t).to_owned()]));
            };
            if info.internal {
                return Err(Error::invalid(format!(
                    "{t:?} is kept by SQLite itself; restore the table it belongs to, or the whole database"
                ))
                .with_reason(Reason::InternalTable)
                .with_tables(vec![(*t).to_owned()]));
            }
            if now.get(*t).is_some_and(|n| n.columns != info.columns || n.key != info.key) {
                return Err(Error::invalid(format!(
                    "the table {t:?} has other columns now than in backup {} (the app that owns the database was probably upgraded); restore the whole database instead",
                    meta.id
                ))
                .with_backup(&meta.id)
                .with_reason(Reason::ColumnsChanged)
                .with_tables(vec![(*t).to_owned()]));
            }
        }
        let referenced_by = referring_tables(&conn, &now, &wanted).map_err(busy(target))?;
        let triggers: Vec<String> = {
            let mut stmt = conn
                .prepare("SELECT name, tbl_name FROM main.sqlite_schema WHERE type = 'trigger' ORDER BY name")
                .map_err(busy(target))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(busy(target))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(busy(target))?;
            rows.into_iter().filter(|(_, t)| wanted.contains(t.as_str())).map(|(n, _)| n).collect()
        };

        let safety_backup_id = self.safety_backup(meta, target, opts, job)?;
        job.cancel.check()?;

        conn.execute_batch("BEGIN IMMEDIATE").map_err(busy(target))?;
        let result = (|| -> Result<Vec<TableRestored>> {
            let mut done = Vec::new();
            for t in &wanted {
                let info = &then[*t];
                let name = q(t);
                let rows_before = match now.get(*t) {
                    Some(_) => Some(
                        conn.query_row(&format!("SELECT count(*) FROM main.{name}"), [], |r| {
                            r.get::<_, i64>(0)
                        })
                        .map_err(busy(target))? as u64,
                    ),
                    None => {
                        // Gone since: created again as it was, with its indexes.
                        for d in &definitions(&conn, t).map_err(berr)? {
                            run_definition(&conn, d, t).map_err(|e| e.into_error(&meta.id, t, target))?;
                        }
                        None
                    }
                };
                let rowid = if info.key == ["rowid"] { "rowid, " } else { "" };
                let cols = info.columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
                conn.execute(&format!("DELETE FROM main.{name}"), []).map_err(busy(target))?;
                conn.execute(
                    &format!("INSERT INTO main.{name} ({rowid}{cols}) SELECT {rowid}{cols} FROM b.{name}"),
                    [],
                )
                .map_err(terr)?;
                let rows_after = conn
                    .query_row(&format!("SELECT count(*) FROM main.{name}"), [], |r| r.get::<_, i64>(0))
                    .map_err(terr)? as u64;
                done.push(TableRestored { table: (*t).to_owned(), rows_before, rows_after });
            }
            // Rows left pointing at nothing, in the restored tables or those referring to them.
            let mut broken = BTreeSet::new();
            for t in wanted.iter().copied().chain(referenced_by.iter().map(String::as_str)) {
                let mut stmt =
                    conn.prepare(&format!("PRAGMA main.foreign_key_check({})", q(t))).map_err(terr)?;
                let mut rows = stmt.query([]).map_err(terr)?;
                if rows.next().map_err(terr)?.is_some() {
                    broken.insert(t.to_owned());
                }
            }
            if !broken.is_empty() && !opts.allow_broken_references {
                let names: Vec<String> = broken.into_iter().collect();
                return Err(Error::new(
                    ErrorCode::ConfirmationRequired,
                    format!(
                        "after restoring {} from {}, rows of {} would refer to rows that are not there; restore those tables too, or confirm",
                        opts.tables.join(", "),
                        meta.id,
                        names.join(", ")
                    ),
                )
                .with_backup(&meta.id)
                .with_reason(Reason::BrokenReferences)
                .with_tables(names));
            }
            Ok(done)
        })();
        let done = match result {
            Ok(done) => {
                conn.execute_batch("COMMIT").map_err(busy(target))?;
                done
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        };
        Ok(RestoreOutcome {
            backup_id: meta.id.clone(),
            target: target.to_path_buf(),
            safety_backup_id,
            verified: opts.verify_first,
            duration_ms: t0.elapsed().as_millis() as u64,
            tables: done,
            referenced_by,
            triggers,
        })
    }
}

/// Refuses a `target` that is not a database: tables go back only into one.
fn a_database(target: &Path) -> Result<()> {
    match Existing::of(target) {
        Existing::None => Err(Error::new(
            ErrorCode::SourceNotFound,
            format!("database not found: {}; a table can only go back into a database", shown(target)),
        )
        .with_path(target)),
        Existing::Other => Err(Error::new(
            ErrorCode::TargetNotADatabase,
            format!("{} is not a SQLite database; Keepsake will not change it", shown(target)),
        )
        .with_path(target)),
        Existing::Database => Ok(()),
    }
}

/// Tables (not among `wanted`) with a foreign key to one of `wanted`.
fn referring_tables(
    conn: &Connection,
    now: &std::collections::BTreeMap<String, crate::commands::compare::TableInfo>,
    wanted: &BTreeSet<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for (name, info) in now {
        if info.internal || wanted.contains(name.as_str()) {
            continue;
        }
        let mut stmt = conn.prepare(&format!("PRAGMA main.foreign_key_list({})", q(name)))?;
        let parents: Vec<String> =
            stmt.query_map([], |r| r.get::<_, String>("table"))?.collect::<rusqlite::Result<_>>()?;
        if parents.iter().any(|p| wanted.contains(p.as_str())) {
            out.push(name.clone());
        }
    }
    Ok(out)
}
