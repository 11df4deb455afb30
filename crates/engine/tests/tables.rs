//! Inside a backup on real databases: browsing its tables and rows, and taking back one table
//! (exactly its rows, every other table as it was, undo like a full restore, foreign keys),
//! from the backup decoded again or from the view the window has open.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::seams::{CancelToken, Job, Phase, Progress};
use keepsake_engine::{BackupType, ErrorCode, Operation, RestoreOptions, RunStatus, VerificationStatus};
use rusqlite::Connection;

fn shop(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id), total REAL);
         CREATE TABLE notes (body TEXT, photo BLOB);
         CREATE VIRTUAL TABLE notes_fts USING fts5(body);
         CREATE TABLE settings (k TEXT PRIMARY KEY, v) WITHOUT ROWID;",
    )
    .unwrap();
    for i in 1..=20 {
        c.execute(
            "INSERT INTO customers (id, name) VALUES (?1, ?2)",
            rusqlite::params![i, format!("customer {i}")],
        )
        .unwrap();
        c.execute(
            "INSERT INTO invoices (customer, total) VALUES (?1, ?2)",
            rusqlite::params![i, i as f64 * 9.5],
        )
        .unwrap();
        c.execute(
            "INSERT INTO notes (body, photo) VALUES (?1, ?2)",
            rusqlite::params![format!("note {i} about the moon"), vec![7u8; i * 10]],
        )
        .unwrap();
        c.execute("INSERT INTO notes_fts (body) VALUES (?1)", [format!("note {i}")]).unwrap();
    }
    c.execute("INSERT INTO settings VALUES ('theme', 'dark')", []).unwrap();
}

