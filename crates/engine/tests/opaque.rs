//! Files an app encrypts itself (SQLCipher, as Signal keeps its messages), kept as bytes: a
//! real SQLCipher database in WAL mode, held open by a real `sqlcipher` process that keeps its
//! latest rows in the WAL, is backed up whole (the file and its `-wal`, checked unchanged while
//! copied), verified as far as it can be, refused for a restore while the process has it open,
//! and put back once it is closed, so that SQLCipher opens it with its key and finds the rows of
//! the backup's moment. Nothing inside it can be browsed or previewed, and damage is found.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::model::{BackupOptions, CheckStatus, RunStatus};
use keepsake_engine::sources::Source;
use keepsake_engine::{ErrorCode, RestoreOptions};

const KEY: &str = "PRAGMA key = 'correct horse battery staple';";

/// Signal's stand-in: a real `sqlcipher` shell with the database open in WAL mode, reading
/// statements from its standard input for as long as the test keeps it.
struct Cipher {
    child: Child,
    input: ChildStdin,
}

impl Cipher {
    fn open(db: &Path) -> Cipher {
        let mut child = Command::new("sqlcipher")
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("sqlcipher is installed by scripts/setup.sh");
        let mut input = child.stdin.take().unwrap();
        writeln!(input, "{KEY}\nPRAGMA journal_mode=WAL;\nCREATE TABLE IF NOT EXISTS m(t);").unwrap();
        Cipher { child, input }
    }

    /// Adds a message and waits until its frame is in the WAL.
    fn say(&mut self, db: &Path, text: &str) {
        let wal = wal_of(db);
        let before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        writeln!(self.input, "INSERT INTO m VALUES ('{text}');").unwrap();
        self.input.flush().unwrap();
        let t0 = Instant::now();
        while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) <= before {
            assert!(t0.elapsed() < Duration::from_secs(20), "sqlcipher wrote nothing");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn quit(mut self) {
        writeln!(self.input, ".quit").unwrap();
        drop(self.input);
        self.child.wait().unwrap();
    }
}

fn wal_of(db: &Path) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}-wal", db.display()))
}

