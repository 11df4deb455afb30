//! `copy --missing` on a real S3 server (s3s-fs) when things go wrong, and what it lists:
//! a copy that fails never says every backup is already there (text or `--json`), and exits
//! with the error's code; a base shared by several increments is listed once; `list --from` on
//! the computer that made the backups knows them as its own.

use keepsake_remote::testing::{SECRET_KEY, Server};

use crate::util::*;

use crate::copies::{SECRET_VAR, add_s3};

/// `dest add b2` for `server`, which must work.
fn add_dest(w: &Work, server: &Server) {
    let out = add_s3(w, server, SECRET_KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// `keepsake --source astro ARGS` with the destination's secret.
fn astro(w: &Work, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--source", "astro"];
    all.extend_from_slice(args);
    let mut c = w.src(&all);
    c.env(SECRET_VAR, SECRET_KEY);
    run(c)
}

/// A new backup of `astro` after a few more rows; its id.
fn backup(w: &Work, from: u32, kind: &str) -> String {
    let c = rusqlite::Connection::open(w.path("app.db")).expect("open");
    insert_rows(&c, from, 3);
    let out = astro(w, &["create", kind]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

fn file_name(w: &Work, id: &str) -> String {
    let listed = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    listed["backups"]
        .as_array()
        .expect("backups")
        .iter()
        .find(|b| b["id"] == id)
        .and_then(|b| b["file_name"].as_str())
        .expect("the backup is listed")
        .to_owned()
}

#[test]
fn copy_missing_lists_each_object_once_and_list_from_knows_the_copies_made_here() {
    let w = Work::new();
    let server = Server::s3();
    w.add_astro(&[]);
    add_dest(&w, &server);
    let base = backup(&w, 1000, "--full");
    let first = backup(&w, 1010, "--incremental");
    let second = backup(&w, 1020, "--incremental");
    let listed = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    assert_eq!(listed["backups"][0]["chain"]["base"], first.as_str(), "{listed}");
    assert_eq!(listed["backups"][1]["chain"]["base"], base.as_str(), "{listed}");

    let out = astro(&w, &["copy", "--missing", "--to", "b2", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    let ids: Vec<&str> =
        doc["copies"].as_array().expect("copies").iter().map(|c| c["backup_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [base.as_str(), first.as_str(), second.as_str()], "one row per object: {doc}");
    for id in [&base, &first, &second] {
        assert!(server.file("laptop", &file_name(&w, id)).is_file(), "{id} is on the server");
    }
    // One more increment: only it is copied and listed (its chain is there already).
    let third = backup(&w, 1030, "--incremental");
    let out = astro(&w, &["copy", "--missing", "--to", "b2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(table.matches("backup_").count(), 1, "{table}");
    assert!(table.contains(&third), "{table}");

    // Listed from the destination on this same computer: its own backups, not "not recorded".
    let doc = ok_json({
        let mut c = w.src(&["list", "--from", "b2", "--json"]);
        c.env(SECRET_VAR, SECRET_KEY);
        c
    });
    let foreign = doc["foreign"].as_array().expect("foreign");
    assert_eq!(foreign.len(), 4, "{doc}");
    assert!(foreign.iter().all(|b| b["concern"] == "copy_of_own"), "{doc}");
    let mut c = w.src(&["list", "--from", "b2"]);
    c.env(SECRET_VAR, SECRET_KEY);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("not recorded here"), "{text}");
    assert_eq!(text.matches("a copy of a backup made here").count(), 4, "{text}");

    // A new computer (another installation) sees them as made elsewhere.
    let fresh = Work::new();
    std::fs::copy(w.path("sources.toml"), fresh.path("sources.toml")).expect("copy the settings");
    let mut c = fresh.src(&["list", "--from", "b2", "--json"]);
    c.env(SECRET_VAR, SECRET_KEY);
    let doc = ok_json(c);
    assert!(doc["foreign"].as_array().unwrap().iter().all(|b| b["concern"] == "other_installation"), "{doc}");
}

#[test]
fn a_copy_that_fails_part_way_says_what_was_copied_and_what_failed() {
    let w = Work::new();
    let server = Server::s3();
    w.add_astro(&[]);
    add_dest(&w, &server);
    let older = backup(&w, 1000, "--full");
    let newer = backup(&w, 1010, "--full");
    // Somebody else's file under the newer backup's name: Keepsake leaves it alone.
    let taken = server.file("laptop", &file_name(&w, &newer));
    std::fs::create_dir_all(taken.parent().unwrap()).unwrap();
    std::fs::write(&taken, b"not a backup").unwrap();

    let out = astro(&w, &["copy", "--missing", "--to", "b2", "--json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["destination"], "b2", "{doc}");
    assert_eq!(doc["error"]["code"], "backup_damaged", "{doc}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("different file"), "{doc}");
    assert_eq!(doc["copies"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["copies"][0]["backup_id"], older.as_str(), "{doc}");
    assert_eq!(doc["failed"]["backup_id"], newer.as_str(), "{doc}");
    assert_eq!(doc["failed"]["not_copied"], 1, "{doc}");
    assert!(stderr(&out).contains("error: "), "{}", stderr(&out));
    assert_eq!(std::fs::read(&taken).unwrap(), b"not a backup", "the other file is left alone");

    // Again, in words: nothing more could be copied, and it says so rather than "all there".
    let out = astro(&w, &["copy", "--missing", "--to", "b2"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(!said.contains("already at"), "{said}");
    assert!(said.contains("Copied 0 backups to b2"), "{said}");
    assert!(said.contains(&format!("1 was not copied, starting with {newer}")), "{said}");
    assert!(said.contains("error: "), "{said}");
}

#[test]
fn a_copy_to_a_server_that_is_gone_fails_and_never_says_all_is_there() {
    let w = Work::new();
    let mut server = Server::s3();
    w.add_astro(&[]);
    add_dest(&w, &server);
    let _ = backup(&w, 1000, "--full");
    // The server stops: every attempt is refused (after the usual retries).
    server.kill();

    let out = astro(&w, &["copy", "--missing", "--to", "b2", "--json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["error"]["code"], "remote_failed", "{doc}");
    assert_eq!(doc["destination"], "b2", "{doc}");
    assert_eq!(doc["copies"].as_array().map(Vec::len), Some(0), "{doc}");
    assert_eq!(doc["failed"]["not_copied"], 1, "{doc}");
    let out = astro(&w, &["copy", "--missing", "--to", "b2"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(!said.contains("already at"), "{said}");
    assert!(said.contains("Copied 0 backups to b2") && said.contains("1 was not copied"), "{said}");
    assert!(said.contains("error: "), "{said}");
}
