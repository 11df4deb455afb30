//! What the shell keeps while it runs: where its files are, the sources (loaded from and saved
//! to `sources.toml`), the app settings, one open [`Engine`] per backup folder, the running
//! jobs, the keyring, and the scheduler's controls. Commands and the scheduler reach it as Tauri
//! managed state; tests build it on temporary folders with an in-memory password store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use keepsake_engine::sources::{Source, Sources};
use keepsake_engine::{Engine, Engines, ErrorCode, Installation};

use crate::control::SchedulerControl;
use crate::error::{IpcError, IpcResult};
use crate::jobs::Jobs;
use crate::keyring::{KeyringSecret, PasswordStore};
use crate::settings::Settings;
use keepsake_engine::error::Reason;

/// A recovery key made and shown with its kit, not adopted yet (until its last group is typed
/// back); never written anywhere.
pub struct PendingKit {
    /// The key.
    pub key: keepsake_engine::format::vault::RecoveryKey,
    /// The kit's PDF.
    pub pdf: PathBuf,
    /// The same page as a PNG.
    pub png: PathBuf,
}

impl std::fmt::Debug for PendingKit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingKit").field("pdf", &self.pdf).finish_non_exhaustive()
    }
}

/// The app's folders (the OS's per-app folders in the app; temporary ones in tests).
#[derive(Debug, Clone)]
pub struct Paths {
    /// `sources.toml`, `settings.toml`.
    pub config_dir: PathBuf,
    /// The demo database, default backup folders.
    pub data_dir: PathBuf,
    /// Where the app's log files go.
    pub log_dir: PathBuf,
    /// This installation's private folder (catalog, locks, scratch space), shared with the
    /// `keepsake` command of the same user.
    pub state_dir: PathBuf,
    /// Where the emergency kit is saved (the person's Documents folder).
    pub documents_dir: PathBuf,
}

impl Paths {
    /// The sources file (`sources.toml`, shared with the CLI's format).
    pub fn sources_file(&self) -> PathBuf {
        self.config_dir.join("sources.toml")
    }

    /// The app's settings file (`settings.toml`).
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.toml")
    }

    /// Where a source's backups go when the person does not choose: `<data>/backups/<name>`.
    pub fn default_backup_dir(&self, name: &str) -> PathBuf {
        let slug: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
            .collect();
        self.backups_root().join(slug.trim_matches('-'))
    }

    /// The folder that holds a folder of backups per source, for sources given none.
    pub fn backups_root(&self) -> PathBuf {
        self.data_dir.join("backups")
    }
}

/// The sources as loaded; a file that failed to load is never overwritten.
#[derive(Debug)]
struct Loaded {
    sources: Sources,
    broken: Option<String>,
}

