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

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use keepsake_engine::RetentionPolicy;
use keepsake_engine::model::{BackupOptions, BackupType, DEFAULT_LEVEL, RestoreOptions};
use keepsake_engine::seams::Password;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::args::{CatalogCommand, Cli, ColorChoice, Command, GlobalArgs, TypeArg, switch};
use crate::error::{CliError, CliResult};

/// What the CLI was asked to do, fully resolved.
#[derive(Debug)]
pub struct Config {
    pub backup_dir: PathBuf,
    pub secret: SecretSettings,
    pub action: Action,
}

/// One command, with every value it needs.
#[derive(Debug)]
pub enum Action {
    Create { source: PathBuf, opts: BackupOptions },
    List { limit: Option<usize> },
    Verify { id: String },
    Restore { id: String, target: PathBuf, opts: RestoreOptions, confirmed: bool },
    Delete { id: String, confirmed: bool },
    Cleanup { policy: RetentionPolicy, dry_run: bool },
    Stats,
    History { limit: Option<usize> },
    RebuildCatalog,
    Decrypt { id: String, dest: PathBuf },
}

/// Where the password may come from; `secret.rs` asks them lazily, in this order.
#[derive(Debug)]
pub struct SecretSettings {
    /// `--password-file` (or `password_file` in the config file).
    pub file: Option<PathBuf>,
    /// `BACKUP_ENCRYPTION_PASSWORD`.
    pub env: Option<Password>,
    /// A terminal is there to ask on.
    pub prompt: bool,
    /// Ask twice: the password is about to protect a new backup, and a typo would lock it for good.
    pub confirm: bool,
}

/// How to print, decided before anything else so that even a bad config can be reported.
#[derive(Debug, Clone, Copy)]
pub struct OutputMode {
    pub json: bool,
    /// Colour on stdout.
    pub color: bool,
    /// Colour on stderr.
    pub err_color: bool,
    /// Progress bars on stderr.
    pub progress: bool,
}

/// Which standard streams are terminals.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        use std::io::IsTerminal;
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }
}

/// A snapshot of the environment. An empty variable counts as unset, as `BACKUP_DIR=` in a
/// `.env` file means "not set" to most people.
#[derive(Debug, Default)]
pub struct Env(BTreeMap<String, OsString>);

impl Env {
    pub fn from_process() -> Env {
        Env(std::env::vars_os().filter_map(|(k, v)| k.into_string().ok().map(|k| (k, v))).collect())
    }

    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        Env(pairs.iter().map(|(k, v)| ((*k).to_owned(), OsString::from(v))).collect())
    }

    fn os(&self, key: &str) -> Option<&OsStr> {
        self.0.get(key).map(OsString::as_os_str).filter(|v| !v.is_empty())
    }

    fn string(&self, key: &str) -> CliResult<Option<String>> {
        match self.os(key) {
            None => Ok(None),
            Some(v) => v.to_str().map(|s| Some(s.to_owned())).ok_or_else(|| {
                CliError::invalid(
                    format!("{key} is not valid UTF-8"),
                    format!("Set {key} to a UTF-8 value, or unset it."),
                )
            }),
        }
    }

    fn bool(&self, key: &str) -> CliResult<Option<bool>> {
        let Some(v) = self.string(key)? else {
            return Ok(None);
        };
        parse_bool(&v).map(Some).ok_or_else(|| {
            CliError::invalid(
                format!("{key}={v:?} is not a yes/no value"),
                format!("Set {key} to true or false (also accepted: 1/0, yes/no, on/off)."),
            )
        })
    }

    fn count(&self, key: &str) -> CliResult<Option<u32>> {
        let Some(v) = self.string(key)? else {
            return Ok(None);
        };
        match v.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(CliError::invalid(
                format!("{key}={v:?} is not a whole number of at least 1"),
                format!("Set {key} to a number such as 30, or unset it."),
            )),
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Some(true),
        "0" | "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

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

/// Turns `DATABASE_URL` (or a `database` setting) into a path.
///
/// The forms are SQLAlchemy's, as the Python tool used them: `sqlite:///rel/path` (three
/// slashes: relative), `sqlite:////abs/path` (four: absolute), `sqlite+driver://...`, and a plain
/// path. A query string (`?mode=ro`) is dropped.
pub fn parse_database_url(url: &str) -> Result<PathBuf, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(PathBuf::from(url));
    };
    let dialect = scheme.split('+').next().unwrap_or(scheme);
    if !dialect.eq_ignore_ascii_case("sqlite") {
        return Err(format!("{scheme}:// is not a SQLite URL; Keepsake backs up SQLite databases"));
    }
    let rest = rest.split_once('?').map_or(rest, |(path, _query)| path);
    let Some(path) = rest.strip_prefix('/') else {
        return Err(
            "a SQLite URL has no host: write sqlite:///relative/path or sqlite:////absolute/path".to_owned()
        );
    };
    if path.is_empty() || path == ":memory:" {
        return Err("an in-memory database has nothing to back up".to_owned());
    }
    Ok(PathBuf::from(path))
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

