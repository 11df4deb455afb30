//! Runs one resolved [`Task`] on the engine: one file per verb under `commands/`, as glue.
//!
//! A command calls the engine, then prints the result as text or JSON. Decisions about backups
//! belong to the engine and decisions about settings to `config.rs`; what is left here is the
//! confirmation prompt and the exit code of each outcome.

pub(crate) mod alerts;
mod catalog;
mod cleanup;
mod copy;
mod create;
mod daemon;
mod decrypt;
mod delete;
mod dest;
mod diff;
mod history;
mod list;
mod report;
mod restore;
mod run;
mod schedule;
mod show;
mod source;
pub mod space;
mod stats;
mod verify;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use keepsake_engine::error::{ErrorCode, Result as EngineResult};
use keepsake_engine::seams::{CancelToken, Job};
use keepsake_engine::{Engine, Installation};

use crate::env::Terminal;
use crate::error::{CliError, CliResult};
use crate::output::Output;
use crate::progress::TermProgress;
use crate::secret::CliSecret;
use crate::task::{Action, Config, SecretSettings, Task};

/// What a command works with.
pub struct Ctx<'a> {
    pub engine: Engine,
    pub out: &'a Output,
    pub term: Terminal,
    pub backup_dir: PathBuf,
    /// The store is a destination read from elsewhere (`--from DEST`), not a backup folder.
    pub remote: bool,
    /// Where a restore from a destination keeps its safety backup (a local backup folder).
    pub safety_dir: Option<PathBuf>,
    job: Job,
    progress: Arc<TermProgress>,
}

impl Ctx<'_> {
    /// Runs engine work with progress and Ctrl-C, and clears the bar before anything is printed.
    pub fn work<T>(&self, f: impl FnOnce(&Job) -> EngineResult<T>) -> CliResult<T> {
        let r = f(&self.job);
        self.progress.finish();
        r.map_err(CliError::from)
    }

    /// Asks a yes/no question on the terminal, unless `--yes` answered it already. Without a
    /// terminal it refuses: a script must say `--yes` rather than have a destructive step go
    /// ahead (or hang) on whatever stdin happens to be.
    pub fn confirm(&self, confirmed: bool, question: &str, what: &str) -> CliResult<()> {
        if confirmed {
            return Ok(());
        }
        if !self.term.stdin {
            return Err(CliError::invalid(
                format!("{what} needs confirmation, and there is no terminal to ask on"),
                "Pass --yes to confirm without a prompt.",
            ));
        }
        let prompting = crate::interrupt::Prompting::start();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{question} [y/N] ");
        let _ = err.flush();
        drop(err);
        let mut answer = String::new();
        let read = std::io::stdin().lock().read_line(&mut answer);
        drop(prompting);
        read.map_err(CliError::output)?;
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            Err(CliError {
                code: ErrorCode::Cancelled,
                message: format!("{what} cancelled; nothing was changed"),
                hint: "Answer y to go ahead, or pass --yes.".into(),
                silent: false,
            })
        }
    }
}

/// The environment variable naming this installation's private folder.
pub const STATE_DIR_ENV: &str = "KEEPSAKE_STATE_DIR";