fn rows(path: &Path, sql: &str) -> Vec<String> {
    let c = Connection::open(path).unwrap();
    let mut stmt = c.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn only(tables: &[&str]) -> RestoreOptions {
    RestoreOptions {
        source_encrypts: false,
        tables: tables.iter().map(|t| (*t).to_owned()).collect(),
        ..RestoreOptions::default()
    }
}

#[test]
fn one_table_comes_back_exactly_and_every_other_table_stays_as_it_is_and_undo_returns() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let notes_then = rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid");

    // After the backup: half the notes deleted, one changed, a customer added.
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch(
        "DELETE FROM notes WHERE rowid % 2 = 0; UPDATE notes SET body = 'edited' WHERE rowid = 1;
         INSERT INTO customers (name) VALUES ('late customer'); UPDATE settings SET v = 'light';",
    )
    .unwrap();
    drop(c);
    let before: Vec<Vec<String>> = ["customers", "invoices", "settings", "notes"]
        .iter()
        .map(|t| rows(&env.db, &format!("SELECT * FROM {t} ORDER BY 1")))
        .collect();

    let out = e.restore(&backup.id, &env.db, &only(&["notes"]), &job()).unwrap();
    assert_eq!(out.tables.len(), 1);
    assert_eq!((out.tables[0].rows_before, out.tables[0].rows_after), (Some(10), 20));
    assert!(out.safety_backup_id.is_some());
    assert_eq!(rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid"), notes_then, "exactly its rows");
    for (i, t) in ["customers", "invoices", "settings"].iter().enumerate() {
        assert_eq!(rows(&env.db, &format!("SELECT * FROM {t} ORDER BY 1")), before[i], "{t} as it was");
    }
    assert!(integrity_ok(&env.db));

    // Undo puts back the database from before (the notes deleted again).
    e.undo_restore(&env.db, false, &job()).unwrap();
    assert_eq!(rows(&env.db, "SELECT * FROM notes ORDER BY 1"), before[3]);
}

/// Every progress update, with how many folders the installation's scratch space held then.
struct Watch {
    scratch: PathBuf,
    seen: Mutex<Vec<(Phase, usize)>>,
}

impl Progress for Watch {
    fn update(&self, phase: Phase, _: u64, _: u64) {
        let folders = std::fs::read_dir(&self.scratch).map(|d| d.count()).unwrap_or(0);
        self.seen.lock().unwrap().push((phase, folders));
    }
}

#[test]
fn a_table_is_taken_back_from_the_open_view_checked_and_recorded_without_a_second_decode() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine_with("pw");
    let backup = e.backup(&env.db, &opts(true, true), &job()).unwrap();
    let notes_then = rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid");
    Connection::open(&env.db)
        .unwrap()
        .execute_batch(
            "DELETE FROM notes WHERE rowid % 2 = 0; UPDATE customers SET name = 'renamed' WHERE id = 3;",
        )
        .unwrap();
    let customers_now = rows(&env.db, "SELECT * FROM customers ORDER BY 1");
    let view = e.open_backup(&backup.id, &job()).unwrap();
    assert_eq!(e.get(&backup.id).unwrap().verification, VerificationStatus::Unverified);

    let watch = Arc::new(Watch { scratch: env.home.dir().join("scratch"), seen: Mutex::default() });
    let taking = Job::new(Arc::clone(&watch) as Arc<dyn Progress>, CancelToken::new());
    let opts = RestoreOptions { tables: vec!["notes".to_owned()], ..RestoreOptions::default() };
    let out = e.take_back(&view, &env.db, &opts, &taking).unwrap();

    assert_eq!(rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid"), notes_then, "exactly its rows");
    assert_eq!(rows(&env.db, "SELECT * FROM customers ORDER BY 1"), customers_now, "the others as they were");
    assert_eq!((out.tables[0].rows_before, out.tables[0].rows_after), (Some(10), 20));
    assert!(out.verified);
    assert!(integrity_ok(&env.db));

    // A safety backup of the whole database first (encrypted, as the source is).
    let safety = e.get(out.safety_backup_id.as_deref().unwrap()).unwrap();
    assert_eq!((safety.backup_type, safety.encrypted), (BackupType::Safety, true));
    // Recorded as a restore of this backup, with its safety backup.
    let restores: Vec<_> =
        e.history(None).unwrap().into_iter().filter(|r| r.operation == Operation::Restore).collect();
    assert_eq!(restores.len(), 1);
    assert_eq!(restores[0].status, RunStatus::Success);
    assert_eq!(restores[0].backup_id.as_deref(), Some(backup.id.as_str()));
    assert_eq!(restores[0].safety_backup_id, out.safety_backup_id);

    // Checked by SQLite's integrity check on the view's copy, which makes a verification; the
    // backup was not decoded again: no decoding phase, no second copy in the scratch space.
    let seen = watch.seen.lock().unwrap().clone();
    let phases: Vec<Phase> = seen.iter().map(|(p, _)| *p).collect();
    assert!(phases.contains(&Phase::IntegrityCheck), "{phases:?}");
    assert!(phases.contains(&Phase::SafetyBackup), "{phases:?}");
    assert!(!phases.iter().any(|p| matches!(p, Phase::Verify | Phase::Restore)), "{phases:?}");
    assert!(seen.iter().all(|(_, folders)| *folders == 1), "the view's copy alone: {seen:?}");
    assert_eq!(e.get(&backup.id).unwrap().verification, VerificationStatus::Passed);

    // The view stays open, and undo puts back the database from before.
    assert_eq!(view.rows("notes", 0, 1, None).unwrap().total, 20);
    e.undo_restore(&env.db, true, &job()).unwrap();
    assert_eq!(rows(&env.db, "SELECT count(*) FROM notes"), vec!["Integer(10)".to_owned()]);
}

#[test]
fn taking_back_from_a_view_asks_what_a_table_restore_asks() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db)
        .unwrap()
        .execute_batch("DELETE FROM invoices WHERE customer > 10; DELETE FROM customers WHERE id > 10;")
        .unwrap();
    let view = e.open_backup(&backup.id, &job()).unwrap();
    let refused = |o: &RestoreOptions| {
        let err = e.take_back(&view, &env.db, o, &job()).unwrap_err();
        (err.code(), err.facts().reason.map(|r| r.as_str().to_owned()))
    };
    let encrypting = RestoreOptions { tables: vec!["customers".to_owned()], ..RestoreOptions::default() };
    assert_eq!(refused(&encrypting), (ErrorCode::ConfirmationRequired, Some("unencrypted".to_owned())));
    assert_eq!(
        refused(&only(&["invoices"])),
        (ErrorCode::ConfirmationRequired, Some("broken_references".to_owned()))
    );
    assert_eq!(refused(&only(&["nope"])).1.as_deref(), Some("no_such_table"));
    assert_eq!(refused(&only(&[])).0, ErrorCode::InvalidInput);
    let elsewhere = env.dir.path().join("missing.db");
    assert_eq!(
        e.take_back(&view, &elsewhere, &only(&["notes"]), &job()).unwrap_err().code(),
        ErrorCode::SourceNotFound
    );
    let confirmed = RestoreOptions { allow_broken_references: true, ..only(&["invoices"]) };
    assert_eq!(e.take_back(&view, &env.db, &confirmed, &job()).unwrap().tables[0].rows_after, 20);

    // The copy open is damaged behind the view's back: the integrity check stops the take-back
    // before anything changes, as a failed verification, and records it so.
    let decoded = std::fs::read_dir(env.home.dir().join("scratch")).unwrap().next().unwrap().unwrap().path();
    Connection::open(decoded.join("backup.db"))
        .unwrap()
        .execute_batch("UPDATE notes_fts_content SET c0 = 'something else entirely' WHERE id = 3;")
        .unwrap();
    let notes_now = rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid");
    assert_eq!(refused(&only(&["notes"])).0, ErrorCode::IntegrityFailed);
    assert_eq!(rows(&env.db, "SELECT rowid, * FROM notes ORDER BY rowid"), notes_now, "untouched");
    assert_eq!(e.get(&backup.id).unwrap().verification, VerificationStatus::Failed);
    let unchecked = RestoreOptions { verify_first: false, ..only(&["notes"]) };
    assert!(e.take_back(&view, &env.db, &unchecked, &job()).is_ok(), "without the check, as asked");
}