impl OutputMode {
    pub fn new(global: &GlobalArgs, env: &Env, term: Terminal) -> OutputMode {
        // NO_COLOR: any non-empty value turns colour off (https://no-color.org).
        let plain_env = env.os("NO_COLOR").is_some() || env.os("TERM").is_some_and(|t| t == "dumb");
        let color_on = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !plain_env,
        };
        OutputMode {
            json: global.json,
            color: color_on(term.stdout),
            err_color: color_on(term.stderr),
            progress: term.stderr && env.os("TERM").is_none_or(|t| t != "dumb"),
        }
    }
}

impl Config {
    /// The one step from raw input to a validated configuration.
    pub fn resolve(cli: Cli, env: &Env, term: Terminal) -> CliResult<Config> {
        let g = &cli.global;
        let file = File::load(g.config.as_deref())?;
        let f = &file.values;

        // Resolved now, reported only where it matters (see the module comment).
        let database = resolve_database(g, env, &file);
        let database_needed = |purpose: &str| -> CliResult<PathBuf> {
            match &database {
                Err(e) => Err(CliError::invalid(e.message.clone(), e.hint.clone())),
                Ok(Some(p)) => Ok(p.clone()),
                Ok(None) => Err(CliError::invalid(
                    format!("no database is set {purpose}"),
                    format!(
                        "Pass --db PATH, set DATABASE_URL, or set database = \"...\" in {}.",
                        file.name()
                    ),
                )),
            }
        };

        let backup_dir = match (&g.backup_dir, env.os("BACKUP_DIR"), &f.backup_dir) {
            (Some(p), _, _) => p.clone(),
            (None, Some(p), _) => PathBuf::from(p),
            (None, None, Some(p)) => file.path_value(p),
            (None, None, None) => match &database {
                // Next to the database: the Python tool's default (./data/backups beside
                // ./data/app.db), and it keeps the backups of different databases apart.
                Ok(Some(db)) => db.parent().unwrap_or(Path::new(".")).join("backups"),
                Err(e) => return Err(CliError::invalid(e.message.clone(), e.hint.clone())),
                Ok(None) => {
                    return Err(CliError::invalid(
                        "no backup folder is set",
                        format!(
                            "Pass --backup-dir DIR, set BACKUP_DIR, set backup_dir in {}, or give the \
                             database (--db or DATABASE_URL) to use <database folder>/backups.",
                            file.name()
                        ),
                    ));
                }
            },
        };

        let password_file =
            g.password_file.clone().or_else(|| f.password_file.as_deref().map(|p| file.path_value(p)));
        let env_password = env.string("BACKUP_ENCRYPTION_PASSWORD")?.map(Zeroizing::new);

        // Validated whatever the command, so a typo in a variable shows up on the first run.
        let encrypt_env = env.bool("BACKUP_ENCRYPTION_ENABLED")?;
        let compress_env = env.bool("BACKUP_COMPRESSION_ENABLED")?;
        let verify_env = env.bool("BACKUP_VERIFY_AFTER_CREATE")?;
        let max_backups_env = env.count("BACKUP_MAX_BACKUPS")?;
        let retention_days_env = env.count("BACKUP_RETENTION_DAYS")?;

        let mut confirm_password = false;
        let action = match cli.command {
            Command::Create(c) => {
                let encrypt = switch(c.encrypt, c.no_encrypt).or(encrypt_env).or(f.encrypt).unwrap_or(true);
                confirm_password = encrypt;
                let opts = BackupOptions {
                    encrypt,
                    compress: switch(c.compress, c.no_compress)
                        .or(compress_env)
                        .or(f.compress)
                        .unwrap_or(true),
                    level: c.level.or(f.level).unwrap_or(DEFAULT_LEVEL),
                    description: c.description.filter(|d| !d.trim().is_empty()),
                    tags: c.tags,
                    backup_type: match c.backup_type {
                        TypeArg::Manual => BackupType::Manual,
                        TypeArg::Scheduled => BackupType::Scheduled,
                        TypeArg::Auto => BackupType::Auto,
                    },
                    verify: switch(c.verify, c.no_verify)
                        .or(verify_env)
                        .or(f.verify_after_create)
                        .unwrap_or(false),
                };
                Action::Create { source: database_needed("to back up")?, opts }
            }
            Command::List { limit } => Action::List { limit },
            Command::Verify { id } => Action::Verify { id },
            Command::Restore(r) => {
                let target = match r.to {
                    Some(p) => absolute(p),
                    None => database_needed("to restore to")?,
                };
                let opts = RestoreOptions {
                    verify_first: switch(r.verify, r.no_verify).unwrap_or(true),
                    safety_backup: !r.no_safety_backup,
                };
                Action::Restore { id: r.id, target, opts, confirmed: r.yes }
            }
            Command::Delete { id, yes } => Action::Delete { id, confirmed: yes },
            Command::Cleanup(c) => {
                let flags = RetentionPolicy {
                    keep_last: c.keep,
                    keep_within_days: c.older_than,
                    keep_daily: c.keep_daily,
                    keep_weekly: c.keep_weekly,
                    keep_monthly: c.keep_monthly,
                };
                let policy = if !flags.is_empty() {
                    flags
                } else {
                    RetentionPolicy {
                        keep_last: max_backups_env.or(f.max_backups),
                        keep_within_days: retention_days_env.or(f.retention_days),
                        ..RetentionPolicy::default()
                    }
                };
                // An empty policy keeps everything: never what a person running cleanup meant.
                if policy.is_empty() {
                    return Err(CliError::invalid(
                        "cleanup needs a retention policy, and none is set",
                        format!(
                            "Pass --keep N and/or --older-than DAYS, set BACKUP_MAX_BACKUPS or \
                             BACKUP_RETENTION_DAYS, or set max_backups or retention_days in {}.",
                            file.name()
                        ),
                    ));
                }
                Action::Cleanup { policy, dry_run: c.dry_run }
            }
            Command::Stats => Action::Stats,
            Command::History { limit } => Action::History { limit },
            Command::Catalog(CatalogCommand::Rebuild) => Action::RebuildCatalog,
            Command::Decrypt { id, to } => Action::Decrypt { id, dest: absolute(to) },
        };

        Ok(Config {
            backup_dir: absolute(backup_dir),
            secret: SecretSettings {
                file: password_file,
                env: env_password,
                prompt: term.stdin,
                confirm: confirm_password,
            },
            action,
        })
    }
}

