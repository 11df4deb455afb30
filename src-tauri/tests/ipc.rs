//! The shell on Tauri's mock runtime, through the same IPC the window uses: every command is
//! registered under its name, takes its arguments as the window sends them (camelCase), answers
//! with the engine's types, and fails with `{ code, message, hint }`; jobs stream progress.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use keepsake_app::commands::{COMMANDS, handlers};
use keepsake_app::keyring::MemoryStore;
use keepsake_app::state::{AppState, Paths};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, WebviewWindow, WebviewWindowBuilder};

struct Shell {
    dir: tempfile::TempDir,
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

impl Shell {
    fn new() -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_dir: dir.path().join("config"),
            data_dir: dir.path().join("data"),
            log_dir: dir.path().join("logs"),
            state_dir: dir.path().join("state"),
            documents_dir: dir.path().join("documents"),
        };
        let state = AppState::load(paths, Arc::new(MemoryStore::default()));
        let app = mock_builder()
            .manage(state)
            .invoke_handler(handlers())
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Shell { dir, app, webview }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.into(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args.clone()).unwrap_or_else(|e| panic!("{cmd} {args}: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args.clone()) {
            Ok(v) => panic!("{cmd} {args} succeeded: {v}"),
            Err(e) => e,
        }
    }

    /// A real SQLite database (the engine's demo generator, small).
    fn database(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        keepsake_demo::generate(&path, 200_000, 7).unwrap();
        path
    }

    /// Adds an unencrypted source named `name` over a new database.
    fn source(&self, name: &str) -> PathBuf {
        let db = self.database(&format!("{name}.db"));
        self.ok("add_source", json!({ "request": { "name": name, "database": db } }));
        self.ok("update_source", json!({ "request": { "name": name, "patch": { "encrypt": false } } }));
        db
    }

    /// Collects the payloads of `event`.
    fn record(&self, event: &str) -> Arc<Mutex<Vec<Value>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        self.app.listen_any(event, move |e| {
            sink.lock().unwrap().push(serde_json::from_str(e.payload()).unwrap_or(Value::Null));
        });
        seen
    }
}

fn code(e: &Value) -> &str {
    e["code"].as_str().unwrap_or_else(|| panic!("no code in {e}"))
}