#[test]
fn rows_left_pointing_at_nothing_need_a_confirmation_and_change_nothing() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db)
        .unwrap()
        .execute_batch("DELETE FROM invoices WHERE customer > 10; DELETE FROM customers WHERE id > 10;")
        .unwrap();
    let invoices_now = rows(&env.db, "SELECT * FROM invoices");

    // Invoices back without their customers: they would point at nothing.
    let err = e.restore(&backup.id, &env.db, &only(&["invoices"]), &job()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ConfirmationRequired);
    assert_eq!(err.facts().reason, Some(Reason::BrokenReferences));
    assert_eq!(err.facts().tables, vec!["invoices".to_owned()]);
    assert_eq!(rows(&env.db, "SELECT * FROM invoices"), invoices_now, "rolled back");

    // Customers back alone: the invoices refer to them, and nothing breaks.
    let out = e.restore(&backup.id, &env.db, &only(&["customers"]), &job()).unwrap();
    assert_eq!(out.referenced_by, vec!["invoices".to_owned()]);
    // Both together, or confirmed.
    let both = e.restore(&backup.id, &env.db, &only(&["invoices", "customers"]), &job()).unwrap();
    assert_eq!(both.tables.len(), 2);
    assert_eq!(rows(&env.db, "SELECT count(*) FROM invoices"), vec!["Integer(20)".to_owned()]);
    let confirmed = RestoreOptions { allow_broken_references: true, ..only(&["invoices"]) };
    e.restore(&backup.id, &env.db, &confirmed, &job()).unwrap();
}

#[test]
fn a_missing_internal_or_reshaped_table_is_refused_with_its_reason() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let reason = |t: &str| {
        e.restore(&backup.id, &env.db, &only(&[t]), &job()).unwrap_err().facts().reason.unwrap().as_str()
    };
    assert_eq!(reason("nope"), "no_such_table");
    assert_eq!(reason("notes_fts_data"), "internal_table");
    Connection::open(&env.db).unwrap().execute_batch("ALTER TABLE notes ADD COLUMN mood TEXT").unwrap();
    assert_eq!(reason("notes"), "columns_changed");
    // A table dropped since comes back with its rows.
    Connection::open(&env.db).unwrap().execute_batch("DROP TABLE settings").unwrap();
    let out = e.restore(&backup.id, &env.db, &only(&["settings"]), &job()).unwrap();
    assert_eq!(out.tables[0].rows_before, None);
    let theme: String = Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT v FROM settings WHERE k = 'theme'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(theme, "dark");
}

