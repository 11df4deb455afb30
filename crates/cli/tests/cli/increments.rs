//! `--incremental` and `--full` through the real binary: a backup says whether it is an
//! increment or full, and why it is full when an increment was asked for (text and `--json`);
//! a full backup asked for with `--full` is the base of the next increment.

use rusqlite::Connection;

use crate::util::*;

/// `create --json` with `args`, the new backup's document.
fn create(w: &Work, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["create", "--json"];
    all.extend_from_slice(args);
    ok_json(w.ks_pw(&all))
}

fn add_rows(w: &Work, from: u32, n: u32) {
    let c = Connection::open(w.path("app.db")).expect("open");
    insert_rows(&c, from, n);
}

#[test]
fn a_full_backup_made_with_full_is_the_base_of_the_next_increment() {
    let w = Work::new();
    w.app_db();
    let full = create(&w, &["--full"]);
    assert_eq!(full["kind"], "full");
    assert!(full["full_reason"].is_null(), "a full backup was asked for: {full}");
    add_rows(&w, 300, 5);
    let out = run(w.ks_pw(&["create", "--incremental"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    let listed = ok_json(w.ks_pw(&["list", "--json"]));
    let inc = &listed["backups"][0];
    assert_eq!(inc["id"], id.as_str());
    assert_eq!(inc["kind"], "increment", "built on the --full backup: {inc}");
    assert_eq!(inc["chain"]["base"], full["id"], "{inc}");
    assert!(inc["full_reason"].is_null(), "{inc}");
    let said = stderr(&out);
    assert!(said.contains(&format!("increment +1 on {}", full["id"].as_str().unwrap())), "{said}");
    assert!(!said.contains("not an increment"), "{said}");

    // It restores to the database as it is now.
    let target = w.path("restored.db");
    let out = run(w.ks_pw(&["restore", &id, "--to", target.to_str().unwrap(), "--yes"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(dump(&target), dump(&w.path("app.db")));
}

#[test]
fn an_increment_that_comes_out_full_says_why_in_the_output_the_json_and_the_list() {
    let w = Work::new();
    w.app_db();
    // Nothing to build on yet.
    let out = run(w.ks_pw(&["create", "--incremental"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("Full backup, not an increment: no earlier backup"), "{said}");
    let first = create(&w, &["--incremental"]);
    assert_eq!(first["kind"], "increment", "a few rows changed: {first}");

    // Most of the database is new: an increment would hold most pages, so it is full, and says so.
    add_rows(&w, 1000, 3000);
    let out = run(w.ks_pw(&["create", "--incremental", "--json"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["kind"], "full", "{doc}");
    assert_eq!(doc["full_reason"], "many_pages_changed", "{doc}");
    let out = run(w.ks_pw(&["create", "--incremental"]));
    let said = stderr(&out);
    assert!(said.contains("increment +1 on"), "a small change again makes an increment: {said}");
    add_rows(&w, 10_000, 6000);
    let out = run(w.ks_pw(&["create", "--incremental"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("Full backup, not an increment: more than 50 % of the database's pages changed"),
        "{said}"
    );
    // Kept with the backup: `list --json` says it too.
    let listed = ok_json(w.ks_pw(&["list", "--json"]));
    assert_eq!(listed["backups"][0]["full_reason"], "many_pages_changed", "{listed}");
    assert_eq!(listed["backups"][2]["full_reason"], "many_pages_changed", "{listed}");
    let n = listed["backups"].as_array().unwrap().len();
    assert_eq!(listed["backups"][n - 1]["full_reason"], "no_earlier_backup", "{listed}");
}

#[test]
fn the_help_of_incremental_gives_the_rule() {
    let w = Work::new();
    let out = run(w.cmd().args(["create", "--help"]));
    // As words, whatever the width the help is wrapped to.
    let help = stdout(&out).split_whitespace().collect::<Vec<_>>().join(" ");
    for words in
        ["more than half of the pages changed", "60 %", "number 24", "The next --incremental builds on it"]
    {
        assert!(help.contains(words), "{words:?} not in:\n{help}");
    }
    // The numbers are the engine's.
    assert_eq!(keepsake_engine::MAX_CHAIN_LENGTH, 24);
    assert_eq!((keepsake_engine::MAX_CHAIN_SHARE * 100.0).round() as u32, 60);
    assert_eq!(keepsake_engine::MAX_INCREMENT_SHARE, 0.5);
}
