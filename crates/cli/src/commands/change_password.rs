//! `keepsake change-password`: a new password that opens every backup, here and at every
//! destination; no new chain; the old password opens nothing made from now on.

use std::path::PathBuf;

use clap::Args;
use keepsake_engine::Password;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK};

/// Change the password of the backups; every backup opens with the new one
#[derive(Debug, Args)]
#[command(after_help = "The current password comes from where it always does (--password-file, \
BACKUP_ENCRYPTION_PASSWORD or a prompt); forgot it? Give the recovery key instead \
(--recovery-key-file). The new one is asked twice on the terminal, or read from --new-password-file.

Examples:
  keepsake change-password
  keepsake change-password --recovery-key-file kit.txt --new-password-file new.txt")]
pub struct ChangePassword {
    /// Read the new password from the first line of FILE
    #[arg(long, value_name = "FILE")]
    new_password_file: Option<PathBuf>,
}

impl Verb for ChangePassword {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        let new = match &self.new_password_file {
            Some(f) => {
                let text = zeroize::Zeroizing::new(std::fs::read_to_string(f).map_err(|e| {
                    CliError::invalid(format!("cannot read {}: {e}", f.display()), "Check the path.")
                })?);
                Password::new(text.lines().next().unwrap_or(""))
            }
            None if ctx.term.stdin => {
                let _prompting = crate::interrupt::Prompting::start();
                let read = |p: &str| rpassword::prompt_password(p).map(Password::new);
                let first = read("New password: ").map_err(|e| CliError::invalid(e.to_string(), ""))?;
                let again = read("Repeat the new password: ").map_err(|e| CliError::invalid(e.to_string(), ""))?;
                if *first != *again {
                    return Err(CliError::invalid("the two passwords differ; nothing changed", "Try again."));
                }
                first
            }
            None => {
                return Err(CliError::invalid(
                    "a new password is needed, and there is no terminal to ask on",
                    "Pass --new-password-file FILE.",
                ));
            }
        };
        if new.is_empty() {
            return Err(CliError::invalid("the new password is empty; nothing changed", "Give a password."));
        }
        let status = ctx.work(|job| ctx.engine.change_password(&new, job))?;
        super::recovery_kit::publish_everywhere(cfg, &ctx);
        if ctx.out.json_mode() {
            ctx.out.json(&status)?;
        } else {
            let kit = if status.kit.is_some() { " and your recovery key" } else { "" };
            ctx.out.note(&format!(
                "Password changed. Every backup, here and at every destination, opens with the new \
                 password{kit}; the old one opens nothing made from now on. Scheduled runs need the new \
                 password: update BACKUP_ENCRYPTION_PASSWORD or your password file."
            ));
        }
        Ok(EXIT_OK)
    }
}
