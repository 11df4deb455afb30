//! Real apps, started headless on fresh profiles by `tests/apps/app.sh` (Debian's Firefox ESR,
//! Chromium and Thunderbird, installed by `scripts/setup.sh`): `keepsake find` names them;
//! protecting an app while it runs (its databases under SQLite's exclusive lock) gives backups
//! that restore to sound databases holding what the app wrote; a restore while it runs is
//! refused with its name and changes nothing; after it quits the restore goes ahead, and the
//! app started again on the restored profile opens it with its history.
#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use serde_json::Value;

use crate::util::*;

const APP_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/apps/app.sh");

/// A web server on 127.0.0.1 serving three small pages, stopped when dropped.
struct Pages {
    child: Child,
    port: u16,
}

impl Pages {
    fn serve(dir: &Path) -> Pages {
        std::fs::create_dir_all(dir).unwrap();
        for n in 1..=3 {
            let html =
                format!("<html><head><title>Keepsake page {n}</title></head><body>page {n}</body></html>");
            std::fs::write(dir.join(format!("page{n}.html")), html).unwrap();
        }
        let mut child = Process::new("/usr/bin/python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line.split(" port ").nth(1).and_then(|r| r.split(' ').next()).and_then(|p| p.parse().ok());
        Pages { child, port: port.unwrap_or_else(|| panic!("no port in {line:?}")) }
    }

    fn url(&self, n: u32) -> String {
        format!("http://127.0.0.1:{}/page{n}.html", self.port)
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running app (stopped when dropped, should a test fail half-way).
struct RunningApp {
    pid: String,
    profile: PathBuf,
}

impl RunningApp {
    fn start(app: &str, home: &Path, url: &str) -> RunningApp {
        let out = Process::new(APP_SH).args(["start", app]).arg(home).arg(url).output().unwrap();
        assert!(
            out.status.success(),
            "{app} did not start (exit {:?}; scripts/setup.sh installs it): {}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(home.join("app.log")).unwrap_or_default()
        );
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let (pid, profile) = line.split_once('\t').unwrap_or_else(|| panic!("bad start line {line:?}"));
        RunningApp { pid: pid.to_owned(), profile: PathBuf::from(profile) }
    }

    fn stop(&mut self) {
        if self.pid.is_empty() {
            return;
        }
        let out = Process::new(APP_SH).args(["stop", &self.pid]).output().unwrap();
        assert!(out.status.success(), "stop: {}", String::from_utf8_lossy(&out.stderr));
        self.pid.clear();
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        if !self.pid.is_empty() {
            let _ = Process::new(APP_SH).args(["stop", &self.pid]).output();
        }
    }
}

/// The app started on an existing profile, `url` visited, stopped: whether it opened the
/// profile with its old history intact (see tests/apps/app.sh).
fn visit(app: &str, home: &Path, profile: &Path, url: &str) -> std::process::Output {
    Process::new(APP_SH).args(["visit", app]).arg(home).arg(profile).arg(url).output().unwrap()
}

/// `keepsake` with this work folder's home (the XDG defaults under it, as the apps use).
fn keepsake(w: &Work, args: &[&str]) -> std::process::Output {
    let mut c = w.cmd();
    c.env("XDG_CONFIG_HOME", w.path("home/.config"))
        .env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD)
        .arg("--sources")
        .arg(w.path("sources.toml"))
        .args(args);
    run(c)
}

/// Reads one column of a database through a private copy (never in place: a reader leaves
/// files behind, and an app may hold it).
fn read_column(db: &Path, sql: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    std::fs::copy(db, &copy).unwrap();
    for suffix in ["-wal", "-journal"] {
        let mut from = db.as_os_str().to_owned();
        from.push(suffix);
        if Path::new(&from).exists() {
            let mut to = copy.as_os_str().to_owned();
            to.push(suffix);
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let c = rusqlite::Connection::open(&copy).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok", "{}", db.display());
    let mut stmt = c.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// The finds of `keepsake find --json` for `app`.
fn found(w: &Work, app: &str) -> Vec<Value> {
    let out = keepsake(w, &["find", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["apps"].as_array().unwrap().iter().filter(|a| a["app"] == app).cloned().collect()
}

/// The newest backup of the app's main database (not one of its other files).
fn newest_main(w: &Work, source: &str) -> Value {
    let out = keepsake(w, &["--source", source, "list", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().cloned().unwrap_or_else(|| v["backups"].as_array().unwrap().clone());
    list.into_iter().find(|b| b["with"].is_null() && b["backup_type"] != "safety").unwrap()
}

/// The whole story for one browser: found, protected while it runs, restore refused while it
/// runs, restored once it quit, and opened again by the browser.
fn protect_a_running_browser(app: &str, name: &str, main_file: &str, history_sql: &str) {
    let w = Work::new();
    let home = w.path("home");
    let pages = Pages::serve(&w.path("www"));
    let mut browser = RunningApp::start(app, &home, &pages.url(1));

    // Found and named, its main database in use.
    let finds = found(&w, app);
    assert_eq!(finds.len(), 1, "{finds:#?}");
    assert_eq!(finds[0]["name"], name);
    let files = finds[0]["files"].as_array().unwrap();
    let main = files.iter().find(|f| f["path"].as_str().unwrap().ends_with(main_file)).unwrap();
    assert_eq!(main["in_use"], true, "{main:#?}");
    assert!(main["holds"].as_str().unwrap().len() > 3);
    let place = PathBuf::from(finds[0]["place"].as_str().unwrap());
    assert!(place.starts_with(&browser.profile), "{} not in {}", place.display(), browser.profile.display());
    let db = place.join(main_file);

    // Protected in one step, backed up while it runs.
    let out =
        keepsake(&w, &["source", "add", "--app", app, "--backup-dir", w.path("backups").to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = keepsake(&w, &["run", name]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("more of its files"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Its app had the files open"), "{}", stderr(&out));
    let backup = newest_main(&w, name);
    assert_eq!(backup["copied_while_held"], true, "{backup:#?}");
    assert_eq!(backup["verification"], "passed");
    let id = backup["id"].as_str().unwrap().to_owned();

    // A restore while it runs: refused with its name, nothing changed.
    let before = std::fs::read(&db).unwrap();
    let out = keepsake(&w, &["--source", name, "restore", &id, "--yes"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("close {name} first")), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // It quits; a second page is visited meanwhile (another session).
    browser.stop();
    let out = visit(app, &home, &browser.profile, &pages.url(2));
    assert!(out.status.success(), "visit: {}", String::from_utf8_lossy(&out.stderr));
    let urls = read_column(&db, history_sql);
    assert!(urls.contains(&pages.url(2)), "{urls:?}");

    // Now the restore goes ahead: every file as it was in the backup.
    let out = keepsake(&w, &["--source", name, "restore", &id, "--yes"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let urls = read_column(&db, history_sql);
    assert!(urls.contains(&pages.url(1)), "{urls:?}");
    assert!(!urls.contains(&pages.url(2)), "the restored history is the backup's: {urls:?}");

    // And the browser opens the restored profile, its history intact.
    let out = visit(app, &home, &browser.profile, &pages.url(3));
    assert!(
        out.status.success(),
        "the browser did not open the restored profile: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn firefox_is_found_protected_while_it_runs_and_restored_once_it_quits() {
    protect_a_running_browser("firefox", "Firefox", "places.sqlite", "SELECT url FROM moz_places");
    // (The bookmark app.sh adds is checked by its `visit`: every bookmarked URL survives.)
}

#[test]
fn chromium_is_found_protected_while_it_runs_and_restored_once_it_quits() {
    protect_a_running_browser("chromium", "Chromium", "History", "SELECT url FROM urls");
}

#[test]
fn thunderbird_is_found_and_protected_while_it_runs() {
    let w = Work::new();
    let home = w.path("home");
    let mut app = RunningApp::start("thunderbird", &home, "-");
    let finds = found(&w, "thunderbird");
    assert_eq!(finds.len(), 1, "{finds:#?}");
    assert_eq!(finds[0]["name"], "Thunderbird");
    let names: Vec<&str> = finds[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert!(names.contains(&"abook.sqlite") && names.contains(&"global-messages-db.sqlite"), "{names:?}");
    let out = keepsake(
        &w,
        &["source", "add", "--app", "thunderbird", "--backup-dir", w.path("backups").to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = keepsake(&w, &["run", "Thunderbird"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    app.stop();
}
