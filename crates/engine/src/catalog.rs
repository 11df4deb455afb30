//! The catalog: what this installation recorded, in a SQLite database in its private folder
//! (never in a backup folder, where anyone who can write could change it). One database serves
//! every store; rows carry the store's location.
//!
//! - `backups`: each backup this installation wrote (or took over from an older Keepsake's
//!   catalog, once), with the size and SHA-256 it had when written, and its verification. This
//!   is provenance: retention, undo and "last backup" decide from these rows only. A row is
//!   written *pending* just before its file is committed and confirmed just after, so a crash
//!   in between is settled by the next operation from what was recorded, never from the file.
//! - `files`: what each other file in a folder said about itself when last read, keyed by name,
//!   size and modification time, so a folder is not re-read (nor an encrypted header
//!   re-decrypted) at every command. A cache: losing it costs time, never trust.
//! - `runs`: the history of every operation, failed ones too.
//! - `stores`: per store, whether an older Keepsake's in-folder catalog was looked at.
//! - `alerts`: content alerts raised on this store's backups (see `watch`), dismissed or not.
//! - `pins`: backups kept whatever retention says.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::{Error, ErrorCode, Result};
use crate::model::{
    BackupMetadata, BackupType, CopyRecord, Operation, Pin, RunRecord, RunStatus, VerificationStatus,
};
use crate::watch::{Alert, AlertKind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS stores (
    store TEXT PRIMARY KEY,
    legacy_checked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS backups (
    store TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    metadata TEXT NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store, id)
);
CREATE INDEX IF NOT EXISTS backups_created ON backups(store, created_at);
CREATE TABLE IF NOT EXISTS files (
    store TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    modified TEXT,
    info TEXT NOT NULL,
    PRIMARY KEY (store, name)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    operation TEXT NOT NULL,
    backup_type TEXT,
    backup_id TEXT,
    source_path TEXT,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    message TEXT,
    safety_backup_id TEXT
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(store, started_at);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_path TEXT NOT NULL,
    backup_id TEXT NOT NULL,
    previous_id TEXT,
    table_name TEXT,
    before INTEGER,
    after INTEGER,
    raised_at TEXT NOT NULL,
    pinned TEXT,
    dismissed_at TEXT
);
CREATE INDEX IF NOT EXISTS alerts_backup ON alerts(store, backup_id);
CREATE TABLE IF NOT EXISTS pins (
    store TEXT NOT NULL,
    backup_id TEXT NOT NULL,
    pinned_at TEXT NOT NULL,
    alert INTEGER,
    PRIMARY KEY (store, backup_id)
);
CREATE TABLE IF NOT EXISTS copies (
    store TEXT NOT NULL,
    backup_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    location TEXT NOT NULL,
    object TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    copied_at TEXT NOT NULL,
    PRIMARY KEY (store, backup_id, location)
);
CREATE TABLE IF NOT EXISTS copied_backups (
    store TEXT NOT NULL,
    backup_id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (store, backup_id)
);
CREATE TABLE IF NOT EXISTS copy_checks (
    store TEXT NOT NULL,
    location TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    bad INTEGER NOT NULL,
    PRIMARY KEY (store, location)
);
CREATE TABLE IF NOT EXISTS taken_names (
    store TEXT NOT NULL,
    location TEXT NOT NULL,
    object TEXT NOT NULL,
    size INTEGER NOT NULL,
    modified TEXT,
    PRIMARY KEY (store, location, object)
);
PRAGMA user_version = 5;
";

/// How a recorded backup came to be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordOrigin {
    /// This installation wrote it.
    Made,
    /// Taken over from an older Keepsake's catalog in the folder, its file checked.
    Imported,
}

impl RecordOrigin {
    fn as_str(self) -> &'static str {
        match self {
            RecordOrigin::Made => "made",
            RecordOrigin::Imported => "imported",
        }
    }
}

/// A cached reading of one file of a store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileRecord {
    pub name: String,
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
    /// What the file said (JSON of `folder::FileInfo`).
    pub info: String,
}

