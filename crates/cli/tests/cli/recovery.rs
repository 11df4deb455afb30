//! A forgotten password loses nothing, through the CLI (issue 27): `recovery-kit` writes the kit
//! (PDF and PNG) and adopts the key once it is typed back; the kit's PDF rendered with `pdftoppm`
//! and its QR code read by a real decoder (`zbarimg`) give the key that restores a backup from a
//! real S3 server on a new computer with no password anywhere; a typo is named; a password
//! changed with `change-password` opens everything, the old one is refused for new backups.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use keepsake_remote::testing::Server;

use crate::copies::{SECRET_VAR, add_s3};
use crate::util::*;

fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The key in the kit's PDF: the page rendered by pdftoppm, its code read by zbarimg.
fn key_from_pdf(pdf: &Path, work: &Path) -> String {
    let page = work.join("page");
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(pdf)
        .arg(&page)
        .status()
        .expect("pdftoppm");
    assert!(st.success());
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(page.with_extension("png"))
        .output()
        .expect("zbarimg");
    assert!(out.status.success(), "zbarimg found no code: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

/// `keepsake recovery-kit` run as a person would: the kit is written, then the last group of the
/// key (read from the kit's PDF) is typed back.
fn make_kit(w: &Work, kit_dir: &Path) -> (String, serde_json::Value) {
    std::fs::create_dir_all(kit_dir).expect("kit dir");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("keepsake"));
    let mut child = cmd
        .env_clear()
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("KEEPSAKE_SOURCES", w.path("sources.toml"))
        .env("TZ", "UTC")
        .current_dir(w.dir.path())
        .args(["--source", "astro", "recovery-kit", "--out"])
        .arg(kit_dir)
        .arg("--json")
        .env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pdf = kit_dir.join("keepsake-emergency-kit.pdf");
    let png = kit_dir.join("keepsake-emergency-kit.png");
    let t0 = std::time::Instant::now();
    while !(pdf.exists() && png.exists()) {
        assert!(t0.elapsed().as_secs() < 120, "the kit was not written");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let key = key_from_pdf(&pdf, kit_dir);
    let last = key.rsplit('-').next().expect("groups").to_lowercase();
    child.stdin.take().expect("stdin").write_all(format!("{last}\n").as_bytes()).expect("type back");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    (key, json(&out))
}

#[test]
fn the_kit_read_back_by_a_qr_decoder_restores_from_s3_on_a_new_computer_with_no_password() {
    if !have("pdftoppm") || !have("zbarimg") {
        eprintln!("skipped: pdftoppm and zbarimg are not installed (make test installs them)");
        return;
    }
    let w = Work::new();
    let server = Server::s3();
    w.app_db();
    let out = run(w.src(&["source", "add", "astro", "--db", "app.db", "--backup-dir", "backups"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = add_s3(&w, &server, keepsake_remote::testing::SECRET_KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let backup = |w: &Work| {
        let mut c = w.src(&["run", "astro"]);
        c.env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
        let out = run(c);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    };
    backup(&w);
    let (key, made) = make_kit(&w, &w.path("kit"));
    assert_eq!(made["recovery_key"], key.as_str(), "the code holds the key the kit shows");
    assert!(made["key"]["kit_made_at"].is_string(), "{made}");
    // The PNG is the same page: its code reads the same key.
    let png = zbar(&w.path("kit/keepsake-emergency-kit.png"));
    assert_eq!(png, key);
    insert_rows(&rusqlite::Connection::open(w.path("app.db")).expect("open"), 1000, 25);
    backup(&w);
    let expected = dump(&w.path("app.db"));
    let mut c = w.src(&["--source", "astro", "copy", "--missing", "--to", "b2"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY).env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A new computer: an empty profile, the destination added again, the kit's key in a file.
    let n = Work::new();
    let out = add_s3(&n, &server, keepsake_remote::testing::SECRET_KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(n.path("key.txt"), format!("QR-Code:{key}\n")).expect("key file");
    let listed = {
        let mut c = n.src(&["list", "--from", "b2", "--json", "--recovery-key-file", "key.txt"]);
        c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
        ok_json(c)
    };
    let ids: Vec<String> = listed["foreign"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|b| b["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "both backups open with the key alone: {listed}");
    let newest = ids.iter().max().expect("an id").clone();
    let restored = n.path("restored.db");
    let restore = |n: &Work, key_file: &str| {
        let mut c = n.src(&[
            "restore",
            "--from",
            "b2",
            &newest,
            "--to",
            restored.to_str().expect("utf-8"),
            "--allow-foreign",
            "--yes",
            "--recovery-key-file",
            key_file,
        ]);
        c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
        run(c)
    };
    // A typo first: named as one, nothing written.
    let mut typo: Vec<char> = key.chars().collect();
    typo[2] = if typo[2] == 'A' { 'B' } else { 'A' };
    std::fs::write(n.path("typo.txt"), typo.iter().collect::<String>()).expect("typo file");
    let out = restore(&n, "typo.txt");
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("typo"), "{}", stderr(&out));
    assert!(!restored.exists());
    let out = restore(&n, "key.txt");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(dump(&restored), expected, "the newest backup, restored with the key alone");
}

fn zbar(image: &Path) -> String {
    let out =
        std::process::Command::new("zbarimg").args(["-q", "--raw"]).arg(image).output().expect("zbarimg");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

#[test]
fn change_password_keeps_every_backup_and_the_old_password_makes_nothing_new() {
    let w = Work::new();
    w.app_db();
    let out = run(w.src(&["source", "add", "astro", "--db", "app.db", "--backup-dir", "backups"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let with = |pw: &str, args: &[&str]| {
        let mut c = w.src(args);
        c.env("BACKUP_ENCRYPTION_PASSWORD", pw);
        run(c)
    };
    assert_eq!(code(&with(PASSWORD, &["--source", "astro", "create", "--incremental"])), 0);
    // A copy elsewhere (a folder standing in for a server) made before the change.
    let elsewhere = w.path("elsewhere");
    let out =
        run(w.src(&["dest", "add", "box", "--kind", "folder", "--path", elsewhere.to_str().expect("utf-8")]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = with(PASSWORD, &["--source", "astro", "copy", "--missing", "--to", "box"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(w.path("new.txt"), "a brand new password\n").expect("new password file");
    let out = with(PASSWORD, &["--source", "astro", "change-password", "--new-password-file", "new.txt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("Password changed"), "{}", stderr(&out));
    let out = with(PASSWORD, &["run", "astro"]);
    assert_eq!(code(&out), 2, "the old password makes no new backup: {}", stderr(&out));
    assert!(stderr(&out).contains("not the password"), "{}", stderr(&out));
    insert_rows(&rusqlite::Connection::open(w.path("app.db")).expect("open"), 1000, 5);
    let out = with("a brand new password", &["--source", "astro", "create", "--incremental"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listed = {
        let mut c = w.src(&["--source", "astro", "list", "--json"]);
        c.env("BACKUP_ENCRYPTION_PASSWORD", "a brand new password");
        ok_json(c)
    };
    let backups = listed["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), 2);
    assert_eq!(backups[0]["kind"], "increment", "no new chain: {listed}");
    for b in backups {
        let id = b["id"].as_str().expect("id");
        let out = with("a brand new password", &["--source", "astro", "verify", id]);
        assert_eq!(code(&out), 0, "{id} opens with the new password: {}", stderr(&out));
    }
    // On a new computer, the copy made before the change opens with the new password: the
    // change gave the destination the new key's record at once.
    let n = Work::new();
    let out =
        run(n.src(&["dest", "add", "box", "--kind", "folder", "--path", elsewhere.to_str().expect("utf-8")]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut c = n.src(&["list", "--from", "box", "--json"]);
    c.env("BACKUP_ENCRYPTION_PASSWORD", "a brand new password");
    let listed = ok_json(c);
    assert_eq!(listed["foreign"].as_array().expect("foreign").len(), 1, "{listed}");
    let mut c = n.src(&["list", "--from", "box", "--json"]);
    c.env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    assert_eq!(
        ok_json(c)["foreign"].as_array().expect("foreign").len(),
        1,
        "the old password still opens what was made before"
    );
}
