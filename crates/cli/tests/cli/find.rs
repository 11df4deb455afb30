//! `keepsake find` as a person runs it (not root): an unreadable folder is counted and passed
//! by, a second file system mounted inside the home folder is not entered, and what is found is
//! listed as JSON with its app and words.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::util::*;

const NOBODY: &str = "65534";

/// A small database at `path`, its folders made.
fn db_at(path: &Path, mode: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    make_db(path, mode, 10);
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn find_passes_by_unreadable_folders_and_never_enters_another_file_system() {
    // Root reads every folder and may mount: the scan itself runs as `nobody`, in a private
    // mount namespace with a tmpfs mounted inside the home folder.
    let uid = Process::new("id").arg("-u").output().expect("id");
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: needs root to mount a file system and to run the scan as another user");
        return;
    }
    let w = Work::new();
    chmod(w.dir.path(), 0o755);
    let home = w.path("scanhome");
    db_at(&home.join(".local/share/notes/notes.db"), "wal");
    db_at(&home.join(".mozilla/firefox/ab12.default/places.sqlite"), "wal");
    db_at(&home.join(".local/share/locked/secret.db"), "delete");
    std::fs::create_dir_all(home.join("usb")).expect("mount point");
    db_at(&w.path("usb.db"), "delete");
    let status =
        Process::new("chown").args(["-R", &format!("{NOBODY}:{NOBODY}")]).arg(&home).status().expect("chown");
    assert!(status.success());
    chmod(&home.join(".local/share/locked"), 0o000);

    let keepsake = assert_cmd::cargo::cargo_bin("keepsake");
    let script = r#"set -e
mount -t tmpfs -o mode=0777 keepsake-test "$1/usb"
cp "$2" "$1/usb/usb.db"
chown -R 65534:65534 "$1/usb"
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$1" "$3" find --json --home "$1""#;
    let out = Process::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", script, "sh"])
        .arg(&home)
        .arg(w.path("usb.db"))
        .arg(&keepsake)
        .output()
        .expect("unshare");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let found: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let unknown: Vec<&str> = found["unknown"]
        .as_array()
        .expect("unknown")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(unknown, [home.join(".local/share/notes/notes.db").to_str().expect("utf-8")]);
    let apps = found["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["app"], "firefox");
    assert_eq!(apps[0]["files"][0]["holds"], "History and bookmarks");
    assert!(found["counts"]["unreadable"].as_u64().expect("count") >= 1, "{}", found["counts"]);
    assert_eq!(found["counts"]["other_file_systems"], 1, "{}", found["counts"]);
    assert!(found["stopped"].is_null());
    chmod(&home.join(".local/share/locked"), 0o755);
}

#[test]
fn a_file_name_from_the_disk_cannot_act_on_the_terminal() {
    let w = Work::new();
    let home = w.path("home");
    db_at(&home.join(".local/share/x/evil\u{1b}[2J\u{1b}]0;owned\u{7}.db"), "delete");
    let out = run(w.cmd().args(["find", "--home"]).arg(&home));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("evil"), "{text}");
}

#[test]
fn find_names_the_apps_in_words_and_stops_at_its_budget() {
    let w = Work::new();
    let home = w.path("home");
    db_at(&home.join(".local/share/Anki2/User 1/collection.anki2"), "wal");
    let out = run(w.cmd().args(["find", "--home"]).arg(&home));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Anki"), "{text}");
    assert!(text.contains("collection.anki2"), "{text}");
    assert!(text.contains("Your card collection"), "{text}");
    assert!(text.contains("`--app anki`"), "{text}");
    let out = run(w.cmd().args(["find", "--json", "--max-entries", "1", "--home"]).arg(&home));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let found: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(found["stopped"], "count_budget");
}

/// Statements run by a real `sqlcipher` shell on `db` (the key first); its output.
fn sqlcipher(db: &Path, sql: &str) -> String {
    use std::io::Write;
    let mut child = Process::new("sqlcipher")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sqlcipher is installed by scripts/setup.sh");
    let mut input = child.stdin.take().expect("stdin");
    writeln!(input, "PRAGMA key = 'its own key';\n{sql}").expect("write");
    drop(input);
    let out = child.wait_with_output().expect("sqlcipher");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Signal keeps its messages in a SQLCipher database: found at its place and said plainly,
/// protected with `source add --app signal` as a file kept whole, and put back whole.
#[test]
fn a_file_its_app_encrypts_is_found_kept_whole_and_put_back() {
    let w = Work::new();
    let home = w.path("home");
    let db = home.join("config/Signal/sql/db.sqlite");
    std::fs::create_dir_all(db.parent().expect("parent")).expect("folders");
    sqlcipher(&db, "CREATE TABLE messages(body); INSERT INTO messages VALUES ('see you at 6');");

    let out = run(w.cmd().args(["find"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Signal"), "{text}");
    assert!(text.contains("Keepsake can keep copies of this file but cannot check inside it"), "{text}");

    let secret = |c: &mut assert_cmd::Command| {
        c.env("BACKUP_ENCRYPTION_PASSWORD", "pw for keepsake");
    };
    let mut add = w.src(&["source", "add", "--app", "signal", "--backup-dir", "backups"]);
    secret(&mut add);
    let out = run(add);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sources = std::fs::read_to_string(w.path("sources.toml")).expect("sources");
    assert!(sources.contains("opaque = ["), "{sources}");

    let mut backup = w.src(&["run", "Signal Desktop"]);
    secret(&mut backup);
    let out = run(backup);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("Kept whole"), "{}", stderr(&out));
    let mut list = w.src(&["--source", "Signal Desktop", "list", "--json"]);
    secret(&mut list);
    let out = run(list);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let b =
        v.as_array().cloned().unwrap_or_else(|| v["backups"].as_array().expect("list").clone())[0].clone();
    assert_eq!(b["verification"], "passed", "{b:#?}");
    assert_eq!(b["opaque"][0]["suffix"], "", "{b:#?}");
    let id = b["id"].as_str().expect("id").to_owned();

    sqlcipher(&db, "DELETE FROM messages;");
    assert_eq!(sqlcipher(&db, "SELECT count(*) FROM messages;").trim(), "0");
    let mut restore = w.src(&["--source", "Signal Desktop", "restore", &id, "--yes"]);
    secret(&mut restore);
    let out = run(restore);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(sqlcipher(&db, "SELECT body FROM messages;").trim(), "see you at 6");
}
