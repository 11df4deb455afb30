//! An app's files as one protected item: a source with `also` files backs them all up in each
//! run (while the app holds them under an exclusive lock, as Firefox does), keeps them by the
//! same retention decision, and puts them all back from the same run; a restore while the app
//! runs is refused with its name and changes nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::model::RunStatus;
use keepsake_engine::sources::Source;
use keepsake_engine::{Engine, ErrorCode, FixedClock, RestoreOptions, RetentionPolicy};

fn engine_at(env: &Env, now: &str) -> Engine {
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(now).unwrap().with_timezone(&Utc);
    env.engine().with_clock(Arc::new(FixedClock(t)))
}

/// A stand-in for the app: holds both databases in WAL mode under an exclusive lock (Firefox's
/// way) and writes `x` into both on each line it reads.
struct App {
    child: Child,
    input: ChildStdin,
    output: BufReader<std::process::ChildStdout>,
}

impl App {
    fn start(files: &[&Path]) -> App {
        let script = r#"
import sqlite3, sys
cs = []
for p in sys.argv[1:]:
    c = sqlite3.connect(p, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL')
    c.execute('PRAGMA locking_mode=EXCLUSIVE')
    c.execute('CREATE TABLE IF NOT EXISTS t(x)')
    cs.append(c)
def put(v):
    for c in cs:
        c.execute('DELETE FROM t')
        c.execute('INSERT INTO t VALUES (?)', (v,))
put('v1')
print('ready', flush=True)
for line in sys.stdin:
    put(line.strip())
    print('ok', flush=True)
"#;
        let mut child = Command::new("/usr/bin/python3")
            .arg("-c")
            .arg(script)
            .args(files)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let mut app = App { output: BufReader::new(child.stdout.take().unwrap()), child, input };
        app.expect("ready");
        app
    }

    fn expect(&mut self, word: &str) {
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), word);
    }

    fn put(&mut self, v: &str) {
        writeln!(self.input, "{v}").unwrap();
        self.expect("ok");
    }

    fn quit(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn x_of(path: &Path) -> String {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap()
}

fn firefox(env: &Env) -> Source {
    let mut s = Source::new("Firefox", env.dir.path().join("places.sqlite"), &env.backups);
    s.also = vec![env.dir.path().join("cookies.sqlite")];
    s.app = Some("firefox".into());
    s.encrypt = false;
    s
}

#[test]
fn an_app_held_open_is_backed_up_whole_and_put_back_only_once_it_is_closed() {
    let env = Env::new();
    let src = firefox(&env);
    let (places, cookies) = (src.database.clone(), src.also[0].clone());
    let mut app = App::start(&[&places, &cookies]);

    let first = engine_at(&env, "2026-12-01T10:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert_eq!(first.status, RunStatus::Success, "{first:#?}");
    let main = first.backup.clone().unwrap();
    assert!(main.copied_while_held, "the app held it: taken from a checked copy of its files");
    assert_eq!(main.source_integrity, Some(true));
    assert_eq!(first.also.len(), 1);
    assert_eq!(first.also[0].with.as_deref(), Some(main.id.as_str()));
    assert_eq!(first.also[0].source_path, cookies);
    assert!(first.also[0].copied_while_held);

    app.put("v2");
    let second = engine_at(&env, "2026-12-02T10:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert_eq!(second.status, RunStatus::Success);
    let before = env.engine().list(None).unwrap().len();
    assert_eq!(before, 4);
    let stats = env.engine().stats().unwrap();
    assert_eq!(stats.count, 2, "two runs: two restore points, each with the app's other file");
    assert_eq!(
        stats.total_stored_size,
        env.engine().list(None).unwrap().iter().map(|b| b.stored_size).sum::<u64>()
    );

    // While the app runs: refused with its name, before anything is checked or written.
    let e = env.engine().restore_app(&main.id, &src, &like(&main), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TargetBusy);
    assert_eq!(e.facts().reason, Some(Reason::HeldByApp));
    assert_eq!(e.facts().app.as_deref(), Some("Firefox"));
    assert!(e.message().starts_with("close Firefox first"), "{}", e.message());
    assert_eq!(env.engine().list(None).unwrap().len(), before, "no safety backup was taken");

    // Once it is closed: every file as it was in the first run.
    app.quit();
    assert_eq!(x_of(&places), "v2");
    let done = env.engine().restore_app(&main.id, &src, &like(&main), &job()).unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(x_of(&places), "v1");
    assert_eq!(x_of(&cookies), "v1");
    assert!(integrity_ok(&places) && integrity_ok(&cookies));

    // One of the other files' backups is not a point of its own.
    let e =
        env.engine().restore_app(&first.also[0].id, &src, &RestoreOptions::default(), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}

#[test]
fn retention_keeps_or_deletes_an_apps_files_with_their_run() {
    let env = Env::new();
    let mut src = firefox(&env);
    make_db(&src.database, true, 4096, 20);
    make_db(&src.also[0], false, 4096, 20);
    src.retention = RetentionPolicy { keep_last: Some(2), ..RetentionPolicy::default() };
    let mut runs = Vec::new();
    for day in ["2026-12-01", "2026-12-02", "2026-12-03"] {
        let run = engine_at(&env, &format!("{day}T10:00:00Z")).run_scheduled(&src, &job()).unwrap();
        assert_eq!(run.status, RunStatus::Success);
        assert!(!run.backup.as_ref().unwrap().copied_while_held);
        runs.push(run);
    }
    let mut kept: Vec<String> = env.engine().list(None).unwrap().into_iter().map(|b| b.id).collect();
    kept.sort();
    let mut want: Vec<String> = runs[1..]
        .iter()
        .flat_map(|r| [r.backup.as_ref().unwrap().id.clone(), r.also[0].id.clone()])
        .collect();
    want.sort();
    assert_eq!(kept, want, "the last 2 runs, each with its other file");
}

#[test]
fn a_missing_other_file_fails_the_run_and_names_it() {
    let env = Env::new();
    let src = firefox(&env);
    make_db(&src.database, true, 4096, 20);
    let run = env.engine().run_scheduled(&src, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.message.as_deref().unwrap().contains("cookies.sqlite"), "{:?}", run.message);
    assert!(run.backup.is_some(), "the main database's backup is kept");
}
