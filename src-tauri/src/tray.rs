//! The tray icon: its picture tells the state (idle, backing up, problem), its menu has a status
//! line ("Last backup 2 hours ago"), Back up now, Open Keepsake, Pause or Resume schedules, and
//! Quit. On Linux it is an AppIndicator (StatusNotifierItem) whose menu is exported over D-Bus.

use std::sync::Mutex;

use chrono::{Local, Utc};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Listener, Manager, Runtime};

use keepsake_engine::ErrorCode;

use crate::notify::Note;
use crate::state::AppState;
use crate::view::{Mood, source_view, tray_summary};

/// Menu item ids.
pub const BACKUP_NOW: &str = "backup-now";
/// Menu item id: Open Keepsake.
pub const OPEN: &str = "open";
/// Menu item id: Pause or Resume schedules.
pub const PAUSE: &str = "pause";
/// Menu item id: Quit.
pub const QUIT: &str = "quit";

/// The tray and the menu items that change.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
    pause: MenuItem<R>,
    shown: Mutex<Option<(Mood, String, bool)>>,
}

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

fn picture(mood: Mood) -> Image<'static> {
    match mood {
        Mood::Idle => tauri::include_image!("../icons/tray-idle.png"),
        Mood::Busy => tauri::include_image!("../icons/tray-busy.png"),
        Mood::Problem => tauri::include_image!("../icons/tray-problem.png"),
    }
}

/// Creates the tray icon and its menu.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "Keepsake", false, None::<&str>)?;
    let backup = MenuItem::with_id(app, BACKUP_NOW, "Back up now", true, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN, "Open Keepsake", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE, "Pause schedules", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &backup,
            &open,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("keepsake")
        .icon(picture(Mood::Idle))
        .tooltip("Keepsake")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()))
        .build(app)?;
    app.manage(Tray { icon, status, pause, shown: Mutex::new(None) });
    // The tray is a sink of the app's events: whatever changes the state, or starts or ends a
    // job, says so there, and the tray follows.
    for event in [crate::events::STATE_CHANGED, crate::events::BUSY_CHANGED] {
        let handle = app.clone();
        app.listen_any(event, move |_| refresh(&handle));
    }
    refresh(app);
    Ok(())
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let state = app.state::<AppState>();
    match id {
        BACKUP_NOW => {
            // The window's verb: a manual backup of each source, with its own settings.
            for source in state.sources().into_iter().filter(|s| s.enabled) {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let job = format!("tray:{}", source.name);
                    let result = crate::service::back_up_now(&app, &source.name, &job, None, None).await;
                    let level = app.state::<AppState>().settings().notification_level;
                    match result {
                        Ok(b) => {
                            Note::backed_up(&source.name, b.stored_size, b.verified_at.is_some()).send(level)
                        }
                        Err(e) if e.engine_code() == Some(ErrorCode::Cancelled) => {}
                        Err(e) => {
                            tracing::error!(source = %source.name, "backup from the tray failed: {e}");
                            let code = e.engine_code().unwrap_or(ErrorCode::Io);
                            Note::backup_failed(&source.name, &source.database, code).send(level);
                        }
                    }
                });
            }
        }
        OPEN => crate::platform::show_main_window(app),
        PAUSE => {
            let paused = !state.settings().paused;
            if let Err(e) = state.edit_settings(|s| s.paused = paused) {
                tracing::error!("cannot save the pause: {}", e.message);
            }
            crate::events::changed(app);
        }
        QUIT => app.exit(0),
        _ => {}
    }
}

/// Brings the icon and the menu up to date (no-op when there is no tray, as in tests). The
/// summary is computed on the calling thread; the menu is changed on the main thread, without
/// waiting for it (a thread that waited while holding a lock the main thread needs would
/// deadlock the app).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    if app.try_state::<Tray<R>>().is_none() {
        return;
    }
    let state = app.state::<AppState>();
    let now = Local::now();
    let views: Vec<_> = state.sources().iter().map(|s| source_view(&state, s, &now)).collect();
    let summary =
        tray_summary(&views, state.jobs.any_running(), state.secrets.last_error().is_some(), Utc::now());
    let next = (summary.mood, summary.status, state.settings().paused);
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || show(&handle, next)) {
        tracing::warn!("cannot update the tray: {e}");
    }
}

/// On the main thread: shows `next` unless it is shown already.
fn show<R: Runtime>(app: &AppHandle<R>, next: (Mood, String, bool)) {
    let Some(tray) = app.try_state::<Tray<R>>() else { return };
    let mut shown = tray.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if shown.as_ref() == Some(&next) {
        return;
    }
    let (mood, status, paused) = &next;
    let result = (|| -> tauri::Result<()> {
        if shown.as_ref().map(|s| s.0) != Some(*mood) {
            tray.icon.set_icon(Some(picture(*mood)))?;
        }
        tray.status.set_text(status)?;
        tray.icon.set_tooltip(Some(format!("Keepsake: {status}")))?;
        tray.pause.set_text(if *paused { "Resume schedules" } else { "Pause schedules" })?;
        Ok(())
    })();
    match result {
        Ok(()) => *shown = Some(next),
        Err(e) => tracing::warn!("cannot update the tray: {e}"),
    }
}
