//! What the remote tests share: a database with rows in it, an engine over a backup folder with
//! a password, and encrypted backups.

#![allow(clippy::unwrap_used, dead_code)]

use std::path::Path;
use std::sync::Arc;

use keepsake_engine::{BackupOptions, Engine, Installation, StaticSecret};

pub const PASSWORD: &str = "correct horse battery staple";

/// Adds `rows` notes to the database at `path` (made in WAL mode when new).
pub fn make_db(path: &Path, rows: usize) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT);",
    )
    .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..rows {
        tx.execute("INSERT INTO notes (body) VALUES (?1)", [format!("note {i} {}", "x".repeat(i % 300))])
            .unwrap();
    }
    tx.commit().unwrap();
}

/// How many notes the database at `path` holds.
pub fn rows(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap()
}

/// An engine with its catalog in `home`, backing up into `folder` with [`PASSWORD`].
pub fn engine(home: &Path, folder: &Path) -> Engine {
    let home = Installation::open(home).unwrap();
    Engine::open_folder(&home, folder)
        .unwrap()
        .with_secrets(Arc::new(StaticSecret::new(PASSWORD)))
        .with_kdf_iterations(600_000)
}

/// Encrypted backups.
pub fn opts() -> BackupOptions {
    BackupOptions { encrypt: true, ..BackupOptions::default() }
}
