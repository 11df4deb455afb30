//! A consistent snapshot of a live SQLite database, read page by page.
//!
//! One read transaction is opened on a read-only connection; everything recorded about the
//! database (schema, page size, row counts) and every page (through the `sqlite_dbpage` virtual
//! table) is read inside it, so the backup is the database at one committed transaction
//! boundary, in WAL and rollback-journal mode alike, while other processes keep writing. The
//! raw file is never copied: SQLite's own locking and WAL index decide what is committed.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::SchemaInfo;

/// How long to wait for another program's lock before reporting `source_busy`.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often to try again for a lock another program holds.
const BUSY_POLL: Duration = Duration::from_millis(1);

/// A read transaction on a source database.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub conn: Connection,
    pub schema: SchemaInfo,
    pub row_counts: BTreeMap<String, u64>,
    /// The tables of `row_counts` SQLite keeps itself (see [`internal_tables`]).
    pub internal_tables: Vec<String>,
}

impl Snapshot {
    /// Opens `path` read-only and starts the read transaction.
    pub(crate) fn begin(path: &Path, busy_timeout: Duration) -> Result<Snapshot> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::new(
                    ErrorCode::SourceNotFound,
                    format!("database not found: {}", shown(path)),
                ));
            }
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::SourceUnreadable,
                    format!("cannot read database {}: {e}", shown(path)),
                ));
            }
            Ok(m) if !m.is_file() => {
                return Err(Error::new(ErrorCode::NotADatabase, format!("not a file: {}", shown(path))));
            }
            Ok(_) => {}
        }
        if let Err(e) = std::fs::File::open(path) {
            return Err(Error::new(
                ErrorCode::SourceUnreadable,
                format!("cannot read database {}: {e}", shown(path)),
            ));
        }
        let err = |e| Error::source_db(path, e);
        let deadline = Instant::now() + busy_timeout;
        let open = |flags| -> Result<(Connection, SchemaInfo)> {
            let conn =
                Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(err)?;
            // SQLite's own busy handler backs off to one try per 100 ms, and a program that
            // commits back to back holds its exclusive lock nearly all the time: a backup could
            // then wait for minutes. Instead, try for the shared lock every millisecond until the
            // deadline. Once the first read holds it, nothing later in the transaction waits.
            conn.busy_timeout(Duration::ZERO).map_err(err)?;
            loop {
                conn.execute_batch("BEGIN DEFERRED").map_err(err)?;
                match read_schema(&conn) {
                    Ok(schema) => return Ok((conn, schema)),
                    Err(e) if is_busy(&e) && Instant::now() < deadline => {
                        let _ = conn.execute_batch("ROLLBACK");
                        std::thread::sleep(BUSY_POLL);
                    }
                    Err(e) => return Err(err(e)),
                }
            }
        };
        // Read-only, so a backup can never change the database. One exception: a program that
        // crashed mid-transaction leaves a hot journal, which only a writable connection may
        // roll back (as the owning app would on its next start); then open it writable.
        let (conn, schema) = match open(OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Err(e) if is_readonly_rollback(&e) => open(OpenFlags::SQLITE_OPEN_READ_WRITE)?,
            other => other?,
        };
        let row_counts = count_rows(&conn).map_err(err)?;
        let internal_tables = internal_tables(&conn).map_err(err)?;
        Ok(Snapshot { conn, schema, row_counts, internal_tables })
    }

    /// Bytes in the database image.
    pub(crate) fn size(&self) -> u64 {
        self.schema.page_count * u64::from(self.schema.page_size)
    }

    /// Streams every page, in order, to `f`, then ends the transaction.
    pub(crate) fn for_each_page(self, path: &Path, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let err = |e| Error::source_db(path, e);
        {
            let mut stmt = self.conn.prepare("SELECT data FROM sqlite_dbpage ORDER BY pgno").map_err(err)?;
            let mut rows = stmt.query([]).map_err(err)?;
            let mut pages = 0u64;
            while let Some(row) = rows.next().map_err(err)? {
                let data = row.get_ref(0).map_err(err)?.as_blob().map_err(|e| err(e.into()))?;
                if data.len() != self.schema.page_size as usize {
                    return Err(Error::new(
                        ErrorCode::Io,
                        format!("unexpected page size reading {}", shown(path)),
                    ));
                }
                f(data)?;
                pages += 1;
            }
            if pages != self.schema.page_count {
                return Err(Error::new(
                    ErrorCode::Io,
                    format!("page count changed while reading {}", shown(path)),
                ));
            }
        }
        self.conn.execute_batch("COMMIT").map_err(err)?;
        Ok(())
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode as C;
    matches!(e.sqlite_error_code(), Some(C::DatabaseBusy | C::DatabaseLocked))
}

fn is_readonly_rollback(e: &Error) -> bool {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<rusqlite::Error>())
        .is_some_and(|e| matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK))
}

/// Schema facts, read inside the caller's transaction.
pub(crate) fn read_schema(conn: &Connection) -> rusqlite::Result<SchemaInfo> {
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let page_size: u32 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let page_count: u64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let journal_mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    Ok(SchemaInfo { user_version, schema_hash: schema_hash(conn)?, page_size, page_count, journal_mode })
}

/// SHA-256 over `type, name, tbl_name, sql` of every schema row, ordered by type and name.
pub(crate) fn schema_hash(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")?;
    let mut rows = stmt.query([])?;
    let mut h = Sha256::new();
    while let Some(r) = rows.next()? {
        for i in 0..4 {
            h.update(r.get_ref(i)?.as_str().unwrap_or_default().as_bytes());
            h.update([0x1f]);
        }
        h.update([0x1e]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Rows of every ordinary table (virtual tables are skipped: their module may be missing).
pub(crate) fn count_rows(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")), [], |r| {
                r.get(0)
            })?;
        counts.insert(name, n as u64);
    }
    Ok(counts)
}

/// Tables SQLite keeps itself: its own (`sqlite_sequence`, `sqlite_stat1`) and the shadow tables
/// of virtual tables (a full-text index's `notes_fts_data`...), by `PRAGMA table_list`.
pub(crate) fn internal_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND (type = 'shadow' OR name LIKE 'sqlite\\_%' ESCAPE '\\') ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect()
}
