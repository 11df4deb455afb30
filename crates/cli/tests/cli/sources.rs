//! `keepsake source ...`, `keepsake run NAME` and `--source NAME`: the sources file is edited
//! only by valid changes, bad values name the field, and a source's run goes through the same
//! verb as the daemon's.

use crate::util::*;

/// `source add astro` with a plain backup folder `backups`, unencrypted.
fn sources_json(w: &Work) -> serde_json::Value {
    ok_json(w.src(&["source", "list", "--json"]))
}

#[test]
fn add_list_set_and_remove() {
    let w = Work::new();
    w.add_astro(&["--schedule", "daily 02:00", "--keep-last", "5", "--level", "3", "--no-verify"]);
    let list = sources_json(&w);
    assert_eq!(list["file"], w.path("sources.toml").to_str().expect("utf-8"));
    let s = &list["sources"][0];
    assert_eq!(s["name"], "astro");
    // Paths are stored absolute, so the daemon finds them from any folder.
    assert_eq!(s["database"], w.path("app.db").to_str().expect("utf-8"));
    assert_eq!(s["backup_dir"], w.path("backups").to_str().expect("utf-8"));
    assert_eq!(s["schedule"], serde_json::json!({"kind": "daily", "time": "02:00"}));
    assert_eq!(s["retention"]["keep_last"], 5);
    assert_eq!(
        (s["encrypt"].as_bool(), s["level"].as_u64(), s["verify_after_backup"].as_bool()),
        (Some(false), Some(3), Some(false))
    );

    let text = stdout(&run(w.src(&["source", "list"])));
    assert!(
        text.starts_with("NAME") && text.contains("astro") && text.contains("Every day at 02:00"),
        "{text}"
    );

    let out = run(w.src(&["source", "set", "astro", "schedule", "0 */6 * * 1-5"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("astro: schedule = 0 */6 * * 1-5"), "{}", stderr(&out));
    let out = run(w.src(&["source", "set", "astro", "keep_last", "none"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = &sources_json(&w)["sources"][0];
    assert_eq!(s["schedule"], serde_json::json!({"kind": "cron", "expr": "0 */6 * * 1-5"}));
    assert_eq!(s["retention"]["keep_last"], serde_json::Value::Null);

    let out = run(w.src(&["source", "remove", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("backups"), "says the backups are kept: {}", stderr(&out));
    assert_eq!(sources_json(&w)["sources"], serde_json::json!([]));
}

#[test]
fn bad_values_name_the_field_and_leave_the_file_unchanged() {
    let w = Work::new();
    w.add_astro(&["--schedule", "daily 02:00"]);
    let before = w.sources_bytes();
    let cases: [(&[&str], &[&str]); 7] = [
        (&["set", "astro", "level", "12"], &["level", "1 and 9"]),
        (&["set", "astro", "schedule", "0 25 * * *"], &["schedule", "hour field: 25 is out of range 0-23"]),
        (&["set", "astro", "schedule", "daily 2pm"], &["schedule"]),
        (&["set", "astro", "paused", "maybe"], &["paused", "true or false"]),
        (&["set", "astro", "keep_last", "-3"], &["keep_last", "whole number"]),
        (&["set", "astro", "colour", "red"], &["unknown field \"colour\"", "schedule"]),
        (&["set", "nope", "level", "3"], &["no source named \"nope\""]),
    ];
    for (args, needles) in cases {
        let mut argv = vec!["source"];
        argv.extend_from_slice(args);
        argv.push("--json");
        let out = run(w.src(&argv));
        assert_error(&out, 2, "invalid_input");
        for needle in needles {
            assert!(stderr(&out).contains(needle), "{args:?}: no {needle:?} in {}", stderr(&out));
        }
        assert_eq!(w.sources_bytes(), before, "{args:?} changed the file");
    }
    // A second source in the same folder is refused, naming the field and the flag.
    let out = run(w.src(&["source", "add", "copy", "--db", "app.db", "--backup-dir", "backups"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("backup_dir") && stderr(&out).contains("--backup-dir"), "{}", stderr(&out));
    let out = run(w.src(&["source", "add", "astro", "--db", "x.db", "--backup-dir", "other"]));
    assert!(stderr(&out).contains("two sources are named \"astro\""), "{}", stderr(&out));
    assert_eq!(w.sources_bytes(), before);
    // A bad schedule on `add` writes nothing either.
    let out = run(w.src(&[
        "source",
        "add",
        "b",
        "--db",
        "b.db",
        "--backup-dir",
        "b",
        "--schedule",
        "weekly 02:00",
    ]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("schedule"), "{}", stderr(&out));
    assert_eq!(w.sources_bytes(), before);
}

#[test]
fn a_broken_sources_file_is_named() {
    let w = Work::new();
    std::fs::write(
        w.path("sources.toml"),
        "[[source]]\nname = \"a\"\ndatabase = \"/a.db\"\nbackup_dir = \"/b\"\nlevel = 12\n",
    )
    .expect("write");
    let out = run(w.src(&["source", "list"]));
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("sources.toml") && err.contains("level"), "{err}");
}

#[test]
fn pause_resume_and_info() {
    let w = Work::new();
    w.add_astro(&["--schedule", "daily 02:00"]);
    let info = ok_json(w.src(&["source", "info", "astro", "--json"]));
    assert_eq!(info["description"], "Every day at 02:00");
    assert_eq!(info["due"]["reason"], "first_run", "{info}");
    assert_eq!(info["last_run"], serde_json::Value::Null);
    assert_eq!(info["health"]["status"], "never_succeeded");

    let out = run(w.src(&["source", "pause", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(sources_json(&w)["sources"][0]["paused"], true);
    let info = ok_json(w.src(&["source", "info", "astro", "--json"]));
    assert_eq!((info["paused"].as_bool(), &info["next_run"]), (Some(true), &serde_json::Value::Null));
    let text = stdout(&run(w.src(&["source", "info", "astro"])));
    assert!(text.contains("paused"), "{text}");

    let out = run(w.src(&["source", "resume", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(sources_json(&w)["sources"][0]["paused"], false);

    let out = run(w.src(&["run", "astro"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    let info = ok_json(w.src(&["source", "info", "astro", "--json"]));
    assert_eq!(info["last_run"]["status"], "success");
    assert_eq!(info["last_run"]["backup_id"], id.as_str());
    assert_eq!(info["health"]["status"], "ok");
    assert_eq!(info["due"], serde_json::Value::Null);
    let next = info["next_run"].as_str().expect("next run");
    assert!(next.ends_with("T02:00:00Z") || next.ends_with("T02:00:00+00:00"), "{next}");
    let text = stdout(&run(w.src(&["source", "info", "astro"])));
    for needle in ["Next run", "02:00", "Last run", &id, "Health    ok"] {
        assert!(text.contains(needle), "no {needle:?} in {text}");
    }
}

#[test]
fn run_now_backs_up_verifies_and_applies_retention() {
    let w = Work::new();
    w.add_astro(&["--schedule", "daily 02:00", "--keep-last", "2"]);
    let mut ids = vec![];
    for _ in 0..3 {
        let out = run(w.src(&["run", "astro"]));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let id = stdout(&out).trim().to_owned();
        assert!(is_backup_id(&id), "{id}");
        assert!(stderr(&out).contains("verified"), "{}", stderr(&out));
        ids.push(id);
    }
    let list = ok_json(w.src(&["--source", "astro", "list", "--json"]));
    let kept: Vec<&str> =
        list["backups"].as_array().expect("array").iter().map(|b| b["id"].as_str().expect("id")).collect();
    assert_eq!(kept, [ids[2].as_str(), ids[1].as_str()]);
    for b in list["backups"].as_array().expect("array") {
        assert_eq!(
            (b["backup_type"].as_str(), b["verification"].as_str()),
            (Some("scheduled"), Some("passed"))
        );
    }
    let runs = ok_json(w.src(&["--source", "astro", "history", "--json"]));
    let backups: Vec<_> =
        runs["runs"].as_array().expect("runs").iter().filter(|r| r["operation"] == "backup").collect();
    assert_eq!(backups.len(), 3);
    assert!(backups.iter().all(|r| r["backup_type"] == "scheduled" && r["status"] == "success"));

    let doc = ok_json(w.src(&["run", "astro", "--json"]));
    assert_eq!(doc["source"], "astro");
    assert_eq!(doc["status"], "success");
    assert_eq!(doc["verify"]["ok"], true);
    assert_eq!(doc["cleanup"]["delete"].as_array().map(Vec::len), Some(1));
}

#[test]
fn run_while_the_folder_is_busy_is_skipped_and_recorded() {
    let w = Work::new();
    w.add_astro(&[]);
    std::fs::create_dir_all(w.path("backups")).expect("mkdir");
    let lock = w.hold_lock("backups");
    let out = run(w.src(&["run", "astro", "--json"]));
    assert_error(&out, 3, "busy");
    assert!(stderr(&out).contains("skipped"), "{}", stderr(&out));
    drop(lock);
    let runs = ok_json(w.src(&["--source", "astro", "history", "--json"]));
    assert_eq!(runs["runs"][0]["status"], "skipped");
    assert_eq!(runs["runs"][0]["backup_type"], "scheduled");
}

#[test]
fn source_flag_picks_database_folder_and_settings() {
    let w = Work::new();
    w.add_astro(&["--level", "1"]);
    let meta = ok_json(w.src(&["--source", "astro", "create", "--json"]));
    assert_eq!(meta["source_path"], w.path("app.db").to_str().expect("utf-8"));
    assert_eq!((meta["encrypted"].as_bool(), meta["compression_level"].as_u64()), (Some(false), Some(1)));
    assert!(w.path("backups").join(meta["file_name"].as_str().expect("name")).is_file());
    let out = run(w.src(&["--source", "nope", "list"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("no source named \"nope\""), "{}", stderr(&out));
}

#[test]
fn the_seed_environment_defines_the_default_source_without_writing_it() {
    let w = Work::new();
    w.app_db();
    let mut c = w.src(&["source", "list", "--json"]);
    c.env("DATABASE_URL", "sqlite:///app.db")
        .env("BACKUP_SCHEDULE", "0 3 * * *")
        .env("BACKUP_MAX_BACKUPS", "7");
    let list = ok_json(c);
    let d = &list["sources"][0];
    assert_eq!(d["name"], "default");
    assert_eq!(d["schedule"], serde_json::json!({"kind": "cron", "expr": "0 3 * * *"}));
    assert_eq!(d["retention"]["keep_last"], 7);
    assert!(!w.path("sources.toml").exists(), "the environment is never written to the file");

    let mut c = w.src(&["source", "set", "default", "level", "3"]);
    c.env("DATABASE_URL", "sqlite:///app.db");
    let out = run(c);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("DATABASE_URL"), "{}", stderr(&out));

    let mut c = w.src(&["source", "list"]);
    c.env("DATABASE_URL", "sqlite:///app.db").env("BACKUP_SCHEDULE", "0 25 * * *");
    let out = run(c);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("BACKUP_SCHEDULE") && stderr(&out).contains("hour"), "{}", stderr(&out));
}
