//! What every command shares: the global flags, the environment and the config file, read and
//! checked once ([`Config::load`]), and the lookups built on them (the password's sources, the
//! sources file, `--source`, the database, the backup folder, a destination).
//!
//! Every setting is looked up in the same order: the command-line flag, then the environment
//! variable of the Python tool this replaces (`DATABASE_URL`, `BACKUP_*`), then the TOML config
//! file, then a built-in default. Each verb (`commands/<verb>.rs`) resolves what it needs from
//! here before it starts any work, so a wrong value fails first, with a message that names
//! where the value came from.
//!
//! The database setting is resolved only by the commands that use it (create, restore without
//! `--to`, or to place the default backup folder), so a `DATABASE_URL` meant for some other
//! program does not break `keepsake list --backup-dir DIR`.

use std::path::{Path, PathBuf};

use keepsake_engine::Destination;
use keepsake_engine::seams::Password;
use keepsake_engine::sources::{Source, parse_database_url};
use serde::Deserialize;

use crate::args::GlobalArgs;
use crate::env::{Env, Terminal};
use crate::error::{CliError, CliResult};
use crate::output::Output;
use crate::secret::SecretSettings;
use crate::sources::SourcesFile;

/// How to write a schedule, for hints.
pub const SCHEDULE_HINT: &str = "Write a phrase (hourly, hourly :15, daily 02:00, weekly mon 02:00, \
    monthly 1 02:00, monthly last 02:00) or a cron expression: minute hour day month weekday, \
    e.g. \"0 2 * * *\". `keepsake schedule preview EXPR` shows what a schedule means.";

/// The global flags, the environment and the config file of this run, checked.
pub struct Config {
    /// The flags every command takes.
    pub global: GlobalArgs,
    /// The environment of this run.
    pub env: Env,
    /// Which standard streams are terminals.
    pub term: Terminal,
    /// Where the command prints.
    pub out: Output,
    file: File,
    password_file: Option<PathBuf>,
    env_password: Option<Password>,
    /// The `BACKUP_*` defaults of the environment, checked for every command.
    pub defaults: EnvDefaults,
}

/// The seed's `BACKUP_*` defaults from the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvDefaults {
    /// `BACKUP_ENCRYPTION_ENABLED`.
    pub encrypt: Option<bool>,
    /// `BACKUP_COMPRESSION_ENABLED`.
    pub compress: Option<bool>,
    /// `BACKUP_VERIFY_AFTER_CREATE`.
    pub verify: Option<bool>,
    /// `BACKUP_MAX_BACKUPS`.
    pub max_backups: Option<u32>,
    /// `BACKUP_RETENTION_DAYS`.
    pub retention_days: Option<u32>,
}

impl Config {
    /// Reads the config file and checks the environment, whatever the command, so a typo in a
    /// variable shows up on the first run.
    pub fn load(global: GlobalArgs, env: Env, term: Terminal, out: Output) -> CliResult<Config> {
        let file = File::load(global.config.as_deref())?;
        let password_file = global
            .password_file
            .clone()
            .or_else(|| file.values.password_file.as_deref().map(|p| file.path_value(p)));
        let env_password = env.string("BACKUP_ENCRYPTION_PASSWORD")?.map(Password::new);
        let defaults = EnvDefaults {
            encrypt: env.bool("BACKUP_ENCRYPTION_ENABLED")?,
            compress: env.bool("BACKUP_COMPRESSION_ENABLED")?,
            verify: env.bool("BACKUP_VERIFY_AFTER_CREATE")?,
            max_backups: env.count("BACKUP_MAX_BACKUPS")?,
            retention_days: env.count("BACKUP_RETENTION_DAYS")?,
        };
        Ok(Config { global, env, term, out, file, password_file, env_password, defaults })
    }

    /// Where the password may come from. `prompt`: a terminal may be asked; `confirm`: ask twice.
    pub fn secret(&self, prompt: bool, confirm: bool) -> SecretSettings {
        SecretSettings {
            file: self.password_file.clone(),
            env: self.env_password.clone(),
            prompt,
            confirm,
            recovery: self.global.recovery_key_file.clone(),
        }
    }

    /// Where the password may come from for a command on backups: asked on the terminal when
    /// there is one; `confirm` when it is about to protect a new backup.
    pub fn backup_secret(&self, confirm: bool) -> SecretSettings {
        self.secret(self.term.stdin, confirm)
    }

    /// The sources file of this run.
    pub fn sources_file(&self) -> CliResult<SourcesFile> {
        SourcesFile::resolve(self.global.sources.as_deref(), &self.env)
    }

    /// The config file's values.
    pub fn file(&self) -> &FileConfig {
        &self.file.values
    }

    /// The config file's name, for hints.
    pub fn file_name(&self) -> String {
        self.file.name()
    }