#[test]
fn a_backup_can_be_browsed_table_by_table_page_by_page_and_searched() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine_with("pw");
    let backup = e.backup(&env.db, &opts(true, true), &job()).unwrap();
    let view = e.open_backup(&backup.id, &job()).unwrap();
    let tables = view.tables().unwrap();
    let names: Vec<(&str, bool)> = tables.iter().map(|t| (t.table.as_str(), t.internal)).collect();
    let people: Vec<&str> = names.iter().filter(|(_, i)| !i).map(|(n, _)| *n).collect();
    assert_eq!(people, vec!["customers", "invoices", "notes", "settings"], "people's tables first");
    assert!(names.iter().any(|(n, i)| *n == "notes_fts_data" && *i));
    let customers = tables.iter().find(|t| t.table == "customers").unwrap();
    assert_eq!((customers.rows, customers.columns.clone()), (Some(20), vec!["id".into(), "name".into()]));

    let page = view.rows("customers", 5, 5, None).unwrap();
    assert_eq!(page.total, 20);
    assert_eq!(page.rows.len(), 5);
    assert_eq!(page.rows[0], vec![Some("6".to_owned()), Some("customer 6".to_owned())]);
    let found = view.rows("customers", 0, 50, Some("customer 1")).unwrap();
    assert_eq!(found.total, 11, "1 and 10-19");
    let notes = view.rows("notes", 0, 1, Some("50%_")).unwrap();
    assert_eq!(notes.total, 0, "LIKE wildcards in a search are taken literally");
    let blob = view.rows("notes", 0, 1, None).unwrap();
    assert_eq!(blob.rows[0][1].as_deref(), Some("[10 bytes]"));
    assert_eq!(view.rows("nope", 0, 1, None).unwrap_err().facts().reason, Some(Reason::NoSuchTable));

    // The decoded copy is private and goes with the view.
    let scratch = env.home.dir().join("scratch");
    let count = || std::fs::read_dir(&scratch).unwrap().count();
    assert_eq!(count(), 1);
    drop(view);
    assert_eq!(count(), 0);
}

#[test]
fn two_backups_compare_row_by_row() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let older = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db)
        .unwrap()
        .execute_batch(
            "DELETE FROM invoices WHERE id <= 5; INSERT INTO notes (body) VALUES ('new');
             UPDATE customers SET name = 'renamed' WHERE id = 3;",
        )
        .unwrap();
    let newer = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let changes = e.compare_backups(&older.id, &newer.id, &job()).unwrap();
    let of = |t: &str| changes.iter().find(|c| c.table == t).unwrap();
    assert_eq!((of("invoices").brought_back, of("invoices").removed), (5, 0), "5 gone in the newer one");
    assert_eq!((of("notes").brought_back, of("notes").removed), (0, 1), "1 added");
    assert_eq!(of("customers").changed, Some(1));
    assert_eq!(
        (of("settings").brought_back, of("settings").removed, of("settings").changed),
        (0, 0, Some(0))
    );
}

#[test]
fn a_table_exports_as_csv_and_as_a_database_of_its_own_never_over_a_file() {
    let env = Env::new();
    shop(&env.db);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let view = e.open_backup(&backup.id, &job()).unwrap();
    let dir = tempfile::tempdir().unwrap();

    let csv = dir.path().join("notes.csv");
    assert_eq!(view.export_csv_file("notes", &csv).unwrap(), 20);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "body,photo");
    assert_eq!(lines.len(), 21);
    assert_eq!(lines[1], format!("note 1 about the moon,{}", "07".repeat(10)), "a blob in hex");

    let db = dir.path().join("customers.sqlite");
    assert_eq!(view.export_database("customers", &db).unwrap(), 20);
    assert_eq!(
        rows(&db, "SELECT * FROM customers ORDER BY 1"),
        rows(&env.db, "SELECT * FROM customers ORDER BY 1")
    );
    let tables: i64 = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'customers'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "the table, under its name");
    assert_eq!(
        rows(&db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"),
        vec!["Integer(1)".to_owned()],
        "alone"
    );

    // A table whose foreign keys name a table it goes without.
    let invoices = dir.path().join("invoices.sqlite");
    assert_eq!(view.export_database("invoices", &invoices).unwrap(), 20);
    assert_eq!(
        rows(&invoices, "SELECT * FROM invoices ORDER BY 1"),
        rows(&env.db, "SELECT * FROM invoices ORDER BY 1")
    );

    let before = std::fs::read(&csv).unwrap();
    let err = view.export_csv_file("customers", &csv).unwrap_err();
    assert_eq!(err.facts().reason, Some(Reason::Exists));
    assert_eq!(std::fs::read(&csv).unwrap(), before, "the file there is untouched");
    assert_eq!(
        view.export_database("notes_fts_data", &dir.path().join("x.db")).unwrap_err().facts().reason,
        Some(Reason::InternalTable)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 3, "no temporary file left: {left:?}");
}
