//! `compare_with`: what restoring a backup over a database would change, table by table, so a
//! person can see it before confirming ("orders: 1,204 rows in the backup, 1,310 now").
//!
//! Only row counts, and only from what is cheap: the backup's counts were recorded when it was
//! made (no decoding, no password), the database's are counted now inside one read transaction.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Result, shown};

/// One table: rows in the backup, and rows now (`None` when the database or the table does not
/// exist now). A table that exists only now has `backup_rows` 0: the restore removes it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDiff {
    /// The table's name.
    pub table: String,
    /// Rows in the backup, as counted when it was made (0 if the table is not in it).
    pub backup_rows: u64,
    /// Rows in the database now; `None` when the database or the table does not exist now.
    pub current_rows: Option<u64>,
}

impl Engine {
    /// Compares backup `id` with the database at `database`, table by table (by name).
    pub fn compare_with(&self, id: &str, database: &Path) -> Result<Vec<TableDiff>> {
        let meta = self.get(id)?;
        let current = current_counts(database, self.busy_timeout)?;
        let names: BTreeSet<&String> =
            meta.row_counts.keys().chain(current.iter().flat_map(|c| c.keys())).collect();
        Ok(names
            .into_iter()
            .map(|name| TableDiff {
                table: name.clone(),
                backup_rows: meta.row_counts.get(name).copied().unwrap_or(0),
                current_rows: current.as_ref().and_then(|c| c.get(name).copied()),
            })
            .collect())
    }
}

/// Row counts of the database at `path` now; `None` when there is no database there.
fn current_counts(
    path: &Path,
    busy_timeout: std::time::Duration,
) -> Result<Option<std::collections::BTreeMap<String, u64>>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::new(ErrorCode::SourceUnreadable, format!("cannot read {}: {e}", shown(path))));
        }
        Ok(m) if !m.is_file() => {
            return Err(Error::new(ErrorCode::NotADatabase, format!("not a file: {}", shown(path))));
        }
        Ok(_) => {}
    }
    let err = |e| Error::source_db(path, e);
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(err)?;
    conn.busy_timeout(busy_timeout).map_err(err)?;
    conn.execute_batch("BEGIN DEFERRED").map_err(err)?;
    let counts = crate::snapshot::count_rows(&conn).map_err(err)?;
    conn.execute_batch("COMMIT").map_err(err)?;
    Ok(Some(counts))
}
