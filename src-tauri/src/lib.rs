//! Keepsake's desktop app: a thin Tauri 2 shell over `keepsake_engine`.
//!
//! The shell translates and hosts; it decides nothing about backups. `commands` turns each
//! window request into one engine call; `scheduler` runs the engine's scheduling decisions on a
//! thread; `tray`, `notify` and `platform` talk to the desktop; `keyring` supplies the password
//! from the OS keyring; `state` holds the sources, settings and open engines; `view` shapes what
//! the window and the tray are shown. The window itself (React, `ui/`) reaches the shell only
//! through the commands listed in `capabilities/default.json` and two events (`job-progress`,
//! `state-changed`).
#![warn(missing_docs)]

pub mod commands;
pub mod contract;
pub mod control;
pub mod copier;
pub mod demo;
pub mod error;
pub mod events;
pub mod jobs;
pub mod keyring;
pub mod logging;
pub mod notify;
pub mod platform;
pub mod scheduler;
pub mod service;
pub mod settings;
pub mod state;
pub mod tray;
pub mod view;

use std::sync::Arc;
use std::time::Duration;

use tauri::{App, AppHandle, Manager, RunEvent, Runtime, Window, WindowEvent};

use crate::keyring::{KeyringStatus, OsKeyring};
use crate::notify::Note;
use crate::state::{AppState, Paths};

/// How long quitting waits for a running backup to stop after it was cancelled.
const QUIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Keeps the log file's writer alive; taken (which flushes the file) as the app quits, since
/// the process exits without dropping managed state.
struct LogGuard(std::sync::Mutex<Option<tracing_appender::non_blocking::WorkerGuard>>);

/// Runs the app until it quits.
pub fn run() {
    // First, before the keyring or the window hands over any password.
    keepsake_engine::hardening::no_core_dumps();
    let app = tauri::Builder::default()
        // First: a second launch hands over to the first one, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| platform::show_main_window(app)))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![platform::HIDDEN_ARG]),
        ))
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handlers())
        .on_window_event(on_window_event)
        .setup(|app| setup(app).map_err(Into::into))
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|app, event| match event {
            // The window was closed (and destroyed) while a schedule is active: the app goes on
            // in the tray or, on a desktop without one, in the background (starting Keepsake
            // again opens the window). Quit (an exit code) is never held back.
            RunEvent::ExitRequested { api, code: None, .. }
                if platform::keep_running_in_tray(&app.state::<AppState>()) =>
            {
                let tray = app.try_state::<tray::Tray<tauri::Wry>>().is_some() && platform::tray_shown();
                if tray {
                    tracing::info!("window closed; running on in the tray");
                } else {
                    tracing::info!("window closed; running on in the background (no tray on this desktop)");
                }
                if !tray && !SAID_IN_BACKGROUND.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    // Nothing on screen shows that it runs: said once, with how to open it.
                    let level = app.state::<AppState>().settings().notification_level;
                    let level = if level == notify::NotificationLevel::Off {
                        level
                    } else {
                        notify::NotificationLevel::All
                    };
                    notify::Note::in_background().send(level);
                }
                api.prevent_exit();
            }
            RunEvent::Exit => shutdown(app),
            _ => {}
        }),
        Err(e) => {
            eprintln!("error: Keepsake could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// Whether the person was told that Keepsake runs on in the background (once per start).
static SAID_IN_BACKGROUND: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn setup<R: Runtime>(app: &mut App<R>) -> tauri::Result<()> {
    let resolver = app.path();
    let paths = Paths {
        config_dir: resolver.app_config_dir()?,
        data_dir: resolver.app_data_dir()?,
        log_dir: resolver.app_log_dir()?,
        state_dir: std::env::var_os("KEEPSAKE_STATE_DIR")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(keepsake_engine::Installation::default_dir)
            .unwrap_or(resolver.app_data_dir()?.join("state")),
        documents_dir: resolver.document_dir().or_else(|_| resolver.home_dir())?,
    };
    app.manage(LogGuard(std::sync::Mutex::new(logging::init(&paths.log_dir))));
    tracing::info!(config = %paths.config_dir.display(), data = %paths.data_dir.display(), "Keepsake starting");
    app.manage(AppState::load(paths, Arc::new(OsKeyring)));

    let handle = app.handle().clone();
    if let Err(e) = tray::create(&handle) {
        // No tray (some desktops): the app works without it; closing the window leaves it
        // running in the background while a schedule is active.
        tracing::warn!("no tray icon: {e}");
    }
    if !std::env::args().any(|a| a == platform::HIDDEN_ARG) {
        platform::show_main_window(&handle);
    }
    // Slow or blocking first steps (the demo database, the keyring) off the main thread; the
    // scheduler starts after them so it sees the demo source.
    std::thread::Builder::new().name("startup".into()).spawn(move || {
        let state = handle.state::<AppState>();
        demo::add_demo_if_asked(&state);
        check_keyring(&state);
        scheduler::start(&handle);
        copier::start(&handle);
        commands::changed(&handle);
    })?;
    Ok(())
}

/// At start: an encrypted source whose password cannot be read is a problem to tell at once,
/// not at the next scheduled backup.
fn check_keyring(state: &AppState) {
    let sources = state.sources();
    let Some(encrypted) = sources.iter().find(|s| s.encrypt) else { return };
    let status = state.secrets.status();
    tracing::info!(?status, "keyring");
    if matches!(status, KeyringStatus::Locked | KeyringStatus::Unavailable) {
        Note::keyring(&encrypted.name).send(state.settings().notification_level);
    }
}

/// Closing the window destroys it and its webview (a tray app runs all day: it should not hold a
/// browser engine nobody looks at); `run` keeps the app going in the tray while some schedule
/// is active, and the tray's Open Keepsake creates the window again.
fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::Destroyed = event
        && window.label() == platform::MAIN
    {
        tracing::info!("window closed");
    }
}

/// Stops cleanly: no new job, the running ones cancelled and waited for, the scheduler joined.
fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else { return };
    tracing::info!("Keepsake quitting");
    state.scheduler.request_stop();
    state.copier.request_stop();
    state.copy_cancel.cancel();
    state.stop_copies(false);
    if !state.jobs.close(QUIT_TIMEOUT) {
        tracing::warn!("a job did not stop within {} s", QUIT_TIMEOUT.as_secs());
    }
    state.scheduler.join();
    state.copier.join();
    tracing::info!("Keepsake stopped");
    if let Some(guard) = app.try_state::<LogGuard>() {
        drop(guard.0.lock().ok().and_then(|mut g| g.take()));
    }
}