    /// Refuses `--source` for a command that names its source (or none) otherwise.
    pub fn no_source_flag(&self, what: &str, hint: &str) -> CliResult<()> {
        if self.global.source.is_empty() {
            Ok(())
        } else {
            Err(CliError::invalid(format!("--source does not apply to `keepsake {what}`"), hint.to_owned()))
        }
    }

    /// The source named with `--source`, if any.
    pub fn picked_source(&self) -> CliResult<Option<Source>> {
        match self.global.source.as_slice() {
            [] => Ok(None),
            [name] => self.source(name).map(Some),
            _ => Err(CliError::invalid(
                "this command works on one source, and --source was given several times",
                "Give --source NAME once.",
            )),
        }
    }

    /// The source `name` of the sources file (with the environment's overrides).
    pub fn source(&self, name: &str) -> CliResult<Source> {
        let file = self.sources_file()?;
        let sources = file.load()?;
        sources.get(name).cloned().map_err(|e| unknown_source(&file, name, &e))
    }

    /// The destination named `name` in the sources file.
    pub fn destination(&self, name: &str) -> CliResult<Destination> {
        let file = self.sources_file()?;
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

    /// `--db`, then the `--source`'s database, then `DATABASE_URL`, then `database` in the
    /// config file; made absolute so the catalog records a path that means the same thing from
    /// any folder. `None`: none is set.
    pub fn database(&self, picked: Option<&Source>) -> CliResult<Option<PathBuf>> {
        if let Some(p) = &self.global.db {
            return Ok(Some(absolute(p.clone())));
        }
        if let Some(s) = picked {
            return Ok(Some(absolute(s.database.clone())));
        }
        if let Some(url) = self.env.string("DATABASE_URL")? {
            return parse_database_url(&url).map(|p| Some(absolute(p))).map_err(|why| {
                CliError::invalid(
                    format!("DATABASE_URL={url:?}: {why}"),
                    "Set DATABASE_URL to sqlite:///relative/path.db, sqlite:////absolute/path.db or a \
                     plain path, or pass --db PATH.",
                )
            });
        }
        if let Some(url) = &self.file.values.database {
            return parse_database_url(url).map(|p| Some(absolute(self.file.path_value(&p)))).map_err(
                |why| {
                    CliError::invalid(
                        format!("config file {}: database = {url:?}: {why}", self.file.name()),
                        "Set database to a path or a sqlite:/// URL, or pass --db PATH.",
                    )
                },
            );
        }
        Ok(None)
    }

    /// The database, which the command needs `purpose` ("to back up").
    pub fn database_needed(&self, picked: Option<&Source>, purpose: &str) -> CliResult<PathBuf> {
        self.database(picked)?.ok_or_else(|| {
            CliError::invalid(
                format!("no database is set {purpose}"),
                format!(
                    "Pass --db PATH or --source NAME, set DATABASE_URL, or set database = \"...\" in {}.",
                    self.file.name()
                ),
            )
        })
    }

    /// The backup folder set by a flag, the source, the environment or the config file, if any.
    pub fn backup_dir_set(&self, picked: Option<&Source>) -> Option<PathBuf> {
        match (&self.global.backup_dir, picked, self.env.os("BACKUP_DIR"), &self.file.values.backup_dir) {
            (Some(p), ..) => Some(p.clone()),
            (None, Some(s), ..) => Some(s.backup_dir.clone()),
            (None, None, Some(p), _) => Some(PathBuf::from(p)),
            (None, None, None, Some(p)) => Some(self.file.path_value(p)),
            (None, None, None, None) => None,
        }
    }

    /// The backup folder, made absolute: as set, else next to the database (the Python tool's
    /// default, ./data/backups beside ./data/app.db, which keeps the backups of different
    /// databases apart).
    pub fn backup_dir(&self, picked: Option<&Source>) -> CliResult<PathBuf> {
        let dir = match self.backup_dir_set(picked) {
            Some(dir) => dir,
            None => match self.database(picked)? {
                Some(db) => db.parent().unwrap_or(Path::new(".")).join("backups"),
                None => {
                    return Err(CliError::invalid(
                        "no backup folder is set",
                        format!(
                            "Pass --backup-dir DIR or --source NAME, set BACKUP_DIR, set backup_dir in {}, \
                             or give the database (--db or DATABASE_URL) to use <database folder>/backups.",
                            self.file.name()
                        ),
                    ));
                }
            },
        };
        Ok(absolute(dir))
    }

    /// Whether the backups of the picked source (or of this configuration) are encrypted.
    pub fn encrypts(&self, picked: Option<&Source>) -> bool {
        picked.map(|s| s.encrypt).or(self.defaults.encrypt).or(self.file.values.encrypt).unwrap_or(true)
    }
}

/// The error for a source name the sources file does not have.
pub fn unknown_source(file: &SourcesFile, name: &str, e: &keepsake_engine::Error) -> CliError {
    CliError::invalid(
        format!("{} (in {})", e.message(), file.path.display()),
        format!(
            "Check the name with `keepsake source list`, or add it: `keepsake source add {name} --db PATH`."
        ),
    )
}

/// `p` made absolute (as it is when that fails).
pub fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

/// The config file's keys. Unknown keys are refused, so a typo does not silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The database to back up (a path or a sqlite:/// URL).
    pub database: Option<String>,
    /// The backup folder.
    pub backup_dir: Option<PathBuf>,
    /// The file whose first line is the password.
    pub password_file: Option<PathBuf>,
    /// Encrypt backups.
    pub encrypt: Option<bool>,
    /// Compress backups.
    pub compress: Option<bool>,
    /// The gzip level.
    pub level: Option<u32>,
    /// Verify a backup after making it.
    pub verify_after_create: Option<bool>,
    /// Cleanup's `--keep` when no flag is given.
    pub max_backups: Option<u32>,
    /// Cleanup's `--older-than` when no flag is given.
    pub retention_days: Option<u32>,
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

#[cfg(test)]
pub mod testing {
    //! Fixtures for the tests of the settings and the verbs.

