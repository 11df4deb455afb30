//! The Keepsake backup file format (version 2; version 1 is still read), specified byte by byte
//! in `docs/FORMAT.md`.
//!
//! A backup's payload is always a multi-member gzip stream (so a plain backup opens with
//! `gunzip`): a first empty member whose extra field carries the header (JSON), one member per
//! block of the database image, each compressed on its own so both cores can work, and a last
//! empty member that marks the end. An encrypted backup wraps that same gzip stream in the
//! `KEEPSAKE` container: a clear but authenticated header, then AES-256-GCM chunks in the STREAM
//! construction, then a 16-byte trailer. This module owns bytes only; it knows nothing of
//! SQLite or the catalog.

/// The chain checksum: per-page terms that add up, so a chain's links can be checked.
pub mod checksum;
/// Encryption: the key derivation and AES-256-GCM in the STREAM construction.
pub mod crypto;
/// A backup file as a whole: its header, payload and trailer, read and written.
pub mod file;
/// The gzip members a payload is made of.
pub mod gzip;
/// The header every backup file starts with.
pub mod header;
pub mod keys;
/// A payload's members in order: pages inflated and counted.
pub mod sequence;
/// Format 3's keys: data keys, key records, the recovery key.
pub mod vault;

pub use header::{ClearHeader, ClearHeaderV3, Header, HeaderCodec, HeaderEncryption, HeaderKdf};

/// The format version this build writes; it reads this version and every older one.
pub const FORMAT_VERSION: u16 = 3;

/// Size of a database block compressed as one gzip member.
pub const BLOCK_SIZE: usize = 2 << 20;

/// Smallest block size a reader accepts (bytes of database per member).
pub const MIN_BLOCK: u32 = 4 << 10;
/// Largest block size a reader accepts: what one member may inflate to at most.
pub const MAX_BLOCK: u32 = 8 << 20;

/// Plaintext bytes per encrypted chunk.
pub const CHUNK_SIZE: u32 = 1 << 20;

/// PBKDF2 iterations for new backups (OWASP 2023 figure for PBKDF2-HMAC-SHA256).
pub const KDF_ITERATIONS: u32 = 600_000;

/// Smallest encrypted chunk a reader accepts (plaintext bytes).
pub const MIN_CHUNK: u32 = 4 << 10;
/// Largest encrypted chunk a reader accepts (plaintext bytes).
pub const MAX_CHUNK: u32 = 16 << 20;

/// Reads a whole backup on one thread, checking every chunk, member and the end marker, and
/// writes the database image to `out`. Returns the header. This is the file reader without the
/// engine around it (no catalog, no threads): the fuzz target drives it.
pub fn read_backup(
    store: &dyn crate::store::Store,
    name: &str,
    secrets: &dyn crate::seams::SecretSource,
    out: &mut dyn std::io::Write,
) -> crate::error::Result<Header> {
    use crate::error::{Error, ErrorCode};
    let keys = keys::KeyCache::default();
    let obj = file::Object::new(store, name);
    let mut opened = file::open(&obj, secrets, &keys, &crate::seams::CancelToken::new())?;
    let label = opened.label.clone();
    let inflater = sequence::Inflater::new(&opened.header, opened.version, &label);
    let mut seq = sequence::Sequence::new(&opened.header, opened.version, &label);
    while let Some((member, kind)) = opened.members.next_member()? {
        match kind {
            gzip::MemberKind::Data(runs) => {
                let m = inflater.inflate(&member, runs)?;
                seq.data(&m)?;
                out.write_all(&m.data).map_err(|e| Error::write(std::path::Path::new("output"), e))?;
            }
            gzip::MemberKind::End { total, members, checksum } => {
                seq.end(total, members, checksum)?;
                if opened.members.next_member()?.is_some() {
                    return Err(Error::new(
                        ErrorCode::BackupDamaged,
                        format!("{label} is damaged: data after the end"),
                    ));
                }
                return Ok(opened.header);
            }
            gzip::MemberKind::Header(_) => {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{label} is damaged: a second header"),
                ));
            }
        }
    }
    Err(Error::new(ErrorCode::BackupTruncated, format!("{label} is incomplete")))
}
