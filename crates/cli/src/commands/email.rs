//! `keepsake email password|test`: the SMTP password of the daemon's e-mail, and a test
//! message.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use super::Verb;
use super::report::{mail_error, settings};
use crate::config::Config;
use crate::env::Terminal;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::Output;
use crate::sources::SourcesFile;

/// E-mail from `keepsake daemon`: each failed backup and the weekly summary
#[derive(Debug, Args)]
#[command(
    after_help = "The settings are the [email] table of the sources file:\n\n  [email]\n  \
    smtp_host = \"smtp.example.org\"\n  smtp_port = 587\n  user = \"ann@example.org\"\n  \
    from = \"Keepsake <ann@example.org>\"\n  to = \"ann@example.org\"\n  failures = true\n  \
    weekly = true\n\nMail goes over STARTTLS only. The password is kept in the OS keyring \
    (`keepsake email password`); on a server without one, set KEEPSAKE_SMTP_PASSWORD."
)]
pub struct Email {
    #[command(subcommand)]
    action: EmailCommand,
}

#[derive(Debug, Subcommand)]
enum EmailCommand {
    /// Save the SMTP password in the OS keyring (asked for, or the first line of --secret-file)
    Password {
        #[arg(long, value_name = "FILE")]
        secret_file: Option<PathBuf>,
    },
    /// Send a test message to the address of [email]
    Test,
}

impl Verb for Email {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        email(&cfg.sources_file()?, self.action, &cfg.out, cfg.term)
    }
}

fn email(file: &SourcesFile, action: EmailCommand, out: &Output, term: Terminal) -> CliResult<u8> {
    match action {
        EmailCommand::Password { secret_file } => {
            let password = read_password(secret_file.as_deref(), term)?;
            keepsake_remote::secrets::save_account(crate::mail::KEYRING_ACCOUNT, &password).map_err(
                |why| {
                    CliError::invalid(
                        format!("cannot save the SMTP password in the OS keyring: {why}"),
                        format!("On a server without a keyring, set {} instead.", crate::mail::PASSWORD_ENV),
                    )
                },
            )?;
            out.note("The SMTP password is saved in the OS keyring.");
        }
        EmailCommand::Test => {
            let sources = file.load()?;
            let settings = settings(&sources, file)?;
            crate::mail::send(
                &settings,
                "Keepsake: test message",
                "This is a test message from Keepsake. E-mail from `keepsake daemon` works: you will \
                 get a message when a backup fails, and a summary each week.\n",
            )
            .map_err(mail_error)?;
            out.note(&format!("A test message was sent to {}.", settings.to));
        }
    }
    Ok(EXIT_OK)
}

fn read_password(file: Option<&Path>, term: Terminal) -> CliResult<Zeroizing<String>> {
    if let Some(path) = file {
        return super::dest::first_line_of(path);
    }
    if !term.stdin {
        return Err(CliError::invalid(
            "the SMTP password is needed, and there is no terminal to ask on",
            "Pass --secret-file FILE.",
        ));
    }
    super::dest::prompt_secret("SMTP password: ", "password")
}
