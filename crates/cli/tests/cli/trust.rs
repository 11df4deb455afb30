//! The backup folder is untrusted: each test plants or changes what an attacker (or a sync
//! client, or a careless script) with write access to the folder could, and checks that
//! Keepsake never restores the wrong data, deletes genuine backups, leaks what encryption hides,
//! touches anything outside, or hangs. One test per row of the table in the trust issue, plus
//! two installations sharing one synced folder.

use std::time::Duration;

use serde_json::Value;

use crate::util::*;

/// The first member of a plain format-2 backup (the header member) and the rest.
fn split_header(bytes: &[u8]) -> (Value, &[u8]) {
    let total = u32::from_le_bytes(bytes[16..20].try_into().expect("KL")) as usize;
    let xlen = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let mut extra = &bytes[12..12 + xlen];
    let mut json = None;
    while extra.len() >= 4 {
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        if &extra[..2] == b"KH" {
            json = Some(serde_json::from_slice(&extra[4..4 + len]).expect("header json"));
        }
        extra = &extra[4 + len..];
    }
    (json.expect("a header member"), &bytes[total..])
}

/// A header member as Keepsake writes it (KL, KH, KC; empty deflate data).
fn header_member(json: &Value) -> Vec<u8> {
    let json = serde_json::to_vec(json).expect("json");
    let mut crc = flate2_crc(&json).to_le_bytes().to_vec();
    let xlen = 8 + 4 + json.len() + 8;
    let total = 12 + xlen + 2 + 8;
    let mut out = vec![0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&(xlen as u16).to_le_bytes());
    out.extend_from_slice(b"KL");
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(b"KH");
    out.extend_from_slice(&(json.len() as u16).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(b"KC");
    out.extend_from_slice(&4u16.to_le_bytes());
    out.append(&mut crc);
    out.extend_from_slice(&[0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    out
}

/// CRC-32 (IEEE), as gzip computes it.
fn flate2_crc(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A plain backup's bytes with its header changed by `edit`.
fn forged(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (mut header, rest) = split_header(bytes);
    edit(&mut header);
    let mut out = header_member(&header);
    out.extend_from_slice(rest);
    out
}

fn list(w: &Work) -> Value {
    ok_json(w.ks(&["list", "--json"]))
}

#[test]
fn a_planted_plain_file_claiming_an_encrypted_backups_id_is_foreign_and_never_restored_for_it() {
    let w = Work::new();
    let db = w.app_db();
    let genuine = dump(&db);
    let enc = stdout(&run(w.ks_pw(&["create"]))).trim().to_owned();
    // The attacker's database: the same app, other rows.
    let c = rusqlite::Connection::open(&db).expect("open");
    c.execute("UPDATE notes SET title = 'planted'", []).expect("update");
    drop(c);
    let theirs = w.plain_backup();
    let planted = forged(&std::fs::read(w.backup_file(&theirs)).expect("read"), |h| {
        h["id"] = Value::from(enc.as_str())
    });
    std::fs::remove_file(w.backup_file(&theirs)).expect("remove");
    std::fs::write(w.path("backups/backup_zz_dropped.db.gz"), planted).expect("plant");

    let doc = list(&w);
    let mine: Vec<&Value> =
        doc["backups"].as_array().expect("array").iter().filter(|b| b["id"] == enc.as_str()).collect();
    assert_eq!(mine.len(), 1, "{doc}");
    assert_eq!(mine[0]["encrypted"], true, "the recorded backup is untouched: {doc}");
    let foreign = &doc["foreign"][0];
    assert_eq!(foreign["file_name"], "backup_zz_dropped.db.gz", "{doc}");
    assert_eq!(foreign["claimed_id"], enc.as_str(), "{doc}");
    assert_eq!(foreign["concern"], "name_mismatch", "{doc}");

    let report = ok_json(w.ks_pw(&["verify", &enc, "--json"]));
    assert_eq!(report["ok"], true);
    let out = w.path("restored.db");
    ok_json(w.ks_pw(&["restore", &enc, "--to", out.to_str().expect("utf-8"), "--yes", "--json"]));
    assert_eq!(dump(&out), genuine, "the genuine backup was restored, not the planted one");
    // The planted file itself is restorable only when asked for by its name, with a flag.
    let r = run(w.ks_pw(&["restore", "backup_zz_dropped.db.gz", "--to", "x.db", "--yes", "--json"]));
    assert_error(&r, 2, "confirmation_required");
}

#[test]
fn files_dated_2099_never_make_retention_delete_genuine_backups() {
    let w = Work::new();
    w.app_db();
    let ids: Vec<String> = (0..3).map(|_| w.plain_backup()).collect();
    let bytes = std::fs::read(w.backup_file(&ids[0])).expect("read");
    for n in 1..=3 {
        let id = format!("backup_20990101_00000{n}_0000000{n}");
        let (header, _) = split_header(&bytes);
        let mut header = header;
        header["id"] = Value::from(id.as_str());
        header["created_at"] = Value::from(format!("2099-01-01T00:00:0{n}Z"));
        // Header only: it cannot be restored.
        std::fs::write(w.path(&format!("backups/{id}.db.gz")), header_member(&header)).expect("plant");
    }
    let plan = ok_json(w.ks(&["cleanup", "--keep", "3", "--json"]));
    assert!(plan["delete"].as_array().expect("array").is_empty(), "{plan}");
    let doc = list(&w);
    let kept: Vec<&str> =
        doc["backups"].as_array().expect("array").iter().filter_map(|b| b["id"].as_str()).collect();
    for id in &ids {
        assert!(kept.contains(&id.as_str()), "{id} was deleted");
    }
    // A scheduled run applies the same policy: still nothing genuine goes.
    let plan = ok_json(w.ks(&["cleanup", "--keep", "1", "--dry-run", "--json"]));
    let deleted: Vec<&str> =
        plan["delete"].as_array().expect("array").iter().filter_map(|e| e["id"].as_str()).collect();
    assert!(deleted.iter().all(|d| ids.iter().any(|i| i == d)), "only genuine, older ones: {plan}");
    assert!(!deleted.iter().any(|d| d.starts_with("backup_2099")), "{plan}");
}

#[test]
fn a_catalog_row_pointing_outside_the_folder_deletes_nothing_outside() {
    let w = Work::new();
    w.app_db();
    std::fs::create_dir_all(w.path("backups")).expect("mkdir");
    std::fs::write(w.path("victim.txt"), b"precious").expect("victim");
    // An older Keepsake's in-folder catalog, planted, with a row whose file name climbs out.
    let c = rusqlite::Connection::open(w.path("backups/keepsake-catalog.sqlite")).expect("catalog");
    c.execute_batch(
        "CREATE TABLE backups (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, metadata TEXT NOT NULL);
         CREATE TABLE runs (id INTEGER PRIMARY KEY, operation TEXT, backup_type TEXT, backup_id TEXT,
           source_path TEXT, started_at TEXT, duration_ms INTEGER, status TEXT, error_code TEXT, message TEXT);",
    )
    .expect("schema");
    let meta = serde_json::json!({
        "id": "backup_20260101_000000", "file_name": "../victim.txt", "created_at": "2026-01-01T00:00:00Z",
        "source_path": "/x.db", "backup_type": "manual", "description": null, "tags": [], "original_size": 8,
        "stored_size": 8, "sha256": "00", "encrypted": false, "compressed": true, "codec": "gzip",
        "compression_level": 6, "encryption": null, "schema": {"user_version": 0, "schema_hash": "", "page_size": 4096,
        "page_count": 0, "journal_mode": "wal"}, "row_counts": {}, "duration_ms": 1, "verification": "passed",
        "verified_at": null, "format_version": 1
    });
    c.execute(
        "INSERT INTO backups VALUES ('backup_20260101_000000', '2026-01-01T00:00:00Z', ?1)",
        [meta.to_string()],
    )
    .expect("row");
    drop(c);
    let r = run(w.ks(&["delete", "backup_20260101_000000", "--yes", "--json"]));
    assert_error(&r, 2, "backup_not_found");
    let r = run(w.ks(&["delete", "../victim.txt", "--yes", "--json"]));
    assert_ne!(code(&r), 0);
    assert_eq!(std::fs::read(w.path("victim.txt")).expect("victim"), b"precious");
}

#[test]
fn restore_over_a_file_that_is_not_a_database_refuses_and_changes_nothing() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    std::fs::write(w.path("notes.txt"), b"my notes, not a database").expect("write");
    let r = run(w.ks_plain(&["restore", &id, "--to", "notes.txt", "--yes", "--json"]));
    assert_error(&r, 2, "target_not_a_database");
    assert_eq!(std::fs::read(w.path("notes.txt")).expect("read"), b"my notes, not a database");
    let r = run(w.ks_plain(&["restore", &id, "--to", "notes.txt", "--yes"]));
    assert!(stderr(&r).contains("not a SQLite database"), "{}", stderr(&r));
}

#[test]
fn a_catalog_symlink_in_the_folder_leaves_the_database_it_points_to_untouched() {
    let w = Work::new();
    w.app_db();
    let victim = w.path("victim.db");
    let c = rusqlite::Connection::open(&victim).expect("victim");
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = 5;")
        .expect("victim");
    drop(c);
    let before = std::fs::read(&victim).expect("read");
    std::fs::create_dir_all(w.path("backups")).expect("mkdir");
    std::os::unix::fs::symlink(&victim, w.path("backups/keepsake-catalog.sqlite")).expect("symlink");
    w.plain_backup();
    ok_json(w.ks(&["list", "--json"]));
    ok_json(w.ks(&["catalog", "rebuild", "--json"]));
    assert_eq!(std::fs::read(&victim).expect("read"), before, "not a byte changed");
    assert!(!w.path("victim.db-wal").exists());
}

#[test]
fn a_fifo_under_a_backup_name_never_blocks_a_command() {
    let w = Work::new();
    w.app_db();
    std::fs::create_dir_all(w.path("backups")).expect("mkdir");
    let status = std::process::Command::new("mkfifo")
        .arg(w.path("backups/backup_20260101_000000_00000000.db.gz"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    for args in [
        vec!["create", "--no-encrypt"],
        vec!["list"],
        vec!["catalog", "rebuild"],
        vec!["cleanup", "--keep", "5"],
        vec!["stats"],
    ] {
        let mut c = w.ks(&args);
        c.timeout(Duration::from_secs(60));
        let out = run(c);
        assert_eq!(code(&out), 0, "{args:?} failed or hung: {}", stderr(&out));
    }
}

#[test]
fn an_encrypted_header_asking_for_100_million_iterations_is_refused_before_any_work() {
    let w = Work::new();
    w.app_db();
    let id = stdout(&run(w.ks_pw(&["create"]))).trim().to_owned();
    let bytes = std::fs::read(w.backup_file(&id)).expect("read");
    // The container's clear header, with the iteration count raised (CRC recomputed, so only
    // the bound can refuse it).
    let n = u32::from_be_bytes(bytes[10..14].try_into().expect("len")) as usize;
    let mut clear: Value = serde_json::from_slice(&bytes[14..14 + n]).expect("clear header");
    clear["key"]["password"]["kdf"]["iterations"] = Value::from(100_000_000u64);
    let json = serde_json::to_vec(&clear).expect("json");
    let mut forged = b"KEEPSAKE".to_vec();
    forged.extend_from_slice(&3u16.to_be_bytes());
    forged.extend_from_slice(&(json.len() as u32).to_be_bytes());
    forged.extend_from_slice(&json);
    let crc = flate2_crc(&forged);
    forged.extend_from_slice(&crc.to_be_bytes());
    forged.extend_from_slice(&bytes[14 + n + 4..bytes.len() - 8]);
    let len = forged.len() as u64 + 8;
    forged.extend_from_slice(&len.to_be_bytes());
    let name = "backup_20260102_000000_0badc0de.keepsake";
    std::fs::write(w.path(&format!("backups/{name}")), &forged).expect("plant");
    let doc = ok_json(w.ks_pw(&["list", "--json"]));
    let f = doc["files"].as_array().expect("array").iter().find(|f| f["file_name"] == name).cloned();
    let f = f.unwrap_or_else(|| panic!("listed as a file that cannot be read: {doc}"));
    assert_eq!(f["state"], "damaged", "{doc}");
    assert!(f["message"].as_str().expect("message").contains("impossible amount of work"), "{doc}");
    // Refused as damaged, also when asked for by its id: had the 100 million iterations run, the
    // answer would be a wrong password.
    let r = run(w.ks_pw(&["verify", "backup_20260102_000000_0badc0de", "--json"]));
    assert_error(&r, 2, "backup_damaged");
}

#[test]
fn two_installations_on_one_synced_folder_never_collide_and_see_each_other_as_foreign() {
    let w = Work::new();
    let db = w.app_db();
    let as_a = |args: &[&str]| {
        let mut c = w.ks_pw(args);
        c.env("KEEPSAKE_STATE_DIR", w.path("state-a"));
        c
    };
    let as_b = |args: &[&str]| {
        let mut c = w.ks_pw(args);
        c.env("KEEPSAKE_STATE_DIR", w.path("state-b"));
        c
    };
    let mut a_ids = Vec::new();
    let mut b_ids = Vec::new();
    for _ in 0..3 {
        a_ids.push(stdout(&run(as_a(&["create"]))).trim().to_owned());
        b_ids.push(stdout(&run(as_b(&["create"]))).trim().to_owned());
    }
    let mut all: Vec<&String> = a_ids.iter().chain(&b_ids).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 6, "six backups, six ids");
    let doc = ok_json(as_a(&["list", "--json"]));
    let own: Vec<&str> =
        doc["backups"].as_array().expect("array").iter().filter_map(|b| b["id"].as_str()).collect();
    let foreign: Vec<&Value> = doc["foreign"].as_array().expect("array").iter().collect();
    assert_eq!(own.len(), 3, "{doc}");
    assert!(a_ids.iter().all(|i| own.contains(&i.as_str())), "{doc}");
    assert_eq!(foreign.len(), 3, "{doc}");
    assert!(foreign.iter().all(|f| f["concern"] == "other_installation"), "{doc}");
    // A's retention never deletes B's backups.
    let plan = ok_json(as_a(&["cleanup", "--keep", "1", "--json"]));
    for d in plan["delete"].as_array().expect("array") {
        assert!(a_ids.iter().any(|i| d["id"] == i.as_str()), "{plan}");
    }
    for id in &b_ids {
        assert!(w.backup_file(id).exists(), "B's {id} is still there");
    }
    // A restores one of B's after confirming.
    let out = w.path("from-b.db");
    let r = run(as_a(&["restore", &b_ids[2], "--to", out.to_str().expect("utf-8"), "--yes", "--json"]));
    assert_error(&r, 2, "confirmation_required");
    ok_json(as_a(&[
        "restore",
        &b_ids[2],
        "--to",
        out.to_str().expect("utf-8"),
        "--yes",
        "--allow-foreign",
        "--json",
    ]));
    assert_eq!(dump(&out), dump(&db));
}

#[test]
fn an_encrypted_backup_shows_nothing_in_clear_and_lists_as_locked_without_the_password() {
    let w = Work::new();
    w.app_db();
    let id = stdout(&run(w.ks_pw(&["create", "--description", "tax papers of Ann", "--tags", "secret-tag"])))
        .trim()
        .to_owned();
    let bytes = std::fs::read(w.backup_file(&id)).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    for hidden in ["tax papers", "secret-tag", "app.db", "notes", &id] {
        assert!(!text.contains(hidden), "{hidden:?} is readable in the file");
    }
    // Another installation without the password sees a locked file: its date and size only.
    let mut c = w.ks(&["list", "--json"]);
    c.env("KEEPSAKE_STATE_DIR", w.path("state-other"));
    let doc = ok_json(c);
    let f = &doc["files"][0];
    assert_eq!(f["state"], "locked", "{doc}");
    assert_eq!(f["size"], bytes.len());
    assert!(f["named_date"].is_string(), "{doc}");
}

#[test]
fn control_characters_in_descriptions_are_escaped_in_text_output() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks(&["create", "--no-encrypt", "--description", "evil\u{1b}[2J\rfake line"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&run(w.ks(&["list"])));
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert!(text.contains("\\u{1b}[2J"), "{text}");
}

#[test]
fn keepsakes_own_records_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    let state = w.path("home/.local/share/keepsake");
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("catalog.sqlite")), 0o600);
    for lock in std::fs::read_dir(state.join("locks")).expect("locks").flatten() {
        assert_eq!(mode(&lock.path()), 0o600);
    }
    assert_eq!(mode(&w.path("backups")), 0o700);
}
