//! The error every command returns, as the window receives it: `{ code, message, facts }`.
//!
//! The code is the engine's stable [`ErrorCode`] (snake_case), or one of the app's own codes
//! below; the window owns the plain-language wording and the advice for each, so the code is
//! never flattened into a string of prose. The message is the engine's one-line technical
//! message (naming the file, for the "Details" fold and logs); the facts say what it is about
//! (a path, a backup, sizes, a reason) for the window to put in its own words.

use keepsake_engine::{Error, ErrorCode, Facts};
use serde::Serialize;

/// The OS keyring (Secret Service, Keychain, Credential Manager) could not be read or written.
pub const KEYRING_UNAVAILABLE: &str = "keyring_unavailable";
/// No source has the name the window asked about.
pub const NO_SOURCE: &str = "no_source";
/// The system's file dialog could not be shown, or gave a path Keepsake cannot use.
pub const DIALOG_UNAVAILABLE: &str = "dialog_unavailable";

/// A failed command, serialized as `{ "code": ..., "message": ..., "facts": {...} }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    pub facts: Box<Facts>,
}

pub type IpcResult<T> = Result<T, IpcError>;

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError { code: code.to_owned(), message: message.into(), facts: Box::default() }
    }

    pub fn no_source(name: &str) -> Self {
        IpcError::new(NO_SOURCE, format!("no database named {name:?} is set up in Keepsake"))
    }

    pub fn keyring(message: impl Into<String>) -> Self {
        IpcError::new(KEYRING_UNAVAILABLE, message)
    }

    pub fn dialog(message: impl Into<String>) -> Self {
        IpcError::new(DIALOG_UNAVAILABLE, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError::from(Error::new(ErrorCode::InvalidInput, message))
    }
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError {
            code: e.code().as_str().to_owned(),
            message: e.message().to_owned(),
            facts: Box::new(e.facts().clone()),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}