/// The store's recorded backups, newest first (what `list` and `newest` read).
const NEWEST_FIRST: &str =
    "SELECT metadata FROM backups WHERE store = ?1 AND pending = 0 ORDER BY created_at DESC, id DESC";

/// The catalog of one store, in the installation's database.
#[derive(Debug)]
pub(crate) struct Catalog {
    conn: Connection,
    path: PathBuf,
    store: String,
    /// The decoded list of this store's backups, with the database's version it was read at
    /// (see [`Catalog::version`]): a folder of thousands is decoded once, not at every look.
    listed: std::cell::RefCell<Option<(Version, Vec<BackupMetadata>)>>,
}

/// A catalog database's version as one connection sees it (see [`Catalog::version`]).
type Version = (i64, u64);

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn enum_str<T: serde::Serialize>(v: &T) -> String {
    json(v).trim_matches('"').to_owned()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
}

const RUN_COLUMNS: &str = "id, operation, backup_type, backup_id, source_path, started_at, duration_ms, status, error_code, message, safety_backup_id";

/// A `runs` row selected with [`RUN_COLUMNS`].
fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let op: String = r.get(1)?;
    let bt: Option<String> = r.get(2)?;
    let started: String = r.get(5)?;
    let status: String = r.get(7)?;
    let code: Option<String> = r.get(8)?;
    Ok(RunRecord {
        id: r.get(0)?,
        operation: parse_enum(&op).unwrap_or(Operation::Backup),
        backup_type: bt.and_then(|s| s.parse::<BackupType>().ok()),
        backup_id: r.get(3)?,
        source_path: r.get::<_, Option<String>>(4)?.map(PathBuf::from),
        started_at: time(&started),
        duration_ms: r.get::<_, i64>(6)? as u64,
        status: parse_enum(&status).unwrap_or(RunStatus::Failed),
        error_code: code.and_then(|c| parse_enum(&c)),
        message: r.get(9)?,
        safety_backup_id: r.get(10)?,
    })
}