#[test]
fn every_command_is_registered_under_its_name() {
    let shell = Shell::new();
    let unknown = shell.err("no_such_command", json!({}));
    assert!(unknown.as_str().unwrap().contains("not found"), "{unknown}");
    // quit_app ends the app (and with it this test's answers), open_recovery_kit starts the
    // system's viewer; their permissions are checked below.
    for cmd in
        COMMANDS.iter().filter(|c| !["create_demo_source", "quit_app", "open_recovery_kit"].contains(*c))
    {
        // Wrong arguments: each either answers or rejects them, but is never "not found".
        if let Err(e) = shell.invoke(cmd, json!({ "unexpected": true })) {
            assert!(!e.to_string().contains("not found"), "{cmd}: {e}");
        }
    }
    let caps: Value =
        serde_json::from_str(&std::fs::read_to_string("capabilities/default.json").unwrap()).unwrap();
    let allowed: Vec<&str> =
        caps["permissions"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for cmd in COMMANDS {
        let permission = format!("allow-{}", cmd.replace('_', "-"));
        assert!(allowed.contains(&permission.as_str()), "capabilities lack {permission}");
    }
}

#[test]
fn errors_are_typed_objects_with_code_message_and_facts() {
    let shell = Shell::new();
    let e = shell.err("list_backups", json!({ "request": { "source": "nope" } }));
    assert_eq!(code(&e), "no_source");
    assert!(e["message"].as_str().unwrap().contains("nope"), "{e}");
    assert!(e["facts"].is_object(), "{e}");
    assert_eq!(e.as_object().unwrap().len(), 3, "exactly code, message, facts: {e}");

    let e = shell.err(
        "preview_schedule",
        json!({ "request": { "schedule": { "kind": "cron", "expr": "every blue moon" } } }),
    );
    assert_eq!(code(&e), "invalid_input");
    assert!(!e["message"].as_str().unwrap().is_empty());

    shell.source("notes");
    let e = shell.err("update_source", json!({ "request": { "name": "notes", "patch": { "level": 12 } } }));
    assert_eq!(code(&e), "invalid_input");
    let e = shell
        .err("verify_backup", json!({ "request": { "source": "notes", "id": "backup_1", "jobId": "j" } }));
    assert_eq!(code(&e), "backup_not_found");
    assert_eq!(e["facts"]["backup_id"], "backup_1", "{e}");
    let e = shell.err("set_notification_level", json!({ "level": "loud" }));
    assert_eq!(code(&e), "invalid_input");
}

#[test]
fn a_new_install_is_a_first_run_and_a_source_appears_in_the_state() {
    let shell = Shell::new();
    let state = shell.ok("app_state", json!({}));
    assert_eq!(state["first_run"], true);
    assert_eq!(state["keyring"], "no_password");
    assert_eq!(state["notification_level"], "problems");
    assert_eq!(state["paused"], false);

    let db = shell.database("recipes.db");
    let dir = shell.dir.path().join("my backups");
    let view = shell.ok(
        "add_source",
        json!({ "request": { "name": "Recipes", "database": db, "backupDir": dir, "schedule": { "kind": "daily", "time": "02:30" } } }),
    );
    assert_eq!(view["name"], "Recipes");
    assert_eq!(view["backup_dir"], json!(dir));
    assert_eq!(view["schedule"], json!({ "kind": "daily", "time": "02:30" }), "structured, never a phrase");
    assert!(view["schedule_description"].as_str().unwrap().contains("02:30"), "{view}");
    assert_eq!(view["health"], "never");
    assert!(view["next_run"].is_string(), "{view}");
    assert_eq!(view["encrypt"], true);

    let state = shell.ok("app_state", json!({}));
    assert_eq!(state["first_run"], false);
    assert_eq!(state["sources"][0]["name"], "Recipes");

    shell.ok("set_paused", json!({ "paused": true }));
    let state = shell.ok("app_state", json!({}));
    assert_eq!(state["paused"], true);
    assert!(state["sources"][0]["next_run"].is_null(), "paused: no next run");
    shell.ok("set_notification_level", json!({ "level": "all" }));
    assert_eq!(shell.ok("app_state", json!({}))["notification_level"], "all");

    let renamed = shell
        .ok("update_source", json!({ "request": { "name": "Recipes", "patch": { "name": "Cookbook" } } }));
    assert_eq!(renamed["name"], "Cookbook");
    shell.ok("remove_source", json!({ "name": "Cookbook" }));
    assert_eq!(code(&shell.err("remove_source", json!({ "name": "Cookbook" }))), "no_source");
    assert_eq!(shell.ok("app_state", json!({}))["first_run"], true);
    let saved = std::fs::read_to_string(shell.dir.path().join("config/sources.toml")).unwrap();
    assert!(!saved.contains("Cookbook"), "{saved}");
}

#[test]
fn a_backup_streams_progress_and_appears_in_the_list() {
    let shell = Shell::new();
    shell.source("notes");
    let progress = shell.record("job-progress");
    let changed = shell.record("state-changed");

    let meta = shell.ok(
        "create_backup",
        json!({ "request": { "source": "notes", "jobId": "job-1", "description": "before the trip", "tags": ["trip"] } }),
    );
    assert_eq!(meta["backup_type"], "manual");
    assert_eq!(meta["description"], "before the trip");
    assert_eq!(meta["tags"], json!(["trip"]));
    assert_eq!(meta["verification"], "passed", "the source verifies after each backup");

    let list = shell.ok("list_backups", json!({ "request": { "source": "notes", "limit": 10 } }));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], meta["id"]);
    let stats = shell.ok("get_stats", json!({ "source": "notes" }));
    assert_eq!(stats["count"], 1);
    let history = shell.ok("get_history", json!({ "request": { "source": "notes" } }));
    assert_eq!(history[0]["status"], "success");

    let events = progress.lock().unwrap().clone();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["job_id"] == "job-1"), "{events:?}");
    assert!(events.iter().any(|e| e["phase"] == "backup"), "{events:?}");
    let last_backup = events.iter().rev().find(|e| e["phase"] == "backup").unwrap();
    assert_eq!(last_backup["done"], last_backup["total"]);
    assert!(!changed.lock().unwrap().is_empty(), "state-changed after a backup");

    let state = shell.ok("app_state", json!({}));
    assert_eq!(state["sources"][0]["last_backup"]["id"], meta["id"]);
    assert_eq!(state["sources"][0]["health"], "ok");
    assert!(shell.invoke("cancel_job", json!({ "jobId": "job-1" })).is_ok(), "ended jobs cancel quietly");
}

