//! A consistent snapshot of a live SQLite database, read page by page.
//!
//! One read transaction is opened on a read-only connection; everything recorded about the
//! database (schema, page size, row counts) and every page (through the `sqlite_dbpage` virtual
//! table) is read inside it, so the backup is the database at one committed transaction
//! boundary, in WAL and rollback-journal mode alike, while other processes keep writing. The
//! raw file is never copied: SQLite's own locking and WAL index decide what is committed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{SchemaInfo, Soundness};
use crate::seams::CancelToken;

/// How long to wait for another program's lock before reporting `source_busy`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times the soundness check's connection tries to join a WAL database's snapshot
/// while other programs' commits keep coming in between (see [`Snapshot::begin`]).
const JOIN_TRIES: u32 = 32;

/// How often to try again for a lock another program holds.
const BUSY_POLL: Duration = Duration::from_millis(1);

/// A read transaction on a source database.
#[derive(Debug)]
pub struct Snapshot {
    /// The connection holding the read transaction.
    pub conn: Connection,
    /// The database's schema, as the snapshot sees it.
    pub schema: SchemaInfo,
    /// Rows per table.
    pub row_counts: BTreeMap<String, u64>,
    /// The tables of `row_counts` SQLite keeps itself (see [`internal_tables`]).
    pub internal_tables: Vec<String>,
    /// A second connection in a read transaction on the same committed state, for the
    /// soundness check ([`Snapshot::start_check`]).
    check: Option<Connection>,
}

/// The soundness check of a snapshot, running: SQLite's `PRAGMA quick_check` (every b-tree,
/// index and page of the database: its structure, cell bounds, key order, free pages, pages
/// used twice or never), with the virtual-table modules removed, so a full-text index is
/// checked as the ordinary tables that hold it rather than rebuilt against its content (the
/// whole `PRAGMA integrity_check` stays for verification). It runs on the snapshot's own
/// committed state, never on the live file outside it, while the backup reads and compresses
/// the pages; on 2 cores it costs a small share of a full backup (docs/BENCHMARK.md).
pub struct SoundnessCheck {
    thread: Option<std::thread::JoinHandle<Option<bool>>>,
    interrupt: rusqlite::InterruptHandle,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for SoundnessCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundnessCheck").finish_non_exhaustive()
    }
}

impl SoundnessCheck {
    /// Waits for the check: `Some(true)` sound, `Some(false)` damaged, `None` when it could not
    /// tell.
    pub fn finish(mut self) -> Option<bool> {
        self.thread.take().and_then(|t| t.join().ok().flatten())
    }
}

impl Drop for SoundnessCheck {
    /// A backup that failed or was cancelled stops its check rather than wait for it.
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            self.interrupt.interrupt();
            let _ = t.join();
        }
    }
}

/// `PRAGMA quick_check` without the virtual-table modules (see [`SoundnessCheck`]):
/// `Some(true)` when it says `ok`, `Some(false)` when it lists problems or SQLite calls the
/// database malformed, `None` when it did not finish (stopped, or another error).
fn quick_check(conn: &Connection) -> Option<bool> {
    drop_virtual_table_modules(conn);
    let lines: rusqlite::Result<Vec<String>> =
        conn.prepare("PRAGMA quick_check").and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    match lines {
        Ok(lines) => Some(lines.len() == 1 && lines[0] == "ok"),
        Err(e) if is_corrupt(&e) => Some(false),
        Err(_) => None,
    }
}

/// Runs the soundness check every backup runs on the database at `path` alone, in a read
/// transaction of its own, and returns its answer and how long the check itself took (opening
/// and the snapshot's reading of the schema and row counts left out). For the benchmark
/// (`keepsake-bench check`), which compares it with a full backup's time.
pub fn check_soundness(path: &Path) -> Result<(Soundness, Duration)> {
    let mut snap = Snapshot::begin(path, BUSY_TIMEOUT, &CancelToken::new())?;
    let t0 = Instant::now();
    let found = snap.start_check().and_then(SoundnessCheck::finish);
    let took = t0.elapsed();
    let _ = snap.conn.execute_batch("COMMIT");
    Ok((Soundness::of(found), took))
}