/// This installation of Keepsake: its private folder (catalog, locks, scratch space) is
/// `KEEPSAKE_STATE_DIR`, or the user's local data folder (`~/.local/share/keepsake`), shared
/// with the desktop app.
pub fn installation() -> CliResult<Installation> {
    let dir = std::env::var_os(STATE_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(Installation::default_dir)
        .ok_or_else(|| {
            CliError::invalid(
                "no folder for Keepsake's own records: the user's data folder is unknown",
                "Set HOME, or KEEPSAKE_STATE_DIR to a private folder.",
            )
        })?;
    Ok(Installation::open(dir)?)
}

/// Runs the resolved task; returns the exit code.
pub fn run(config: Config, out: &Output, term: Terminal) -> CliResult<u8> {
    match config.task {
        Task::Folder { backup_dir, action } => run_folder(backup_dir, action, config.secret, out, term),
        Task::Sources { file, action } => source::run(&file, action, out),
        Task::Preview { schedule, count, after } => schedule::preview(&schedule, count, after, out),
        Task::Daemon { file, only } => daemon::run(file, only, config.secret, out),
        Task::Dest { file, action } => dest::run(&file, action, out, term),
        Task::Remote { dest, action, local_dir } => {
            run_remote(&dest, action, local_dir, config.secret, out, term)
        }
        Task::Report { file, email } => report::run(&file, email, out),
        Task::Email { file, action } => report::email(&file, action, out, term),
    }
}

/// Runs `list` or `restore` on a destination's objects alone, as on a new computer: the
/// installation has no record of them, so every backup there is foreign.
fn run_remote(
    dest: &keepsake_engine::Destination,
    action: Action,
    local_dir: Option<PathBuf>,
    secret: SecretSettings,
    out: &Output,
    term: Terminal,
) -> CliResult<u8> {
    let store = keepsake_remote::open_saved(dest)?;
    let secrets = Arc::new(CliSecret::new(secret));
    let location = store.location().to_owned();
    // A backup made with another key derivation setting is opened only when the person asked
    // for foreign backups (a listing alone never spends minutes on a planted file).
    let foreign = matches!(&action, Action::Restore { opts, .. } if opts.allow_foreign);
    let home = installation()?;
    let mut engine = Engine::open(&home, store)?.with_secrets(secrets.clone()).with_foreign_kdf(foreign);
    // A restore over a database keeps the safety backup in a local backup folder, encrypted as
    // the source's are: never on the destination, where it would be out of reach of `undo`
    // (and plain when the source does not encrypt).
    let safety_dir = match &action {
        Action::Restore { target, opts, .. } if opts.safety_backup && target.is_file() => local_dir,
        _ => None,
    };
    if let Some(dir) = &safety_dir {
        let local = Engine::open_folder(&home, dir)?.with_secrets(secrets);
        engine = engine.with_safety_backups_in(Arc::new(local));
    }
    let progress = Arc::new(TermProgress::new(out.mode.progress));
    let cancel = CancelToken::new();
    crate::interrupt::watch(cancel.clone());
    let ctx = Ctx {
        engine,
        out,
        term,
        backup_dir: PathBuf::from(location),
        remote: true,
        safety_dir,
        job: Job::new(progress.clone(), cancel),
        progress,
    };
    match action {
        Action::List { limit } => list::run(&ctx, limit),
        Action::Restore { id, target, opts, confirmed } => restore::run(&ctx, &id, &target, &opts, confirmed),
        _ => Err(CliError::invalid("internal: not a command on a destination", "Please report this bug.")),
    }
}

/// Opens the backup folder and runs the action.
fn run_folder(
    backup_dir: PathBuf,
    action: Action,
    secret: SecretSettings,
    out: &Output,
    term: Terminal,
) -> CliResult<u8> {
    // Only `create` and `run` make the folder: `keepsake list --backup-dir typo` should say so,
    // not leave an empty folder with a fresh catalog behind.
    if !matches!(action, Action::Create { .. } | Action::Run { .. }) && !backup_dir.is_dir() {
        return Err(CliError::invalid(
            format!("backup folder {} does not exist", backup_dir.display()),
            "Check --backup-dir, --source, BACKUP_DIR or backup_dir in the config file; `keepsake \
             create` makes the folder with the first backup.",
        ));
    }
    let secrets = Arc::new(CliSecret::new(secret));
    let foreign = matches!(&action, Action::Restore { opts, .. } if opts.allow_foreign);
    let engine =
        Engine::open_folder(&installation()?, &backup_dir)?.with_secrets(secrets).with_foreign_kdf(foreign);
    let progress = Arc::new(TermProgress::new(out.mode.progress));
    let cancel = CancelToken::new();
    crate::interrupt::watch(cancel.clone());
    let ctx = Ctx {
        engine,
        out,
        term,
        backup_dir,
        remote: false,
        safety_dir: None,
        job: Job::new(progress.clone(), cancel),
        progress,
    };
    match action {
        Action::Run { source } => run::run(&ctx, &source),
        Action::Create { source, opts } => create::run(&ctx, &source, &opts),
        Action::List { limit } => list::run(&ctx, limit),
        Action::Verify { id } => verify::run(&ctx, &id),
        Action::Diff { id, other, database, all } => match other {
            Some(other) => diff::between(&ctx, &id, &other, all),
            None => diff::run(&ctx, &id, &database, all),
        },
        Action::Show { id, table, search, offset, limit, all, csv } => {
            show::run(&ctx, &id, &show::ShowArgs { table, search, offset, limit, all, csv })
        }
        Action::Alerts { all } => alerts::list(&ctx, all),
        Action::DismissAlert { id } => alerts::dismiss(&ctx, id),
        Action::Pin { id, on } => alerts::pin(&ctx, &id, on),
        Action::Restore { id, target, opts, confirmed } => restore::run(&ctx, &id, &target, &opts, confirmed),
        Action::Delete { id, confirmed } => delete::run(&ctx, &id, confirmed),
        Action::Cleanup { policy, dry_run, at } => cleanup::run(&ctx, &policy, dry_run, at.as_deref()),
        Action::Stats => stats::run(&ctx),
        Action::History { limit } => history::run(&ctx, limit),
        Action::RebuildCatalog => catalog::rebuild(&ctx),
        Action::Decrypt { id, dest } => decrypt::run(&ctx, &id, &dest),
        Action::Copy { dest, what } => copy::run(&ctx, &dest, what),
    }
}
