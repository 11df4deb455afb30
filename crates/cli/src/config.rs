//! Flags, environment and config file, turned into one validated [`Config`] in one step.
//!
//! Every setting is looked up in the same order: the command-line flag, then the environment
//! variable of the Python tool this replaces (`DATABASE_URL`, `BACKUP_*`), then the TOML config
//! file, then a built-in default. Everything a command needs is decided here, so the commands
//! only run the engine and print; a wrong value fails before any work starts, with a message
//! that names where the value came from.
//!
//! The database setting is resolved only by the commands that use it (create, restore without
//! `--to`, or to place the default backup folder), so a `DATABASE_URL` meant for some other
//! program does not break `keepsake list --backup-dir DIR`.

use std::path::{Path, PathBuf};

use keepsake_engine::RetentionPolicy;
use keepsake_engine::model::{BackupOptions, BackupType, DEFAULT_LEVEL, RestoreOptions};
use keepsake_engine::sources::{Source, parse_database_url};
use keepsake_engine::{Destination, DestinationKind};
use serde::Deserialize;

use crate::args::RestoreArgs;
use crate::args::{
    AlertsCommand, CatalogCommand, Cli, Command, DestAddArgs, DestCommand, GlobalArgs, TypeArg, switch,
};
use crate::env::{Env, Terminal};
use crate::error::{CliError, CliResult};
use crate::sources::SourcesFile;
use crate::task::{Action, Config, CopyWhat, DestAction, SecretSettings, Task, absolute};

pub mod sched;

/// The config file's keys. Unknown keys are refused, so a typo does not silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database: Option<String>,
    backup_dir: Option<PathBuf>,
    password_file: Option<PathBuf>,
    encrypt: Option<bool>,
    compress: Option<bool>,
    level: Option<u32>,
    verify_after_create: Option<bool>,
    max_backups: Option<u32>,
    retention_days: Option<u32>,
}

const FILE_KEYS: &str = "database, backup_dir, password_file, encrypt, compress, level, \
    verify_after_create, max_backups, retention_days";

/// The config file that was read, if any.
#[derive(Debug, Default)]
struct File {
    path: Option<PathBuf>,
    values: FileConfig,
}

impl File {
    /// `--config FILE` must exist; the default file is optional.
    fn load(explicit: Option<&Path>) -> CliResult<File> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match default_config_path() {
                Some(p) => (p, false),
                None => return Ok(File::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(File::default());
            }
            Err(e) => {
                return Err(CliError::invalid(
                    format!("cannot read config file {}: {e}", path.display()),
                    "Check the path given to --config.",
                ));
            }
        };
        let values: FileConfig = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            let at = line.map(|l| format!(", line {l}")).unwrap_or_default();
            CliError::invalid(
                format!("config file {}{at}: {}", path.display(), e.message().trim()),
                format!("Fix the file; the keys are {FILE_KEYS}."),
            )
        })?;
        if let Some(level) = values.level
            && !(1..=9).contains(&level)
        {
            return Err(CliError::invalid(
                format!("config file {}: level = {level} is out of range", path.display()),
                "Set level to a gzip level from 1 (fastest) to 9 (smallest).",
            ));
        }
        for (key, v) in [("max_backups", values.max_backups), ("retention_days", values.retention_days)] {
            if v == Some(0) {
                return Err(CliError::invalid(
                    format!("config file {}: {key} = 0 would delete every backup", path.display()),
                    format!("Set {key} to at least 1, or remove it."),
                ));
            }
        }
        Ok(File { path: Some(path), values })
    }

    /// A path from the file, relative to the file's own folder (not to wherever keepsake runs).
    fn path_value(&self, p: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => default_config_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".to_owned()),
        }
    }
}

/// `<OS config dir>/keepsake/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("keepsake").join("config.toml"))
}

