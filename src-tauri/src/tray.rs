//! The tray icon: its picture tells the state (idle, backing up, problem), its menu has a status
//! line ("Last backup 2 hours ago"), Back up now, Open Keepsake, Pause or Resume schedules, and
//! Quit. On Linux it is an AppIndicator (StatusNotifierItem) whose menu is exported over D-Bus.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Local, Utc};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Listener, Manager, Runtime};

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
    follow(app);
    Ok(())
}

/// The tray's picture of the app, kept whether or not there is a tray to show it on: when it
/// was last built, and how often (read by the tests that count the work of one scheduled run).
#[derive(Debug, Default)]
pub struct TrayModel {
    builds: AtomicUsize,
    last_built: Mutex<Option<Instant>>,
}

impl TrayModel {
    /// How many times the summary was built from the sources' views.
    pub fn builds(&self) -> usize {
        self.builds.load(Ordering::SeqCst)
    }

    fn built(&self) {
        self.builds.fetch_add(1, Ordering::SeqCst);
        *self.last_built.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
    }

    /// Built less than `age` ago.
    fn fresh(&self, age: Duration) -> bool {
        self.last_built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|t| t.elapsed() < age)
    }
}

/// Makes the tray a sink of the app's events: whatever changes the state, or starts or ends a
/// job, says so there, and the tray follows (the summary built once per change, not once per
/// caller). Without a tray icon (tests, desktops without a tray area) the summary is still kept.
pub fn follow<R: Runtime>(app: &AppHandle<R>) {
    app.manage(TrayModel::default());
    let handle = app.clone();
    app.listen_any(crate::events::STATE_CHANGED, move |e| {
        // The copies elsewhere are not in the tray's picture.
        if serde_json::from_str(e.payload()).ok() != Some(crate::events::Changed::Copies) {
            refresh(&handle);
        }
    });
    let handle = app.clone();
    app.listen_any(crate::events::BUSY_CHANGED, move |_| refresh(&handle));
    refresh(app);
}

/// How stale the status line ("Last backup 2 minutes ago", a source becoming overdue) may get
/// while nothing happens.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// Brings the tray up to date as time passes, when nothing else did for [`STALE_AFTER`].
pub fn refresh_if_stale<R: Runtime>(app: &AppHandle<R>) {
    if app.try_state::<TrayModel>().is_some_and(|m| !m.fresh(STALE_AFTER)) {
        refresh(app);
    }
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
                    // What the person is told after is the service's one policy.
                    let how = keepsake_engine::RunHow::manual(None, Vec::new());
                    let asked = crate::service::Asked::Tray;
                    if let Err(e) = crate::service::back_up(&app, &source.name, &job, how, asked).await {
                        tracing::warn!(source = %source.name, "backup from the tray: {e}");
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

/// Brings the icon and the menu up to date (no-op before [`follow`]). While a job runs the
/// picture is "backing up" whatever the sources say, so the summary is built only when none
/// runs. It is computed on the calling thread; the menu is changed on the main thread, without
/// waiting for it (a thread that waited while holding a lock the main thread needs would
/// deadlock the app).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let Some(model) = app.try_state::<TrayModel>() else { return };
    let state = app.state::<AppState>();
    let summary = if state.jobs.any_running() {
        tray_summary(&[], true, false, Utc::now())
    } else {
        let now = Local::now();
        let views: Vec<_> = state.sources().iter().map(|s| source_view(&state, s, &now)).collect();
        model.built();
        tray_summary(&views, false, state.secrets.last_error().is_some(), Utc::now())
    };
    if app.try_state::<Tray<R>>().is_none() {
        return;
    }
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