#[test]
fn encrypted_backups_need_the_password_from_the_keyring() {
    let shell = Shell::new();
    shell.source("diary");
    shell.ok("update_source", json!({ "request": { "name": "diary", "patch": { "encrypt": true } } }));
    let e = shell.err("create_backup", json!({ "request": { "source": "diary", "jobId": "a" } }));
    assert_eq!(code(&e), "password_required");
    assert_eq!(code(&shell.err("set_password", json!({ "password": "" }))), "invalid_input");
    shell.ok("set_password", json!({ "password": "correct horse battery staple" }));
    assert_eq!(shell.ok("app_state", json!({}))["keyring"], "ok");
    let meta = shell.ok("create_backup", json!({ "request": { "source": "diary", "jobId": "b" } }));
    assert_eq!(meta["encrypted"], true);
    let report = shell
        .ok("verify_backup", json!({ "request": { "source": "diary", "id": meta["id"], "jobId": "c" } }));
    assert_eq!(report["ok"], true);
}

#[test]
fn restore_compare_undo_and_cleanup() {
    let shell = Shell::new();
    let db = shell.source("shop");
    let first = shell.ok("create_backup", json!({ "request": { "source": "shop", "jobId": "1" } }));
    assert!(delete_some_rows(&db) > 0);
    let diff = shell.ok("compare_backup", json!({ "request": { "source": "shop", "id": first["id"] } }));
    let rows = diff.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["table"].is_string() && r["backup_rows"].is_u64()), "{diff}");
    assert!(rows.iter().any(|r| r["current_rows"] != r["backup_rows"]), "{diff}");

    let outcome = shell.ok(
        "restore_backup",
        json!({ "request": { "source": "shop", "id": first["id"], "jobId": "2", "verifyFirst": true, "safetyBackup": true } }),
    );
    assert!(outcome["safety_backup_id"].is_string(), "{outcome}");
    let diff = shell.ok("compare_backup", json!({ "request": { "source": "shop", "id": first["id"] } }));
    assert!(diff.as_array().unwrap().iter().all(|r| r["current_rows"] == r["backup_rows"]), "{diff}");

    let undone = shell.ok("undo_restore", json!({ "request": { "source": "shop", "jobId": "3" } }));
    assert_eq!(undone["backup_id"], outcome["safety_backup_id"]);

    let elsewhere = shell.dir.path().join("copy.db");
    // As `choose_path` does when the person picks it in the dialog.
    pick(&shell, &elsewhere);
    let copy = shell.ok(
        "restore_backup",
        json!({ "request": { "source": "shop", "id": first["id"], "jobId": "4", "verifyFirst": false,
                "safetyBackup": false, "target": elsewhere } }),
    );
    assert_eq!(copy["target"], json!(elsewhere));
    assert!(elsewhere.is_file());

    // A source added in the window cleans up old backups from the start (the recommended rule);
    // here only the last one is to be kept.
    let before = shell.ok("app_state", json!({}));
    assert_eq!(
        before["sources"][0]["retention"],
        json!({ "keep_last": null, "keep_within_days": 2, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12 })
    );
    shell.ok(
        "update_source",
        json!({ "request": { "name": "shop", "patch": { "keep_last": 1, "keep_within_days": null, "keep_daily": null,
                "keep_weekly": null, "keep_monthly": null } } }),
    );
    let plan = shell.ok("preview_cleanup", json!({ "source": "shop" }));
    // The newest backup and the newest verified one are always kept.
    let kept = plan["keep"].as_array().unwrap().len();
    assert!(!plan["delete"].as_array().unwrap().is_empty(), "{plan}");
    let applied = shell.ok("apply_cleanup", json!({ "source": "shop" }));
    assert_eq!(applied["delete"], plan["delete"]);
    let left = shell.ok("list_backups", json!({ "request": { "source": "shop" } }));
    assert_eq!(left.as_array().unwrap().len(), kept);
    for b in left.as_array().unwrap() {
        shell.ok("delete_backup", json!({ "request": { "source": "shop", "id": b["id"] } }));
    }
    assert!(
        shell.ok("list_backups", json!({ "request": { "source": "shop" } })).as_array().unwrap().is_empty()
    );
}