impl Config {
    /// The one step from raw input to a validated configuration.
    pub fn resolve(cli: Cli, env: &Env, term: Terminal) -> CliResult<Config> {
        let g = &cli.global;
        let file = File::load(g.config.as_deref())?;
        let f = &file.values;

        let password_file =
            g.password_file.clone().or_else(|| f.password_file.as_deref().map(|p| file.path_value(p)));
        let env_password =
            env.string("BACKUP_ENCRYPTION_PASSWORD")?.map(keepsake_engine::seams::Password::new);
        let secret = |prompt: bool, confirm: bool| SecretSettings {
            file: password_file.clone(),
            env: env_password.clone(),
            prompt,
            confirm,
        };

        // Validated whatever the command, so a typo in a variable shows up on the first run.
        let encrypt_env = env.bool("BACKUP_ENCRYPTION_ENABLED")?;
        let compress_env = env.bool("BACKUP_COMPRESSION_ENABLED")?;
        let verify_env = env.bool("BACKUP_VERIFY_AFTER_CREATE")?;
        let max_backups_env = env.count("BACKUP_MAX_BACKUPS")?;
        let retention_days_env = env.count("BACKUP_RETENTION_DAYS")?;

        // The commands that do not work on one backup folder.
        let command = match cli.command {
            Command::Source(c) => {
                return Ok(Config { secret: secret(false, false), task: sched::source_task(g, env, c)? });
            }
            Command::Schedule(c) => {
                return Ok(Config { secret: secret(false, false), task: sched::preview_task(g, c)? });
            }
            // Never a prompt: nobody is there to answer it at 02:00.
            Command::Daemon => {
                return Ok(Config { secret: secret(false, false), task: sched::daemon_task(g, env)? });
            }
            Command::Report { email } => {
                let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
                return Ok(Config { secret: secret(false, false), task: Task::Report { file, email } });
            }
            Command::Email(action) => {
                let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
                return Ok(Config { secret: secret(false, false), task: Task::Email { file, action } });
            }
            Command::Dest(c) => {
                let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
                let action = match c {
                    DestCommand::Add(a) => {
                        let (dest, secret_file) = new_destination(a.name.clone(), &a)?;
                        DestAction::Add { dest: Box::new(dest), secret_file, test: !a.no_test }
                    }
                    DestCommand::List => DestAction::List,
                    DestCommand::Remove { name } => DestAction::Remove(name),
                    DestCommand::Set { name, field, value, insecure_http } => {
                        DestAction::Set { name, field, value, insecure_http }
                    }
                    DestCommand::Secret { name, secret_file, key_file, no_test } => DestAction::Secret {
                        name,
                        secret_file: secret_file.map(absolute),
                        key_file: key_file.map(absolute),
                        test: !no_test,
                    },
                    DestCommand::Test { name } => DestAction::Test(name),
                };
                return Ok(Config { secret: secret(false, false), task: Task::Dest { file, action } });
            }
            Command::List { limit, from: Some(from) } => {
                let dest = Box::new(load_destination(g, env, &from)?);
                return Ok(Config {
                    secret: secret(term.stdin, false),
                    task: Task::Remote { dest, action: Action::List { limit }, local_dir: None },
                });
            }
            other => other,
        };

        // A source's settings come after the flags and before the environment and the file.
        let picked = match &command {
            Command::Run { name } => Some(sched::run_source(g, env, name)?),
            _ => sched::pick_source(g, env)?,
        };
        let picked = picked.as_ref();

        // Resolved now, reported only where it matters (see the module comment).
        let database = resolve_database(g, env, &file, picked);
        let database_needed = |purpose: &str| -> CliResult<PathBuf> {
            match &database {
                Err(e) => Err(CliError::invalid(e.message.clone(), e.hint.clone())),
                Ok(Some(p)) => Ok(p.clone()),
                Ok(None) => Err(CliError::invalid(
                    format!("no database is set {purpose}"),
                    format!(
                        "Pass --db PATH or --source NAME, set DATABASE_URL, or set database = \"...\" in {}.",
                        file.name()
                    ),
                )),
            }
        };

        // `restore`'s flags, one reading whether it restores from the folder or a destination.
        let restore_action = |r: RestoreArgs| -> CliResult<Action> {
            let target = match r.to {
                Some(p) => absolute(p),
                None => database_needed("to restore to")?,
            };
            let opts = RestoreOptions {
                verify_first: switch(r.verify, r.no_verify).unwrap_or(true),
                safety_backup: !r.no_safety_backup,
                // The source's (or the configuration's) encryption: the safety backup
                // follows it, and an unencrypted backup needs --allow-unencrypted.
                source_encrypts: picked.map(|s| s.encrypt).or(encrypt_env).or(f.encrypt).unwrap_or(true),
                allow_foreign: r.allow_foreign,
                allow_unencrypted: r.allow_unencrypted,
                tables: r.table,
                allow_broken_references: r.allow_broken_references,
                new_file: false,
            };
            Ok(Action::Restore { id: r.id, target, opts, confirmed: r.yes })
        };

        // A restore from a destination needs a target, not a backup folder.
        let command = match command {
            Command::Restore(r) if r.from.is_some() => {
                let from = r.from.clone().unwrap_or_default();
                let dest = Box::new(load_destination(g, env, &from)?);
                let action = restore_action(r)?;
                // The safety backup of the database it replaces stays on this computer: in the
                // backup folder that is set (flag, source, environment, file), else beside the
                // target as `backups/`, as for a local backup.
                let local_dir = match (&g.backup_dir, picked, env.os("BACKUP_DIR"), &f.backup_dir, &action) {
                    (Some(p), ..) => Some(p.clone()),
                    (None, Some(s), ..) => Some(s.backup_dir.clone()),
                    (None, None, Some(p), ..) => Some(PathBuf::from(p)),
                    (None, None, None, Some(p), _) => Some(file.path_value(p)),
                    (None, None, None, None, Action::Restore { target, .. }) => {
                        Some(target.parent().unwrap_or(Path::new(".")).join("backups"))
                    }
                    _ => None,
                };
                return Ok(Config {
                    secret: secret(term.stdin, false),
                    task: Task::Remote { dest, action, local_dir },
                });
            }
            other => other,
        };

        let backup_dir = match (&g.backup_dir, picked, env.os("BACKUP_DIR"), &f.backup_dir) {
            (Some(p), _, _, _) => p.clone(),
            (None, Some(s), _, _) => s.backup_dir.clone(),
            (None, None, Some(p), _) => PathBuf::from(p),
            (None, None, None, Some(p)) => file.path_value(p),
            (None, None, None, None) => match &database {
                // Next to the database: the Python tool's default (./data/backups beside
                // ./data/app.db), and it keeps the backups of different databases apart.
                Ok(Some(db)) => db.parent().unwrap_or(Path::new(".")).join("backups"),
                Err(e) => return Err(CliError::invalid(e.message.clone(), e.hint.clone())),
                Ok(None) => {
                    return Err(CliError::invalid(
                        "no backup folder is set",
                        format!(
                            "Pass --backup-dir DIR or --source NAME, set BACKUP_DIR, set backup_dir in {}, \
                             or give the database (--db or DATABASE_URL) to use <database folder>/backups.",
                            file.name()
                        ),
                    ));
                }
            },
        };

        let mut confirm_password = false;
        let action = match command {
            Command::Run { .. } => {
                let source = picked
                    .cloned()
                    .ok_or_else(|| CliError::invalid("`run` needs a source", "Run `keepsake run NAME`."))?;
                confirm_password = source.encrypt;
                Action::Run { source: Box::new(source) }
            }
            Command::Create(c) => {
                let encrypt = switch(c.encrypt, c.no_encrypt)
                    .or(picked.map(|s| s.encrypt))
                    .or(encrypt_env)
                    .or(f.encrypt)
                    .unwrap_or(true);
                confirm_password = encrypt;
                let opts = BackupOptions {
                    encrypt,
                    compress: switch(c.compress, c.no_compress)
                        .or(picked.map(|s| s.compress))
                        .or(compress_env)
                        .or(f.compress)
                        .unwrap_or(true),
                    level: c.level.or(picked.map(|s| s.level)).or(f.level).unwrap_or(DEFAULT_LEVEL),
                    description: c.description.filter(|d| !d.trim().is_empty()),
                    tags: c.tags,
                    backup_type: match c.backup_type {
                        TypeArg::Manual => BackupType::Manual,
                        TypeArg::Scheduled => BackupType::Scheduled,
                        TypeArg::Auto => BackupType::Auto,
                    },
                    verify: switch(c.verify, c.no_verify)
                        .or(picked.map(|s| s.verify_after_backup))
                        .or(verify_env)
                        .or(f.verify_after_create)
                        .unwrap_or(false),
                    incremental: switch(c.incremental, c.full).or(picked.and_then(|s| s.incremental)),
                    watch: keepsake_engine::WatchRules {
                        row_loss_percent: picked
                            .map_or(keepsake_engine::watch::DEFAULT_ROW_LOSS_PERCENT, |s| {
                                s.row_loss_alert_percent
                            }),
                    },
                };
                Action::Create { source: database_needed("to back up")?, opts }
            }
            Command::List { limit, .. } => Action::List { limit },
            Command::Copy { id, to, missing, check } => {
                let dest = Box::new(load_destination(g, env, &to)?);
                let what = match (id, missing, check) {
                    (Some(id), _, _) => CopyWhat::One(id),
                    (None, _, true) => CopyWhat::Check,
                    (None, _, false) => CopyWhat::Missing,
                };
                Action::Copy { dest, what }
            }
            Command::Verify { id } => Action::Verify { id },
            Command::Diff { id, id2, with, all } => {
                let database = match (with, &id2) {
                    (Some(p), _) => absolute(p),
                    (None, Some(_)) => PathBuf::new(),
                    (None, None) => database_needed("to compare with")?,
                };
                Action::Diff { id, other: id2, database, all }
            }
            Command::Show { id, table, search, offset, limit, all, csv } => {
                Action::Show { id, table, search, offset, limit, all, csv }
            }
            Command::Alerts { action: None, all } => Action::Alerts { all },
            Command::Alerts { action: Some(AlertsCommand::Dismiss { id }), .. } => {
                Action::DismissAlert { id }
            }
            Command::Pin { id } => Action::Pin { id, on: true },
            Command::Unpin { id } => Action::Pin { id, on: false },
            Command::Restore(r) => restore_action(r)?,
            Command::Delete { id, yes } => Action::Delete { id, confirmed: yes },
            Command::Cleanup(c) => {
                let flags = RetentionPolicy {
                    keep_last: c.keep,
                    keep_within_days: c.older_than,
                    keep_daily: c.calendar.keep_daily,
                    keep_weekly: c.calendar.keep_weekly,
                    keep_monthly: c.calendar.keep_monthly,
                };
                let at = c.at.as_deref().map(|name| load_destination(g, env, name)).transpose()?;
                let own = at.as_ref().and_then(|d| d.retention.clone());
                let policy = match picked.map(|s| &s.retention) {
                    _ if !flags.is_empty() => flags,
                    // A destination's own rules (empty: keep every copy there).
                    _ if own.is_some() => own.clone().unwrap_or_default(),
                    Some(retention) if !retention.is_empty() => retention.clone(),
                    _ => RetentionPolicy {
                        keep_last: max_backups_env.or(f.max_backups),
                        keep_within_days: retention_days_env.or(f.retention_days),
                        ..RetentionPolicy::default()
                    },
                };
                // An empty policy keeps everything: never what a person running cleanup meant.
                if policy.is_empty() && own.is_none() {
                    return Err(CliError::invalid(
                        "cleanup needs a retention policy, and none is set",
                        format!(
                            "Pass --keep N and/or --older-than DAYS, set BACKUP_MAX_BACKUPS or \
                             BACKUP_RETENTION_DAYS, set max_backups or retention_days in {}, or give \
                             the source a retention rule (`keepsake source set NAME keep_last N`).",
                            file.name()
                        ),
                    ));
                }
                Action::Cleanup { policy, dry_run: c.dry_run, at: at.map(Box::new) }
            }
            Command::Stats => Action::Stats,
            Command::History { limit } => Action::History { limit },
            Command::Catalog(CatalogCommand::Rebuild) => Action::RebuildCatalog,
            Command::Decrypt { id, to } => Action::Decrypt { id, dest: absolute(to) },
            Command::Source(_)
            | Command::Schedule(_)
            | Command::Daemon
            | Command::Dest(_)
            | Command::Report { .. }
            | Command::Email(_) => {
                return Err(CliError::invalid("internal: command resolved twice", "Please report this bug."));
            }
        };

        Ok(Config {
            secret: secret(term.stdin, confirm_password),
            task: Task::Folder { backup_dir: absolute(backup_dir), action },
        })
    }
}

