//! Keepsake's backup engine: everything about backups, and nothing about windows, terminals or
//! argument parsing. The CLI (`crates/cli`) and the desktop app (`src-tauri`) are thin hosts over
//! [`Engine`]; they supply the seams in [`seams`] (clock, password, progress and cancel).
//!
//! Verbs are methods of [`Engine`] (`backup`, `verify`, `restore`, `undo_restore`, `compare_with`,
//! `decrypt_to`, `list`, `delete`, `cleanup`, `stats`, `history`, `rebuild_catalog`,
//! `run_scheduled`), each in its own file under `commands/`. When scheduled backups run is
//! decided in [`scheduler`], as pure functions of `now`.
//! Errors carry a stable [`ErrorCode`] and structured facts ([`error`]); each front end words
//! them. Backups live in a [`store::Store`]; this installation's records in its private folder
//! ([`Installation`]). The backup file format is in
//! [`mod@format`] and `docs/FORMAT.md`.
#![warn(missing_docs)]
pub(crate) mod catalog;
pub(crate) mod chain;
pub(crate) mod commands;
pub(crate) mod engine;
pub mod engines;
pub mod folder;
pub mod hardening;
pub mod installation;
pub(crate) mod legacy;
pub(crate) mod manifest;
pub mod report;
pub mod retention;
pub use keepsake_discover as discover;
pub use keepsake_format::format;
pub mod names;
pub mod places;
pub(crate) use keepsake_format::{pipeline, snapshot};
pub use keepsake_model::{destinations, error, model, seams};
pub use keepsake_schedule as schedule;
pub(crate) use keepsake_store::lock;
pub use keepsake_store::{durable, store};
pub mod scheduler;
pub mod sources;
pub mod space;
#[cfg(feature = "testing")]
pub mod testing;
pub mod watch;

pub use commands::backup::{MAX_CHAIN_LENGTH, MAX_CHAIN_SHARE, MAX_INCREMENT_SHARE};
pub use commands::compare::{LayoutChange, TableChange, TableDiff};
pub use commands::copy::{CopiesChecked, CopyCheck, CopyRecord, CopyState};
pub use commands::scheduled::RunHow;
pub use commands::tables::{BackupView, RowsPage, TableSummary};
pub use destinations::{Destination, DestinationKind};
pub use engine::Engine;
pub use engines::Engines;
pub use error::{Error, ErrorCode, Facts, Result};
pub use folder::{FileState, FolderFile, FolderReport};
pub use installation::Installation;
pub use model::*;
pub use report::{REPORT_DAYS, Report};
pub use retention::{CleanupPlan, PlanEntry, RetentionPolicy, plan_retention};
pub use seams::{
    CancelToken, Clock, FixedClock, Job, NoProgress, NoSecret, Password, Phase, Progress, SecretSource,
    StaticSecret, SystemClock,
};
pub use snapshot::check_soundness;
pub use space::{FreeUp, SpaceCheck, SpaceMargin, SpaceState};
pub use store::{LocalFolder, MemoryStore, Store, StoreEntry, StoreWrite};
pub use watch::{Alert, AlertKind, WatchRules};
