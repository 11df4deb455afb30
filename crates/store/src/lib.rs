//! Keepsake's storage floor: the [`store::Store`] seam every backup folder and destination is
//! read and written through (a local folder, memory, a bandwidth limit over another store; the
//! remote stores are `keepsake-remote`'s), with the conformance suite each store passes;
//! [`durable`], the one place that creates, syncs, renames and opens files (0600/0700, no link
//! followed, nothing visible before it is whole); and [`lock`], one operation at a time on a
//! store across an installation's processes. It knows records and errors (`keepsake-model`)
//! and nothing of backups; the engine re-exports it (`keepsake_engine::store`, `::durable`).
#![warn(missing_docs)]

pub mod durable;
pub mod lock;
pub mod store;

/// The errors every layer returns (`crate::error` in this crate's files, as in the engine's).
pub(crate) use keepsake_model::error;
