//! A database's names and values are input from outside: printed for a person they must not
//! reach the terminal raw, where an escape sequence could set the window's title, clear the
//! screen or fake a line. A table named with an escape sequence and a value holding
//! `ESC ] 0 ; pwned BEL` (set the title) go through `diff`, `restore --table`, a full restore's
//! layout warning and `show` (also `--csv` to a terminal, under `script`); `show --csv` to a
//! pipe stays exact, as data for a program.

use std::process::Command as Process;

use rusqlite::Connection;

use crate::util::*;

/// A table whose name clears the screen and sets the window's title.
const TABLE: &str = "evil\x1b[2J\x1b]0;owned\x07";
/// A value that sets the window's title.
const VALUE: &str = "\x1b]0;pwned\x07";

/// `app.db` with the hostile table, one row holding the hostile value, and a plain backup of it.
fn hostile(w: &Work) -> String {
    let c = Connection::open(w.path("app.db")).expect("open");
    c.execute_batch(&format!(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
         CREATE TABLE \"{TABLE}\" (\"col\x1b[31m\" TEXT);
         INSERT INTO notes (body) VALUES ('fine');"
    ))
    .expect("schema");
    c.execute(&format!("INSERT INTO \"{TABLE}\" VALUES (?1)"), [VALUE]).expect("row");
    drop(c);
    w.plain_backup()
}

/// No escape character, no BEL, no bidi override: nothing a terminal would act on.
fn assert_inert(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c == '\x1b' || c == '\x07' || c == '\u{9b}' || c == '\u{202e}'),
        "{what} reached the terminal raw: {text:?}"
    );
}

#[test]
fn diff_and_restore_print_a_hostile_table_name_escaped() {
    let w = Work::new();
    let id = hostile(&w);
    Connection::open(w.path("app.db"))
        .expect("open")
        .execute_batch(&format!("DROP TABLE \"{TABLE}\""))
        .expect("drop");

    let out = run(w.ks(&["diff", &id]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_inert("diff", &stdout(&out));
    assert!(stdout(&out).contains("evil\\u{1b}[2J\\u{1b}]0;owned\\u{7}"), "{}", stdout(&out));

    // A full restore over the database warns that the layout changed, naming the table.
    Connection::open(w.path("app.db"))
        .expect("open")
        .execute_batch("CREATE TABLE \"added\x1b]0;x\x07\" (a)")
        .expect("add");
    let out = run(w.ks_plain(&["restore", &id]));
    assert_inert("restore's layout warning", &stderr(&out));
    assert!(stderr(&out).contains("added\\u{1b}]0;x\\u{7}"), "{}", stderr(&out));

    let out = run(w.ks_plain(&["restore", &id, "--table", TABLE, "--yes"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_inert("restore --table", &stdout(&out));
    assert_inert("restore --table", &stderr(&out));
    assert!(stdout(&out).contains("Restored evil\\u{1b}[2J"), "{}", stdout(&out));
}

#[test]
fn show_prints_hostile_names_and_values_escaped() {
    let w = Work::new();
    let id = hostile(&w);
    let out = run(w.ks(&["show", &id]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_inert("show", &stdout(&out));

    let out = run(w.ks(&["show", &id, "--table", TABLE]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_inert("show --table", &stdout(&out));
    assert_inert("show --table", &stderr(&out));
    assert!(stdout(&out).contains("col\\u{1b}[31m"), "the column's name: {}", stdout(&out));
    assert!(stdout(&out).contains("\\u{1b}]0;pwned\\u{7}"), "the value: {}", stdout(&out));
}

#[test]
fn show_csv_is_exact_to_a_pipe_and_escaped_to_a_terminal() {
    let w = Work::new();
    let id = hostile(&w);
    // To a pipe: data for a program, byte for byte.
    let out = run(w.ks(&["show", &id, "--table", TABLE, "--csv"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("col\x1b[31m\n{VALUE}\n"));
    assert_inert("show --csv's note", &stderr(&out));

    // To a terminal (a pseudo-terminal made by `script`): for a person, escaped.
    let bin = assert_cmd::cargo::cargo_bin("keepsake");
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let line = [
        bin.to_str().expect("utf-8"),
        "--db",
        w.path("app.db").to_str().expect("utf-8"),
        "--backup-dir",
        w.path("backups").to_str().expect("utf-8"),
        "show",
        &id,
        "--table",
        TABLE,
        "--csv",
    ]
    .iter()
    .map(|a| quote(a))
    .collect::<Vec<_>>()
    .join(" ");
    let out = Process::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .current_dir(w.dir.path())
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_inert("show --csv to a terminal", &text);
    assert!(text.contains("col\\u{1b}[31m"), "{text:?}");
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text:?}");
}
