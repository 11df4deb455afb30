//! The scan on home folders laid out by the tests: the catalogue's apps in their native,
//! Flatpak and Snap places (from a list written independently of the catalogue), unknown
//! databases, and what a scan must not be caught by: a symlink loop, a FIFO, a link out of the
//! home folder, a 10,000-folder tree, files that look like databases by name only.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use keepsake_discover::{Budget, Catalogue, Folders, Found, Installed, ScanPlan, Stopped, scan};
use keepsake_model::seams::CancelToken;

fn make_db(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES ('kept');").unwrap();
}

fn plan(home: &Path) -> ScanPlan {
    ScanPlan { folders: Folders::under(home), skip: Vec::new(), budget: Budget::default() }
}

fn run(plan: &ScanPlan) -> Found {
    scan(plan, &Catalogue::shipped(), &CancelToken::new(), &|_| {})
}

#[test]
fn the_shipped_catalogue_reads_and_names_at_least_25_apps() {
    let c = Catalogue::shipped();
    assert!(c.apps.len() >= 25, "only {} apps", c.apps.len());
    for id in ["firefox", "thunderbird", "chromium", "zotero", "anki", "joplin", "calibre"] {
        assert!(c.app(id).is_some(), "{id} missing");
    }
}

#[test]
fn a_bad_catalogue_is_refused_with_the_app_named() {
    let bad = r#"
[[app]]
id = "Bad App"
name = "x"
kind = "y"
places = [{ where = "native", path = "~/x" }]
[[app.files]]
name = "a.db"
holds = "Things"
"#;
    let e = Catalogue::parse(bad).unwrap_err();
    assert!(e.contains("Bad App"), "{e}");
    let outside = bad.replace("Bad App", "ok").replace("~/x", "/etc/x");
    assert!(Catalogue::parse(&outside).unwrap_err().contains("must start with"));
    let unknown_key = bad.replace("Bad App", "ok").replace("kind = \"y\"", "kind = \"y\"\ncolour = 1");
    assert!(Catalogue::parse(&unknown_key).is_err());
}

/// Every line of `tests/fixtures/app_homes.txt` (real paths, written from the apps' own
/// documentation and code) is found and named as its app says, or listed apart for `-`.
#[test]
fn the_apps_of_a_laid_out_home_are_found_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let list = include_str!("fixtures/app_homes.txt");
    let mut expected = Vec::new();
    for line in list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let parts: Vec<&str> = line.splitn(3, '\t').collect();
        assert_eq!(parts.len(), 3, "bad fixture line {line:?}");
        let path = home.join(parts[2]);
        make_db(&path);
        expected.push((parts[0].to_owned(), parts[1].to_owned(), path));
    }
    let found = run(&plan(home));
    assert_eq!(found.stopped, None);
    for (app, installed, path) in &expected {
        if app == "-" {
            assert!(found.unknown.iter().any(|f| &f.path == path), "{} not listed apart", path.display());
            continue;
        }
        let owner = found.apps.iter().find(|a| a.files.iter().any(|f| &f.path == path));
        let Some(owner) = owner else { panic!("{} ({app}) not found", path.display()) };
        assert_eq!(&owner.app, app, "{}", path.display());
        let want = match installed.as_str() {
            "native" => Installed::Native,
            "flatpak" => Installed::Flatpak,
            "snap" => Installed::Snap,
            other => panic!("bad fixture kind {other}"),
        };
        assert_eq!(owner.installed, want, "{}", path.display());
        let file = owner.files.iter().find(|f| &f.path == path).unwrap();
        assert!(file.holds.as_deref().is_some_and(|h| !h.is_empty()));
    }
}

#[test]
fn databases_are_known_by_their_header_not_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    // A database with an odd name, in a top-level folder of the home folder.
    make_db(&home.join("Documents/household"));
    // Not databases, whatever their names say.
    std::fs::create_dir_all(home.join("Documents")).unwrap();
    std::fs::write(home.join("Documents/fake.sqlite"), vec![b'x'; 4096]).unwrap();
    let profile = home.join(".mozilla/firefox/abc.default");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("places.sqlite"), b"SQLite format 2\0".repeat(64)).unwrap();
    // Deeper than the top levels of the home folder, outside any place apps keep data: not looked at.
    make_db(&home.join("Documents/projects/deep/inside/notes.db"));
    let found = run(&plan(home));
    let unknown: Vec<&Path> = found.unknown.iter().map(|f| f.path.as_path()).collect();
    assert_eq!(unknown, vec![home.join("Documents/household").as_path()]);
    assert!(found.apps.is_empty(), "{:?}", found.apps);
    assert!(!found.unknown[0].wal);

    // A file its app encrypts (Signal's SQLCipher database) has no SQLite header: it is known
    // by its place in the catalogue, and said to be encrypted. The same bytes elsewhere are not.
    let noise: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let signal = home.join(".config/Signal/sql/db.sqlite");
    std::fs::create_dir_all(signal.parent().unwrap()).unwrap();
    std::fs::write(&signal, &noise).unwrap();
    std::fs::write(home.join(".config/Signal/sql/other.sqlite"), &noise).unwrap();
    let found = run(&plan(home));
    assert_eq!(found.apps.len(), 1);
    assert_eq!(found.apps[0].app, "signal");
    assert_eq!(found.apps[0].files.len(), 1);
    assert!(found.apps[0].files[0].encrypted);
    assert_eq!(found.unknown.len(), 1);
}

