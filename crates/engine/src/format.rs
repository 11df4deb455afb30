//! The Keepsake backup file format (version 1), specified byte by byte in `docs/FORMAT.md`.
//!
//! A backup's payload is always a multi-member gzip stream (so a plain backup opens with
//! `gunzip`): a first empty member whose extra field carries the header (JSON), one member per
//! block of the database image, each compressed on its own so both cores can work, and a last
//! empty member that marks the end. An encrypted backup wraps that same gzip stream in the
//! `KEEPSAKE` container: a clear but authenticated header, then AES-256-GCM chunks in the STREAM
//! construction, then a 16-byte trailer. This module owns bytes only; it knows nothing of
//! SQLite or the catalog.

pub(crate) mod crypto;
pub(crate) mod file;
pub(crate) mod gzip;
pub(crate) mod header;

pub use header::{Header, HeaderCodec, HeaderEncryption, HeaderKdf};

/// The format version this build writes; it reads this version and every older one.
pub const FORMAT_VERSION: u16 = 1;

/// Size of a database block compressed as one gzip member.
pub(crate) const BLOCK_SIZE: usize = 2 << 20;

/// Plaintext bytes per encrypted chunk.
pub(crate) const CHUNK_SIZE: u32 = 1 << 20;

/// PBKDF2 iterations for new backups (OWASP 2023 figure for PBKDF2-HMAC-SHA256).
pub const KDF_ITERATIONS: u32 = 600_000;
