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

/// How a database's layout differs from a backup's (see [`Engine::layout_change`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutChange {
    /// `PRAGMA user_version` in the backup.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub user_version_then: i64,
    /// ... and in the database now.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub user_version_now: i64,
    /// Tables in the database now that the backup does not have.
    pub tables_added: Vec<String>,
    /// Tables in the backup that the database no longer has.
    pub tables_gone: Vec<String>,
}

impl Engine {
    /// Whether the layout of the database at `database` (its schema or `user_version`) changed
    /// since backup `id`, from what was recorded with the backup and a read of the schema now;
    /// `None` when it did not (or when there is no database there).
    pub fn layout_change(&self, id: &str, database: &Path) -> Result<Option<LayoutChange>> {
        let meta = self.get(id)?;
        if meta.opaque.is_some() {
            return Ok(None);
        }
        let Some(current) = current_counts(database, self.busy_timeout)? else { return Ok(None) };
        let err = |e| Error::source_db(database, e);
        let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(err)?;
        conn.busy_timeout(self.busy_timeout).map_err(err)?;
        let now = crate::snapshot::read_schema(&conn).map_err(err)?;
        if now.schema_hash == meta.schema.schema_hash && now.user_version == meta.schema.user_version {
            return Ok(None);
        }
        Ok(Some(LayoutChange {
            user_version_then: meta.schema.user_version,
            user_version_now: now.user_version,
            tables_added: current.keys().filter(|t| !meta.row_counts.contains_key(*t)).cloned().collect(),
            tables_gone: meta.row_counts.keys().filter(|t| !current.contains_key(*t)).cloned().collect(),
        }))
    }

    /// Compares backup `id` with the database at `database`, table by table (by name).
    pub fn compare_with(&self, id: &str, database: &Path) -> Result<Vec<TableDiff>> {
        let meta = self.get(id)?;
        if meta.opaque.is_some() {
            return Ok(Vec::new());
        }
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

/// What restoring a backup would do to one table, row by row: found by decoding the backup to a
/// private temporary file and comparing it with the database now, by rowid (or primary key for a
/// table without rowid).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableChange {
    /// The table's name.
    pub table: String,
    /// SQLite's own tables, virtual tables (a full-text index) and their shadow tables: kept in
    /// step by the database itself, meaningless to a person.
    pub internal: bool,
    /// Rows in the backup; `None` when the table is not in it (the restore removes the table).
    pub backup_rows: Option<u64>,
    /// Rows now; `None` when the database or the table does not exist now.
    pub current_rows: Option<u64>,
    /// Rows the restore brings back: in the backup, gone now.
    pub brought_back: u64,
    /// Rows the restore removes: added since the backup.
    pub removed: u64,
    /// Rows in both whose values differ now (the restore puts the backup's values back); `None`
    /// when the table's columns changed since, so rows cannot be compared value by value.
    pub changed: Option<u64>,
}

/// One table as found in a database: its kind and columns.
pub(crate) struct TableInfo {
    pub internal: bool,
    pub columns: Vec<String>,
    /// The columns that identify a row: `rowid`, or the primary key of a table without rowid.
    pub key: Vec<String>,
}

impl Engine {
    /// Compares backup `id` with the database at `database` row by row (see [`TableChange`]).
    /// Decodes the backup (progress in `job`, phase `Verify`) into a private temporary folder
    /// that is removed afterwards; the database is only read.
    pub fn compare_rows(
        &self,
        id: &str,
        database: &Path,
        job: &crate::seams::Job,
    ) -> Result<Vec<TableChange>> {
        let meta = self.get(id)?;
        let decoded = self.decode_to_scratch(&meta, false, job)?;
        job.cancel.check()?;
        self.compare_decoded(&meta, &decoded.path, database, job)
    }

    /// Compares two backups row by row: what changed from `older` to `newer`, in the terms of
    /// [`TableChange`] with `newer` taking the place of the database now (`brought_back`: rows
    /// in `older` gone in `newer`; `removed`: rows added in `newer`).
    pub fn compare_backups(
        &self,
        older: &str,
        newer: &str,
        job: &crate::seams::Job,
    ) -> Result<Vec<TableChange>> {
        let (a, b) = (self.get(older)?, self.get(newer)?);
        let (da, db) = (self.decode_to_scratch(&a, false, job)?, self.decode_to_scratch(&b, false, job)?);
        job.cancel.check()?;
        self.compare_decoded(&a, &da.path, &db.path, job)
    }

