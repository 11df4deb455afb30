//! The verbs of the `keepsake` command, one file each under `commands/`: a verb's file holds
//! its arguments (a clap `Args` struct with its help), what it resolves from the shared
//! [`Config`] (flags, environment, config file) and its run on the engine, printed as text or
//! JSON. Adding a verb is its file plus one line in [`verbs!`] below.
//!
//! Decisions about backups belong to the engine and the shared settings to `config.rs`; what a
//! verb adds is its own flags' meaning, the confirmation prompt and the exit code of each
//! outcome.

pub mod space;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use keepsake_engine::error::{ErrorCode, Result as EngineResult};
use keepsake_engine::seams::{CancelToken, Job};
use keepsake_engine::{Destination, Engine, Installation};

use crate::args::{ENV_HELP, GlobalArgs};
use crate::config::Config;
use crate::env::Terminal;
use crate::error::{CliError, CliResult};
use crate::output::Output;
use crate::progress::TermProgress;
use crate::secret::CliSecret;

/// Back up, verify and restore SQLite databases.
#[derive(Debug, Parser)]
#[command(name = "keepsake", version, after_help = ENV_HELP, max_term_width = 100)]
pub struct Cli {
    /// The flags every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// A verb: its arguments, resolved against the shared settings and run.
pub trait Verb {
    /// Resolves what the verb needs from `cfg` (before any work starts, so a wrong value fails
    /// first) and runs it; returns the exit code.
    fn run(self, cfg: &Config) -> CliResult<u8>;
}

/// The table of verbs, in the order `keepsake --help` lists them: `Variant(module::Args)`, the
/// module being the verb's file under `commands/`.
macro_rules! verbs {
    ($($variant:ident($module:ident :: $args:ident),)*) => {
        $(mod $module;)*

        /// The verbs.
        #[derive(Debug, Subcommand)]
        pub enum Command {
            $(
                #[allow(missing_docs)]
                $variant($module::$args),
            )*
        }

        impl Command {
            /// Runs the verb; returns the exit code.
            pub fn run(self, cfg: &Config) -> CliResult<u8> {
                match self {
                    $(Command::$variant(verb) => verb.run(cfg),)*
                }
            }
        }
    };
}

verbs! {
    Create(create::Create),
    List(list::List),
    Verify(verify::Verify),
    Diff(diff::Diff),
    Show(show::Show),
    Alerts(alerts::Alerts),
    Pin(pin::Pin),
    Unpin(unpin::Unpin),
    Restore(restore::Restore),
    Delete(delete::Delete),
    Cleanup(cleanup::Cleanup),
    Stats(stats::Stats),
    History(history::History),
    Catalog(catalog::Catalog),
    Find(find::Find),
    Source(source::SourceVerb),
    Schedule(schedule::Schedule),
    Run(run::Run),
    Daemon(daemon::Daemon),
    Copy(copy::Copy),
    Dest(dest::Dest),
    Report(report::Report),
    Email(email::Email),
    Decrypt(decrypt::Decrypt),
    RecoveryKit(recovery_kit::RecoveryKit),
    ChangePassword(change_password::ChangePassword),
}

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

/// How a verb opens its backup folder.
#[derive(Debug, Default, Clone, Copy)]
pub struct Open {
    /// The password is about to protect a new backup: asked twice on a terminal.
    pub confirm_password: bool,
    /// Backups made with another key derivation setting may be opened (a restore of a
    /// foreign backup, asked for).
    pub foreign: bool,
    /// The folder is made when it is not there (`create`, `run`); other verbs say it is missing.
    pub make_folder: bool,
}

impl<'a> Ctx<'a> {
    /// The backup folder of this run (`--backup-dir`, `--source`, `BACKUP_DIR`, the config
    /// file, or beside the database), for a verb on the backups already there.
    pub fn of_folder(cfg: &'a Config) -> CliResult<Ctx<'a>> {
        let picked = cfg.picked_source()?;
        let dir = cfg.backup_dir(picked.as_ref())?;
        Ctx::folder(cfg, dir, Open::default())
    }

    /// Opens the backup folder `backup_dir`.
    pub fn folder(cfg: &'a Config, backup_dir: PathBuf, open: Open) -> CliResult<Ctx<'a>> {
        // Only `create` and `run` make the folder: `keepsake list --backup-dir typo` should say
        // so, not leave an empty folder with a fresh catalog behind.
        if !open.make_folder && !backup_dir.is_dir() {
            return Err(CliError::invalid(
                format!("backup folder {} does not exist", backup_dir.display()),
                "Check --backup-dir, --source, BACKUP_DIR or backup_dir in the config file; `keepsake \
                 create` makes the folder with the first backup.",
            ));
        }
        let secrets = Arc::new(CliSecret::new(cfg.backup_secret(open.confirm_password)));
        let engine = Engine::open_folder(&installation()?, &backup_dir)?
            .with_secrets(secrets)
            .with_foreign_kdf(open.foreign);
        Ok(Ctx::new(cfg, engine, backup_dir, false, None))
    }

    /// A destination's objects alone, as on a new computer: the installation has no record of
    /// them, so every backup there is foreign. `safety_dir`: the local backup folder a restore
    /// over a database keeps its safety backup in, encrypted as the source's are (never on the
    /// destination, where it would be out of reach of `undo`).
    pub fn remote(
        cfg: &'a Config,
        dest: &Destination,
        foreign: bool,
        safety_dir: Option<PathBuf>,
    ) -> CliResult<Ctx<'a>> {
        let store = keepsake_remote::open_saved(dest)?;
        let secrets = Arc::new(CliSecret::new(cfg.backup_secret(false)));
        let location = store.location().to_owned();
        let home = installation()?;
        let mut engine = Engine::open(&home, store)?.with_secrets(secrets.clone()).with_foreign_kdf(foreign);
        if let Some(dir) = &safety_dir {
            let local = Engine::open_folder(&home, dir)?.with_secrets(secrets);
            engine = engine.with_safety_backups_in(Arc::new(local));
        }
        Ok(Ctx::new(cfg, engine, PathBuf::from(location), true, safety_dir))
    }

    fn new(
        cfg: &'a Config,
        engine: Engine,
        backup_dir: PathBuf,
        remote: bool,
        safety_dir: Option<PathBuf>,
    ) -> Ctx<'a> {
        let progress = Arc::new(TermProgress::new(cfg.out.mode.progress));
        let cancel = CancelToken::new();
        crate::interrupt::watch(cancel.clone());
        Ctx {
            engine,
            out: &cfg.out,
            term: cfg.term,
            backup_dir,
            remote,
            safety_dir,
            job: Job::new(progress.clone(), cancel),
            progress,
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

#[cfg(test)]
pub mod testing {
    //! Parsing and loading as `main` does, for the verbs' tests.

    use clap::Parser;

    use super::{Cli, Command};
    use crate::config::Config;
    use crate::env::{Env, Terminal};
    use crate::error::CliResult;
    use crate::output::{Output, OutputMode};

    /// No terminal at all.
    pub const NO_TTY: Terminal = Terminal { stdin: false, stdout: false, stderr: false };

    /// `keepsake ARGS` with `env`, and an empty config file, so a real one on the machine is never
    /// read.
    pub fn parse(args: &[&str], env: &[(&str, &str)]) -> CliResult<(Config, Command)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "").expect("write config");
        let mut argv = vec!["keepsake", "--config", cfg.to_str().expect("utf-8 path")];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("parses");
        let env = Env::from_pairs(env);
        let out = Output::new(OutputMode::new(&cli.global, &env, NO_TTY));
        let config = Config::load(cli.global, env, NO_TTY, out)?;
        Ok((config, cli.command))
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::args::switch;
    use crate::env::Env;
    use crate::output::OutputMode;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_after_the_command() {
        let cli = Cli::try_parse_from(["keepsake", "list", "--json", "--backup-dir", "b"]).expect("parses");
        assert!(cli.global.json);
        assert_eq!(cli.global.backup_dir, Some(PathBuf::from("b")));
    }

    #[test]
    fn no_color_turns_colour_off() {
        let cli = Cli::try_parse_from(["keepsake", "list"]).expect("parses");
        let tty = Terminal { stdin: true, stdout: true, stderr: true };
        assert!(OutputMode::new(&cli.global, &Env::default(), tty).color);
        assert!(!OutputMode::new(&cli.global, &Env::from_pairs(&[("NO_COLOR", "1")]), tty).color);
        assert!(!OutputMode::new(&cli.global, &Env::default(), testing::NO_TTY).color);
    }

    #[test]
    fn the_last_switch_wins() {
        assert_eq!(switch(true, false), Some(true));
        assert_eq!(switch(false, true), Some(false));
        assert_eq!(switch(false, false), None);
    }
}
