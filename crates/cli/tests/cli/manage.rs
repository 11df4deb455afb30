//! `list`, `delete`, `cleanup`, `stats`, `history`, `catalog rebuild`.

use crate::util::*;

fn ids(w: &Work) -> Vec<String> {
    ok_json(w.ks(&["list", "--json"]))["backups"]
        .as_array()
        .expect("array")
        .iter()
        .map(|b| b["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn list_is_newest_first_and_limit_limits() {
    let w = Work::new();
    w.app_db();
    let a = w.plain_backup();
    let b = w.plain_backup();
    assert_eq!(ids(&w), vec![b.clone(), a.clone()]);
    let one = ok_json(w.ks(&["list", "--limit", "1", "--json"]));
    assert_eq!(one["backups"].as_array().expect("array").len(), 1);
    assert_eq!(one["backups"][0]["id"], b.as_str());

    let out = run(w.ks(&["list"]));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("ID ") && lines[0].contains("CREATED") && lines[0].contains("SIZE"),
        "{text}"
    );
    assert!(lines[1].starts_with(&b) && lines[2].starts_with(&a), "{text}");
    assert!(lines[1].contains("just now"), "{text}");
    assert!(lines[1].contains(" KiB"), "{text}");
    // Columns line up: every row has its size where the header has SIZE.
    let size_end = lines[0].find("SIZE").expect("SIZE") + 4;
    assert!(lines[1][..size_end].ends_with("KiB"), "{text}");
}

#[test]
fn list_of_an_empty_folder() {
    let w = Work::new();
    std::fs::create_dir(w.path("backups")).expect("mkdir");
    let out = run(w.ks(&["list"]));
    assert_eq!(code(&out), 0);
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("No backups"), "{}", stderr(&out));
    assert_eq!(
        ok_json(w.ks(&["list", "--json"])),
        serde_json::json!({ "backups": [], "foreign": [], "files": [] })
    );
}

#[test]
fn only_create_makes_the_backup_folder() {
    let w = Work::new();
    for args in
        [vec!["list"], vec!["stats"], vec!["history"], vec!["verify", "x"], vec!["catalog", "rebuild"]]
    {
        let mut a = args.clone();
        a.push("--json");
        let out = run(w.ks(&a));
        assert_error(&out, 2, "invalid_input");
        assert!(stderr(&out).contains("does not exist"), "{args:?}: {}", stderr(&out));
        assert!(!w.path("backups").exists(), "{args:?} made the folder");
    }
}

#[test]
fn delete_asks_and_refuses_without_a_terminal() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks(&["delete", &id]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(ids(&w), vec![id.clone()]);

    let doc = ok_json(w.ks(&["delete", &id, "--yes", "--json"]));
    assert_eq!(doc["deleted"]["id"], id.as_str());
    assert!(ids(&w).is_empty());
    assert!(!w.path("backups").join(format!("{id}.db.gz")).exists());
}

#[test]
fn delete_in_text() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks(&["delete", &id, "-y"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("Deleted backup {id}")), "{}", stdout(&out));
}

#[test]
fn cleanup_refuses_without_a_policy() {
    let w = Work::new();
    let out = run(w.ks(&["cleanup", "--json"]));
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("retention policy"), "{err}");
    assert!(err.contains("--keep") && err.contains("BACKUP_MAX_BACKUPS"), "{err}");
}

#[test]
fn cleanup_keep_dry_run_then_for_real() {
    let w = Work::new();
    w.app_db();
    let a = w.plain_backup();
    let b = w.plain_backup();
    let c = w.plain_backup();

    let plan = ok_json(w.ks(&["cleanup", "--keep", "1", "--dry-run", "--json"]));
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["keep"][0]["id"], c.as_str());
    assert!(plan["keep"][0]["reasons"].as_array().is_some_and(|r| !r.is_empty()));
    let deleted: Vec<&str> =
        plan["delete"].as_array().expect("array").iter().map(|e| e["id"].as_str().expect("id")).collect();
    assert_eq!(deleted, vec![b.as_str(), a.as_str()]);
    assert!(plan["delete"][0]["stored_size"].as_u64().is_some_and(|n| n > 0));
    assert!(plan["delete"][0]["created_at"].is_string());
    assert_eq!(ids(&w).len(), 3, "a dry run deletes nothing");

    let out = run(w.ks(&["cleanup", "--keep", "1", "--dry-run"]));
    assert!(stdout(&out).contains("Would delete 2 backups"), "{}", stdout(&out));

    let out = run(w.ks(&["cleanup", "--keep", "1"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Deleted 2 backups"), "{}", stdout(&out));
    assert_eq!(ids(&w), vec![c]);
}

#[test]
fn cleanup_takes_the_policy_from_the_environment() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    w.plain_backup();
    let keep = w.plain_backup();
    let plan = ok_json(w.ks(&["cleanup", "--json"]).env("BACKUP_MAX_BACKUPS", "1"));
    assert_eq!(plan["dry_run"], false);
    assert_eq!(plan["delete"].as_array().expect("array").len(), 2);
    assert_eq!(ids(&w), vec![keep]);
}

#[test]
fn cleanup_older_than_keeps_recent_backups() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    w.plain_backup();
    let plan = ok_json(w.ks(&["cleanup", "--older-than", "30", "--json"]));
    assert_eq!(plan["delete"], serde_json::json!([]));
    assert_eq!(plan["keep"].as_array().expect("array").len(), 2);
    // BACKUP_RETENTION_DAYS is the same rule from the environment; a flag replaces it.
    let plan = ok_json(w.ks(&["cleanup", "--dry-run", "--json"]).env("BACKUP_RETENTION_DAYS", "30"));
    assert_eq!(plan["delete"], serde_json::json!([]));
    let plan =
        ok_json(w.ks(&["cleanup", "--keep", "1", "--dry-run", "--json"]).env("BACKUP_RETENTION_DAYS", "30"));
    assert_eq!(plan["delete"].as_array().expect("array").len(), 1);
}