    use std::path::Path;

    /// A sources file with one source, `astro`, which does not encrypt and keeps 3 backups.
    pub fn with_sources(dir: &Path) -> String {
        let file = dir.join("sources.toml");
        std::fs::write(
            &file,
            "[[source]]\nname = \"astro\"\ndatabase = \"/data/astro.db\"\nbackup_dir = \"/b/astro\"\n\
             encrypt = false\nlevel = 9\nschedule = \"daily 02:00\"\n[source.retention]\nkeep_last = 3\n",
        )
        .expect("write sources");
        file.to_str().expect("utf-8").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use keepsake_engine::sources::parse_bool;

    use super::testing::with_sources;
    use super::*;
    use crate::output::OutputMode;

    const NO_TTY: Terminal = Terminal { stdin: false, stdout: false, stderr: false };

    /// The global flags alone.
    #[derive(Parser)]
    struct Global {
        #[command(flatten)]
        global: GlobalArgs,
    }

    /// Loads `keepsake ARGS` with `env` and an empty config file, so a real one on the machine is
    /// never read.
    fn load(args: &[&str], env: &[(&str, &str)]) -> CliResult<Config> {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "").expect("write config");
        let mut argv = vec!["keepsake", "--config", cfg.to_str().expect("utf-8 path")];
        argv.extend_from_slice(args);
        let g = Global::try_parse_from(argv).expect("parses").global;
        let env = Env::from_pairs(env);
        let out = Output::new(OutputMode::new(&g, &env, NO_TTY));
        Config::load(g, env, NO_TTY, out)
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
    fn a_bad_database_url_does_not_break_commands_that_do_not_need_it() {
        let env = [("DATABASE_URL", "postgresql://u@h/db"), ("BACKUP_DIR", "/b")];
        let cfg = load(&[], &env).expect("config");
        assert_eq!(cfg.backup_dir(None).expect("the folder is set"), PathBuf::from("/b"));
        let e = cfg.database_needed(None, "to back up").expect_err("the database is not");
        assert!(e.message.contains("DATABASE_URL"), "{}", e.message);
    }

    #[test]
    fn the_folder_defaults_to_beside_the_database() {
        let cfg = load(&[], &[("DATABASE_URL", "sqlite:////tmp/x.db")]).expect("config");
        assert_eq!(cfg.backup_dir(None).expect("folder"), PathBuf::from("/tmp/backups"));
        let cfg = load(&[], &[]).expect("config");
        let e = cfg.backup_dir(None).expect_err("nothing set");
        assert!(e.message.contains("no backup folder"), "{}", e.message);
    }

    #[test]
    fn bad_env_values_name_the_variable() {
        let e = load(&[], &[("BACKUP_DIR", "/b"), ("BACKUP_COMPRESSION_ENABLED", "maybe")])
            .err()
            .expect("bad bool");
        assert!(e.message.contains("BACKUP_COMPRESSION_ENABLED"));
    }

    #[test]
    fn source_names_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let cfg = load(&["--sources", &file, "--source", "nope"], &[]).expect("config");
        let e = cfg.picked_source().expect_err("unknown");
        assert!(e.message.contains("\"nope\""), "{}", e.message);
        let cfg = load(&["--sources", &file, "--source", "astro", "--source", "astro"], &[]).expect("config");
        let e = cfg.picked_source().expect_err("twice");
        assert!(e.message.contains("one source"), "{}", e.message);
        let cfg = load(&["--sources", &file, "--source", "astro"], &[]).expect("config");
        let picked = cfg.picked_source().expect("known").expect("picked");
        assert_eq!(cfg.backup_dir(Some(&picked)).expect("folder"), PathBuf::from("/b/astro"));
        assert!(!cfg.encrypts(Some(&picked)));
    }
}
