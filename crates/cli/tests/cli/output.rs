//! Output rules: one JSON document on stdout, no colour off a terminal unless asked.

use crate::util::*;

#[test]
fn every_command_prints_exactly_one_json_document() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let commands: Vec<Vec<&str>> = vec![
        vec!["create", "--no-encrypt"],
        vec!["list"],
        vec!["verify", &id],
        vec!["stats"],
        vec!["history"],
        vec!["cleanup", "--keep", "5", "--dry-run"],
        vec!["catalog", "rebuild"],
        vec!["decrypt", &id, "--to", "plain.db"],
        vec!["restore", &id, "--to", "restored.db", "--yes", "--allow-unencrypted"],
        vec!["delete", &id, "--yes"],
    ];
    for mut args in commands {
        args.push("--json");
        let out = run(w.ks(&args));
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let doc = json(&out);
        assert!(doc.is_object(), "{args:?}: {doc}");
        assert!(doc.get("error").is_none(), "{args:?}: {doc}");
    }
    // The commands about sources and schedules.
    let commands: Vec<Vec<&str>> = vec![
        vec!["source", "add", "s", "--db", "app.db", "--backup-dir", "s-backups", "--no-encrypt"],
        vec!["source", "list"],
        vec!["source", "set", "s", "schedule", "hourly"],
        vec!["source", "pause", "s"],
        vec!["source", "resume", "s"],
        vec!["source", "info", "s"],
        vec!["run", "s"],
        vec!["schedule", "preview", "daily 02:00"],
        vec!["source", "remove", "s"],
    ];
    for mut args in commands {
        args.push("--json");
        let out = run(w.src(&args));
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let doc = json(&out);
        assert!(doc.is_object() && doc.get("error").is_none(), "{args:?}: {doc}");
    }
}

#[test]
fn json_field_names_are_the_engines() {
    let w = Work::new();
    w.app_db();
    let meta = ok_json(w.ks(&["create", "--no-encrypt", "--json"]));
    for key in [
        "id",
        "file_name",
        "created_at",
        "source_path",
        "backup_type",
        "description",
        "tags",
        "original_size",
        "stored_size",
        "sha256",
        "encrypted",
        "compressed",
        "codec",
        "compression_level",
        "encryption",
        "schema",
        "row_counts",
        "duration_ms",
        "verification",
        "verified_at",
        "format_version",
    ] {
        assert!(meta.get(key).is_some(), "create --json lacks {key}: {meta}");
    }
    let report = ok_json(w.ks(&["verify", meta["id"].as_str().expect("id"), "--json"]));
    for key in ["backup_id", "ok", "code", "checks", "verified_at", "duration_ms"] {
        assert!(report.get(key).is_some(), "verify --json lacks {key}: {report}");
    }
    assert_eq!(report["ok"], true);
    for check in report["checks"].as_array().expect("checks") {
        assert!(check["name"].is_string() && check["status"].is_string() && check["message"].is_string());
    }
    let outcome = ok_json(w.ks_plain(&[
        "restore",
        meta["id"].as_str().expect("id"),
        "--to",
        "r.db",
        "--yes",
        "--json",
    ]));
    for key in ["backup_id", "target", "safety_backup_id", "verified", "duration_ms"] {
        assert!(outcome.get(key).is_some(), "restore --json lacks {key}: {outcome}");
    }
}

#[test]
fn no_colour_off_a_terminal_unless_asked() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    let out = run(w.ks(&["list"]));
    assert!(!stdout(&out).contains('\x1b'), "{}", stdout(&out));
    let out = run(w.ks(&["list", "--color", "always"]));
    assert!(stdout(&out).contains("\x1b["), "{}", stdout(&out));
    let out = run(w.ks(&["verify", "nope", "--color", "always"]));
    assert!(stderr(&out).contains("\x1b["), "{}", stderr(&out));
    let out = run(w.ks(&["list", "--color", "never"]));
    assert!(!stdout(&out).contains('\x1b'));
}

#[test]
fn text_errors_print_nothing_on_stdout() {
    let w = Work::new();
    let out = run(w.ks(&["verify", "nope"]));
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(lines[1].starts_with("hint: "), "{err}");
}