/// `--db`, then `DATABASE_URL`, then `database` in the config file; made absolute so the
/// catalog records a path that means the same thing from any folder.
fn resolve_database(g: &GlobalArgs, env: &Env, file: &File) -> CliResult<Option<PathBuf>> {
    if let Some(p) = &g.db {
        return Ok(Some(absolute(p.clone())));
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

    use super::*;

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
        let c = resolve(&["create"], &env).expect("config");
        let Action::Create { source, opts } = c.action else { panic!("not create") };
        assert_eq!(source, PathBuf::from("/tmp/x.db"));
        assert!(!opts.encrypt);
        assert!(opts.compress);
        assert_eq!(c.backup_dir, PathBuf::from("/tmp/backups"));
        let c = resolve(&["create", "--encrypt", "--db", "/y/z.db"], &env).expect("config");
        let Action::Create { source, opts } = c.action else { panic!("not create") };
        assert_eq!(source, PathBuf::from("/y/z.db"));
        assert!(opts.encrypt);
        assert!(c.secret.confirm);
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
        let Action::Cleanup { policy, .. } = c.action else { panic!("not cleanup") };
        assert_eq!(policy.keep_last, Some(4));
        let c =
            resolve(&["cleanup", "--older-than", "7"], &[("BACKUP_DIR", "/b"), ("BACKUP_MAX_BACKUPS", "4")])
                .expect("config");
        let Action::Cleanup { policy, .. } = c.action else { panic!("not cleanup") };
        assert_eq!((policy.keep_last, policy.keep_within_days), (None, Some(7)));
    }

    #[test]
    fn bad_env_values_name_the_variable() {
        let e = resolve(&["list"], &[("BACKUP_DIR", "/b"), ("BACKUP_COMPRESSION_ENABLED", "maybe")])
            .expect_err("bad bool");
        assert!(e.message.contains("BACKUP_COMPRESSION_ENABLED"));
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
