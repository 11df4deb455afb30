//! Finding what to protect: the SQLite databases of the apps a person uses.
//!
//! A bounded scan ([`scan::scan`]) of the places apps keep data recognises databases by their
//! header, never their name, and the catalogue of apps ([`catalogue`], kept as data in
//! `catalogue/apps.toml`) names the app each belongs to and says what its files hold in a
//! person's words. Discovery only reads: 100 bytes of a file at most, and a lock query
//! (`F_GETLK`, which takes no lock). Nothing is protected without the person's say.

pub mod catalogue;
pub mod scan;

use std::path::PathBuf;

use serde::Serialize;

pub use catalogue::{App, AppFile, Catalogue, Folders, Installed, Place};
pub use scan::{Budget, ScanPlan, scan};

/// What a scan found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Found {
    /// Each app found, once per place (two Firefox profiles are two entries), by name.
    pub apps: Vec<FoundApp>,
    /// SQLite files no app of the catalogue claims, by path.
    pub unknown: Vec<FoundFile>,
    /// How much was looked at.
    pub counts: ScanCounts,
    /// Why the scan stopped early, if it did (what it found until then is listed).
    pub stopped: Option<Stopped>,
    /// How long it took.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub took_ms: u64,
}

/// One app's files in one place (a profile, a library).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct FoundApp {
    /// The catalogue's id of the app (`firefox`).
    pub app: String,
    /// Its name ("Firefox").
    pub name: String,
    /// What it is ("Web browser").
    pub kind: String,
    /// How it is installed.
    pub installed: Installed,
    /// The folder its files are in.
    pub place: PathBuf,
    /// Whether putting its files back needs the app closed.
    pub close_to_restore: bool,
    /// Its files found here, the important ones first.
    pub files: Vec<FoundFile>,
}

/// One database file found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct FoundFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// When it last changed (seconds since 1970, UTC).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub modified: Option<i64>,
    /// What it holds, from the catalogue (`None` for an unknown file).
    pub holds: Option<String>,
    /// Recommended: the app cannot rebuild it (caches are offered, not recommended).
    pub important: bool,
    /// Encrypted by its app (SQLCipher): copies can be kept, its inside cannot be checked.
    pub encrypted: bool,
    /// In WAL mode (its `-wal` file belongs with it).
    pub wal: bool,
    /// Another program held it open (a SQLite lock) when it was looked at.
    pub in_use: bool,
    /// In a place others can write to (a world-writable folder, or owned by someone else):
    /// anyone could have put it there.
    pub shared: bool,
}

/// How much a scan looked at.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanCounts {
    /// Folders and files met.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub entries: u64,
    /// Folders entered.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub folders: u64,
    /// Regular files met.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub files: u64,
    /// Databases found (SQLite, or encrypted by an app of the catalogue).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub databases: u64,
    /// Symbolic links, not followed.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub links: u64,
    /// Folders on another file system, not entered.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub other_file_systems: u64,
    /// Folders and files that could not be read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unreadable: u64,
    /// FIFOs, sockets and devices, never opened.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub special: u64,
}

/// Why a scan stopped before the end.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// It ran out of time.
    TimeBudget,
    /// It met as many entries as it may.
    CountBudget,
    /// It was asked to stop.
    Cancelled,
}
