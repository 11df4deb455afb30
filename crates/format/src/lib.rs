//! Keepsake's format floor: the bytes of a backup file ([`format`], `docs/FORMAT.md`: header,
//! gzip members, encryption, the chain checksum), the compression
//! pipeline ([`pipeline`]) and the consistent snapshot of a live SQLite database with its
//! soundness check ([`snapshot`]). It reads and writes through the store seam
//! (`keepsake-store`) and knows records and errors (`keepsake-model`), nothing of the engine's
//! verbs; the engine re-exports it, and the fuzz target needs nothing else.
#![warn(missing_docs)]

pub mod format;
pub mod held;
pub mod pipeline;
pub mod snapshot;

/// Records, errors and seams (`crate::model`, `crate::error`, `crate::seams` in this crate's
/// files, as in the engine's).
pub(crate) use keepsake_model::{error, model, seams};
/// The storage seam.
pub(crate) use keepsake_store::store;
