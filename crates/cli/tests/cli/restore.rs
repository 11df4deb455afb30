//! `restore`, `decrypt`: confirmation, targets, safety backups.

use crate::util::*;

#[test]
fn restore_refuses_without_yes_when_there_is_no_terminal() {
    let w = Work::new();
    let db = w.app_db();
    let id = w.plain_backup();
    let before = std::fs::read(&db).expect("read");
    let out = run(w.ks(&["restore", &id]));
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("no terminal"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(std::fs::read(&db).expect("read"), before, "the database was touched");

    let out = run(w.ks(&["restore", &id, "--json"]));
    assert_error(&out, 2, "invalid_input");
}

#[test]
fn restore_over_the_configured_database_takes_a_safety_backup() {
    let w = Work::new();
    let db = w.app_db();
    let id = w.plain_backup();
    let original = dump(&db);
    {
        let c = rusqlite::Connection::open(&db).expect("open");
        c.execute("UPDATE notes SET title = 'changed' WHERE id < 100", []).expect("update");
    }
    assert_ne!(dump(&db), original);
    let outcome = ok_json(w.ks_plain(&["restore", &id, "--yes", "--json"]));
    assert_eq!(outcome["backup_id"], id.as_str());
    assert_eq!(outcome["target"], db.to_str().expect("utf-8"));
    assert_eq!(outcome["verified"], true);
    let safety = outcome["safety_backup_id"].as_str().expect("a safety backup").to_owned();
    assert_eq!(dump(&db), original);

    let safety_meta = ok_json(w.ks(&["list", "--json"]))["backups"]
        .as_array()
        .expect("array")
        .iter()
        .find(|b| b["id"] == safety.as_str())
        .cloned()
        .expect("safety backup listed");
    assert_eq!(safety_meta["backup_type"], "safety");
    assert_eq!(
        safety_meta["encrypted"], false,
        "the safety backup of a source that does not encrypt is plain"
    );
}

#[test]
fn a_plain_backup_into_an_encrypting_source_needs_a_flag_and_its_safety_backup_is_encrypted() {
    let w = Work::new();
    let db = w.app_db();
    let id = w.plain_backup();
    let before = std::fs::read(&db).expect("read");
    let out = run(w.ks_pw(&["restore", &id, "--yes", "--json"]));
    assert_error(&out, 2, "confirmation_required");
    assert!(stderr(&out).contains("--allow-unencrypted"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).expect("read"), before, "nothing changed");
    let outcome = ok_json(w.ks_pw(&["restore", &id, "--yes", "--allow-unencrypted", "--json"]));
    let safety = outcome["safety_backup_id"].as_str().expect("a safety backup").to_owned();
    let list = ok_json(w.ks(&["list", "--json"]));
    let safety_meta =
        list["backups"].as_array().expect("array").iter().find(|b| b["id"] == safety.as_str()).cloned();
    assert_eq!(safety_meta.expect("listed")["encrypted"], true, "it follows the source, not the backup");
}

#[test]
fn restore_without_safety_backup_and_without_verify() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let outcome =
        ok_json(w.ks_plain(&["restore", &id, "--yes", "--no-safety-backup", "--no-verify", "--json"]));
    assert_eq!(outcome["safety_backup_id"], serde_json::Value::Null);
    assert_eq!(outcome["verified"], false);
    let list = ok_json(w.ks(&["list", "--json"]));
    assert_eq!(list["backups"].as_array().expect("array").len(), 1);
}

#[test]
fn restore_without_to_and_without_database_names_the_settings() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let mut cmd = w.cmd();
    cmd.args(["--backup-dir", "backups", "restore", &id, "--yes"]);
    let out = run(cmd);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("no database is set"), "{}", stderr(&out));
    assert!(stderr(&out).contains("DATABASE_URL"), "{}", stderr(&out));
}

#[test]
fn restore_of_an_unknown_backup_fails_before_asking() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    let out = run(w.ks(&["restore", "backup_20000101_000000", "--json"]));
    assert_error(&out, 2, "backup_not_found");
    assert!(stderr(&out).contains("keepsake list"), "{}", stderr(&out));
}

#[test]
fn decrypt_writes_the_plain_database_and_never_overwrites() {
    let w = Work::new();
    let db = w.app_db();
    let id = w.plain_backup();
    let dest = w.path("plain.db");
    let doc = ok_json(w.ks(&["decrypt", &id, "--to", "plain.db", "--json"]));
    assert_eq!(doc["backup_id"], id.as_str());
    assert_eq!(doc["path"], dest.to_str().expect("utf-8"));
    assert_eq!(dump(&dest), dump(&db));

    let out = run(w.ks(&["decrypt", &id, "--to", "plain.db"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
}

#[test]
fn decrypt_needs_to() {
    let w = Work::new();
    let out = run(w.ks(&["decrypt", "backup_20000101_000000"]));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--to"), "{}", stderr(&out));
}

#[test]
fn diff_says_row_by_row_what_a_restore_would_change_and_touches_nothing() {
    let w = Work::new();
    let db = w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks(&["diff", &id]));
    assert_eq!(code(&out), 0, "same rows: {}", stderr(&out));
    assert!(stdout(&out).contains("holds the same rows"), "{}", stdout(&out));
    {
        let c = rusqlite::Connection::open(&db).expect("open");
        c.execute_batch(
            "UPDATE notes SET title = 'oops' WHERE id BETWEEN 1 AND 9;
             DELETE FROM tags WHERE note_id > 250; DELETE FROM notes WHERE id > 250;
             CREATE TABLE added (x); INSERT INTO added VALUES (1);",
        )
        .expect("edit");
    }
    let before = dump(&db);
    let out = run(w.ks(&["diff", &id]));
    assert_eq!(code(&out), 1, "differs: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("9 rows changed back"), "{text}");
    assert!(text.contains("table removed (added since, 1 row)"), "{text}");
    let v = ok_json_code(w.ks(&["diff", &id, "--json"]), 1);
    let notes = v.as_array().expect("array").iter().find(|t| t["table"] == "notes").expect("notes").clone();
    let removed = 299 - 250; // ids 0 to 299
    assert_eq!(notes["brought_back"], removed);
    assert_eq!(notes["changed"], 9);
    assert_eq!(notes["removed"], 0);
    assert_eq!(dump(&db), before, "only read");
    // Another database, given with --with; a missing one: everything comes back.
    let other = w.path("none.db");
    let v = ok_json_code(w.ks(&["diff", &id, "--with", other.to_str().expect("utf-8"), "--json"]), 1);
    assert!(v.as_array().expect("array").iter().all(|t| t["current_rows"].is_null()));
    assert!(!other.exists());
    let out = run(w.ks(&["diff", "backup_20990101_000000_00000000"]));
    assert_error(&out, 2, "backup_not_found");
}

fn ok_json_code(cmd: assert_cmd::Command, exit: i32) -> serde_json::Value {
    let out = run(cmd);
    assert_eq!(code(&out), exit, "{}", stderr(&out));
    json(&out)
}
