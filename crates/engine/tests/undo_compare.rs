//! `Engine::undo_restore` and `Engine::compare_with` on real databases: an undo puts back the
//! database as it was before the last restore (and can itself be undone); a comparison shows,
//! table by table, what a restore would change.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use keepsake_engine::model::BackupType;
use keepsake_engine::{ErrorCode, TableDiff};
use rusqlite::Connection;

fn users(db: &std::path::Path) -> u64 {
    Connection::open(db).unwrap().query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap()
}

fn add_users(db: &std::path::Path, n: usize) {
    let c = Connection::open(db).unwrap();
    for i in 0..n {
        c.execute("INSERT INTO users (name) VALUES (?1)", [format!("late {i}")]).unwrap();
    }
}

#[test]
fn undo_restore_puts_back_the_database_from_before_the_restore() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 30);
    let e = env.engine();
    let old = e.backup(&env.db, &opts(true, true), &job()).unwrap();
    add_users(&env.db, 5);
    assert_eq!(users(&env.db), 35);

    let err = e.undo_restore(&env.db, true, &job()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BackupNotFound, "no restore yet, nothing to undo");

    let restored = e.restore(&old.id, &env.db, &like(&old), &job()).unwrap();
    assert_eq!(users(&env.db), 30);
    let safety = e.newest_safety_backup(&env.db).unwrap();
    assert_eq!(Some(&safety.id), restored.safety_backup_id.as_ref());
    assert_eq!(safety.backup_type, BackupType::Safety);
    assert_eq!(
        e.last_backup_of(&env.db).unwrap().map(|b| b.id),
        Some(old.id.clone()),
        "a safety backup never counts as the last backup"
    );

    let undone = e.undo_restore(&env.db, true, &job()).unwrap();
    assert_eq!(undone.backup_id, safety.id);
    assert_eq!(users(&env.db), 35, "the rows added after the backup are back");
    assert!(undone.safety_backup_id.is_some(), "the undo keeps the restored state too");

    // Undoing the undo goes back to the restored state.
    e.undo_restore(&env.db, true, &job()).unwrap();
    assert_eq!(users(&env.db), 30);
}

#[test]
fn safety_backups_of_another_database_are_not_used() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let other = env.dir.path().join("other.db");
    make_db(&other, false, 4096, 3);
    let e = env.engine();
    let b = e.backup(&other, &opts(false, true), &job()).unwrap();
    e.restore(&b.id, &other, &like(&b), &job()).unwrap();
    assert_eq!(e.undo_restore(&env.db, true, &job()).unwrap_err().code(), ErrorCode::BackupNotFound);
}

#[test]
fn compare_shows_rows_in_the_backup_against_rows_now() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 20);
    let e = env.engine();
    let b = e.backup(&env.db, &opts(true, true), &job()).unwrap();
    add_users(&env.db, 4);
    Connection::open(&env.db)
        .unwrap()
        .execute_batch("CREATE TABLE extra (x); INSERT INTO extra VALUES (1);")
        .unwrap();

    let diff = e.compare_with(&b.id, &env.db).unwrap();
    let get = |t: &str| diff.iter().find(|d| d.table == t).cloned().unwrap();
    assert_eq!(get("users"), TableDiff { table: "users".into(), backup_rows: 20, current_rows: Some(24) });
    assert_eq!(get("kv").backup_rows, 21);
    assert_eq!(get("kv").current_rows, Some(21));
    assert_eq!(get("extra"), TableDiff { table: "extra".into(), backup_rows: 0, current_rows: Some(1) });
    let names: Vec<&str> = diff.iter().map(|d| d.table.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "tables in name order");

    // No database there now (a restore to a new place): every table is new.
    let elsewhere = env.dir.path().join("new.db");
    let diff = e.compare_with(&b.id, &elsewhere).unwrap();
    assert!(diff.iter().all(|d| d.current_rows.is_none()));
    assert_eq!(
        e.compare_with("backup_19700101_000000", &env.db).unwrap_err().code(),
        ErrorCode::BackupNotFound
    );
    let dir = env.dir.path();
    assert_eq!(e.compare_with(&b.id, dir).unwrap_err().code(), ErrorCode::NotADatabase);
}

/// The restore preview row by row: rows renamed (same count) are changed, deleted rows come
/// back, rows added since go; by rowid and by primary key; internals marked; nothing written.
#[test]
fn compare_rows_says_which_rows_a_restore_brings_back_changes_and_removes() {
    for encrypt in [false, true] {
        let env = Env::new();
        make_db(&env.db, true, 4096, 200);
        let e = env.engine();
        let b = e.backup(&env.db, &opts(encrypt, true), &job()).unwrap();
        let c = Connection::open(&env.db).unwrap();
        c.execute_batch(
            "UPDATE users SET name = 'oops' WHERE id <= 9;
             DELETE FROM users WHERE id > 150;
             UPDATE kv SET v = -1 WHERE k IN ('key000001', 'key000002');
             DELETE FROM kv WHERE k = 'key000003';
             INSERT INTO kv VALUES ('new', 1), ('newer', 2);
             CREATE TABLE added (x); INSERT INTO added VALUES (1), (2);
             DROP TABLE counter;",
        )
        .unwrap();
        add_users(&env.db, 4);
        drop(c);
        let before = dump(&env.db);
        let rows = e.compare_rows(&b.id, &env.db, &job()).unwrap();
        let get =
            |t: &str| rows.iter().find(|r| r.table == t).unwrap_or_else(|| panic!("{t} in {rows:?}")).clone();
        let users = get("users");
        // 50 deleted rows come back; the 4 added since go; 9 renamed rows get their names back.
        // (The new rows take ids 151-154 that deleted rows had: matched by rowid, they are changed.)
        assert_eq!((users.backup_rows, users.current_rows), (Some(200), Some(154)));
        assert_eq!((users.brought_back, users.removed, users.changed), (46, 0, Some(13)), "{users:?}");
        assert!(!users.internal);
        let kv = get("kv");
        // The trigger counted 4 inserts into kv's 'inserted' row: 3 changed values in all.
        assert_eq!((kv.brought_back, kv.removed, kv.changed), (1, 2, Some(3)), "{kv:?}");
        let added = get("added");
        assert_eq!((added.backup_rows, added.current_rows, added.removed), (None, Some(2), 2));
        let counter = get("counter");
        assert_eq!((counter.backup_rows, counter.current_rows, counter.brought_back), (Some(1), None, 1));
        for internal in ["notes", "notes_data", "notes_idx", "notes_config", "notes_docsize", "notes_content"]
        {
            assert!(get(internal).internal, "{internal} is internal");
        }
        assert!(rows.iter().all(|r| r.table != "adults"), "views are not tables");
        assert_eq!(dump(&env.db), before, "the database is only read");
        // Compared with a database that does not exist: everything comes back.
        let fresh = e.compare_rows(&b.id, &env.dir.path().join("none.db"), &job()).unwrap();
        let users = fresh.iter().find(|r| r.table == "users").unwrap();
        assert_eq!((users.current_rows, users.brought_back, users.removed), (None, 200, 0));
        assert!(!env.dir.path().join("none.db").exists());
    }
}
