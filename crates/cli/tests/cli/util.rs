//! The test workspace: a temp folder, a way to run `keepsake` in it, and databases to back up.

use std::borrow::BorrowMut;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Work {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home/config")).expect("config dir");
        Work { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `keepsake` with nothing but a private HOME and config dir in its environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("keepsake").expect("binary");
        c.env_clear()
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("home/config"))
            .current_dir(self.dir.path());
        c
    }

    /// `keepsake ...` with `KEEPSAKE_SOURCES=sources.toml` and the clock in UTC.
    pub fn src(&self, args: &[&str]) -> Command {
        let mut c = self.cmd();
        c.env("KEEPSAKE_SOURCES", self.path("sources.toml")).env("TZ", "UTC").args(args);
        c
    }

    /// The sources file as bytes (empty when missing), to check that a refused edit changed nothing.
    pub fn sources_bytes(&self) -> Vec<u8> {
        std::fs::read(self.path("sources.toml")).unwrap_or_default()
    }

    /// `keepsake --db app.db --backup-dir backups ...`.
    pub fn ks(&self, args: &[&str]) -> Command {
        let mut c = self.cmd();
        c.arg("--db").arg(self.path("app.db")).arg("--backup-dir").arg(self.path("backups"));
        c.args(args);
        c
    }

    /// Same, for a configuration that does not encrypt (`BACKUP_ENCRYPTION_ENABLED=false`):
    /// restoring a plain backup needs no confirmation there.
    pub fn ks_plain(&self, args: &[&str]) -> Command {
        let mut c = self.ks(args);
        c.env("BACKUP_ENCRYPTION_ENABLED", "false");
        c
    }

    /// Holds the lock this installation takes on the folder `rel`, as a running keepsake would.
    pub fn hold_lock(&self, rel: &str) -> std::fs::File {
        use sha2::Digest;
        let dir = self.path(rel).canonicalize().expect("the backup folder exists");
        let key = hex::encode(&sha2::Sha256::digest(format!("file://{}", dir.display()).as_bytes())[..12]);
        let locks = self.path("home/.local/share/keepsake/locks");
        std::fs::create_dir_all(&locks).expect("locks dir");
        let f = std::fs::File::create(locks.join(format!("{key}.lock"))).expect("lock file");
        f.try_lock().expect("lock");
        f
    }

    /// Same, with the password in the environment.
    pub fn ks_pw(&self, args: &[&str]) -> Command {
        let mut c = self.ks(args);
        c.env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
        c
    }

    /// A WAL database at `app.db` with a few hundred rows.
    pub fn app_db(&self) -> PathBuf {
        let p = self.path("app.db");
        make_db(&p, "wal", 300);
        p
    }

    /// A source `astro` (`app.db`, made here, backed up unencrypted to `backups`), added with
    /// `keepsake source add` and `extra` flags.
    pub fn add_astro(&self, extra: &[&str]) {
        self.app_db();
        let mut args =
            vec!["source", "add", "astro", "--db", "app.db", "--backup-dir", "backups", "--no-encrypt"];
        args.extend_from_slice(extra);
        let out = run(self.src(&args));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }

    /// Creates a plain (unencrypted) backup and returns its id.
    pub fn plain_backup(&self) -> String {
        let out = run(self.ks(&["create", "--no-encrypt"]));
        assert_eq!(code(&out), 0, "create failed: {}", stderr(&out));
        stdout(&out).trim().to_owned()
    }

    /// The file of a backup, found in the backup folder.
    pub fn backup_file(&self, id: &str) -> PathBuf {
        for ext in [".db.gz", ".keepsake"] {
            let p = self.path("backups").join(format!("{id}{ext}"));
            if p.exists() {
                return p;
            }
        }
        panic!("no file for backup {id}");
    }
}

/// A database in `journal_mode` with tables `notes` (rows) and `tags`.
pub fn make_db(path: &Path, journal_mode: &str, rows: u32) {
    let c = Connection::open(path).expect("open");
    let _: String =
        c.query_row(&format!("PRAGMA journal_mode = {journal_mode}"), [], |r| r.get(0)).expect("mode");
    c.execute_batch(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, score REAL);
         CREATE TABLE tags (note_id INTEGER REFERENCES notes(id), tag TEXT);
         CREATE INDEX tags_by_note ON tags(note_id);
         PRAGMA user_version = 7;",
    )
    .expect("schema");
    insert_rows(&c, 0, rows);
}

/// A database of `mib` rows of about 1 MiB of random bytes each (which no compression makes
/// smaller): every backup of it takes as much room as the database.
pub fn incompressible_db(path: &Path, mib: u32) {
    let c = Connection::open(path).expect("db");
    c.execute_batch("CREATE TABLE IF NOT EXISTS blobs (b BLOB)").expect("table");
    for _ in 0..mib {
        c.execute("INSERT INTO blobs VALUES (randomblob(1048000))", []).expect("insert");
    }
}

pub fn insert_rows(c: &Connection, from: u32, n: u32) {
    for i in from..from + n {
        c.execute(
            "INSERT INTO notes (id, title, body, score) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                i,
                format!("note {i}"),
                "lorem ipsum ".repeat((i % 13) as usize),
                f64::from(i) / 7.0
            ],
        )
        .expect("insert");
        c.execute(
            "INSERT INTO tags (note_id, tag) VALUES (?1, ?2)",
            rusqlite::params![i, format!("t{}", i % 5)],
        )
        .expect("insert tag");
    }
}

/// Every row of every table, as text, for comparing two databases.
pub fn dump(path: &Path) -> Vec<String> {
    let c = Connection::open(path).expect("open");
    let mut out = vec![];
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version");
    out.push(format!("user_version={v}"));
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid")).expect("select");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                // Value's Debug names the type too: Integer(1) and Text("1") must not compare equal.
                let cells = (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(cells.join("|"))
            })
            .expect("rows");
        for row in rows {
            out.push(format!("{t}: {}", row.expect("row")));
        }
    }
    out
}

/// Runs a command, given by value or as `&mut` (after `.env(...)`).
pub fn run(mut cmd: impl BorrowMut<Command>) -> Output {
    cmd.borrow_mut().output().expect("run keepsake")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

/// The whole of stdout as one JSON document (fails if anything else was printed).
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", stdout(out)))
}

/// Runs and expects success; returns the JSON document.
pub fn ok_json(cmd: impl BorrowMut<Command>) -> Value {
    let out = run(cmd);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    json(&out)
}

/// Asserts an error: exit code, JSON error code (when --json) and the error/hint lines.
pub fn assert_error(out: &Output, exit: i32, err_code: &str) {
    assert_eq!(code(out), exit, "stdout: {}\nstderr: {}", stdout(out), stderr(out));
    let err = stderr(out);
    assert!(err.contains("error: "), "no error line: {err}");
    assert!(err.contains("hint: "), "no hint line: {err}");
    if !out.stdout.is_empty() {
        let doc = json(out);
        assert_eq!(doc["error"]["code"], err_code, "{doc}");
        assert!(doc["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(doc["error"]["hint"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

pub fn is_backup_id(s: &str) -> bool {
    let rest = s.strip_prefix("backup_").unwrap_or("");
    rest.len() >= 15 && rest.chars().all(|c| c.is_ascii_digit() || c == '_' || ('a'..='f').contains(&c))
}