impl Snapshot {
    /// Opens `path` read-only and starts the read transaction. While another program's lock
    /// keeps it waiting, `cancel` (Stop, Ctrl-C, SIGTERM) ends the wait at once.
    pub fn begin(path: &Path, busy_timeout: Duration, cancel: &CancelToken) -> Result<Snapshot> {
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
        let open = |flags| -> Result<(Connection, SchemaInfo, Option<Connection>)> {
            let conn =
                Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(err)?;
            // SQLite's own busy handler backs off to one try per 100 ms, and a program that
            // commits back to back holds its exclusive lock nearly all the time: a backup could
            // then wait for minutes. Instead, try for the shared lock every millisecond until the
            // deadline. Once the first read holds it, nothing later in the transaction waits.
            conn.busy_timeout(Duration::ZERO).map_err(err)?;
            // The soundness check's own connection (see `Soundness`), read-only. Without it the
            // backup is made all the same; its soundness is then unknown.
            let mut check = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| c.busy_timeout(Duration::ZERO).map(|()| c))
            .ok();
            // How many times the check's connection tries to join the snapshot while commits
            // keep coming in between (each try takes well under a millisecond).
            let mut tries = 0u32;
            loop {
                // Both transactions must see the same committed state. In rollback-journal mode
                // they do: the check's begins while the snapshot's holds its shared lock, and
                // nothing can commit under a shared lock. In WAL mode a commit may come between
                // the two, so the check's connection reads `data_version` just before the
                // snapshot's begins and again once its own has begun: equal, nothing was
                // committed in between, and both see the very state the backup stores.
                // `None`: the check's connection cannot read the database (its answer would be
                // unknown; the backup itself is unaffected).
                let attempt = (|| -> rusqlite::Result<Option<(SchemaInfo, bool)>> {
                    // The snapshot's connection reads first: a hot journal is rolled back (or
                    // reported, read-only) before the check's connection meets it.
                    data_version(&conn)?;
                    let before = match check.as_ref().map(data_version) {
                        Some(Err(e)) if is_busy(&e) => return Err(e),
                        Some(Err(_)) => return Ok(None),
                        Some(Ok(v)) => v,
                        None => 0,
                    };
                    conn.execute_batch("BEGIN DEFERRED")?;
                    let schema = read_schema(&conn)?;
                    let Some(c) = &check else { return Ok(Some((schema, true))) };
                    match c.execute_batch("BEGIN DEFERRED").and_then(|()| data_version(c)) {
                        Err(e) if is_busy(&e) => Err(e),
                        Err(_) => Ok(None),
                        Ok(after) => {
                            let same = schema.journal_mode != "wal" || after == before;
                            Ok(Some((schema, same)))
                        }
                    }
                })();
                let rollback = |c: &Connection| {
                    let _ = c.execute_batch("ROLLBACK");
                };
                match attempt {
                    Ok(Some((schema, same))) if same || check.is_none() => return Ok((conn, schema, check)),
                    Ok(Some((schema, _))) if tries >= JOIN_TRIES => {
                        // The database kept changing: the backup goes ahead, its soundness
                        // unknown, rather than wait.
                        check.take().inspect(rollback);
                        return Ok((conn, schema, None));
                    }
                    Ok(Some(_)) => {
                        // Something was committed in between: both start again.
                        tries += 1;
                        rollback(&conn);
                        check.iter().for_each(rollback);
                    }
                    Ok(None) => {
                        rollback(&conn);
                        check.take().inspect(rollback);
                    }
                    Err(e) if is_busy(&e) && Instant::now() < deadline => {
                        rollback(&conn);
                        check.iter().for_each(rollback);
                        // Woken by a stop, not only by the next try.
                        if cancel.wait_timeout(BUSY_POLL) {
                            return Err(Error::cancelled());
                        }
                    }
                    Err(e) => return Err(err(e)),
                }
            }
        };
        // Read-only, so a backup can never change the database. One exception: a program that
        // crashed mid-transaction leaves a hot journal, which only a writable connection may
        // roll back (as the owning app would on its next start); then open it writable.
        let (conn, schema, check) = match open(OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Err(e) if is_readonly_rollback(&e) => open(OpenFlags::SQLITE_OPEN_READ_WRITE)?,
            other => other?,
        };
        let row_counts = count_rows(&conn).map_err(err)?;
        let internal_tables = internal_tables(&conn).map_err(err)?;
        Ok(Snapshot { conn, schema, row_counts, internal_tables, check })
    }

    /// Starts the soundness check of this snapshot on a thread of its own, to run while the
    /// pages are read and compressed; `None` when it cannot run (its connection could not join
    /// the snapshot). Its read transaction ends when it finishes.
    pub fn start_check(&mut self) -> Option<SoundnessCheck> {
        let conn = self.check.take()?;
        let interrupt = conn.get_interrupt_handle();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("keepsake-check".into())
            .spawn(move || {
                if stopped.load(Ordering::SeqCst) {
                    return None;
                }
                let found = quick_check(&conn);
                let _ = conn.execute_batch("COMMIT");
                found
            })
            .ok()?;
        Some(SoundnessCheck { thread: Some(thread), interrupt, stop })
    }

    /// Bytes in the database image.
    pub fn size(&self) -> u64 {
        self.schema.page_count * u64::from(self.schema.page_size)
    }

    /// Streams every page, in order, to `f`, then ends the transaction.
    pub fn for_each_page(self, path: &Path, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
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

/// The connection's `PRAGMA data_version`: changes when another connection committed since its
/// last read (inside a transaction: the state it reads).
fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode as C;
    matches!(e.sqlite_error_code(), Some(C::DatabaseCorrupt | C::NotADatabase))
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
pub fn read_schema(conn: &Connection) -> rusqlite::Result<SchemaInfo> {
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let page_size: u32 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let page_count: u64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let journal_mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    Ok(SchemaInfo { user_version, schema_hash: schema_hash(conn)?, page_size, page_count, journal_mode })
}

/// SHA-256 over `type, name, tbl_name, sql` of every schema row, ordered by type and name.
pub fn schema_hash(conn: &Connection) -> rusqlite::Result<String> {
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
pub fn count_rows(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
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
pub fn internal_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND (type = 'shadow' OR name LIKE 'sqlite\\_%' ESCAPE '\\') ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Removes every virtual-table module (FTS5, R*Tree, ...) from this one connection.
#[allow(unsafe_code)]
pub fn drop_virtual_table_modules(conn: &Connection) {
    // SAFETY: `handle` is this open connection's own pointer, used on this thread while no
    // statement runs; a null keep-list means "drop them all" (sqlite3_drop_modules, SQLite 3.30).
    unsafe {
        rusqlite::ffi::sqlite3_drop_modules(conn.handle(), std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A WAL database with an indexed table; `damage` drops the index's schema row, leaving its
    /// pages unused (a committed change SQLite's check calls damage).
    fn database(dir: &Path) -> std::path::PathBuf {
        let db = dir.join("app.db");
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (a TEXT); CREATE INDEX ta ON t(a);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO t SELECT printf('row %06d', i) FROM n;",
        )
        .unwrap();
        db
    }

    fn damage(db: &Path) {
        Connection::open(db)
            .unwrap()
            .execute_batch("PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'ta';")
            .unwrap();
    }

    #[test]
    fn the_check_reads_the_snapshots_state_not_the_live_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = database(dir.path());
        let mut snap = Snapshot::begin(&db, BUSY_TIMEOUT, &CancelToken::new()).unwrap();
        // Committed after the snapshot began, before its check started (WAL lets it commit).
        damage(&db);
        assert_eq!(snap.start_check().unwrap().finish(), Some(true));
        // A new snapshot holds the damage.
        let mut snap = Snapshot::begin(&db, BUSY_TIMEOUT, &CancelToken::new()).unwrap();
        assert_eq!(snap.start_check().unwrap().finish(), Some(false));
        assert_eq!(check_soundness(&db).unwrap().0, Soundness::Damaged);
    }

    /// A program commits back to back, each commit flipping the database between sound and
    /// damaged (the index's schema row dropped, then put back): whatever the snapshot sees,
    /// the check must have seen the same state.
    #[test]
    fn the_check_sees_the_snapshots_state_while_commits_keep_coming() {
        use std::sync::atomic::AtomicBool;
        let dir = tempfile::tempdir().unwrap();
        let db = database(dir.path());
        let root: i64 = Connection::open(&db)
            .unwrap()
            .query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'ta'", [], |r| r.get(0))
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, stop) = (db.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let c = Connection::open(&db).unwrap();
                c.busy_timeout(Duration::from_secs(5)).unwrap();
                c.execute_batch("PRAGMA writable_schema = ON").unwrap();
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    let flip = if n.is_multiple_of(2) {
                        "DELETE FROM sqlite_schema WHERE name = 'ta'".to_owned()
                    } else {
                        format!(
                            "INSERT INTO sqlite_schema VALUES ('index', 'ta', 't', {root}, 'CREATE INDEX ta ON t(a)')"
                        )
                    };
                    let version: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0)).unwrap();
                    c.execute_batch(&format!(
                        "BEGIN IMMEDIATE; {flip}; PRAGMA schema_version = {}; COMMIT;",
                        version + 1
                    ))
                    .unwrap();
                    n += 1;
                }
                n
            })
        };
        let (mut checked, mut sound, mut damaged) = (0, 0, 0);
        for _ in 0..150 {
            let mut snap = Snapshot::begin(&db, BUSY_TIMEOUT, &CancelToken::new()).unwrap();
            let has_index: bool = snap
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'ta'", [], |r| r.get::<_, i64>(0))
                .unwrap()
                == 1;
            if let Some(found) = snap.start_check().and_then(SoundnessCheck::finish) {
                assert_eq!(found, has_index, "the check saw another state than the snapshot");
                checked += 1;
                if found { sound += 1 } else { damaged += 1 }
            }
            snap.conn.execute_batch("COMMIT").unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        let commits = writer.join().unwrap();
        assert!(commits > 10, "the writer kept committing ({commits})");
        assert!(
            checked > 100 && sound > 0 && damaged > 0,
            "{checked} checked: {sound} sound, {damaged} damaged"
        );
    }

    #[test]
    fn a_rollback_journal_database_is_checked_too() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("plain.db");
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE t (a TEXT); CREATE INDEX ta ON t(a); INSERT INTO t VALUES ('x');")
            .unwrap();
        assert_eq!(check_soundness(&db).unwrap().0, Soundness::Sound);
        damage(&db);
        assert_eq!(check_soundness(&db).unwrap().0, Soundness::Damaged);
    }

    #[test]
    fn a_check_dropped_unfinished_stops_and_ends_its_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = database(dir.path());
        let mut snap = Snapshot::begin(&db, BUSY_TIMEOUT, &CancelToken::new()).unwrap();
        drop(snap.start_check().unwrap());
        snap.conn.execute_batch("COMMIT").unwrap();
        drop(snap);
        // Nothing holds a read mark: a full checkpoint can complete and reset the WAL.
        let c = Connection::open(&db).unwrap();
        c.execute_batch("INSERT INTO t VALUES ('more')").unwrap();
        let busy: i64 = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).unwrap();
        assert_eq!(busy, 0);
    }
}