/// The shell's state.
pub struct AppState {
    /// Where the app keeps its files.
    pub paths: Paths,
    sources: Mutex<Loaded>,
    settings: Mutex<Settings>,
    /// One engine per backup folder, for this installation (or why it could not be opened).
    engines: Result<Arc<Engines>, String>,
    /// Paths the person picked in the file dialog this session.
    picked: Mutex<std::collections::HashSet<PathBuf>>,
    /// The jobs running now (progress and Cancel).
    pub jobs: Arc<Jobs>,
    /// The password, from the OS keyring.
    pub secrets: Arc<KeyringSecret>,
    /// The scheduler thread's control (wake, stop).
    pub scheduler: Arc<SchedulerControl>,
    /// The backup the window is looking inside (its source and the decoded view), if any.
    browsing: Mutex<Option<(String, keepsake_engine::BackupView)>>,
    /// The copier thread (copies elsewhere): woken after a backup, stopped when quitting.
    pub copier: Arc<SchedulerControl>,
    /// Cancels a copy in progress when the app quits.
    pub copy_cancel: keepsake_engine::CancelToken,
    /// The copier's current pass, for "Stop copying".
    copy_pass: Mutex<keepsake_engine::CancelToken>,
    /// "Stop copying" was pressed: no pass until "Copy now".
    copies_held: std::sync::atomic::AtomicBool,
    /// How each destination stands, as of the copier's last pass.
    copy_status: Mutex<Vec<keepsake_engine::scheduler::copies::CopyStatus>>,
    /// "Try again now" was asked for.
    copy_retry: std::sync::atomic::AtomicBool,
    /// The screen a clicked notification opens (taken by the window).
    pending_screen: Mutex<Option<String>>,
    /// A recovery key made and shown with its kit, adopted once the person types it back; and
    /// the kit's files.
    pub pending_kit: Mutex<Option<PendingKit>>,
    /// How low each source's backup disk was when the person was last told (told again only
    /// when it gets worse).
    space_told: Mutex<keepsake_engine::space::SpaceTold>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("paths", &self.paths).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// Loads the sources and settings from `paths`.
    pub fn load(paths: Paths, store: Arc<dyn PasswordStore>) -> AppState {
        let file = paths.sources_file();
        let loaded = match Sources::load_resolved(&file) {
            Ok(sources) => Loaded { sources, broken: None },
            Err(e) => {
                tracing::error!("cannot load the sources: {}", e.message());
                Loaded { sources: Sources::default(), broken: Some(e.message().to_owned()) }
            }
        };
        let settings = Settings::load(&paths.settings_file());
        let secrets = Arc::new(KeyringSecret::new(store));
        let engines = Installation::open(&paths.state_dir)
            .map(|home| Arc::new(Engines::new(home, secrets.clone())))
            .map_err(|e| {
                tracing::error!("cannot open Keepsake's own records: {}", e.message());
                e.message().to_owned()
            });
        AppState {
            picked: Mutex::default(),
            engines,
            paths,
            sources: Mutex::new(loaded),
            settings: Mutex::new(settings),
            jobs: Arc::new(Jobs::default()),
            secrets,
            scheduler: Arc::new(SchedulerControl::default()),
            browsing: Mutex::default(),
            copier: Arc::new(SchedulerControl::default()),
            copy_cancel: keepsake_engine::CancelToken::new(),
            copy_pass: Mutex::default(),
            copies_held: std::sync::atomic::AtomicBool::new(false),
            copy_status: Mutex::default(),
            copy_retry: std::sync::atomic::AtomicBool::new(false),
            pending_screen: Mutex::default(),
            pending_kit: Mutex::default(),
            space_told: Mutex::default(),
        }
    }

    /// Whether a disk in `now`'s state is worth telling about for `source`: it got worse since
    /// the person was last told (room again forgets it).
    pub fn space_worse(&self, source: &str, now: keepsake_engine::SpaceState) -> bool {
        lock(&self.space_told).worse(source, now)
    }

    /// A clicked notification asks the window to show `screen`.
    pub fn open_screen(&self, screen: &str) {
        *lock(&self.pending_screen) = Some(screen.to_owned());
    }

    /// The screen a clicked notification asked for, once.
    pub fn take_pending_screen(&self) -> Option<String> {
        lock(&self.pending_screen).take()
    }

    /// The whole sources file as loaded (sources and destinations).
    pub fn all_sources(&self) -> Sources {
        lock(&self.sources).sources.clone()
    }

    /// How each destination stands.
    pub fn copy_status(&self) -> Vec<keepsake_engine::scheduler::copies::CopyStatus> {
        lock(&self.copy_status).clone()
    }

    /// Publishes the copier's status; whether it differs from what the window had.
    pub fn set_copy_status(&self, status: Vec<keepsake_engine::scheduler::copies::CopyStatus>) -> bool {
        let mut s = lock(&self.copy_status);
        let differs = *s != status;
        *s = status;
        differs
    }

    /// Asks the copier to try every destination now, whatever its wait.
    pub fn copy_now(&self) {
        self.copies_held.store(false, std::sync::atomic::Ordering::SeqCst);
        self.copy_retry.store(true, std::sync::atomic::Ordering::SeqCst);
        self.copier.wake();
    }

