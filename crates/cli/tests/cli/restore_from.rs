//! `restore --from DEST` over a database that exists: the safety backup of what it replaces
//! stays on this computer, in the local backup folder (never on the destination, where it was
//! kept before, plain when the source did not encrypt), and the undo the CLI prints works.
//! A destination of kind `folder` stands in for a server: the code path is the same.

use crate::util::*;

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn rows(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .expect("open")
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_restore_from_a_destination_keeps_its_safety_backup_in_the_local_folder_and_undo_works() {
    let w = Work::new();
    w.add_astro(&[]);
    let elsewhere = w.path("elsewhere");
    let out =
        run(w.src(&["dest", "add", "box", "--kind", "folder", "--path", elsewhere.to_str().expect("utf-8")]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let id = ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let out = run(w.src(&["--source", "astro", "copy", &id, "--to", "box"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The database changes after the backup: 300 rows become 350.
    let db = w.path("app.db");
    insert_rows(&rusqlite::Connection::open(&db).expect("open"), 1000, 50);
    assert_eq!(rows(&db), 350);
    let at_destination = names(&elsewhere);
    let local_before = names(&w.path("backups"));

    let mut c = w.src(&[
        "restore",
        "--from",
        "box",
        &id,
        "--to",
        db.to_str().expect("utf-8"),
        "--allow-foreign",
        "--allow-unencrypted",
        "--yes",
    ]);
    c.env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(rows(&db), 300, "restored");
    assert_eq!(names(&elsewhere), at_destination, "nothing new on the destination");
    let local_after = names(&w.path("backups"));
    let new: Vec<&String> = local_after.iter().filter(|n| !local_before.contains(n)).collect();
    assert!(
        new.iter().any(|n| n.ends_with(".keepsake")),
        "an encrypted safety backup in the local folder: {new:?}"
    );

    // The undo the CLI names puts the 350 rows back.
    let text = stdout(&out);
    let command = text
        .split('`')
        .find(|s| s.starts_with("keepsake --backup-dir"))
        .unwrap_or_else(|| panic!("an undo command in: {text}"))
        .to_owned();
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert_eq!(words[1], w.path("backups").to_str().expect("utf-8"), "{command}");
    let mut c = w.cmd();
    c.args(&words).arg("--to").arg(&db).arg("--yes").env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(rows(&db), 350, "the undo brought back the database as it was");
}
