//! The catalog: a SQLite database beside the backups that lists them and keeps the history of
//! every run. It is a cache of what the backup files say about themselves plus the run history:
//! when it is lost, [`crate::Engine::rebuild_catalog`] makes it again from the files.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupMetadata, BackupType, Operation, RunRecord, RunStatus, VerificationStatus};

pub(crate) const FILE_NAME: &str = "keepsake-catalog.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS backups (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS backups_created ON backups(created_at);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    backup_type TEXT,
    backup_id TEXT,
    source_path TEXT,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    message TEXT
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
PRAGMA user_version = 1;
";

#[derive(Debug)]
pub(crate) struct Catalog {
    conn: Connection,
    path: PathBuf,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn enum_str<T: serde::Serialize>(v: &T) -> String {
    json(v).trim_matches('"').to_owned()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

const RUN_COLUMNS: &str = "id, operation, backup_type, backup_id, source_path, started_at, duration_ms, status, error_code, message";

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
        started_at: DateTime::parse_from_rfc3339(&started).map(|d| d.with_timezone(&Utc)).unwrap_or_default(),
        duration_ms: r.get::<_, i64>(6)? as u64,
        status: parse_enum(&status).unwrap_or(RunStatus::Failed),
        error_code: code.and_then(|c| parse_enum(&c)),
        message: r.get(9)?,
    })
}

impl Catalog {
    pub(crate) fn open(dir: &Path) -> Result<Catalog> {
        let path = dir.join(FILE_NAME);
        let err = |e| Error::internal_db(&path, e);
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Catalog { conn, path })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::internal_db(&self.path, e)
    }

    pub(crate) fn upsert(&self, m: &BackupMetadata) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO backups (id, created_at, metadata) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET created_at = excluded.created_at, metadata = excluded.metadata",
                params![m.id, m.created_at.to_rfc3339(), json(m)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub(crate) fn get(&self, id: &str) -> Result<Option<BackupMetadata>> {
        let raw: Option<String> = self
            .conn
            .query_row("SELECT metadata FROM backups WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        raw.map(|s| self.decode(&s)).transpose()
    }

    fn decode(&self, s: &str) -> Result<BackupMetadata> {
        serde_json::from_str(s).map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!(
                    "{}: unreadable catalog entry ({e}); run `keepsake catalog rebuild`",
                    self.path.display()
                ),
            )
        })
    }

    /// Backups, newest first.
    pub(crate) fn list(&self, limit: Option<usize>) -> Result<Vec<BackupMetadata>> {
        let limit = limit.map_or(-1, |l| l as i64);
        let mut stmt = self
            .conn
            .prepare("SELECT metadata FROM backups ORDER BY created_at DESC, id DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows: Vec<String> = stmt
            .query_map([limit], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        rows.iter().map(|s| self.decode(s)).collect()
    }

    pub(crate) fn ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM backups").map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    pub(crate) fn remove(&self, id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM backups WHERE id = ?1", [id]).map_err(|e| self.err(e))?;
        Ok(())
    }

    pub(crate) fn clear_backups(&self) -> Result<()> {
        self.conn.execute("DELETE FROM backups", []).map_err(|e| self.err(e))?;
        Ok(())
    }

    pub(crate) fn set_verification(
        &self,
        id: &str,
        status: VerificationStatus,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(mut m) = self.get(id)? {
            m.verification = status;
            m.verified_at = Some(at);
            self.upsert(&m)?;
        }
        Ok(())
    }

    pub(crate) fn record_run(&self, r: &RunRecord) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO runs (operation, backup_type, backup_id, source_path, started_at, duration_ms, status, error_code, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    r.operation.as_str(),
                    r.backup_type.map(|t| t.as_str()),
                    r.backup_id,
                    r.source_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
                    r.started_at.to_rfc3339(),
                    r.duration_ms as i64,
                    enum_str(&r.status),
                    r.error_code.map(|c| c.as_str()),
                    r.message,
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
            .prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at DESC, id DESC LIMIT ?1"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit], run_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The newest (or, with `oldest`, the oldest) backup run of the database at one of
    /// `source_paths`, of `backup_type` (any type when `None`), ending with one of `statuses`.
    /// Several paths because a database may have been recorded by a relative and an absolute
    /// path; one backup folder per source keeps other databases' runs out of the answer anyway.
    pub(crate) fn backup_run(
        &self,
        source_paths: &[String],
        backup_type: Option<BackupType>,
        statuses: &[RunStatus],
        oldest: bool,
    ) -> Result<Option<RunRecord>> {
        if source_paths.is_empty() || statuses.is_empty() {
            return Ok(None);
        }
        let marks = |n: usize, from: usize| (from..from + n).map(|i| format!("?{i}")).collect::<Vec<_>>();
        let paths = marks(source_paths.len(), 2).join(", ");
        let states = marks(statuses.len(), 2 + source_paths.len()).join(", ");
        let order = if oldest { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs
             WHERE operation = 'backup' AND (?1 IS NULL OR backup_type = ?1)
               AND source_path IN ({paths}) AND status IN ({states})
             ORDER BY started_at {order}, id {order} LIMIT 1"
        );
        let mut values: Vec<Option<String>> = vec![backup_type.map(|t| t.as_str().to_owned())];
        values.extend(source_paths.iter().cloned().map(Some));
        values.extend(statuses.iter().map(|s| Some(enum_str(s))));
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(values), run_from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    pub(crate) fn failed_runs(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM runs WHERE operation = 'backup' AND status = 'failed'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n as u64)
    }
}