#[test]
fn stats_in_json_and_text() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    ok_json(w.ks(&["create", "--no-encrypt", "--verify", "--json"]));
    let s = ok_json(w.ks(&["stats", "--json"]));
    assert_eq!(s["count"], 2);
    assert_eq!(s["verified_count"], 1);
    assert_eq!(s["unverified_count"], 1);
    assert_eq!(s["failed_count"], 0);
    assert!(s["total_stored_size"].as_u64().is_some_and(|n| n > 0));
    assert!(s["total_original_size"].as_u64().is_some_and(|n| n > 0));
    assert!(s["average_compression_ratio"].as_f64().is_some_and(|r| r > 0.0 && r < 1.0));
    assert!(s["oldest"].is_string() && s["newest"].is_string());
    assert_eq!(s["failed_runs"], 0);
    let out = run(w.ks(&["stats"]));
    let text = stdout(&out);
    assert!(text.contains("Backups:") && text.contains("2 (1 verified"), "{text}");
    assert!(text.contains("Stored size:"), "{text}");
}

#[test]
fn history_lists_runs_newest_first() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let out = run(w.ks(&["verify", &id]));
    assert_eq!(code(&out), 0);
    let h = ok_json(w.ks(&["history", "--json"]));
    let runs = h["runs"].as_array().expect("array");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["operation"], "verify");
    assert_eq!(runs[0]["status"], "success");
    assert_eq!(runs[1]["operation"], "backup");
    assert_eq!(runs[1]["backup_id"], id.as_str());
    assert_eq!(runs[1]["backup_type"], "manual");
    assert!(runs[1]["started_at"].is_string() && runs[1]["duration_ms"].is_u64());
    let one = ok_json(w.ks(&["history", "--limit", "1", "--json"]));
    assert_eq!(one["runs"].as_array().expect("array").len(), 1);
    let text = stdout(&run(w.ks(&["history"])));
    assert!(text.starts_with("WHEN"), "{text}");
    assert!(text.contains("verify") && text.contains("backup"), "{text}");
}

#[test]
fn catalog_rebuild_reports_every_file_and_exits_1_on_damage() {
    let w = Work::new();
    w.app_db();
    let a = w.plain_backup();
    let b = w.plain_backup();
    let doc = ok_json(w.ks(&["catalog", "rebuild", "--json"]));
    assert_eq!(doc["sound"].as_array().map(Vec::len), Some(2), "{doc}");
    // One backup changes behind Keepsake's back, one is renamed, one is removed.
    let fa = w.backup_file(&a);
    let mut bytes = std::fs::read(&fa).expect("read");
    let n = bytes.len();
    bytes[n / 2] ^= 0x40;
    std::fs::write(&fa, &bytes).expect("write");
    let c = w.plain_backup();
    std::fs::rename(w.backup_file(&c), w.path("backups/backup_20990101_000000_0a0b0c0d.db.gz"))
        .expect("rename");
    std::fs::remove_file(w.backup_file(&b)).expect("remove");
    std::fs::write(w.path("backups/backup_20260101_000000_ffffffff.db.gz"), b"not gzip").expect("write");
    let out = run(w.ks(&["catalog", "rebuild", "--json"]));
    assert_eq!(code(&out), 1, "damage is an exit 1: {}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["changed"][0], a.as_str(), "{doc}");
    let missing: Vec<&str> =
        doc["missing"].as_array().expect("array").iter().filter_map(|v| v.as_str()).collect();
    assert!(missing.contains(&b.as_str()) && missing.contains(&c.as_str()), "removed and renamed: {doc}");
    assert_eq!(doc["foreign"][0]["file_name"], "backup_20990101_000000_0a0b0c0d.db.gz", "{doc}");
    assert_eq!(doc["foreign"][0]["concern"], "name_mismatch", "{doc}");
    assert_eq!(doc["files"][0]["file_name"], "backup_20260101_000000_ffffffff.db.gz", "{doc}");
    assert_eq!(doc["files"][0]["state"], "damaged", "{doc}");
    let text = stdout(&run(w.ks(&["catalog", "rebuild"])));
    for word in ["damaged:", "missing:", "foreign:", "header names another backup"] {
        assert!(text.contains(word), "{word}: {text}");
    }
    // Nothing vanished from the list: the missing and the changed one are still shown.
    let list = stdout(&run(w.ks(&["list"])));
    assert!(list.contains("FILE MISSING") && list.contains("FILE CHANGED"), "{list}");
}

#[test]
fn cleanup_calendar_rules() {
    let w = Work::new();
    w.app_db();
    let a = w.plain_backup();
    let b = w.plain_backup();
    // All made today: one per day, week or month keeps only the newest (plus what the engine
    // always protects).
    for flag in ["--keep-daily", "--keep-weekly", "--keep-monthly"] {
        let plan = ok_json(w.ks(&["cleanup", flag, "1", "--dry-run", "--json"]));
        assert_eq!(plan["keep"][0]["id"], b.as_str(), "{flag}: {plan}");
        assert_eq!(plan["delete"][0]["id"], a.as_str(), "{flag}: {plan}");
    }
}