#[test]
fn the_demo_source_is_created_once() {
    let shell = Shell::new();
    let view = shell.ok("create_demo_source", json!({}));
    let db = PathBuf::from(view["database"].as_str().unwrap());
    assert!(db.starts_with(shell.dir.path().join("data")), "{view}");
    assert!(db.metadata().unwrap().len() > 10 << 20);
    assert_eq!(view["encrypt"], false);
    let again = shell.ok("create_demo_source", json!({}));
    assert_eq!(again["name"], view["name"]);
    assert_eq!(shell.ok("app_state", json!({}))["sources"].as_array().unwrap().len(), 1);
}

#[test]
fn schedule_preview_gives_words_and_next_runs() {
    let shell = Shell::new();
    let weekly = json!({ "kind": "weekly", "weekday": "monday", "time": "09:15" });
    let p = shell.ok("preview_schedule", json!({ "request": { "schedule": weekly, "count": 3 } }));
    assert!(p["description"].as_str().unwrap().contains("Monday"), "{p}");
    let runs = p["next_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for r in runs {
        let t = chrono::DateTime::parse_from_rfc3339(r.as_str().unwrap()).unwrap();
        assert_eq!(t.format("%H:%M").to_string(), "09:15");
    }
    assert_eq!(
        code(&shell.err("set_schedule", json!({ "request": { "name": "nope", "schedule": weekly } }))),
        "no_source"
    );
    shell.source("notes");
    let view = shell.ok("set_schedule", json!({ "request": { "name": "notes", "schedule": weekly } }));
    assert_eq!(view["schedule"], weekly);
    assert!(view["schedule_description"].as_str().unwrap().contains("Monday"), "{view}");
    let view = shell.ok("set_schedule", json!({ "request": { "name": "notes", "schedule": null } }));
    assert!(view["schedule"].is_null());
    assert_eq!(
        shell.ok(
            "preview_schedule",
            json!({ "request": { "schedule": { "kind": "cron", "expr": "0 2 * * *" } } })
        )["next_runs"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

/// Deletes some rows of the demo database; returns how many.
fn delete_some_rows(db: &Path) -> usize {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute("DELETE FROM planetary_positions WHERE rowid % 2 = 0", []).unwrap()
}

/// The window is not trusted with paths: a source's database must be a database, its backup
/// folder not a system folder or a file, and a restore may replace only the source's own
/// database or a file the person picked in the dialog.
#[test]
fn paths_from_the_window_are_checked_by_the_shell() {
    let shell = Shell::new();
    let secret = shell.dir.path().join("id_rsa");
    std::fs::write(&secret, b"-----BEGIN OPENSSH PRIVATE KEY-----").unwrap();
    let e = shell.err("add_source", json!({ "request": { "name": "keys", "database": secret } }));
    assert_eq!(code(&e), "not_a_database", "{e}");
    let db = shell.database("ok.db");
    let e = shell.err(
        "add_source",
        json!({ "request": { "name": "sys", "database": db, "backupDir": "/etc/keepsake" } }),
    );
    assert_eq!(
        (code(&e), e["facts"]["reason"].as_str()),
        ("invalid_input", Some("bad_backup_folder")),
        "{e}"
    );
    let e =
        shell.err("add_source", json!({ "request": { "name": "root", "database": db, "backupDir": "/" } }));
    assert_eq!(code(&e), "invalid_input", "{e}");
    assert!(shell.ok("app_state", json!({}))["sources"].as_array().unwrap().is_empty(), "nothing was added");

    shell.source("notes");
    let e = shell
        .err("update_source", json!({ "request": { "name": "notes", "patch": { "database": secret } } }));
    assert_eq!(code(&e), "not_a_database", "{e}");
    shell.ok("create_backup", json!({ "request": { "source": "notes", "jobId": "b" } }));
    let id = shell.ok("list_backups", json!({ "request": { "source": "notes" } }))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let args = |target: &Path| json!({ "request": { "source": "notes", "id": id, "jobId": "r", "verifyFirst": true, "target": target } });
    let e = shell.err("restore_backup", args(&secret));
    assert_eq!((code(&e), e["facts"]["reason"].as_str()), ("invalid_input", Some("not_picked")), "{e}");
    assert_eq!(std::fs::read(&secret).unwrap(), b"-----BEGIN OPENSSH PRIVATE KEY-----");
    let fresh = shell.dir.path().join("restored-here.db");
    pick(&shell, &fresh);
    shell.ok("restore_backup", args(&fresh));
    assert!(fresh.is_file(), "a new file picked in the dialog may be written");
}

/// As `choose_path` does when the person picks `path` in the file dialog.
fn pick(shell: &Shell, path: &Path) {
    tauri::Manager::state::<AppState>(&shell.app).picked(path);
}

/// Whether `e` is the refusal of a path the person did not pick.
fn not_picked(e: &Value) -> bool {
    code(e) == "invalid_input" && e["facts"]["reason"] == "not_picked"
}

/// A restore elsewhere writes only to a file picked in the dialog: a new file the window names
/// (a new `~/.ssh/authorized_keys` is one) is refused and never created.
#[test]
fn a_restore_to_a_new_file_not_picked_is_refused() {
    let shell = Shell::new();
    shell.source("notes");
    let backup = shell.ok("create_backup", json!({ "request": { "source": "notes", "jobId": "b" } }));
    let ssh = shell.dir.path().join(".ssh");
    std::fs::create_dir(&ssh).unwrap();
    let keys = ssh.join("authorized_keys");
    let args = |target: &Path| json!({ "request": { "source": "notes", "id": backup["id"], "jobId": "r", "verifyFirst": false, "target": target } });
    let e = shell.err("restore_backup", args(&keys));
    assert!(not_picked(&e), "{e}");
    assert!(e["message"].as_str().unwrap().contains("authorized_keys"), "{e}");
    assert!(!keys.exists(), "nothing was written");
    let e = shell.err("restore_backup", args(Path::new("relative.db")));
    assert!(not_picked(&e), "{e}");

    pick(&shell, &keys);
    shell.ok("restore_backup", args(&keys));
    assert!(keys.is_file(), "the same path, once picked, is written");
}

/// "Export" writes only to a file picked in the save dialog, as a spreadsheet or a database.
#[test]
fn an_export_to_a_path_not_picked_is_refused() {
    let shell = Shell::new();
    shell.source("notes");
    let backup = shell.ok("create_backup", json!({ "request": { "source": "notes", "jobId": "b" } }));
    let tables = shell
        .ok("open_backup", json!({ "request": { "source": "notes", "id": backup["id"], "jobId": "o" } }));
    let table = tables[0]["table"].as_str().unwrap().to_owned();
    for (format, name) in [("csv", "out.csv"), ("database", "out.db")] {
        let target = shell.dir.path().join(name);
        let args = json!({ "request": { "source": "notes", "id": backup["id"], "table": table, "format": format, "target": target } });
        let e = shell.err("export_table", args.clone());
        assert!(not_picked(&e), "{format}: {e}");
        assert!(!target.exists(), "{format}: nothing was written");

        pick(&shell, &target);
        let rows = shell.ok("export_table", args);
        assert!(rows.as_u64().unwrap() > 0, "{format}: {rows}");
        assert!(target.is_file(), "{format}: the picked file was written");
    }
}

/// "Take back this table": from the backup open in the window, its copy not decoded again (no
/// decoding phase in the job), checked, after a safety backup that undo puts back; only the
/// backup open now.
#[test]
fn a_table_is_taken_back_from_the_backup_open_in_the_window() {
    let shell = Shell::new();
    let db = shell.source("shop");
    let backup = shell.ok("create_backup", json!({ "request": { "source": "shop", "jobId": "b" } }));
    let deleted = delete_some_rows(&db);
    assert!(deleted > 0);
    let count = |t: &str| -> u64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    let before = count("planetary_positions");
    let take = |id: &Value, job: &str| json!({ "request": { "source": "shop", "id": id, "jobId": job, "tables": ["planetary_positions"], "verifyFirst": true } });
    let e = shell.err("take_back_tables", take(&backup["id"], "t0"));
    assert_eq!(code(&e), "invalid_input", "nothing open yet: {e}");

    shell.ok("open_backup", json!({ "request": { "source": "shop", "id": backup["id"], "jobId": "o" } }));
    let e = shell.err("take_back_tables", take(&json!("backup_20000101_000000_00000000"), "t1"));
    assert_eq!(code(&e), "invalid_input", "another backup than the one open: {e}");
    assert!(e["message"].as_str().unwrap().contains("is not open"), "{e}");

    let progress = shell.record("job-progress");
    let outcome = shell.ok("take_back_tables", take(&backup["id"], "t"));
    assert_eq!(outcome["backup_id"], backup["id"]);
    assert_eq!(outcome["verified"], true);
    assert!(outcome["safety_backup_id"].is_string(), "{outcome}");
    assert_eq!(outcome["tables"][0]["rows_before"], before);
    assert_eq!(outcome["tables"][0]["rows_after"], before + deleted as u64);
    assert_eq!(count("planetary_positions"), before + deleted as u64);
    let phases: Vec<Value> = progress.lock().unwrap().iter().map(|e| e["phase"].clone()).collect();
    assert!(
        phases.contains(&json!("integrity_check")) && phases.contains(&json!("safety_backup")),
        "{phases:?}"
    );
    assert!(!phases.iter().any(|p| p == "verify" || p == "restore"), "not decoded again: {phases:?}");
    let history = shell.ok("get_history", json!({ "request": { "source": "shop", "limit": 1 } }));
    assert_eq!((&history[0]["operation"], &history[0]["status"]), (&json!("restore"), &json!("success")));

    // The backup stays open for browsing, and undo puts back the database from before.
    let args = json!({ "request": { "source": "shop", "id": backup["id"], "table": "planetary_positions", "offset": 0, "limit": 1 } });
    assert_eq!(shell.ok("backup_rows", args)["total"], before + deleted as u64);
    let undone = shell.ok("undo_restore", json!({ "request": { "source": "shop", "jobId": "u" } }));
    assert_eq!(undone["backup_id"], outcome["safety_backup_id"]);
    assert_eq!(count("planetary_positions"), before);
}

/// The lost-computer restore writes only to a file picked in the save dialog.
#[test]
fn a_restore_from_a_copy_to_a_path_not_picked_is_refused() {
    let shell = Shell::new();
    shell.source("notes");
    let backup = shell.ok("create_backup", json!({ "request": { "source": "notes", "jobId": "b" } }));
    let view = shell.ok("app_state", json!({}));
    let folder = view["sources"][0]["backup_dir"].as_str().unwrap().to_owned();
    let destination = json!({ "name": "usb", "kind": "folder", "path": folder });
    let target = shell.dir.path().join("from-the-copy.db");
    let args = json!({ "request": { "jobId": "c", "destination": destination, "id": backup["id"], "target": target } });
    let e = shell.err("restore_from_copy", args.clone());
    assert!(not_picked(&e), "{e}");
    assert!(!target.exists(), "nothing was written");

    pick(&shell, &target);
    let outcome = shell.ok("restore_from_copy", args);
    assert_eq!(outcome["target"], json!(target));
    assert!(target.is_file(), "the picked file was written");
}

/// The app turns core dumps off first thing (`run` calls this before anything holds a
/// password): the limit is 0, soft and hard, so no dump of the process can hold its secrets.
#[cfg(target_os = "linux")]
#[test]
fn the_app_keeps_its_secrets_out_of_core_dumps() {
    keepsake_engine::hardening::no_core_dumps();
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert_eq!(core.split_whitespace().collect::<Vec<_>>().join(" "), "Max core file size 0 0 bytes");
}

/// Destination secrets in memory for these tests, shared by every keyring entry of the
/// process (the `keyring` crate's own mock keeps nothing between two entries).
fn memory_keyring() {
    use std::collections::HashMap;
    type Kept = Arc<Mutex<HashMap<(String, String), Vec<u8>>>>;
    struct Entry(Kept, (String, String));
    impl keyring::credential::CredentialApi for Entry {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            self.0.lock().unwrap().insert(self.1.clone(), secret.to_vec());
            Ok(())
        }
        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.0.lock().unwrap().get(&self.1).cloned().ok_or(keyring::Error::NoEntry)
        }
        fn delete_credential(&self) -> keyring::Result<()> {
            self.0.lock().unwrap().remove(&self.1).map(drop).ok_or(keyring::Error::NoEntry)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn debug_fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "memory entry {:?}", self.1)
        }
    }
    struct Builder(Kept);
    impl keyring::credential::CredentialBuilderApi for Builder {
        fn build(
            &self,
            _: Option<&str>,
            service: &str,
            user: &str,
        ) -> keyring::Result<Box<keyring::credential::Credential>> {
            Ok(Box::new(Entry(self.0.clone(), (service.to_owned(), user.to_owned()))))
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| keyring::set_default_credential_builder(Box::new(Builder(Kept::default()))));
}

/// The secret saved for the destination `name` (no environment variable of that name is set).
fn saved_secret(name: &str) -> Option<String> {
    keepsake_remote::secrets::lookup_account(&format!("destination:{name}"), "KEEPSAKE_TEST_NO_SUCH_VARIABLE")
        .unwrap()
        .map(|s| s.to_string())
}

/// A saved secret does not follow its destination's name to another server: saved without a
/// new secret, a destination that now points elsewhere loses the old one, and the answer says
/// so; the same place keeps it.
#[test]
fn a_destination_moved_to_another_server_leaves_its_secret_behind() {
    memory_keyring();
    let shell = Shell::new();
    let dav = |endpoint: &str, limit: Option<u32>| json!({ "name": "moved-nas", "kind": "webdav", "endpoint": endpoint, "user": "ann", "upload_limit_kib": limit });
    let saved = shell.ok(
        "save_destination",
        json!({ "request": { "destination": dav("http://127.0.0.1:1/dav", None), "secret": "the nas password", "sources": [] } }),
    );
    assert_eq!(saved["secret_forgotten"], false, "{saved}");
    assert_eq!(saved_secret("moved-nas").as_deref(), Some("the nas password"));
    let saved = shell.ok(
        "save_destination",
        json!({ "request": { "destination": dav("http://127.0.0.1:1/dav", Some(64)), "sources": [] } }),
    );
    assert_eq!(saved["secret_forgotten"], false, "same place: {saved}");
    assert_eq!(saved_secret("moved-nas").as_deref(), Some("the nas password"), "same place, same secret");

    let saved = shell.ok(
        "save_destination",
        json!({ "request": { "destination": dav("http://127.0.0.2:1/dav", Some(64)), "sources": [] } }),
    );
    assert_eq!(saved["secret_forgotten"], true, "the window is told to ask for it: {saved}");
    assert_eq!(saved_secret("moved-nas"), None, "the old server's password is gone");
    let listed = shell.ok("list_destinations", json!({}));
    assert_eq!(listed[0]["endpoint"], "http://127.0.0.2:1/dav");
}

/// The window's Google key file is read only when the person picked it in the dialog, only as
/// a regular file; what is kept is the rebuilt service account's key.
#[test]
fn a_google_key_file_is_read_only_when_picked_and_only_as_a_regular_file() {
    memory_keyring();
    let shell = Shell::new();
    let key = shell.dir.path().join("key.json");
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    let text = json!({ "type": "service_account", "client_email": "b@p.iam.gserviceaccount.com", "private_key": pem, "project_id": "p" });
    std::fs::write(&key, text.to_string()).unwrap();
    let gcs = |path: &Path| json!({ "request": { "destination": { "name": "picked-gcs", "kind": "gcs", "bucket": "b", "endpoint": "http://127.0.0.1:1", "key_file": path }, "sources": [] } });
    let e = shell.err("save_destination", gcs(&key));
    assert_eq!((code(&e), e["facts"]["reason"].as_str()), ("invalid_input", Some("key_not_picked")), "{e}");
    assert_eq!(saved_secret("picked-gcs"), None, "nothing read, nothing saved");

    #[cfg(unix)]
    {
        let fifo = shell.dir.path().join("fifo.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        pick(&shell, &fifo);
        let e = shell.err("save_destination", gcs(&fifo));
        assert_eq!((code(&e), e["facts"]["reason"].as_str()), ("invalid_input", Some("key_file")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("not a regular file"), "{e}");
    }

    pick(&shell, &key);
    shell.ok("save_destination", gcs(&key));
    let kept: Value = serde_json::from_str(&saved_secret("picked-gcs").unwrap()).unwrap();
    assert_eq!(kept["type"], "service_account");
    assert!(kept.get("project_id").is_none(), "only the key's own fields are kept: {kept}");
    let listed = shell.ok("list_destinations", json!({}));
    assert!(listed[0].get("key_file").is_none(), "the path is not kept: {listed}");
}

#[test]
fn the_emergency_kit_is_adopted_only_when_its_last_group_is_typed_back() {
    let shell = Shell::new();
    shell.ok("set_password", json!({ "password": "correct horse battery staple" }));
    let draft = shell.ok("make_recovery_kit", json!({}));
    let key = draft["key"].as_str().unwrap().to_owned();
    let pdf = std::path::PathBuf::from(draft["pdf"].as_str().unwrap());
    assert!(pdf.starts_with(shell.dir.path().join("documents")), "{pdf:?}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let e = shell.err("confirm_recovery_kit", json!({ "lastGroup": "XXXX" }));
    assert_eq!(
        (code(&e), e["facts"]["reason"].as_str()),
        ("invalid_input", Some("recovery_key_typo")),
        "{e}"
    );
    assert!(shell.ok("app_state", json!({}))["key"]["kit_made_at"].is_null(), "nothing adopted yet");
    let last = key.rsplit('-').next().unwrap().to_lowercase();
    let status = shell.ok("confirm_recovery_kit", json!({ "lastGroup": last }));
    assert!(status["kit_made_at"].is_string(), "{status}");
    assert!(shell.ok("app_state", json!({}))["key"]["kit_made_at"].is_string());
    // "Forgot your password?": a typo is said at once; the right key is taken.
    let mut typo: Vec<char> = key.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let e = shell.err("use_recovery_key", json!({ "key": typo.iter().collect::<String>() }));
    assert_eq!(e["facts"]["reason"].as_str(), Some("recovery_key_typo"), "{e}");
    shell.ok("use_recovery_key", json!({ "key": key }));
    // "Do you still know it?": checked against the key, nothing else.
    assert_eq!(shell.ok("check_password", json!({ "password": "a guess" })), json!(false));
    assert_eq!(
        shell.ok("check_password", json!({ "password": "correct horse battery staple" })),
        json!(true)
    );
    // A new password (Settings) keeps everything: the key changes, the kit still opens it.
    shell.ok("set_password", json!({ "password": "a brand new password" }));
    assert_eq!(
        shell.ok("check_password", json!({ "password": "correct horse battery staple" })),
        json!(false)
    );
    assert_eq!(shell.ok("check_password", json!({ "password": "a brand new password" })), json!(true));
    assert!(
        shell.ok("app_state", json!({}))["key"]["kit"].is_string(),
        "the kit's key opens the new key too"
    );
}