/// The messages SQLCipher reads from `db` with the key.
fn messages(db: &Path) -> Vec<String> {
    let mut child = Command::new("sqlcipher")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(
        child.stdin.as_mut().unwrap(),
        "{KEY}\nSELECT t FROM m ORDER BY rowid;\nPRAGMA integrity_check;"
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

fn signal(env: &Env) -> Source {
    let mut s = Source::new("Signal", env.dir.path().join("db.sqlite"), &env.backups);
    s.app = Some("signal".into());
    s.opaque = vec![s.database.clone()];
    s
}

#[test]
fn a_sqlcipher_database_held_open_is_kept_whole_and_put_back_once_its_app_is_closed() {
    let env = Env::new();
    let src = signal(&env);
    let db = src.database.clone();
    let mut app = Cipher::open(&db);
    app.say(&db, "hello");
    assert!(std::fs::metadata(wal_of(&db)).unwrap().len() > 0, "the newest rows are in the WAL");
    // SQLite cannot read it: it is not a database to anyone without the key.
    assert!(!std::fs::read(&db).unwrap().starts_with(b"SQLite format 3\0"));

    let run = env.engine().run_scheduled(&src, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Success, "{run:#?}");
    let kept = run.backup.clone().unwrap();
    let parts = kept.opaque.clone().expect("kept as bytes");
    assert_eq!(parts.iter().map(|p| p.suffix.as_str()).collect::<Vec<_>>(), ["", "-wal"]);
    assert_eq!(parts[1].length, std::fs::metadata(wal_of(&db)).unwrap().len());
    assert!(kept.encrypted, "Keepsake's own encryption still applies");
    let report = run.verify.as_ref().unwrap();
    assert!(report.ok, "{report:#?}");
    let integrity = report.checks.iter().find(|c| c.name == "integrity").unwrap();
    assert_eq!(integrity.status, CheckStatus::Skipped);
    assert!(integrity.message.contains("cannot check inside"), "{}", integrity.message);

    // Nothing inside can be looked at.
    let e = env.engine().open_backup(&kept.id, &job()).unwrap_err();
    assert_eq!(e.facts().reason, Some(Reason::Opaque));
    assert!(env.engine().compare_with(&kept.id, &db).unwrap().is_empty());

    // While the app has it open (not in exclusive mode: any open counts), nothing is done.
    app.say(&db, "later");
    let before = env.engine().list(None).unwrap().len();
    let e = env.engine().restore_app(&kept.id, &src, &like(&kept), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TargetBusy);
    assert_eq!(e.facts().reason, Some(Reason::HeldByApp));
    assert!(e.message().starts_with("close Signal Desktop first"), "{}", e.message());
    assert_eq!(env.engine().list(None).unwrap().len(), before, "no safety backup was taken");

    // Closed: the file as it was at the backup, SQLCipher's own check included.
    app.quit();
    assert_eq!(messages(&db), ["hello", "later", "ok"]);
    let done = env.engine().restore_app(&kept.id, &src, &like(&kept), &job()).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(messages(&db), ["hello", "ok"]);
    // The safety backup holds the state just before, kept as bytes too, and restores.
    let safety = done[0].safety_backup_id.clone().unwrap();
    let safety_meta = env.engine().get(&safety).unwrap();
    assert!(safety_meta.opaque.is_some());
    env.engine().restore(&safety, &db, &like(&safety_meta), &job()).unwrap();
    assert_eq!(messages(&db), ["hello", "later", "ok"]);
}

#[test]
fn a_damaged_or_lying_backup_of_a_kept_file_is_found_and_changes_nothing() {
    let env = Env::new();
    let db = env.dir.path().join("db.sqlite");
    let mut app = Cipher::open(&db);
    app.say(&db, "hello");
    app.quit();
    let opaque = BackupOptions { opaque: true, ..opts(false, false) };
    let meta = env.engine().backup(&db, &opaque, &job()).unwrap();
    assert_eq!(meta.opaque.as_ref().unwrap().len(), 1, "closed: no WAL left");
    assert!(env.engine().verify(&meta.id, &job()).unwrap().ok);
    let original = std::fs::read(&db).unwrap();

    // One byte of the stored file changed: found, and the file there is left alone.
    let file = file_of(&env.engine(), &meta);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let report = env.engine().verify(&meta.id, &job()).unwrap();
    assert!(!report.ok);
    assert!(env.engine().restore(&meta.id, &db, &RestoreOptions::default(), &job()).is_err());
    assert_eq!(std::fs::read(&db).unwrap(), original);
}

#[test]
fn a_file_that_is_not_there_or_not_a_file_is_a_clear_error() {
    let env = Env::new();
    let opaque = BackupOptions { opaque: true, ..opts(false, true) };
    let e = env.engine().backup(&env.dir.path().join("nothing"), &opaque, &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceNotFound);
    let e = env.engine().backup(env.dir.path(), &opaque, &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotADatabase);
    assert!(env.engine().list(None).unwrap().is_empty());
}

/// `docs/FORMAT.md` is enough to read a backup kept as bytes: the reference reader gives back the
/// file and its `-wal`, byte for byte.
#[test]
fn the_reference_reader_gives_back_the_file_and_its_wal() {
    let has_crypto =
        Command::new("python3").args(["-c", "import cryptography"]).status().is_ok_and(|s| s.success());
    assert!(has_crypto, "python3-cryptography is installed by scripts/setup.sh");
    let env = Env::new();
    let db = env.dir.path().join("db.sqlite");
    let mut app = Cipher::open(&db);
    app.say(&db, "hello");
    let meta = env.engine().backup(&db, &BackupOptions { opaque: true, ..opts(true, true) }, &job()).unwrap();
    let (file, wal) = (std::fs::read(&db).unwrap(), std::fs::read(wal_of(&db)).unwrap());
    app.quit();
    let out = env.dir.path().join("out.sqlite");
    let st = Command::new("python3")
        .arg(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/keepsake_decrypt.py"))
        .arg(file_of(&env.engine(), &meta))
        .arg(&out)
        .env("KEEPSAKE_PASSWORD", PASSWORD)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(std::fs::read(&out).unwrap(), file);
    assert_eq!(std::fs::read(wal_of(&out)).unwrap(), wal);
    assert_eq!(messages(&out), ["hello", "ok"]);

    // `keepsake decrypt` gives back the same two files.
    let plain = env.dir.path().join("plain.sqlite");
    env.engine().decrypt_to(&meta.id, &plain, &job()).unwrap();
    assert_eq!(std::fs::read(&plain).unwrap(), file);
    assert_eq!(std::fs::read(wal_of(&plain)).unwrap(), wal);
}

/// A restore to a new file never replaces a file beside it, and tables cannot be taken out.
#[test]
fn a_new_file_restore_never_replaces_a_wal_beside_it_and_takes_no_tables() {
    let env = Env::new();
    let db = env.dir.path().join("db.sqlite");
    let mut app = Cipher::open(&db);
    app.say(&db, "hello");
    let meta =
        env.engine().backup(&db, &BackupOptions { opaque: true, ..opts(false, true) }, &job()).unwrap();
    app.quit();
    assert_eq!(meta.opaque.as_ref().unwrap().len(), 2, "taken with its WAL");

    let e = env
        .engine()
        .restore(&meta.id, &db, &RestoreOptions { tables: vec!["m".into()], ..like(&meta) }, &job())
        .unwrap_err();
    assert_eq!(e.facts().reason, Some(Reason::Opaque));

    let out = env.dir.path().join("copy.sqlite");
    std::fs::write(wal_of(&out), b"someone else's").unwrap();
    let new_file = RestoreOptions { new_file: true, safety_backup: false, ..like(&meta) };
    assert!(env.engine().restore(&meta.id, &out, &new_file, &job()).is_err());
    assert_eq!(std::fs::read(wal_of(&out)).unwrap(), b"someone else's");
    assert!(!out.exists(), "nothing written");
    std::fs::remove_file(wal_of(&out)).unwrap();
    env.engine().restore(&meta.id, &out, &new_file, &job()).unwrap();
    assert_eq!(messages(&out), ["hello", "ok"]);
}
