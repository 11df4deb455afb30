//! The error every command returns, as the window receives it: `{ code, message, facts }`.
//!
//! The code is the engine's stable [`ErrorCode`] (snake_case), or one of the app's own codes
//! below; the window owns the plain-language wording and the advice for each, so the code is
//! never flattened into a string of prose. The message is the engine's one-line technical
//! message (naming the file, for the "Details" fold and logs); the facts say what it is about
//! (a path, a backup, sizes, a reason) for the window to put in its own words.

use keepsake_engine::{Error, ErrorCode, Facts};
use serde::Serialize;

/// The app's own error codes, beside the engine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AppCode {
    /// The OS keyring (Secret Service, Keychain, Credential Manager) could not be read or written.
    KeyringUnavailable,
    /// No source has the name the window asked about.
    NoSource,
    /// The system's file dialog could not be shown, or gave a path Keepsake cannot use.
    DialogUnavailable,
}

/// Any code a command can fail with: the engine's or the app's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(untagged)]
pub enum Code {
    /// One of the engine's codes.
    Engine(ErrorCode),
    /// One of the app's own codes.
    App(AppCode),
}

/// A failed command, serialized as `{ "code": ..., "message": ..., "facts": {...} }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IpcError {
    /// The stable code the window words.
    pub code: Code,
    /// What happened, for the log and the details (the window has its own words).
    pub message: String,
    /// The structured facts (paths, sizes, reasons, backups to delete).
    pub facts: Box<Facts>,
}

/// A command's result.
pub type IpcResult<T> = Result<T, IpcError>;

impl IpcError {
    /// An error of the app's own, with `message`.
    pub fn new(code: AppCode, message: impl Into<String>) -> Self {
        IpcError { code: Code::App(code), message: message.into(), facts: Box::default() }
    }

    /// No source named `name`.
    pub fn no_source(name: &str) -> Self {
        IpcError::new(AppCode::NoSource, format!("no database named {name:?} is set up in Keepsake"))
    }

    /// The keyring could not be used.
    pub fn keyring(message: impl Into<String>) -> Self {
        IpcError::new(AppCode::KeyringUnavailable, message)
    }

    /// The file dialog could not be shown.
    pub fn dialog(message: impl Into<String>) -> Self {
        IpcError::new(AppCode::DialogUnavailable, message)
    }

    /// The engine's code, if it is one.
    pub fn engine_code(&self) -> Option<ErrorCode> {
        match self.code {
            Code::Engine(c) => Some(c),
            Code::App(_) => None,
        }
    }

    /// What the window asked is not valid (`invalid_input`).
    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError::from(Error::new(ErrorCode::InvalidInput, message))
    }
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError {
            code: Code::Engine(e.code()),
            message: e.message().to_owned(),
            facts: Box::new(e.facts().clone()),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = serde_json::to_value(self.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        write!(f, "{code}: {}", self.message)
    }
}

impl std::error::Error for IpcError {}