    /// Whether "Try again" was pressed for the copies since the copier last looked (then cleared).
    pub fn take_copy_retry(&self) -> bool {
        self.copy_retry.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// The token of a new copier pass; `None` when the app is quitting.
    pub fn new_copy_pass(&self) -> Option<keepsake_engine::CancelToken> {
        let token = keepsake_engine::CancelToken::new();
        *lock(&self.copy_pass) = token.clone();
        // Checked after the token is published: a quit either sees it or is seen here.
        (!self.copy_cancel.is_cancelled()).then_some(token)
    }

    /// Stops the copier's current pass (the app quits, or "Stop copying"); with `hold`, no
    /// pass runs again until "Copy now". A call to a server the pass waits in ends at once.
    pub fn stop_copies(&self, hold: bool) {
        if hold {
            self.copies_held.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        lock(&self.copy_pass).cancel();
        // After the cancel, so the pass sees it when the call's error comes back.
        keepsake_remote::interrupt();
    }

    /// Whether "Stop copying" holds the copier.
    pub fn copies_held(&self) -> bool {
        self.copies_held.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every source, as configured.
    pub fn sources(&self) -> Vec<Source> {
        lock(&self.sources).sources.sources.clone()
    }

    /// The sources as their schedules run: the global pause (from the tray or the window) is a
    /// pause of every source. The one place it is applied (the scheduler, Home, the tray).
    pub fn scheduled_sources(&self) -> Vec<Source> {
        self.sources().iter().map(|s| self.with_global_pause(s)).collect()
    }

    /// `source` as its schedule runs (see [`AppState::scheduled_sources`]).
    pub fn with_global_pause(&self, source: &Source) -> Source {
        Source { paused: source.paused || self.settings().paused, ..source.clone() }
    }

    /// The source named `name`.
    pub fn source(&self, name: &str) -> IpcResult<Source> {
        lock(&self.sources).sources.get(name).cloned().map_err(|_| IpcError::no_source(name))
    }

    /// Changes the sources with `f` and saves them; nothing changes when `f` or the save fails.
    pub fn edit_sources<T>(&self, f: impl FnOnce(&mut Sources) -> IpcResult<T>) -> IpcResult<T> {
        let mut loaded = lock(&self.sources);
        if let Some(why) = &loaded.broken {
            return Err(IpcError::invalid(format!(
                "the sources file could not be read, so Keepsake will not overwrite it: {why}"
            )));
        }
        let mut next = loaded.sources.clone();
        let out = f(&mut next)?;
        next.save(&self.paths.sources_file())?;
        loaded.sources = next;
        drop(loaded);
        self.scheduler.wake();
        self.copy_now();
        Ok(out)
    }

    /// The app's settings now.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Changes the settings with `f` and saves them; the new settings.
    pub fn edit_settings(&self, f: impl FnOnce(&mut Settings)) -> IpcResult<Settings> {
        let mut settings = lock(&self.settings);
        let mut next = settings.clone();
        f(&mut next);
        next.save(&self.paths.settings_file())?;
        *settings = next.clone();
        drop(settings);
        self.scheduler.wake();
        Ok(next)
    }

    /// The engines of this installation, one per backup folder.
    pub fn engines(&self) -> IpcResult<Arc<Engines>> {
        self.engines.as_ref().map(Arc::clone).map_err(|why| {
            IpcError::from(keepsake_engine::Error::new(ErrorCode::DestinationReadOnly, why.clone()))
        })
    }

    /// The engine of a backup folder, opened once and kept.
    /// Lends a password typed in the window to the engine for one operation (or, with
    /// `remember`, until the app quits); `None` when none was typed.
    pub fn lend_password(
        &self,
        password: Option<String>,
        remember: Option<bool>,
    ) -> Option<crate::keyring::LentPassword> {
        let password = zeroize::Zeroizing::new(password?);
        (!password.is_empty()).then(|| self.secrets.lend(&password, remember.unwrap_or(false)))
    }

    /// The engine of the backup folder `dir`.
    pub fn engine(&self, dir: &Path) -> IpcResult<Arc<Engine>> {
        self.engines()?.get(dir).map_err(|e| self.ipc_error(e))
    }

    /// A source and the engine of its backup folder.
    pub fn source_engine(&self, name: &str) -> IpcResult<(Source, Arc<Engine>)> {
        let source = self.source(name)?;
        let engine = self.engine(&source.backup_dir)?;
        Ok((source, engine))
    }

    /// Remembers a path the person picked in the file dialog.
    pub fn picked(&self, path: &Path) {
        lock(&self.picked).insert(path.to_path_buf());
    }

    /// Whether the person picked `path` in this session's file dialog (the window is trusted
    /// with no other path to write to or read from).
    pub fn was_picked(&self, path: &Path) -> bool {
        lock(&self.picked).contains(path)
    }

    /// Where a restore of `source` may write: its own database (`None`), or a file the person
    /// picked in this session's file dialog. The window is not trusted with anything else: a
    /// script running in it must not aim a restore at any file it likes (a new
    /// `~/.ssh/authorized_keys` is a file that does not exist yet).
    pub fn restore_target(&self, source: &Source, target: Option<PathBuf>) -> IpcResult<PathBuf> {
        match target {
            None => Ok(source.database.clone()),
            Some(target) if target == source.database => Ok(target),
            Some(target) => self.picked_target(target),
        }
    }

    /// `target` when the person picked it in this session's file dialog: every command that
    /// writes a file the window names (a restore elsewhere, a restore from a copy, an export)
    /// goes through here. Anything else is refused with `invalid_input`, reason `not_picked`,
    /// before anything is read or written.
    pub fn picked_target(&self, target: PathBuf) -> IpcResult<PathBuf> {
        if !target.is_absolute() {
            return Err(IpcError::from(
                keepsake_engine::Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "{} is not a full path; choose the file with the Choose… button",
                        target.display()
                    ),
                )
                .with_path(&target)
                .with_reason(Reason::NotPicked),
            ));
        }
        if self.was_picked(&target) {
            return Ok(target);
        }
        Err(IpcError::from(
            keepsake_engine::Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} was not chosen in the file dialog; Keepsake writes only to a file chosen with the Choose… button",
                    target.display()
                ),
            )
            .with_path(&target)
            .with_reason(Reason::NotPicked),
        ))
    }

    /// An engine error for the window: a password that was required because the keyring could
    /// not be read is reported as the keyring's problem, which is what the person must fix.
    /// Keeps `view` (a backup of `source`) open for browsing, in place of any other.
    pub fn keep_open(&self, source: String, view: keepsake_engine::BackupView) {
        *lock(&self.browsing) = Some((source, view));
    }

    /// Closes the backup being browsed (its decoded copy is removed).
    pub fn close_backup(&self) {
        lock(&self.browsing).take();
    }

    /// Runs `f` on the open view of backup `id` of `source` (the view stays open meanwhile);
    /// `invalid_input` when that backup is not the one open. `f` fails as a command does, or
    /// as the engine does (inside a job).
    pub fn with_open_backup<T, E: From<keepsake_engine::Error>>(
        &self,
        source: &str,
        id: &str,
        f: impl FnOnce(&keepsake_engine::BackupView) -> Result<T, E>,
    ) -> Result<T, E> {
        let open = lock(&self.browsing);
        match open.as_ref() {
            Some((s, view)) if s == source && view.backup().id == id => f(view),
            _ => {
                Err(keepsake_engine::Error::invalid(format!("backup {id} is not open; open it first")).into())
            }
        }
    }

    /// `e` as the window gets it; a password that was needed while the keyring could not be
    /// read is said as the keyring's problem.
    pub fn ipc_error(&self, e: keepsake_engine::Error) -> IpcError {
        if e.code() == ErrorCode::PasswordRequired
            && let Some(why) = self.secrets.last_error()
        {
            return IpcError::keyring(format!("the system keyring could not be read: {}", why.message));
        }
        IpcError::from(e)
    }
}
