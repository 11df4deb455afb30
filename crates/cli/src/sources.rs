//! The sources file as the CLI sees it: where it is (`--sources`, `KEEPSAKE_SOURCES`, the OS
//! config folder), reading it with the seed's environment variables applied over the `default`
//! source, and writing it back without them.
//!
//! Editing commands read the file alone and save the file alone, so a variable set for one run
//! never ends up written into the file; everything else sees the file with the variables
//! applied. The format, its validation and the atomic save are the engine's (`sources`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keepsake_engine::sources::Sources;

use crate::env::Env;
use crate::error::{CliError, CliResult};

/// The seed tool's variables, which define or override the `default` source.
pub const SEED_VARS: [&str; 9] = [
    "DATABASE_URL",
    "BACKUP_DIR",
    "BACKUP_ENABLED",
    "BACKUP_SCHEDULE",
    "BACKUP_RETENTION_DAYS",
    "BACKUP_MAX_BACKUPS",
    "BACKUP_ENCRYPTION_ENABLED",
    "BACKUP_COMPRESSION_ENABLED",
    "BACKUP_VERIFY_AFTER_CREATE",
];

/// The sources file, and the seed variables of this run (kept so a daemon can re-read the file
/// with the same overrides).
#[derive(Debug, Clone)]
pub struct SourcesFile {
    pub path: PathBuf,
    env: BTreeMap<String, String>,
}

impl SourcesFile {
    /// `--sources FILE`, then `KEEPSAKE_SOURCES`, then `<OS config dir>/keepsake/sources.toml`.
    pub fn resolve(flag: Option<&Path>, env: &Env) -> CliResult<SourcesFile> {
        let path = match (flag, env.string("KEEPSAKE_SOURCES")?) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(p)) => PathBuf::from(p),
            (None, None) => default_sources_path().ok_or_else(|| {
                CliError::invalid(
                    "cannot find the OS config folder to keep the sources file in",
                    "Pass --sources FILE or set KEEPSAKE_SOURCES.",
                )
            })?,
        };
        let mut vars = BTreeMap::new();
        for name in SEED_VARS {
            if let Some(v) = env.string(name)? {
                vars.insert(name.to_owned(), v);
            }
        }
        Ok(SourcesFile { path: std::path::absolute(&path).unwrap_or(path), env: vars })
    }

    /// The file alone, as written (missing: no sources), for editing.
    pub fn load_file(&self) -> CliResult<Sources> {
        Sources::load(&self.path).map_err(|e| {
            CliError::invalid(
                e.message().to_owned(),
                "Fix the file by hand, or change it with `keepsake source set NAME FIELD VALUE`.",
            )
        })
    }

    /// The sources in effect: the file, with relative paths taken from the file's folder, and
    /// the seed variables applied to the `default` source.
    pub fn load(&self) -> CliResult<Sources> {
        let mut sources = Sources::load_resolved(&self.path).map_err(|e| {
            CliError::invalid(
                e.message().to_owned(),
                "Fix the file by hand, or change it with `keepsake source set NAME FIELD VALUE`.",
            )
        })?;
        sources.apply_env(|name| self.env.get(name).cloned()).map_err(|e| {
            CliError::invalid(
                e.message().to_owned(),
                "Fix or unset the variable; the seed's BACKUP_* variables and DATABASE_URL apply \
                 to the source named `default`.",
            )
        })?;
        Ok(sources)
    }

    /// Writes the file atomically: a refused or interrupted save leaves the old file whole.
    pub fn save(&self, sources: &Sources) -> CliResult<()> {
        sources.save(&self.path).map_err(|e| {
            let hint = if e.code() == keepsake_engine::ErrorCode::InvalidInput {
                std::borrow::Cow::Borrowed("Nothing was changed; fix the value and try again.")
            } else {
                std::borrow::Cow::Borrowed(crate::hints::hint(e.code()))
            };
            CliError { code: e.code(), message: e.message().to_owned(), hint, silent: false }
        })
    }

    /// The seed variables set for this run.
    pub fn env_vars(&self) -> impl Iterator<Item = &str> {
        self.env.keys().map(String::as_str)
    }
}

/// `<OS config dir>/keepsake/sources.toml`.
pub fn default_sources_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("keepsake").join("sources.toml"))
}