impl Catalog {
    /// Opens the installation's catalog at `path` for the store at `store` (a location).
    pub(crate) fn open(path: &Path, store: &str) -> Result<Catalog> {
        let err = |e| Error::internal_db(path, e);
        // Never through a link: the catalog is created by us, in a folder of ours.
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
            return Err(Error::new(
                ErrorCode::DestinationReadOnly,
                format!("{} is not a regular file; Keepsake will not use it as its catalog", path.display()),
            )
            .with_path(path));
        }
        let existed = path.exists();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        if !existed {
            restrict(path);
        }
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        for side in ["-wal", "-shm"] {
            restrict(&PathBuf::from(format!("{}{side}", path.display())));
        }
        conn.execute("INSERT OR IGNORE INTO stores (store) VALUES (?1)", [store]).map_err(err)?;
        Ok(Catalog { conn, path: path.to_path_buf(), store: store.to_owned(), listed: Default::default() })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::internal_db(&self.path, e)
    }

    /// Records a backup (or updates its record).
    pub(crate) fn record(&self, m: &BackupMetadata, origin: RecordOrigin) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO backups (store, id, created_at, origin, metadata) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(store, id) DO UPDATE SET created_at = excluded.created_at, metadata = excluded.metadata",
                params![self.store, m.id, m.created_at.to_rfc3339(), origin.as_str(), json(m)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a backup about to be committed (not listed until confirmed).
    pub(crate) fn record_pending(&self, m: &BackupMetadata) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO backups (store, id, created_at, origin, metadata, pending) VALUES (?1, ?2, ?3, 'made', ?4, 1)",
                params![self.store, m.id, m.created_at.to_rfc3339(), json(m)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The backup's file is committed: it is listed from now on.
    pub(crate) fn confirm(&self, id: &str) -> Result<()> {
        self.conn
            .execute("UPDATE backups SET pending = 0 WHERE store = ?1 AND id = ?2", [&self.store, id])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Backups recorded as about to be committed, whose writer never confirmed them.
    pub(crate) fn pending(&self) -> Result<Vec<BackupMetadata>> {
        let mut stmt = self
            .conn
            .prepare("SELECT metadata FROM backups WHERE store = ?1 AND pending = 1")
            .map_err(|e| self.err(e))?;
        let rows: Vec<String> = stmt
            .query_map([&self.store], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        rows.iter().map(|s| self.decode(s)).collect()
    }

    /// A recorded backup.
    pub(crate) fn get(&self, id: &str) -> Result<Option<BackupMetadata>> {
        let raw: Option<String> = self
            .conn
            .query_row(
                "SELECT metadata FROM backups WHERE store = ?1 AND id = ?2 AND pending = 0",
                [&self.store, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        raw.map(|s| self.decode(&s)).transpose()
    }

    fn decode(&self, s: &str) -> Result<BackupMetadata> {
        let mut m: BackupMetadata = serde_json::from_str(s).map_err(|e| {
            Error::new(ErrorCode::Io, format!("{}: unreadable catalog entry ({e})", self.path.display()))
                .with_path(&self.path)
        })?;
        m.soundness = crate::model::Soundness::of(m.source_integrity);
        Ok(m)
    }

    /// Recorded backups, newest first.
    pub(crate) fn list(&self) -> Result<Vec<BackupMetadata>> {
        let version = self.version()?;
        if let Some((at, list)) = &*self.listed.borrow()
            && *at == version
        {
            return Ok(list.clone());
        }
        let mut stmt = self.conn.prepare(NEWEST_FIRST).map_err(|e| self.err(e))?;
        let rows: Vec<String> = stmt
            .query_map([&self.store], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        let list: Vec<BackupMetadata> = rows.iter().map(|s| self.decode(s)).collect::<Result<_>>()?;
        *self.listed.borrow_mut() = Some((version, list.clone()));
        Ok(list)
    }

    /// The database's version as this connection sees it: `PRAGMA data_version` moves when
    /// another connection (another process of this installation) commits, the count of rows
    /// this connection changed when it writes itself. A cached read is good while both stand.
    fn version(&self) -> Result<Version> {
        let data_version: i64 =
            self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok((data_version, self.conn.total_changes()))
    }

    /// The newest recorded backup for which `wanted` holds, read newest first and no further
    /// than it: the newest backup of one database is among the last few records, not a reason
    /// to read (and decode) every record of a folder of thousands.
    pub(crate) fn newest(&self, wanted: impl Fn(&BackupMetadata) -> bool) -> Result<Option<BackupMetadata>> {
        let mut stmt = self.conn.prepare(NEWEST_FIRST).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([&self.store]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let text: String = row.get(0).map_err(|e| self.err(e))?;
            let meta = self.decode(&text)?;
            if wanted(&meta) {
                return Ok(Some(meta));
            }
        }
        Ok(None)
    }

    /// Forgets a recorded backup (and its pin).
    pub(crate) fn remove(&self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM backups WHERE store = ?1 AND id = ?2", [&self.store, id])
            .map_err(|e| self.err(e))?;
        self.unpin(id)
    }

    pub(crate) fn set_verification(
        &self,
        id: &str,
        status: VerificationStatus,
        at: DateTime<Utc>,
        integrity: Option<bool>,
    ) -> Result<()> {
        if let Some(mut m) = self.get(id)? {
            m.verification = status;
            m.verified_at = Some(at);
            if integrity.is_some() {
                m.source_integrity = integrity;
            }
            self.conn
                .execute(
                    "UPDATE backups SET metadata = ?3 WHERE store = ?1 AND id = ?2",
                    params![self.store, id, json(&m)],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The cached reading of file `name`.
    pub(crate) fn file(&self, name: &str) -> Result<Option<FileRecord>> {
        self.conn
            .query_row(
                "SELECT name, size, modified, info FROM files WHERE store = ?1 AND name = ?2",
                [&self.store, name],
                |r| {
                    Ok(FileRecord {
                        name: r.get(0)?,
                        size: r.get::<_, i64>(1)? as u64,
                        modified: r.get::<_, Option<String>>(2)?.map(|s| time(&s)),
                        info: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub(crate) fn put_file(&self, f: &FileRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO files (store, name, size, modified, info) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(store, name) DO UPDATE SET size = excluded.size, modified = excluded.modified,
                 info = excluded.info",
                params![self.store, f.name, f.size as i64, f.modified.map(|m| m.to_rfc3339()), f.info],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Keeps only the cached readings of `names` (files that are still there).
    pub(crate) fn retain_files(&self, names: &[String]) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let cached: Vec<String> = {
            let mut stmt = tx.prepare("SELECT name FROM files WHERE store = ?1").map_err(|e| self.err(e))?;
            stmt.query_map([&self.store], |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))?
        };
        for name in cached.iter().filter(|n| !names.contains(n)) {
            tx.execute("DELETE FROM files WHERE store = ?1 AND name = ?2", [&self.store, name])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Forgets every cached reading (a rebuild reads every file again).
    pub(crate) fn clear_files(&self) -> Result<()> {
        self.conn.execute("DELETE FROM files WHERE store = ?1", [&self.store]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Whether an older Keepsake's catalog in this store's folder was already looked at.
    pub(crate) fn legacy_checked(&self) -> Result<bool> {
        let v: i64 = self
            .conn
            .query_row("SELECT legacy_checked FROM stores WHERE store = ?1", [&self.store], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(v != 0)
    }

    pub(crate) fn set_legacy_checked(&self) -> Result<()> {
        self.conn
            .execute("UPDATE stores SET legacy_checked = 1 WHERE store = ?1", [&self.store])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Whether this store has anything recorded at all (backups or runs).
    pub(crate) fn is_new(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM backups WHERE store = ?1) + (SELECT count(*) FROM runs WHERE store = ?1)",
                [&self.store],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 0)
    }

    pub(crate) fn record_run(&self, r: &RunRecord) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO runs (store, operation, backup_type, backup_id, source_path, started_at, duration_ms,
                                   status, error_code, message, safety_backup_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    self.store,
                    r.operation.as_str(),
                    r.backup_type.map(|t| t.as_str()),
                    r.backup_id,
                    r.source_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
                    r.started_at.to_rfc3339(),
                    r.duration_ms as i64,
                    enum_str(&r.status),
                    r.error_code.map(|c| c.as_str()),
                    r.message,
                    r.safety_backup_id,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Runs, newest first.
    pub(crate) fn history(&self, limit: Option<usize>) -> Result<Vec<RunRecord>> {
        let limit = limit.map_or(-1, |l| l as i64);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE store = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.store, limit], run_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The newest (or, with `oldest`, the oldest) run of `operation` on the database at one of
    /// `source_paths`, of `backup_type` (any type when `None`), ending with one of `statuses`.
    /// Several paths because a database may have been recorded by a relative and an absolute
    /// path.
    pub(crate) fn find_run(
        &self,
        operation: Operation,
        source_paths: &[String],
        backup_type: Option<BackupType>,
        statuses: &[RunStatus],
        oldest: bool,
    ) -> Result<Option<RunRecord>> {
        if source_paths.is_empty() || statuses.is_empty() {
            return Ok(None);
        }
        let marks = |n: usize, from: usize| (from..from + n).map(|i| format!("?{i}")).collect::<Vec<_>>();
        let paths = marks(source_paths.len(), 4).join(", ");
        let states = marks(statuses.len(), 4 + source_paths.len()).join(", ");
        let order = if oldest { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs
             WHERE store = ?1 AND operation = ?2 AND (?3 IS NULL OR backup_type = ?3)
               AND source_path IN ({paths}) AND status IN ({states})
             ORDER BY started_at {order}, id {order} LIMIT 1"
        );
        let mut values: Vec<Option<String>> = vec![
            Some(self.store.clone()),
            Some(operation.as_str().to_owned()),
            backup_type.map(|t| t.as_str().to_owned()),
        ];
        values.extend(source_paths.iter().cloned().map(Some));
        values.extend(statuses.iter().map(|s| Some(enum_str(s))));
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(values), run_from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records an alert; returns its id.
    pub(crate) fn add_alert(&self, a: &Alert) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO alerts (store, kind, source_path, backup_id, previous_id, table_name, before, after,
                                     raised_at, pinned, dismissed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    self.store,
                    enum_str(&a.kind),
                    a.source_path.to_string_lossy(),
                    a.backup_id,
                    a.previous_id,
                    a.table,
                    a.before,
                    a.after,
                    a.raised_at.to_rfc3339(),
                    a.pinned,
                    a.dismissed_at.map(|d| d.to_rfc3339()),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Alerts, newest first: all of them, or those still standing.
    pub(crate) fn alerts(&self, with_dismissed: bool) -> Result<Vec<Alert>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, kind, source_path, backup_id, previous_id, table_name, before, after, raised_at,
                        pinned, dismissed_at
                 FROM alerts WHERE store = ?1 AND (?2 OR dismissed_at IS NULL)
                 ORDER BY raised_at DESC, id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.store, with_dismissed], |r| {
                let kind: String = r.get(1)?;
                Ok(Alert {
                    id: r.get(0)?,
                    kind: parse_enum(&kind).unwrap_or(AlertKind::SchemaChanged),
                    source_path: PathBuf::from(r.get::<_, String>(2)?),
                    backup_id: r.get(3)?,
                    previous_id: r.get(4)?,
                    table: r.get(5)?,
                    before: r.get(6)?,
                    after: r.get(7)?,
                    raised_at: time(&r.get::<_, String>(8)?),
                    pinned: r.get(9)?,
                    dismissed_at: r.get::<_, Option<String>>(10)?.map(|s| time(&s)),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Marks alert `id` dismissed; `false` when there is no such alert.
    pub(crate) fn dismiss_alert(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE alerts SET dismissed_at = coalesce(dismissed_at, ?3) WHERE store = ?1 AND id = ?2",
                params![self.store, id, at.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Pins backup `id` (a pin already there stays as it was).
    pub(crate) fn pin(&self, id: &str, at: DateTime<Utc>, alert: Option<i64>) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO pins (store, backup_id, pinned_at, alert) VALUES (?1, ?2, ?3, ?4)",
                params![self.store, id, at.to_rfc3339(), alert],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub(crate) fn unpin(&self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM pins WHERE store = ?1 AND backup_id = ?2", [&self.store, id])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every pin of this store, by backup id.
    pub(crate) fn pins(&self) -> Result<std::collections::HashMap<String, Pin>> {
        let mut stmt = self
            .conn
            .prepare("SELECT backup_id, pinned_at, alert FROM pins WHERE store = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([&self.store], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Pin { pinned_at: time(&r.get::<_, String>(1)?), alert: r.get(2)? },
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Records that backup `c.backup_id` is whole at `c.location` (replacing an older record).
    pub(crate) fn add_copy(&self, c: &CopyRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO copies (store, backup_id, destination, location, object, size, sha256, copied_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    self.store,
                    c.backup_id,
                    c.destination,
                    c.location,
                    c.object,
                    c.size as i64,
                    c.sha256,
                    c.copied_at.to_rfc3339()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Keeps what is known of a copied backup, for the retention of its copies once the
    /// backup itself is gone from the folder.
    pub(crate) fn keep_copied(&self, m: &BackupMetadata) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO copied_backups (store, backup_id, metadata) VALUES (?1, ?2, ?3)",
                params![self.store, m.id, json(m)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// What was kept of a copied backup by [`Catalog::keep_copied`].
    pub(crate) fn copied(&self, id: &str) -> Result<Option<BackupMetadata>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT metadata FROM copied_backups WHERE store = ?1 AND backup_id = ?2",
                [&self.store, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Records that every copy at `location` was read back at `at`, `bad` of them not whole.
    pub(crate) fn set_copy_check(&self, location: &str, at: DateTime<Utc>, bad: u32) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO copy_checks (store, location, checked_at, bad) VALUES (?1, ?2, ?3, ?4)",
                params![self.store, location, at.to_rfc3339(), bad],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// When the copies at `location` were last read back, and how many were not whole.
    pub(crate) fn copy_check(&self, location: &str) -> Result<Option<(DateTime<Utc>, u32)>> {
        self.conn
            .query_row(
                "SELECT checked_at, bad FROM copy_checks WHERE store = ?1 AND location = ?2",
                [&self.store, location],
                |r| Ok((time(&r.get::<_, String>(0)?), r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Forgets the copy of `backup_id` at `location` (it was deleted there, or found wrong).
    pub(crate) fn remove_copy(&self, backup_id: &str, location: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM copies WHERE store = ?1 AND backup_id = ?2 AND location = ?3",
                params![self.store, backup_id, location],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The object found under a backup's name at `location` that is somebody else's, as it
    /// was then (its size and modification time), so a copy pass does not read it again.
    pub(crate) fn taken_name(
        &self,
        location: &str,
        object: &str,
    ) -> Result<Option<(u64, Option<DateTime<Utc>>)>> {
        self.conn
            .query_row(
                "SELECT size, modified FROM taken_names WHERE store = ?1 AND location = ?2 AND object = ?3",
                [&self.store, location, object],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Option<String>>(1)?.map(|s| time(&s)))),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Remembers that `object` at `location` (of `size`, modified at `modified`) is not ours.
    pub(crate) fn set_taken_name(
        &self,
        location: &str,
        object: &str,
        size: u64,
        modified: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO taken_names (store, location, object, size, modified)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.store, location, object, size as i64, modified.map(|m| m.to_rfc3339())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Forgets a taken name at `location` (the object is gone, or turned out to be ours).
    pub(crate) fn clear_taken_name(&self, location: &str, object: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM taken_names WHERE store = ?1 AND location = ?2 AND object = ?3",
                params![self.store, location, object],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The copies recorded of this store's backups, oldest first.
    pub(crate) fn copies(&self) -> Result<Vec<CopyRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT backup_id, destination, location, object, size, sha256, copied_at FROM copies
                 WHERE store = ?1 ORDER BY copied_at, backup_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([&self.store], |r| {
                Ok(CopyRecord {
                    backup_id: r.get(0)?,
                    destination: r.get(1)?,
                    location: r.get(2)?,
                    object: r.get(3)?,
                    size: r.get::<_, i64>(4)? as u64,
                    sha256: r.get(5)?,
                    copied_at: time(&r.get::<_, String>(6)?),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Whether this installation made the backup `id` whose file is `object` of `size` bytes in
    /// this store, though it recorded it in another: a copy it sent here, or a backup of one of
    /// its folders (kept, or kept when copied) with that file name and size.
    pub(crate) fn made_elsewhere_here(&self, id: &str, object: &str, size: u64) -> Result<bool> {
        let sent: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM copies WHERE location = ?1 AND backup_id = ?2 AND object = ?3 AND size = ?4)",
                params![self.store, id, object, size as i64],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if sent {
            return Ok(true);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT metadata FROM backups WHERE store != ?1 AND id = ?2 AND pending = 0
                 UNION ALL SELECT metadata FROM copied_backups WHERE store != ?1 AND backup_id = ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<String> = stmt
            .query_map([&self.store, id], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .filter_map(|t| serde_json::from_str::<BackupMetadata>(t).ok())
            .any(|m| m.id == id && m.file_name == object && m.stored_size == size))
    }

    pub(crate) fn failed_runs(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM runs WHERE store = ?1 AND operation = 'backup' AND status = 'failed'",
                [&self.store],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n as u64)
    }
}

/// Owner-only permissions on a file of the catalog (best effort: SQLite creates them).
fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()) {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
