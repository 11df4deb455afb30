//! Helpers shared by the engine's integration tests: real SQLite files in temp dirs.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keepsake_engine::{BackupOptions, Engine, Installation, Job, StaticSecret};
use rusqlite::Connection;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub backups: PathBuf,
    /// This installation's private folder (its catalog, locks, scratch space).
    pub home: Installation,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let backups = dir.path().join("backups");
        let home = Installation::open(dir.path().join("home")).unwrap();
        Env { dir, db, backups, home }
    }

    pub fn engine(&self) -> Engine {
        self.engine_with(PASSWORD)
    }

    pub fn engine_with(&self, password: &str) -> Engine {
        Engine::open_folder(&self.home, &self.backups)
            .unwrap()
            .with_secrets(Arc::new(StaticSecret::new(password)))
    }

    /// Another installation (another computer) on the same backup folder.
    pub fn other_installation(&self, name: &str) -> Installation {
        Installation::open(self.dir.path().join(name)).unwrap()
    }
}

/// The file of a backup in a folder engine.
pub fn file_of(engine: &Engine, meta: &keepsake_engine::model::BackupMetadata) -> PathBuf {
    engine.backup_path(meta).unwrap()
}

pub fn opts(encrypt: bool, compress: bool) -> BackupOptions {
    BackupOptions { encrypt, compress, ..BackupOptions::default() }
}

pub fn job() -> Job {
    Job::default()
}

/// A database with the hard cases: BLOBs, FTS5, WITHOUT ROWID, an index, a view, a trigger.
pub fn make_db(path: &Path, wal: bool, page_size: u32, rows: usize) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(&format!("PRAGMA page_size = {page_size};")).unwrap();
    c.execute_batch(if wal { "PRAGMA journal_mode = WAL;" } else { "PRAGMA journal_mode = DELETE;" })
        .unwrap();
    c.execute_batch(
        "PRAGMA user_version = 42;
         CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born REAL, photo BLOB);
         CREATE INDEX users_name ON users(name);
         CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
         CREATE VIRTUAL TABLE notes USING fts5(title, body);
         CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), a INTEGER, b INTEGER);
         INSERT INTO counter VALUES (1, 0, 0);
         CREATE VIEW adults AS SELECT * FROM users WHERE born < 2000;
         CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN UPDATE kv SET v = coalesce(v, 0) + 1 WHERE k = 'inserted'; END;
         INSERT INTO kv VALUES ('inserted', 0);",
    )
    .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..rows {
        let photo: Vec<u8> = (0..(i % 7) * 900).map(|j| ((i * 31 + j * 17) % 251) as u8).collect();
        tx.execute(
            "INSERT INTO users (name, born, photo) VALUES (?1, ?2, ?3)",
            rusqlite::params![format!("user {i} ✨"), 1950.0 + (i % 70) as f64, photo],
        )
        .unwrap();
        tx.execute("INSERT INTO kv VALUES (?1, ?2)", rusqlite::params![format!("key{i:06}"), i as i64 * 3])
            .unwrap();
        tx.execute(
            "INSERT INTO notes VALUES (?1, ?2)",
            rusqlite::params![format!("note {i}"), format!("the moon in house {} trine venus {}", i % 12, i)],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// Everything that must survive a round trip: schema, user_version, every row of every table.
pub fn dump(path: &Path) -> Vec<String> {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut out = vec![format!(
        "user_version={}",
        c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap()
    )];
    let mut tables = Vec::new();
    let mut stmt =
        c.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name").unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let (t, n, s): (String, String, String) = (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap());
        out.push(format!("{t} {n} {s}"));
        if t == "table" {
            tables.push(n);
        }
    }
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let vals: Vec<String> = (0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect();
            out.push(format!("{t}: {}", vals.join("|")));
        }
    }
    out
}

pub fn integrity_ok(path: &Path) -> bool {
    let c = Connection::open(path).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).map(|s| s == "ok").unwrap_or(false)
}

/// Files in the backup folder that look like backups or partial backups.
pub fn backup_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("backup_") || n.ends_with(".partial"))
        .collect();
    v.sort();
    v
}

/// Restore options for a source set up like the backup was made (encrypting when it is
/// encrypted), so no confirmation is needed for a backup of this installation.
pub fn like(meta: &keepsake_engine::model::BackupMetadata) -> keepsake_engine::RestoreOptions {
    keepsake_engine::RestoreOptions { source_encrypts: meta.encrypted, ..Default::default() }
}
