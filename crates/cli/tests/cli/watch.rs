//! Noticing data loss from the command line: content alerts raised by backups (the daemon's
//! log line is in `daemon.rs`), pins that retention respects, `show` inside a backup, `restore --table`, `diff` of
//! two backups.

use rusqlite::Connection;

use crate::util::*;

fn exec(w: &Work, sql: &str) {
    let c = Connection::open(w.path("app.db")).expect("open");
    c.execute_batch("PRAGMA foreign_keys = OFF").expect("pragma");
    c.execute_batch(sql).expect("sql");
}

#[test]
fn deleting_half_a_table_raises_an_alert_pins_the_backup_before_and_keep_1_keeps_it() {
    let w = Work::new();
    w.add_astro(&["--keep-last", "1"]);
    let before = stdout(&run(w.src(&["run", "astro"]))).trim().to_owned();
    exec(&w, "DELETE FROM notes WHERE id % 2 = 0");
    let out = run(w.src(&["run", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("content alert 1: notes: 150 rows gone (300 to 150, 50%)"), "{err}");
    assert!(err.contains(&format!("backup {before} is pinned")), "{err}");

    let list = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    let ids: Vec<(&str, bool)> = list["backups"]
        .as_array()
        .expect("array")
        .iter()
        .map(|b| (b["id"].as_str().expect("id"), b["pinned"].is_object()))
        .collect();
    assert_eq!(ids.len(), 2, "keep 1 kept the pinned backup too: {ids:?}");
    assert_eq!(ids[1], (before.as_str(), true));
    assert!(stdout(&run(w.src(&["--source", "astro", "list"]))).contains("[pinned]"));

    // `alerts` lists it and exits 1 while it stands; --json carries the facts.
    let out = run(w.src(&["--source", "astro", "alerts"]));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("notes: 150 rows gone"), "{}", stdout(&out));
    let alerts = json(&run(w.src(&["--source", "astro", "alerts", "--json"])));
    assert_eq!(alerts[0]["kind"], "rows_lost");
    assert_eq!((alerts[0]["before"].as_i64(), alerts[0]["after"].as_i64()), (Some(300), Some(150)));
    assert_eq!(alerts[0]["pinned"], before.as_str());

    // A pinned backup is not deleted by hand either; dismiss, unpin, and it can go.
    assert_error(&run(w.src(&["--source", "astro", "delete", &before, "--yes"])), 2, "invalid_input");
    let out = run(w.src(&["--source", "astro", "alerts", "dismiss", "1"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&run(w.src(&["--source", "astro", "alerts"]))), 0);
    assert_eq!(
        json(&run(w.src(&["--source", "astro", "alerts", "--all", "--json"]))).as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(code(&run(w.src(&["--source", "astro", "unpin", &before]))), 0);
    let out = run(w.src(&["--source", "astro", "cleanup", "--keep", "1"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    assert_eq!(list["backups"].as_array().map(Vec::len), Some(1));
    // And pinning by hand works the same way.
    let id = list["backups"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(code(&run(w.src(&["--source", "astro", "pin", &id]))), 0);
    assert!(ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"][0]["pinned"].is_object());
}

#[test]
fn a_run_reports_its_alerts_in_json() {
    let w = Work::new();
    w.add_astro(&["--schedule", "* * * * *"]);
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    exec(&w, "DELETE FROM notes");
    let out = run(w.src(&["run", "astro", "--json"]));
    let doc = json(&out);
    assert_eq!(doc["alerts"][0]["kind"], "table_emptied");
    assert_eq!(doc["alerts"][0]["table"], "notes");
}

#[test]
fn show_lists_a_backups_tables_and_pages_through_rows() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks(&["show", &id]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("notes") && text.contains("300") && text.contains("id, title, body, score"),
        "{text}"
    );
    let doc = ok_json(w.ks(&["show", &id, "--json"]));
    let tables: Vec<&str> = doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["table"].as_str().expect("name"))
        .collect();
    assert_eq!(tables, ["notes", "tags"]);
    let page = ok_json(w.ks(&["show", &id, "--table", "notes", "--offset", "10", "--limit", "5", "--json"]));
    assert_eq!(page["total"], 300);
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(5));
    assert_eq!(page["rows"][0][0], "10");
    let out = run(w.ks(&["show", &id, "--table", "notes", "--limit", "3"]));
    assert!(
        stderr(&out).contains("Rows 1-3 of 300 in notes") && stderr(&out).contains("--offset 3"),
        "{}",
        stderr(&out)
    );
    assert_error(&run(w.ks(&["show", &id, "--table", "nope"])), 2, "invalid_input");
}

#[test]
fn restore_table_brings_back_one_table_and_leaves_the_others() {
    let w = Work::new();
    w.app_db();
    exec(&w, "INSERT INTO tags VALUES (1, 'moon'), (2, 'sun')");
    let id = w.plain_backup();
    let notes =
        |w: &Work| dump(&w.path("app.db")).into_iter().filter(|l| l.contains("notes")).collect::<Vec<_>>();
    let notes_then = notes(&w);
    exec(&w, "DELETE FROM notes WHERE id > 100; INSERT INTO tags VALUES (3, 'venus');");
    let out = run(w.ks_plain(&["restore", &id, "--table", "notes", "--yes"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Restored notes: 300 rows (101 rows before)."), "{}", stdout(&out));
    assert_eq!(notes(&w), notes_then);
    let c = Connection::open(w.path("app.db")).expect("open");
    let tags: i64 = c.query_row("SELECT count(*) FROM tags", [], |r| r.get(0)).expect("count");
    assert_eq!(tags, 303, "tags kept the row added since");
    // --to makes no sense with --table.
    assert_eq!(code(&run(w.ks_plain(&["restore", &id, "--table", "notes", "--to", "x.db", "--yes"]))), 2);
}

#[test]
fn diff_of_two_backups_says_what_changed_between_them() {
    let w = Work::new();
    w.app_db();
    let a = w.plain_backup();
    exec(&w, "DELETE FROM notes WHERE id < 20; UPDATE notes SET title = 'x' WHERE id = 50;");
    let b = w.plain_backup();
    let out = run(w.ks(&["diff", &a, &b]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("20 rows gone, 1 row changed"), "{}", stdout(&out));
    let same = run(w.ks(&["diff", &b, &b]));
    assert_eq!(code(&same), 0, "{}", stdout(&same));
}

#[test]
fn restore_says_when_the_layout_changed_since_the_backup() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks_plain(&["restore", &id, "--yes"]));
    assert!(!stderr(&out).contains("layout"), "{}", stderr(&out));
    exec(&w, "CREATE TABLE stickers (x); PRAGMA user_version = 8;");
    let out = run(w.ks_plain(&["restore", &id, "--yes"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "changed since this backup (data version 8 now, 7 in the backup; tables added since: stickers)"
        ),
        "{err}"
    );
}

#[test]
fn show_csv_exports_every_row_of_a_table() {
    let w = Work::new();
    w.app_db();
    exec(&w, "UPDATE notes SET title = 'a, \"quoted\" title' WHERE id = 0");
    let id = w.plain_backup();
    let out = run(w.ks(&["show", &id, "--table", "notes", "--csv"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 301, "a header and 300 rows");
    assert_eq!(lines[0], "id,title,body,score");
    assert!(lines[1].starts_with("0,\"a, \"\"quoted\"\" title\","), "{}", lines[1]);
    assert!(stderr(&out).contains("300 rows of notes"), "{}", stderr(&out));
    assert_eq!(code(&run(w.ks(&["show", &id, "--csv"]))), 2, "--csv needs --table");
}
