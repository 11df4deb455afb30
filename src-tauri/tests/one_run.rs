//! One scheduled backup with one destination, counted on the app's own threads (Tauri's mock
//! runtime, the real scheduler host and copier, real SQLite files, a folder destination): the
//! tray's summary is built once for the run (not once per caller), and the window is told once
//! that the backups changed and once that the copies did, so it refetches each once.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keepsake_app::keyring::MemoryStore;
use keepsake_app::state::{AppState, Paths};
use keepsake_engine::sources::Source;
use keepsake_engine::{Destination, DestinationKind};
use serde_json::Value;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::{Listener, Manager};

/// Waits until `done` holds, for at most a minute.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn one_scheduled_backup_builds_the_summary_once_and_tells_the_window_once_per_change() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
        log_dir: dir.path().join("logs"),
        state_dir: dir.path().join("state"),
        documents_dir: dir.path().join("documents"),
    };
    let db = dir.path().join("notes.db");
    keepsake_demo::generate(&db, 200_000, 7).unwrap();
    let state = AppState::load(paths, Arc::new(MemoryStore::default()));
    state
        .edit_sources(|sources| {
            let mut dest = Destination::new("usb".to_owned(), DestinationKind::Folder);
            dest.path = Some(dir.path().join("usb"));
            std::fs::create_dir_all(dir.path().join("usb")).unwrap();
            sources.add_destination(dest).unwrap();
            let mut notes = Source::new("notes", &db, dir.path().join("backups"));
            notes.set("encrypt", "false").unwrap();
            // A new source with a schedule has its first backup made at once.
            notes.set("schedule", "daily 02:00").unwrap();
            notes.set("copies_to", "usb").unwrap();
            sources.add(notes).unwrap();
            Ok(())
        })
        .unwrap();
    let app = mock_builder().manage(state).build(mock_context(noop_assets())).unwrap();
    let handle = app.handle().clone();
    let changes = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = changes.clone();
    app.listen_any(keepsake_app::events::STATE_CHANGED, move |e| {
        sink.lock().unwrap().push(serde_json::from_str(e.payload()).unwrap_or(Value::Null));
    });
    keepsake_app::tray::follow(&handle);
    let model = handle.state::<keepsake_app::tray::TrayModel>();
    let state = handle.state::<AppState>();
    // The copier's first pass finds the destination with nothing to copy yet.
    keepsake_app::copier::start(&handle);
    wait_for("the copier's first pass", || !state.copy_status().is_empty());
    std::thread::sleep(Duration::from_millis(200));
    let before = model.builds();
    changes.lock().unwrap().clear();

    keepsake_app::scheduler::start(&handle);
    wait_for("the copy of the first scheduled backup", || {
        state.copy_status().iter().any(|s| s.last_copied_at.is_some() && s.waiting == 0)
    });
    // Ticks after the run (a stale status line is refreshed only after a minute).
    std::thread::sleep(Duration::from_millis(500));
    state.scheduler.request_stop();
    state.copier.request_stop();
    state.scheduler.join();
    state.copier.join();

    let changes = changes.lock().unwrap().clone();
    assert_eq!(model.builds() - before, 1, "the tray's summary, once for the run; events: {changes:?}");
    assert_eq!(changes, ["everything", "copies"], "told once about the backup, once about its copy");
}
