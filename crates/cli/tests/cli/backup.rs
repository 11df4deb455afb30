//! `create`, its flags, and round trips through the CLI alone.

use rusqlite::Connection;

use crate::util::*;

#[test]
fn create_prints_only_the_new_id_on_stdout() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks(&["create", "--no-encrypt"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out);
    assert!(is_backup_id(id.trim()), "{id:?}");
    assert_eq!(id.lines().count(), 1);
    assert!(stderr(&out).contains("Backed up"), "{}", stderr(&out));
    assert!(w.path("backups").join(format!("{}.db.gz", id.trim())).is_file());
}

#[test]
fn round_trip_encrypted_wal_database_with_uncheckpointed_rows() {
    let w = Work::new();
    let db = w.app_db();
    // Rows that live only in the WAL while the backup runs must be in the backup.
    let live = Connection::open(&db).expect("open");
    live.execute_batch("PRAGMA wal_autocheckpoint = 0;").expect("pragma");
    insert_rows(&live, 1000, 50);
    assert!(w.path("app.db-wal").exists());

    let out = run(w.ks_pw(&["create"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    assert!(w.backup_file(&id).to_string_lossy().ends_with(".keepsake"));

    let out = run(w.ks_pw(&["verify", &id]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("sound"), "{}", stdout(&out));

    let target = w.path("restored.db");
    let out = run(w.ks_pw(&["restore", &id, "--to", target.to_str().expect("utf-8"), "--yes"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Restored backup"), "{}", stdout(&out));
    assert_eq!(dump(&target), dump(&db));
    assert!(dump(&target).iter().any(|r| r.contains("note 1049")));
}

#[test]
fn round_trip_rollback_journal_database_uncompressed() {
    let w = Work::new();
    let db = w.path("app.db");
    make_db(&db, "delete", 200);
    let meta = ok_json(w.ks(&["create", "--no-encrypt", "--no-compress", "--json"]));
    assert_eq!(meta["compressed"], false);
    assert_eq!(meta["compression_level"], 0);
    assert_eq!(meta["schema"]["journal_mode"], "delete");
    assert_eq!(meta["row_counts"]["notes"], 200);
    let id = meta["id"].as_str().expect("id");
    let target = w.path("out/restored.db");
    std::fs::create_dir(w.path("out")).expect("mkdir");
    let out =
        run(w.ks_plain(&["restore", id, "--to", target.to_str().expect("utf-8"), "--yes", "--no-verify"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(dump(&target), dump(&db));
}

#[test]
fn create_records_description_tags_type_and_level() {
    let w = Work::new();
    w.app_db();
    let meta = ok_json(w.ks(&[
        "create",
        "--no-encrypt",
        "--description",
        "before upgrade",
        "--tags",
        "prod",
        "deploy",
        "--type",
        "scheduled",
        "--level",
        "9",
        "--json",
    ]));
    assert_eq!(meta["description"], "before upgrade");
    assert_eq!(meta["tags"], serde_json::json!(["prod", "deploy"]));
    assert_eq!(meta["backup_type"], "scheduled");
    assert_eq!(meta["compression_level"], 9);
    assert_eq!(meta["encrypted"], false);
    assert_eq!(meta["verification"], "unverified");
    let list = ok_json(w.ks(&["list", "--json"]));
    assert_eq!(list["backups"][0]["description"], "before upgrade");
}

#[test]
fn create_verify_flag_verifies() {
    let w = Work::new();
    w.app_db();
    let meta = ok_json(w.ks(&["create", "--no-encrypt", "--verify", "--json"]));
    assert_eq!(meta["verification"], "passed");
    assert!(meta["verified_at"].is_string());
}

#[test]
fn last_of_encrypt_and_no_encrypt_wins() {
    let w = Work::new();
    w.app_db();
    let meta = ok_json(w.ks(&["create", "--encrypt", "--no-encrypt", "--json"]));
    assert_eq!(meta["encrypted"], false);
}

#[test]
fn encrypted_create_without_password_and_terminal_fails_before_writing() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks(&["create", "--json"]));
    assert_error(&out, 2, "password_required");
    assert!(stderr(&out).contains("BACKUP_ENCRYPTION_PASSWORD"), "{}", stderr(&out));
    let list = ok_json(w.ks(&["list", "--json"]));
    assert_eq!(list["backups"], serde_json::json!([]));
}

#[test]
fn password_file_gives_the_password_and_beats_the_environment() {
    let w = Work::new();
    let db = w.app_db();
    let pw = w.path("pw.txt");
    std::fs::write(&pw, format!("{PASSWORD}\n")).expect("write");
    let pw_arg = pw.to_str().expect("utf-8");
    let meta = ok_json(
        w.ks(&["create", "--password-file", pw_arg, "--json"]).env("BACKUP_ENCRYPTION_PASSWORD", "other"),
    );
    assert_eq!(meta["encrypted"], true);
    let id = meta["id"].as_str().expect("id");
    // The environment alone has the wrong password now; the file still opens the backup.
    let plain = w.path("plain.db");
    let out = run(w.ks(&["decrypt", id, "--to", plain.to_str().expect("utf-8"), "--password-file", pw_arg]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(dump(&plain), dump(&db));
}

#[test]
fn no_password_flag_exists() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks(&["create", "--password", "secret"]));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--password"), "{}", stderr(&out));
}

/// On a real small disk (a 300 MiB tmpfs), backups of 20 MiB that cannot be compressed: a
/// warning once the next one would leave less than the margin, then one that cannot fit is
/// refused with the cleanup that makes room, which does.
#[test]
fn a_disk_running_low_is_warned_of_and_a_backup_that_cannot_fit_says_what_to_delete() {
    let disk = keepsake_engine::testing::SmallDisk::new(300);
    let w = Work::new();
    incompressible_db(&w.path("app.db"), 20);
    let backups = disk.path.join("backups");
    let create = || {
        let mut c = w.cmd();
        c.arg("--db")
            .arg(w.path("app.db"))
            .arg("--backup-dir")
            .arg(&backups)
            .args(["create", "--no-encrypt"]);
        run(c)
    };
    let mut warned = false;
    let mut made = 0;
    let refused = loop {
        let out = create();
        if code(&out) != 0 {
            break out;
        }
        made += 1;
        assert!(made < 20, "never refused");
        if stderr(&out).contains("warning: the disk of") {
            warned = true;
            assert!(stderr(&out).contains("is low on space"), "{}", stderr(&out));
            assert!(
                stderr(&out)
                    .contains(&format!("keepsake --backup-dir {} cleanup --keep ", backups.display())),
                "{}",
                stderr(&out)
            );
        } else {
            assert!(!warned, "once low, low until room is made: {}", stderr(&out));
        }
    };
    assert!(warned, "a warning before the disk was full");
    assert!(made >= 4, "{made} backups made");
    assert_error(&refused, 2, "destination_full");
    let hint = stderr(&refused);
    assert!(hint.contains("Nothing was written. Delete the"), "{hint}");
    let files = || std::fs::read_dir(&backups).expect("folder").count();
    let before = files();
    // The cleanup it names makes the room.
    let keep: String = hint
        .split("cleanup --keep ")
        .nth(1)
        .expect("the rule")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let mut c = w.cmd();
    c.arg("--backup-dir").arg(&backups).args(["cleanup", "--keep", &keep]);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(files() < before, "backups deleted");
    assert_eq!(code(&create()), 0, "and the backup is made");
}

/// The disk: 96 MiB, an incompressible 12 MiB database. The backup that leaves more
/// than the 10 % margin is made (it was refused: "about 28 MiB needed, 27 MiB free"), a warning
/// comes while there is room for it, and the refusal's numbers add up.
#[test]
fn on_a_small_disk_a_backup_that_fits_is_made_after_a_warning_and_the_refusal_adds_up() {
    let disk = keepsake_engine::testing::SmallDisk::new(96);
    let w = Work::new();
    incompressible_db(&w.path("scans.db"), 12);
    let backups = disk.path.join("backups");
    let mut outs = Vec::new();
    loop {
        let mut c = w.cmd();
        c.arg("--db")
            .arg(w.path("scans.db"))
            .arg("--backup-dir")
            .arg(&backups)
            .args(["create", "--no-encrypt"]);
        let out = run(c);
        let done = code(&out) != 0;
        outs.push(out);
        assert!(outs.len() < 12, "never refused");
        if done {
            break;
        }
    }
    // Seven fit with 9.6 MiB kept free; the eighth does not.
    assert_eq!(outs.len(), 8, "{}", stderr(outs.last().expect("one")));
    let warned: Vec<bool> = outs[..7].iter().map(|o| stderr(o).contains("warning: the disk of")).collect();
    assert_eq!(warned, [false, false, false, false, false, false, true], "the last that fits warns");
    assert!(stderr(&outs[6]).contains("too little for the next backup like it"), "{}", stderr(&outs[6]));
    let refused = &outs[7];
    assert_error(refused, 2, "destination_full");
    let text = stderr(refused);
    assert!(text.contains("for the backup and keeps 9.6 MiB (10 % of the disk) free, "), "{text}");
    let tenths: Vec<u64> = text
        .split(" MiB")
        .filter_map(|p| p.rsplit(' ').next())
        .filter_map(|n| {
            n.split_once('.').and_then(|(a, b)| Some(a.parse::<u64>().ok()? * 10 + b.parse::<u64>().ok()?))
        })
        .collect();
    assert!(tenths.len() >= 4, "{text}");
    assert_eq!(tenths[0] + tenths[1], tenths[2], "the parts add up: {text}");
    assert!(tenths[3] < tenths[2], "{text}");
    assert_eq!(std::fs::read_dir(&backups).expect("folder").count(), 7, "nothing written");
}
