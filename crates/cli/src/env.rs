//! What the CLI reads from where it runs: the environment (a snapshot, empty counting as
//! unset) and which standard streams are terminals.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

use keepsake_engine::sources::parse_bool;

use crate::error::{CliError, CliResult};

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

    pub fn os(&self, key: &str) -> Option<&OsStr> {
        self.0.get(key).map(OsString::as_os_str).filter(|v| !v.is_empty())
    }

    /// A variable as text; not UTF-8 is an error naming it.
    pub fn string(&self, key: &str) -> CliResult<Option<String>> {
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

    pub fn bool(&self, key: &str) -> CliResult<Option<bool>> {
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

    pub fn count(&self, key: &str) -> CliResult<Option<u32>> {
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
