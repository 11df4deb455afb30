//! The CLI's error: an engine error, or a problem the CLI finds itself (a missing setting, a bad
//! environment variable, no terminal to confirm on), in the same shape.
//!
//! Every error has a stable code (the engine's `ErrorCode`, so scripts see one vocabulary), a
//! one-line message naming the thing, and a hint saying what to do. The CLI's own errors carry
//! hints specific to where the value came from (a flag, a variable, a config file), which the
//! engine's per-code hint cannot know. Exit codes are decided here and nowhere else.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::process::ExitCode;

use keepsake_engine::error::Reason;
use keepsake_engine::error::{Error as EngineError, ErrorCode};

/// Exit code: everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit code: a verification found a problem with a backup.
pub const EXIT_PROBLEM: u8 = 1;
/// Exit code: a usage or operational error.
pub const EXIT_ERROR: u8 = 2;
/// Exit code: busy, try again later: another operation holds the backup folder, or another
/// program holds a lock on the database.
pub const EXIT_BUSY: u8 = 3;
/// Exit code: cancelled by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_CANCELLED: u8 = 130;

#[derive(Debug)]
pub struct CliError {
    pub code: ErrorCode,
    pub message: String,
    pub hint: Cow<'static, str>,
    /// Reported by the exit code alone: stdout was closed (`keepsake list | head`), so there is
    /// nobody left to tell.
    pub silent: bool,
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    /// A problem with what the user gave: a flag, a variable or the config file.
    pub fn invalid(message: impl Into<String>, hint: impl Into<Cow<'static, str>>) -> Self {
        CliError { code: ErrorCode::InvalidInput, message: message.into(), hint: hint.into(), silent: false }
    }

    /// An error writing the output.
    pub fn output(e: io::Error) -> Self {
        CliError {
            code: ErrorCode::Io,
            message: format!("cannot write the output: {e}"),
            hint: Cow::Borrowed(crate::hints::hint(ErrorCode::Io)),
            silent: e.kind() == io::ErrorKind::BrokenPipe,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_number())
    }

    /// [`CliError::exit_code`] as a number, for a command that reports its error itself.
    pub fn exit_number(&self) -> u8 {
        if self.silent {
            return EXIT_OK;
        }
        match self.code {
            ErrorCode::Busy | ErrorCode::SourceBusy | ErrorCode::TargetBusy => EXIT_BUSY,
            ErrorCode::Cancelled => EXIT_CANCELLED,
            _ => EXIT_ERROR,
        }
    }

    /// The `{"error": {...}}` document printed on stdout under `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code.as_str(),
                "message": self.message,
                "hint": self.hint,
            }
        })
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        let hint = match (e.code(), e.facts().reason) {
            // A backup that cannot fit: which backups to delete to make room.
            (ErrorCode::DestinationFull, Some(Reason::NoRoom)) => Cow::Owned(format!(
                "Nothing was written. {}",
                crate::hints::advice(
                    e.facts().free_up.as_ref(),
                    e.facts().path.as_deref().unwrap_or(std::path::Path::new("."))
                )
            )),
            (code, _) => Cow::Borrowed(crate::hints::hint(code)),
        };
        CliError { code: e.code(), message: e.message().to_owned(), hint, silent: false }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
