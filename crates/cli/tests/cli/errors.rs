//! Errors: the message and hint people see, the JSON error object and the exit codes.

use std::io::{Seek, SeekFrom, Write};

use crate::util::*;

#[test]
fn wrong_password_names_the_file_and_says_what_to_do() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks_pw(&["create"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();

    let out = run(w.ks(&["verify", &id, "--json"]).env("BACKUP_ENCRYPTION_PASSWORD", "not the password"));
    assert_error(&out, 2, "wrong_password");
    let err = stderr(&out);
    assert!(err.contains("error: wrong password"), "{err}");
    assert!(err.contains(&format!("{id}.keepsake")), "{err}");
    assert!(err.contains("hint: The password does not open this backup"), "{err}");
    let doc = json(&out);
    assert!(doc["error"]["message"].as_str().expect("message").contains("wrong password"));
}

#[test]
fn a_flipped_byte_makes_verify_exit_1_with_backup_damaged() {
    let w = Work::new();
    w.app_db();
    let id = w.plain_backup();
    let file = w.backup_file(&id);
    let len = std::fs::metadata(&file).expect("stat").len();
    let mut f = std::fs::OpenOptions::new().read(true).write(true).open(&file).expect("open");
    let mut byte = [0u8; 1];
    f.seek(SeekFrom::Start(len / 2)).expect("seek");
    std::io::Read::read_exact(&mut f, &mut byte).expect("read");
    f.seek(SeekFrom::Start(len / 2)).expect("seek");
    f.write_all(&[byte[0] ^ 0xff]).expect("write");
    drop(f);

    let out = run(w.ks(&["verify", &id, "--json"]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(report["code"], "backup_damaged");
    assert_eq!(report["backup_id"], id.as_str());
    let failed: Vec<_> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "failed")
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect();
    assert!(failed.contains(&"checksum".to_owned()), "{report}");
    let err = stderr(&out);
    assert!(err.contains(&format!("error: backup {id} is damaged")), "{err}");
    assert!(err.contains("hint: The backup file has been changed or corrupted"), "{err}");

    // The same in text, and the failure is remembered by list and history.
    let out = run(w.ks(&["verify", &id]));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
    let list = ok_json(w.ks(&["list", "--json"]));
    assert_eq!(list["backups"][0]["verification"], "failed");
    let history = ok_json(w.ks(&["history", "--json"]));
    assert_eq!(history["runs"][0]["operation"], "verify");
    assert_eq!(history["runs"][0]["status"], "failed");
    assert_eq!(history["runs"][0]["error_code"], "backup_damaged");
}

#[test]
fn a_missing_database() {
    let w = Work::new();
    let out = run(w.ks(&["create", "--no-encrypt", "--json"]));
    assert_error(&out, 2, "source_not_found");
    let err = stderr(&out);
    assert!(err.contains("app.db"), "{err}");
    assert!(err.contains("hint: Check the database path"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database() {
    let w = Work::new();
    std::fs::write(w.path("app.db"), "this is a text file, not SQLite\n".repeat(200)).expect("write");
    let out = run(w.ks(&["create", "--no-encrypt", "--json"]));
    assert_error(&out, 2, "not_a_database");
    assert!(stderr(&out).contains("hint: The file is not a SQLite database"), "{}", stderr(&out));
}

#[test]
fn failed_runs_show_in_history() {
    let w = Work::new();
    let out = run(w.ks(&["create", "--no-encrypt"]));
    assert_eq!(code(&out), 2);
    let history = ok_json(w.ks(&["history", "--json"]));
    let run0 = &history["runs"][0];
    assert_eq!(run0["operation"], "backup");
    assert_eq!(run0["status"], "failed");
    assert_eq!(run0["error_code"], "source_not_found");
    let out = run(w.ks(&["history"]));
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
    assert!(stdout(&out).contains("source_not_found"), "{}", stdout(&out));
}

#[test]
fn a_busy_backup_folder_exits_3() {
    let w = Work::new();
    w.app_db();
    w.plain_backup();
    // Hold the folder lock as a running keepsake would.
    let lock = w.hold_lock("backups");
    let out = run(w.ks(&["create", "--no-encrypt", "--json"]));
    assert_error(&out, 3, "busy");
    assert!(stderr(&out).contains("Wait for it to finish"), "{}", stderr(&out));
    drop(lock);
    let out = run(w.ks(&["create", "--no-encrypt"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    let w = Work::new();
    for args in [
        vec!["create", "--bogus"],
        vec!["create", "--level", "12"],
        vec!["verify"],
        vec!["cleanup", "--keep", "0"],
        vec!["list", "--limit", "many"],
        vec![],
    ] {
        let out = run(w.ks(&args));
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error") || stderr(&out).contains("Usage"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn usage_errors_under_json_print_the_error_object() {
    let w = Work::new();
    let out = run(w.ks(&["list", "--json", "--bogus"]));
    assert_eq!(code(&out), 2);
    let doc = json(&out);
    assert_eq!(doc["error"]["code"], "invalid_input");
    assert!(doc["error"]["message"].as_str().expect("message").contains("--bogus"));
}

#[test]
fn help_and_version_exit_0_and_every_command_has_an_example() {
    let w = Work::new();
    let out = run(w.cmd().arg("--version"));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("keepsake "));
    for cmd in [
        vec!["create"],
        vec!["list"],
        vec!["verify"],
        vec!["restore"],
        vec!["delete"],
        vec!["cleanup"],
        vec!["stats"],
        vec!["history"],
        vec!["catalog"],
        vec!["catalog", "rebuild"],
        vec!["decrypt"],
        vec!["source"],
        vec!["source", "add"],
        vec!["source", "list"],
        vec!["source", "remove"],
        vec!["source", "set"],
        vec!["source", "pause"],
        vec!["source", "resume"],
        vec!["source", "info"],
        vec!["schedule"],
        vec!["schedule", "preview"],
        vec!["run"],
        vec!["find"],
        vec!["daemon"],
        vec![],
    ] {
        let mut c = w.cmd();
        c.args(&cmd).arg("--help");
        let out = run(c);
        assert_eq!(code(&out), 0, "{cmd:?}");
        let text = stdout(&out);
        assert!(text.contains("Examples:"), "{cmd:?} --help has no example:\n{text}");
        assert!(text.contains("keepsake "), "{cmd:?}");
    }
}

/// What a person setting up copies elsewhere needs is in the help: every kind, where the secret
/// comes from on a server, and that the bucket or container must exist first.
#[test]
fn the_help_of_copies_elsewhere_names_every_kind_and_where_secrets_come_from() {
    let w = Work::new();
    let help = |cmd: &[&str]| {
        let out = run(w.cmd().args(cmd).arg("--help"));
        assert_eq!(code(&out), 0, "{cmd:?}");
        stdout(&out).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let add = help(&["dest", "add"]);
    assert!(add.contains("KEEPSAKE_DEST_SECRET_<NAME>"), "{add}");
    assert!(add.contains("does not create it"), "{add}");
    assert!(add.contains("--kind azure") && add.contains("--kind gcs"), "{add}");
    let endpoint =
        add.split("--endpoint <URL>").nth(1).expect("--endpoint").split(" --region").next().unwrap_or("");
    for kind in ["S3", "Azure", "Google Cloud Storage", "WebDAV", "SFTP"] {
        assert!(endpoint.contains(kind), "--endpoint names {kind}: {endpoint}");
    }
    for cmd in [&["dest"][..], &["copy"]] {
        let text = help(cmd);
        assert!(text.contains("Azure") && text.contains("Google Cloud Storage"), "{cmd:?}: {text}");
        assert!(text.contains("KEEPSAKE_DEST_SECRET_<NAME>"), "{cmd:?}: {text}");
    }
    assert!(help(&["dest"]).contains("does not create the bucket or container"));
}

#[test]
fn an_unknown_backup_id() {
    let w = Work::new();
    std::fs::create_dir(w.path("backups")).expect("mkdir");
    for args in [["verify", "nope"], ["delete", "nope"]] {
        let mut a = args.to_vec();
        a.push("--json");
        let out = run(w.ks(&a));
        assert_error(&out, 2, "backup_not_found");
        assert!(stderr(&out).contains("\"nope\""), "{}", stderr(&out));
    }
}
