//! The shell's commands on a real `AppState` (real engines, real SQLite files) in the folder
//! given as the first argument, over stdin and stdout, for the window's screen tests that run
//! against real engines (`ui/src/testing/realShell.ts`): one JSON request per line in
//! (`{"id", "cmd", "args"}`), one JSON answer per line out (`{"id", "ok"}` or `{"id", "err"}`),
//! and each event the app emits as a line too (`{"event", "payload"}`). Tauri's mock runtime,
//! through the same IPC the window uses; the keyring is kept in memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use keepsake_app::commands::handlers;
use keepsake_app::keyring::MemoryStore;
use keepsake_app::state::{AppState, Paths};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindowBuilder};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: ipc_bridge FOLDER"));
    let paths = Paths {
        config_dir: dir.join("config"),
        data_dir: dir.join("data"),
        log_dir: dir.join("logs"),
        state_dir: dir.join("state"),
        documents_dir: dir.join("documents"),
    };
    let state = AppState::load(paths, Arc::new(MemoryStore::default()));
    let app = mock_builder()
        .manage(state)
        .invoke_handler(handlers())
        .build(mock_context(noop_assets()))
        .expect("the mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("its webview");
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let say = {
        let out = out.clone();
        move |line: Value| {
            let mut out = out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    };
    for event in [keepsake_app::events::STATE_CHANGED, keepsake_app::jobs::JOB_PROGRESS] {
        let say = say.clone();
        app.listen_any(event, move |e| {
            let payload: Value = serde_json::from_str(e.payload()).unwrap_or(Value::Null);
            say(json!({ "event": event, "payload": payload }));
        });
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok(request) = serde_json::from_str::<Value>(&line) else { continue };
        let id = request["id"].clone();
        let invoke = InvokeRequest {
            cmd: request["cmd"].as_str().unwrap_or_default().into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a url"),
            body: InvokeBody::Json(request["args"].clone()),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.into(),
        };
        match get_ipc_response(&webview, invoke) {
            Ok(body) => say(json!({ "id": id, "ok": body.deserialize::<Value>().unwrap_or(Value::Null) })),
            Err(e) => say(json!({ "id": id, "err": e })),
        }
    }
}