    /// Compares backup `meta`, decoded at `decoded_path`, with the database at `database`.
    fn compare_decoded(
        &self,
        meta: &crate::model::BackupMetadata,
        decoded_path: &Path,
        database: &Path,
        job: &crate::seams::Job,
    ) -> Result<Vec<TableChange>> {
        let exists = current_counts(database, self.busy_timeout)?.is_some();
        let err = |e| Error::source_db(database, e);
        let berr = |e: rusqlite::Error| Error::new(ErrorCode::BackupDamaged, format!("{}: {e}", meta.id));
        let conn = if exists {
            let c = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(err)?;
            c.busy_timeout(self.busy_timeout).map_err(err)?;
            c
        } else {
            Connection::open_in_memory().map_err(err)?
        };
        conn.execute("ATTACH DATABASE ?1 AS b", [decoded_path.to_string_lossy()]).map_err(berr)?;
        conn.execute_batch("BEGIN DEFERRED").map_err(err)?;
        let now = if exists { tables(&conn, "main").map_err(err)? } else { Default::default() };
        let then = tables(&conn, "b").map_err(berr)?;
        let names: BTreeSet<&String> = now.keys().chain(then.keys()).collect();
        let mut out = Vec::new();
        for name in names {
            job.cancel.check()?;
            let (n, t) = (now.get(name), then.get(name));
            let count = |schema: &str| -> rusqlite::Result<u64> {
                conn.query_row(&format!("SELECT count(*) FROM {schema}.{}", q(name)), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|c| c as u64)
            };
            // A virtual table of a module this SQLite lacks cannot be counted: it is internal
            // (hidden), so its count is simply left out.
            let internal = n.or(t).is_some_and(|i| i.internal);
            let tolerant = |r: rusqlite::Result<u64>| if internal { Ok(r.ok()) } else { r.map(Some) };
            let current_rows = match n {
                Some(_) => tolerant(count("main")).map_err(err)?,
                None => None,
            };
            let backup_rows = match t {
                Some(_) => tolerant(count("b")).map_err(berr)?,
                None => None,
            };
            let mut change = TableChange {
                table: name.clone(),
                internal,
                backup_rows,
                current_rows,
                brought_back: backup_rows.unwrap_or(0),
                removed: current_rows.unwrap_or(0),
                changed: Some(0),
            };
            if let (Some(n), Some(t)) = (n, t) {
                if n.key != t.key || n.internal {
                    // Rows cannot be matched (or are kept in step by SQLite): counts only.
                    change.brought_back = backup_rows.unwrap_or(0).saturating_sub(current_rows.unwrap_or(0));
                    change.removed = current_rows.unwrap_or(0).saturating_sub(backup_rows.unwrap_or(0));
                    change.changed = None;
                } else {
                    let on =
                        n.key.iter().map(|k| format!("y.{k} IS x.{k}")).collect::<Vec<_>>().join(" AND ");
                    let missing = |from: &str, other: &str| -> rusqlite::Result<u64> {
                        conn.query_row(
                            &format!(
                                "SELECT count(*) FROM {from}.{t} AS x WHERE NOT EXISTS \
                                 (SELECT 1 FROM {other}.{t} AS y WHERE {on})",
                                t = q(name)
                            ),
                            [],
                            |r| r.get::<_, i64>(0),
                        )
                        .map(|c| c as u64)
                    };
                    change.brought_back = missing("b", "main").map_err(err)?;
                    change.removed = missing("main", "b").map_err(err)?;
                    change.changed = if n.columns == t.columns {
                        let differ = n
                            .columns
                            .iter()
                            .map(|c| format!("x.{c} IS NOT y.{c}", c = q(c)))
                            .collect::<Vec<_>>()
                            .join(" OR ");
                        let sql = format!(
                            "SELECT count(*) FROM b.{t} AS x JOIN main.{t} AS y ON {on} WHERE {differ}",
                            t = q(name),
                            differ = if differ.is_empty() { "0".to_owned() } else { differ }
                        );
                        Some(conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).map_err(err)? as u64)
                    } else {
                        None
                    };
                }
            }
            out.push(change);
        }
        conn.execute_batch("COMMIT").map_err(err)?;
        Ok(out)
    }
}

/// A quoted SQL identifier.
pub(crate) fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables of `schema` (views left out), by name.
pub(crate) fn tables(
    conn: &Connection,
    schema: &str,
) -> rusqlite::Result<std::collections::BTreeMap<String, TableInfo>> {
    let list: Vec<(String, String, bool)> = conn
        .prepare(&format!("PRAGMA {schema}.table_list"))?
        .query_map([], |r| {
            Ok((r.get::<_, String>("name")?, r.get::<_, String>("type")?, r.get::<_, i64>("wr")? != 0))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = std::collections::BTreeMap::new();
    for (name, kind, without_rowid) in list {
        if kind == "view" || name == "sqlite_schema" || name == "sqlite_temp_schema" {
            continue;
        }
        let mut columns = Vec::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        if kind != "virtual" {
            let mut stmt = conn.prepare(&format!("PRAGMA {schema}.table_info({})", q(&name)))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>("name")?, r.get::<_, i64>("pk")?)))?;
            for row in rows {
                let (c, k) = row?;
                if k > 0 {
                    pk.push((k, q(&c)));
                }
                columns.push(c);
            }
        }
        pk.sort();
        let key =
            if without_rowid { pk.into_iter().map(|(_, c)| c).collect() } else { vec!["rowid".to_owned()] };
        let internal = name.starts_with("sqlite_") || kind == "shadow" || kind == "virtual";
        out.insert(name, TableInfo { internal, columns, key });
    }
    Ok(out)
}