#[test]
fn more_databases_in_an_apps_own_folder_are_the_apps_not_strangers() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let profile = home.join(".mozilla/firefox/ab.default");
    make_db(&profile.join("places.sqlite"));
    make_db(&profile.join("bounce-tracking-protection.sqlite"));
    make_db(&profile.join("storage/permanent/chrome/idb/123.sqlite"));
    make_db(&home.join("Documents/budget.gnucash"));
    make_db(&home.join("Documents/inventory.db"));
    let found = run(&plan(home));
    let firefox = found.apps.iter().find(|a| a.app == "firefox").unwrap();
    assert_eq!(firefox.files.len(), 3);
    assert_eq!(firefox.files[0].path, profile.join("places.sqlite"));
    for extra in &firefox.files[1..] {
        assert!(!extra.important);
        assert_eq!(extra.holds.as_deref(), Some("More Firefox data that Keepsake does not know"));
    }
    // ~/Documents is the person's folder: GnuCash's book there claims nothing else.
    let unknown: Vec<&Path> = found.unknown.iter().map(|f| f.path.as_path()).collect();
    assert_eq!(unknown, vec![home.join("Documents/inventory.db").as_path()]);
}

#[test]
fn links_fifos_and_loops_are_never_followed_or_opened() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let outside = dir.path().join("elsewhere");
    make_db(&outside.join("secret.db"));
    make_db(&home.join(".local/share/app/real.db"));
    std::fs::create_dir_all(home.join(".local/share/loop")).unwrap();
    std::os::unix::fs::symlink(home.join(".local/share"), home.join(".local/share/loop/again")).unwrap();
    std::os::unix::fs::symlink(&outside, home.join(".local/share/out")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.db"), home.join(".local/share/app/link.db")).unwrap();
    // A FIFO named like a database: opening it would wait for a writer forever.
    let fifo = home.join(".local/share/app/pipe.sqlite");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let found = run(&plan(&home));
    let unknown: Vec<PathBuf> = found.unknown.iter().map(|f| f.path.clone()).collect();
    assert_eq!(unknown, vec![home.join(".local/share/app/real.db")]);
    assert_eq!(found.counts.links, 3);
    assert_eq!(found.counts.special, 1);
    assert_eq!(found.stopped, None);
}

#[test]
fn ten_thousand_folders_stay_within_the_budget_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cache = home.join(".cache/thumbs");
    for i in 0..100 {
        for j in 0..100 {
            std::fs::create_dir_all(cache.join(format!("{i}/{j}"))).unwrap();
        }
    }
    make_db(&home.join(".cache/thumbs/99/99/last.db"));
    make_db(&home.join(".local/share/first.db"));
    // Enough budget: the whole tree is walked and both databases are found.
    let all = run(&plan(home));
    assert_eq!(all.stopped, None);
    assert!(all.counts.folders >= 10_100, "{:?}", all.counts);
    assert_eq!(all.unknown.len(), 2);
    // A count budget stops it, says so, and keeps what it found until then.
    let mut small = plan(home);
    small.budget = Budget { max_entries: 2_000, max_time: Duration::from_secs(30) };
    let cut = run(&small);
    assert_eq!(cut.stopped, Some(Stopped::CountBudget));
    assert!(cut.counts.entries <= 2_000 + 256, "{:?}", cut.counts);
    // A time budget too.
    small.budget = Budget { max_entries: u64::MAX, max_time: Duration::ZERO };
    assert_eq!(run(&small).stopped, Some(Stopped::TimeBudget));
    // And a cancel.
    let cancel = CancelToken::new();
    cancel.cancel();
    let stopped = scan(&plan(home), &Catalogue::shipped(), &cancel, &|_| {});
    assert_eq!(stopped.stopped, Some(Stopped::Cancelled));
}

#[test]
fn keepsakes_own_folders_and_protected_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    make_db(&home.join(".local/share/keepsake/catalog.db"));
    make_db(&home.join(".local/share/other/mine.db"));
    let mut p = plan(home);
    p.skip = vec![home.join(".local/share/keepsake")];
    let found = run(&p);
    assert_eq!(found.unknown.len(), 1);
    assert_eq!(found.unknown[0].path, home.join(".local/share/other/mine.db"));
}

#[test]
fn a_database_in_a_world_writable_folder_is_flagged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    make_db(&home.join("Public/drop.db"));
    make_db(&home.join("Documents/mine.db"));
    std::fs::set_permissions(home.join("Public"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let found = run(&plan(home));
    let shared: Vec<(String, bool)> = found
        .unknown
        .iter()
        .map(|f| (f.path.file_name().unwrap().to_string_lossy().into_owned(), f.shared))
        .collect();
    assert_eq!(shared, vec![("mine.db".to_owned(), false), ("drop.db".to_owned(), true)]);
}

#[test]
fn a_database_another_program_holds_is_marked_in_use_without_taking_a_lock() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let path = home.join(".local/share/held/app.db");
    make_db(&path);
    // Another process holds it in exclusive mode, as Firefox does.
    let mut child = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1])\nc.execute('PRAGMA locking_mode=EXCLUSIVE')\nc.execute('INSERT INTO t VALUES (1)')\nc.commit()\nprint('held',flush=True)\ntime.sleep(60)",
        ])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line)
        .unwrap();
    assert_eq!(line.trim(), "held");
    let found = run(&plan(home));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(found.unknown.len(), 1);
    assert!(found.unknown[0].in_use);
    let again = run(&plan(home));
    assert!(!again.unknown[0].in_use);
}