/// The destination named `name` in the sources file.
fn load_destination(g: &GlobalArgs, env: &Env, name: &str) -> CliResult<Destination> {
    let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
    let sources = file.load()?;
    sources.destination(name).cloned().map_err(|e| {
        CliError::invalid(
            format!("{} (in {})", e.message(), file.path.display()),
            format!(
                "Check the name with `keepsake dest list`, or add it: `keepsake dest add {name} --kind ...`."
            ),
        )
    })
}

/// `dest add`: the flags as a destination, checked for its kind; a folder made absolute.
fn new_destination(name: String, a: &DestAddArgs) -> CliResult<(Destination, Option<PathBuf>)> {
    let hint = "Nothing was changed; `keepsake dest add --help` lists the flags of each kind.";
    let kind =
        DestinationKind::parse(&a.kind).map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    let mut d = Destination::new(name, kind);
    d.path = a.path.clone().map(absolute);
    d.endpoint = a.endpoint.as_deref().map(|e| e.trim().trim_end_matches('/').to_owned());
    d.region = a.region.clone();
    d.bucket = a.bucket.clone().or_else(|| a.container.clone());
    d.account = a.account.clone();
    d.prefix = a.prefix.as_deref().unwrap_or("").trim_matches('/').to_owned();
    d.access_key_id = a.access_key_id.clone();
    d.path_style = a.path_style;
    d.unsigned = a.unsigned;
    d.insecure_http = a.insecure_http;
    d.user = a.user.clone();
    d.key_file = a.key_file.clone().map(absolute);
    d.validate().map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    Ok((d, a.secret_file.clone()))
}

