//! The CLI's password source: `--password-file`, then `BACKUP_ENCRYPTION_PASSWORD`, then a
//! hidden prompt on the terminal.
//!
//! It is lazy: the engine asks only when it meets encryption, so `keepsake list` or a backup
//! with `--no-encrypt` never prompts. The answer is kept for the rest of the run, because one
//! command may need it twice (create then verify). Never from a command-line argument: those
//! leak through shell history and `ps`.

use std::path::PathBuf;
use std::sync::Mutex;

use keepsake_engine::error::{Error, ErrorCode, Result};
use keepsake_engine::seams::{Password, SecretSource};
use zeroize::Zeroizing;

/// Where the password may come from; [`CliSecret`] asks them lazily, in this order.
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
    /// `--recovery-key-file`: the recovery key of the emergency kit, from this file (`-`: asked
    /// on the terminal). When given, the password is never prompted for.
    pub recovery: Option<PathBuf>,
}

#[derive(Debug)]
pub struct CliSecret {
    file: Option<PathBuf>,
    env: Option<Password>,
    prompt: bool,
    confirm: bool,
    recovery: Option<PathBuf>,
    known: Mutex<Option<Password>>,
    recovery_known: Mutex<Option<Password>>,
}

impl CliSecret {
    pub fn new(s: SecretSettings) -> CliSecret {
        CliSecret {
            file: s.file,
            env: s.env,
            // Someone who gave the recovery key has forgotten the password: never ask for it.
            prompt: s.prompt && s.recovery.is_none(),
            confirm: s.confirm,
            recovery: s.recovery,
            known: Mutex::new(None),
            recovery_known: Mutex::new(None),
        }
    }

    fn find(&self) -> Result<Option<Password>> {
        // The flag beats the variable: it was typed for this run, the variable may be stale.
        if let Some(path) = &self.file {
            return read_password_file(path).map(Some);
        }
        if let Some(p) = &self.env {
            return Ok(Some(p.clone()));
        }
        if self.prompt {
            return self.ask().map(Some);
        }
        Ok(None)
    }

    fn ask(&self) -> Result<Password> {
        let _prompting = crate::interrupt::Prompting::start();
        let prompt_err = |e: std::io::Error| {
            Error::new(
                ErrorCode::PasswordRequired,
                format!("cannot read the password from the terminal: {e}"),
            )
        };
        let first = Password::new(rpassword::prompt_password("Backup password: ").map_err(prompt_err)?);
        if first.is_empty() {
            return Err(Error::new(ErrorCode::PasswordRequired, "the password is empty"));
        }
        if self.confirm {
            let again =
                Password::new(rpassword::prompt_password("Repeat the password: ").map_err(prompt_err)?);
            if *again != *first {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "the two passwords differ; nothing was backed up",
                ));
            }
        }
        Ok(first)
    }
}

impl SecretSource for CliSecret {
    fn password(&self) -> Result<Option<Password>> {
        let mut known = self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(p) = known.as_ref() {
            return Ok(Some(p.clone()));
        }
        let found = self.find()?;
        known.clone_from(&found);
        Ok(found)
    }

    fn recovery_key(&self) -> Option<Password> {
        let path = self.recovery.as_ref()?;
        let mut known = self.recovery_known.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if known.is_none() {
            *known = read_recovery_key(path);
        }
        known.clone()
    }

    /// The password file's or the variable's, never a prompt: listing a folder must not ask.
    fn at_hand(&self) -> Option<Password> {
        if let Some(p) = self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref() {
            return Some(p.clone());
        }
        match &self.file {
            Some(path) => read_password_file(path).ok(),
            None => self.env.clone(),
        }
    }
}

/// The recovery key from `path` (its first line that is not empty, without the `QR-Code:` a QR
/// reader prints before it), or asked on the terminal for `-`. `None` when it cannot be read:
/// the engine then says a password or key is needed.
fn read_recovery_key(path: &std::path::Path) -> Option<Password> {
    if path.as_os_str() == "-" {
        let _prompting = crate::interrupt::Prompting::start();
        return rpassword::prompt_password("Recovery key (from your emergency kit): ")
            .ok()
            .map(Password::new);
    }
    // At most 4 KiB: a key is 39 characters, and the flag may name anything (`/dev/zero`).
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::Read::read_to_end(&mut std::io::Read::take(std::fs::File::open(path).ok()?, 4096), &mut bytes)
        .ok()?;
    let text = Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned());
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(Password::new(line.strip_prefix("QR-Code:").unwrap_or(line)))
}

/// The first line of the file, without its line ending; the rest of the file is ignored so the
/// file may carry a comment after the password.
fn read_password_file(path: &std::path::Path) -> Result<Password> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Error::new(ErrorCode::PasswordRequired, format!("cannot read password file {}: {e}", path.display()))
    })?);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(Error::new(
            ErrorCode::PasswordRequired,
            format!("password file {} is empty (the password is its first line)", path.display()),
        ));
    }
    Ok(Password::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(file: Option<PathBuf>, env: Option<&str>) -> SecretSettings {
        SecretSettings { file, env: env.map(Password::new), prompt: false, confirm: false, recovery: None }
    }

    #[test]
    fn file_beats_env_and_keeps_only_the_first_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("pw");
        std::fs::write(&f, "from-file\r\nignored\n").expect("write");
        let s = CliSecret::new(settings(Some(f), Some("from-env")));
        assert_eq!(s.password().expect("ok").as_deref(), Some("from-file"));
    }

    #[test]
    fn a_recovery_key_file_is_read_up_to_4_kib_and_its_qr_prefix_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("key");
        std::fs::write(&f, "\n  QR-Code:ABCD-EFGH \nmore").expect("write");
        assert_eq!(read_recovery_key(&f).as_deref(), Some("ABCD-EFGH"));
        // A file that never ends is read no further than 4 KiB.
        #[cfg(unix)]
        assert_eq!(read_recovery_key(std::path::Path::new("/dev/zero")).map(|p| p.len()), Some(4096));
    }

    #[test]
    fn env_then_nothing() {
        let s = CliSecret::new(settings(None, Some("pw")));
        assert_eq!(s.password().expect("ok").as_deref(), Some("pw"));
        let s = CliSecret::new(settings(None, None));
        assert!(s.password().expect("ok").is_none());
    }

    #[test]
    fn empty_or_missing_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("pw");
        std::fs::write(&f, "\n").expect("write");
        let e = CliSecret::new(settings(Some(f.clone()), None)).password().expect_err("empty");
        assert!(e.message().contains(&f.display().to_string()));
        let e =
            CliSecret::new(settings(Some(dir.path().join("nope")), None)).password().expect_err("missing");
        assert_eq!(e.code(), ErrorCode::PasswordRequired);
    }
}