/// `--db`, then the `--source`'s database, then `DATABASE_URL`, then `database` in the config
/// file; made absolute so the catalog records a path that means the same thing from any folder.
fn resolve_database(
    g: &GlobalArgs,
    env: &Env,
    file: &File,
    picked: Option<&Source>,
) -> CliResult<Option<PathBuf>> {
    if let Some(p) = &g.db {
        return Ok(Some(absolute(p.clone())));
    }
    if let Some(s) = picked {
        return Ok(Some(absolute(s.database.clone())));
    }
    if let Some(url) = env.string("DATABASE_URL")? {
        return parse_database_url(&url).map(|p| Some(absolute(p))).map_err(|why| {
            CliError::invalid(
                format!("DATABASE_URL={url:?}: {why}"),
                "Set DATABASE_URL to sqlite:///relative/path.db, sqlite:////absolute/path.db or a \
                 plain path, or pass --db PATH.",
            )
        });
    }
    if let Some(url) = &file.values.database {
        return parse_database_url(url).map(|p| Some(absolute(file.path_value(&p)))).map_err(|why| {
            CliError::invalid(
                format!("config file {}: database = {url:?}: {why}", file.name()),
                "Set database to a path or a sqlite:/// URL, or pass --db PATH.",
            )
        });
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use keepsake_engine::sources::parse_bool;

    use super::*;
    use crate::output::OutputMode;
    use crate::task::SourceAction;

    const NO_TTY: Terminal = Terminal { stdin: false, stdout: false, stderr: false };

    /// Resolves with an empty config file, so a real one on the machine is never read.
    fn resolve(args: &[&str], env: &[(&str, &str)]) -> CliResult<Config> {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "").expect("write config");
        let mut argv = vec!["keepsake", "--config", cfg.to_str().expect("utf-8 path")];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("parses");
        Config::resolve(cli, &Env::from_pairs(env), NO_TTY)
    }

    /// The folder and action of a folder command.
    fn folder(c: Config) -> (PathBuf, Action) {
        match c.task {
            Task::Folder { backup_dir, action } => (backup_dir, action),
            other => panic!("not a folder command: {other:?}"),
        }
    }

    #[test]
    fn database_url_forms() {
        assert_eq!(parse_database_url("sqlite:///./data/app.db"), Ok(PathBuf::from("./data/app.db")));
        assert_eq!(parse_database_url("sqlite:///app.db"), Ok(PathBuf::from("app.db")));
        assert_eq!(parse_database_url("sqlite:////abs/app.db"), Ok(PathBuf::from("/abs/app.db")));
        assert_eq!(parse_database_url("sqlite+aiosqlite:////a.db?mode=ro"), Ok(PathBuf::from("/a.db")));
        assert_eq!(parse_database_url("/plain/app.db"), Ok(PathBuf::from("/plain/app.db")));
        assert!(parse_database_url("postgresql://u@h/db").is_err());
        assert!(parse_database_url("sqlite://").is_err());
        assert!(parse_database_url("sqlite:///:memory:").is_err());
        assert!(parse_database_url("sqlite://host/x.db").is_err());
    }

    #[test]
    fn bools_accept_the_seed_spellings() {
        for (s, b) in
            [("true", true), ("1", true), ("YES", true), ("false", false), ("0", false), ("no", false)]
        {
            assert_eq!(parse_bool(s), Some(b), "{s}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn flags_beat_env_and_env_beats_defaults() {
        let env = [("DATABASE_URL", "sqlite:////tmp/x.db"), ("BACKUP_ENCRYPTION_ENABLED", "false")];
        let (dir, action) = folder(resolve(&["create"], &env).expect("config"));
        let Action::Create { source, opts } = action else { panic!("not create") };
        assert_eq!(source, PathBuf::from("/tmp/x.db"));
        assert!(!opts.encrypt);
        assert!(opts.compress);
        assert_eq!(dir, PathBuf::from("/tmp/backups"));
        let c = resolve(&["create", "--encrypt", "--db", "/y/z.db"], &env).expect("config");
        assert!(c.secret.confirm);
        let Action::Create { source, opts } = folder(c).1 else { panic!("not create") };
        assert_eq!(source, PathBuf::from("/y/z.db"));
        assert!(opts.encrypt);
    }

    #[test]
    fn a_bad_database_url_does_not_break_commands_that_do_not_need_it() {
        let env = [("DATABASE_URL", "postgresql://u@h/db"), ("BACKUP_DIR", "/b")];
        assert!(resolve(&["list"], &env).is_ok());
        let e = resolve(&["create"], &env).expect_err("create needs the database");
        assert!(e.message.contains("DATABASE_URL"), "{}", e.message);
    }

    #[test]
    fn cleanup_refuses_without_a_policy_and_takes_the_env() {
        let e = resolve(&["cleanup"], &[("BACKUP_DIR", "/b")]).expect_err("no policy");
        assert!(e.message.contains("retention policy"));
        let c = resolve(&["cleanup"], &[("BACKUP_DIR", "/b"), ("BACKUP_MAX_BACKUPS", "4")]).expect("config");
        let Action::Cleanup { policy, .. } = folder(c).1 else { panic!("not cleanup") };
        assert_eq!(policy.keep_last, Some(4));
        let c =
            resolve(&["cleanup", "--older-than", "7"], &[("BACKUP_DIR", "/b"), ("BACKUP_MAX_BACKUPS", "4")])
                .expect("config");
        let Action::Cleanup { policy, .. } = folder(c).1 else { panic!("not cleanup") };
        assert_eq!((policy.keep_last, policy.keep_within_days), (None, Some(7)));
    }

    #[test]
    fn bad_env_values_name_the_variable() {
        let e = resolve(&["list"], &[("BACKUP_DIR", "/b"), ("BACKUP_COMPRESSION_ENABLED", "maybe")])
            .expect_err("bad bool");
        assert!(e.message.contains("BACKUP_COMPRESSION_ENABLED"));
    }

    /// A sources file with one source, `astro`, which does not encrypt and keeps 3 backups.
    fn with_sources(dir: &Path) -> String {
        let file = dir.join("sources.toml");
        std::fs::write(
            &file,
            "[[source]]\nname = \"astro\"\ndatabase = \"/data/astro.db\"\nbackup_dir = \"/b/astro\"\n\
             encrypt = false\nlevel = 9\nschedule = \"daily 02:00\"\n[source.retention]\nkeep_last = 3\n",
        )
        .expect("write sources");
        file.to_str().expect("utf-8").to_owned()
    }

    #[test]
    fn a_source_gives_database_folder_and_options_before_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let env = [("DATABASE_URL", "/env/app.db"), ("BACKUP_ENCRYPTION_ENABLED", "true")];
        let (dir_, action) =
            folder(resolve(&["--sources", &file, "--source", "astro", "create"], &env).expect("config"));
        assert_eq!(dir_, PathBuf::from("/b/astro"));
        let Action::Create { source, opts } = action else { panic!("not create") };
        assert_eq!(source, PathBuf::from("/data/astro.db"));
        assert!(!opts.encrypt);
        assert_eq!(opts.level, 9);
        // Flags still come first.
        let (dir_, action) = folder(
            resolve(
                &["--sources", &file, "--source", "astro", "--backup-dir", "/x", "create", "--encrypt"],
                &env,
            )
            .expect("config"),
        );
        assert_eq!(dir_, PathBuf::from("/x"));
        let Action::Create { opts, .. } = action else { panic!("not create") };
        assert!(opts.encrypt);
        // Cleanup without flags takes the source's retention.
        let (_, action) =
            folder(resolve(&["--sources", &file, "--source", "astro", "cleanup"], &[]).expect("config"));
        let Action::Cleanup { policy, .. } = action else { panic!("not cleanup") };
        assert_eq!(policy.keep_last, Some(3));
    }

    #[test]
    fn source_names_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let e = resolve(&["--sources", &file, "--source", "nope", "list"], &[]).expect_err("unknown");
        assert!(e.message.contains("\"nope\""), "{}", e.message);
        let e = resolve(&["--sources", &file, "--source", "astro", "--source", "astro", "list"], &[])
            .expect_err("twice");
        assert!(e.message.contains("one source"), "{}", e.message);
        let (dir_, action) = folder(resolve(&["--sources", &file, "run", "astro"], &[]).expect("config"));
        assert_eq!(dir_, PathBuf::from("/b/astro"));
        assert!(matches!(action, Action::Run { source } if source.name == "astro"));
        let e = resolve(&["--sources", &file, "--db", "x.db", "run", "astro"], &[]).expect_err("db");
        assert!(e.message.contains("--db"), "{}", e.message);
        let e = resolve(&["--sources", &file, "daemon", "--source", "nope"], &[]).expect_err("daemon");
        assert!(e.message.contains("\"nope\""), "{}", e.message);
    }

    #[test]
    fn source_add_names_the_bad_field_and_makes_paths_absolute() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("s.toml");
        let file = file.to_str().expect("utf-8");
        let e = resolve(
            &["--sources", file, "source", "add", "a", "--db", "a.db", "--schedule", "0 25 * * *"],
            &[],
        )
        .expect_err("bad schedule");
        assert!(e.message.contains("schedule") && e.message.contains("hour"), "{}", e.message);
        let e = resolve(&["--sources", file, "source", "add", "a"], &[]).expect_err("no db");
        assert!(e.message.contains("database"), "{}", e.message);
        let c = resolve(&["--sources", file, "source", "add", "a", "--db", "a.db", "--keep-days", "30"], &[])
            .expect("config");
        let Task::Sources { action: SourceAction::Add(s), .. } = c.task else { panic!("not add") };
        assert!(s.database.is_absolute() && s.backup_dir.is_absolute());
        assert_eq!(s.backup_dir.file_name().and_then(|n| n.to_str()), Some("backups"));
        assert_eq!(s.retention.keep_within_days, Some(30));
    }

    #[test]
    fn a_bad_schedule_preview_says_what_is_wrong() {
        let e = resolve(&["schedule", "preview", "0 2 * *"], &[]).expect_err("4 fields");
        assert_eq!(
            e.message,
            "schedule \"0 2 * *\": expected 5 fields (minute hour day month weekday), got 4"
        );
        let c = resolve(&["schedule", "preview", "daily 02:00", "-n", "3"], &[]).expect("config");
        assert!(matches!(c.task, Task::Preview { count: 3, after: None, .. }));
    }

    #[test]
    fn no_color_turns_colour_off() {
        let cli = Cli::try_parse_from(["keepsake", "list"]).expect("parses");
        let tty = Terminal { stdin: true, stdout: true, stderr: true };
        assert!(OutputMode::new(&cli.global, &Env::default(), tty).color);
        assert!(!OutputMode::new(&cli.global, &Env::from_pairs(&[("NO_COLOR", "1")]), tty).color);
        assert!(!OutputMode::new(&cli.global, &Env::default(), NO_TTY).color);
    }
}
