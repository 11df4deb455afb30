//! The backup header: a JSON document that describes a backup (the first gzip member carries
//! it), and the clear header of the encrypted container. In format 1 the container's clear
//! header is the whole description; in format 2 it holds only what opening needs (cipher, key
//! derivation, salts, key check), and the description lives in the encrypted payload.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupKind, BackupType, ChainLink, OpaquePart, SchemaInfo};

use super::FORMAT_VERSION;

/// Magic bytes of the encrypted container.
pub const MAGIC: &[u8; 8] = b"KEEPSAKE";
pub use super::crypto::TRAILER_MAGIC;
/// Bytes before the header JSON: magic, version, length.
pub const PREFIX_LEN: usize = 14;
/// Upper bound on the header JSON (it must also fit a gzip extra field).
pub const MAX_HEADER_LEN: usize = 60_000;

/// What a backup file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The format version of the payload (1 or 2).
    pub format: u16,
    /// The backup's id; must equal its file name without the extension.
    pub id: String,
    /// `full` (the whole database) or `increment` (format 2: pages changed since another backup).
    #[serde(default)]
    pub kind: BackupKind,
    /// When the snapshot was taken.
    pub created_at: DateTime<Utc>,
    /// The installation that made it (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation: Option<String>,
    /// The database that was backed up, as an absolute path.
    pub source_path: PathBuf,
    /// Why it was made (`manual`, `scheduled`, `auto` or `safety`).
    pub backup_type: BackupType,
    /// The person's note, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// Labels given when it was made (may be empty).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Size of the database image in bytes: `page_count * page_size`.
    pub original_size: u64,
    /// The database's schema at the snapshot; verification compares the decoded copy with it.
    pub schema: SchemaInfo,
    /// Rows per ordinary table at the snapshot; dropped when the header would exceed 60,000 bytes.
    #[serde(default)]
    pub row_counts: BTreeMap<String, u64>,
    /// How the payload is compressed.
    pub codec: HeaderCodec,
    /// Format 1 only: the encryption parameters (format 2 keeps them in the container).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<HeaderEncryption>,
    /// An increment's place in its chain (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainLink>,
    /// For one of an app's other files: the id of the backup of the app's main database made
    /// in the same run. The backups of one run are restored together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
    /// For a file its app encrypts itself: the files the image holds, as bytes (format 2,
    /// always a full backup; see [`OpaquePart`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque: Option<Vec<OpaquePart>>,
}

/// The clear header of a format-2 encrypted container: only what opening needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearHeader {
    /// 2.
    pub format: u16,
    /// `aes-256-gcm-stream-be32`.
    pub cipher: String,
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// 7 bytes, hex.
    pub nonce_prefix: String,
    /// The password's key derivation.
    pub kdf: HeaderKdf,
    /// First 16 bytes of HMAC-SHA256(master key, "keepsake key check"), hex.
    pub key_check: String,
    /// 16 bytes, hex: this file's key is HKDF-SHA256(master key, this salt).
    pub file_salt: String,
}

/// The clear header of a format-3 encrypted container: what opening needs, with the key record
/// of the data key the file is encrypted under (see `vault`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearHeaderV3 {
    /// 3.
    pub format: u16,
    /// `aes-256-gcm-stream-be32`.
    pub cipher: String,
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// 7 bytes, hex.
    pub nonce_prefix: String,
    /// 16 bytes, hex: this file's key is HKDF-SHA256(data key, this salt).
    pub file_salt: String,
    /// How the data key can be had: with the password, the recovery key, or a newer key.
    pub key: super::vault::KeyRecord,
}

/// A container's clear header, by version.
#[derive(Debug, Clone, PartialEq)]
pub enum Clear {
    /// Format 1: the whole header, in the clear.
    V1(Box<Header>),
    /// Format 2: the little the clear header shows.
    V2(ClearHeader),
    /// Format 3: the same, with the key record instead of a key derivation.
    V3(Box<ClearHeaderV3>),
}

/// The compression codec of the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderCodec {
    /// `gzip` (the only codec of version 1).
    pub name: String,
    /// 0 (stored) to 9.
    pub level: u32,
    /// Uncompressed bytes per gzip member.
    pub block_size: u32,
}

/// Encryption parameters (all public; the key comes from the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderEncryption {
    /// `aes-256-gcm-stream-be32`.
    pub cipher: String,
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// 7 bytes, hex.
    pub nonce_prefix: String,
    /// The password's key derivation.
    pub kdf: HeaderKdf,
    /// First 16 bytes of HMAC-SHA256(key, "keepsake key check"), hex: tells a wrong password
    /// from a damaged file before anything is decrypted.
    pub key_check: String,
}

/// Key derivation parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderKdf {
    /// `pbkdf2-hmac-sha256`.
    pub name: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// 16 bytes, hex.
    pub salt: String,
}

impl Header {
    /// The header as the JSON the file holds.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut json = serde_json::to_vec(self).map_err(|e| Error::invalid(e.to_string()))?;
        if json.len() > MAX_HEADER_LEN {
            // Row counts are the only unbounded part; the catalog keeps them anyway.
            let mut slim = self.clone();
            slim.row_counts.clear();
            json = serde_json::to_vec(&slim).map_err(|e| Error::invalid(e.to_string()))?;
        }
        if json.len() > MAX_HEADER_LEN {
            return Err(Error::invalid("backup description or tags are too long"));
        }
        Ok(json)
    }

    /// Parses header JSON found in `file` (named in errors). The codec must be one this build
    /// reads; a header with `encryption` must be a format-1 one.
    pub fn from_json(json: &[u8], file: &str) -> Result<Header> {
        #[derive(Deserialize)]
        struct Version {
            format: u16,
        }
        let version: Version = serde_json::from_slice(json)
            .map_err(|e| Error::new(ErrorCode::BackupDamaged, format!("unreadable header in {file}: {e}")))?;
        if version.format > FORMAT_VERSION || version.format == 0 {
            return Err(unsupported(file, version.format));
        }
        let header: Header = serde_json::from_slice(json)
            .map_err(|e| Error::new(ErrorCode::BackupDamaged, format!("unreadable header in {file}: {e}")))?;
        if header.codec.name != "gzip" {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                format!("{file} uses codec {:?}, which this Keepsake cannot read", header.codec.name),
            ));
        }
        if let Some(enc) = &header.encryption
            && (enc.cipher != super::crypto::CIPHER || enc.kdf.name != super::crypto::KDF)
        {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                format!(
                    "{file} uses cipher {:?} / {:?}, which this Keepsake cannot read",
                    enc.cipher, enc.kdf.name
                ),
            ));
        }
        if let Some(parts) = &header.opaque {
            let whole = header.format >= 2
                && header.kind == BackupKind::Full
                && OpaquePart::layout_ok(parts, header.schema.page_size, header.schema.page_count)
                && header.original_size
                    == header.schema.page_count.saturating_mul(u64::from(header.schema.page_size));
            if !whole {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{file} is damaged: its header states impossible file lengths"),
                ));
            }
        }
        Ok(header)
    }

    /// The bytes of the container's header: prefix, JSON, CRC-32. They are the AAD of every chunk.
    pub fn container_bytes(json: &[u8], version: u16) -> Vec<u8> {
        let mut out = Vec::with_capacity(PREFIX_LEN + json.len() + 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(json.len() as u32).to_be_bytes());
        out.extend_from_slice(json);
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
}

/// The error for a file in a format version this Keepsake does not read.
pub fn unsupported(file: &str, version: u16) -> Error {
    Error::new(
        ErrorCode::UnsupportedVersion,
        format!(
            "{file} is in backup format version {version}; this Keepsake reads up to version {FORMAT_VERSION}"
        ),
    )
}

/// The CRC-32 of `bytes` (gzip's).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Parses the container prefix `MAGIC version len`; returns the JSON length.
pub fn parse_prefix(prefix: &[u8], file: &str) -> Result<usize> {
    if prefix.len() < PREFIX_LEN {
        return Err(Error::new(ErrorCode::BackupTruncated, format!("{file} ends inside its header")));
    }
    if &prefix[..8] != MAGIC {
        return Err(Error::new(ErrorCode::UnsupportedVersion, format!("{file} is not a Keepsake backup")));
    }
    let version = u16::from_be_bytes([prefix[8], prefix[9]]);
    if version == 0 || version > FORMAT_VERSION {
        return Err(unsupported(file, version));
    }
    let len = u32::from_be_bytes([prefix[10], prefix[11], prefix[12], prefix[13]]) as usize;
    if len == 0 || len > MAX_HEADER_LEN {
        return Err(Error::new(
            ErrorCode::BackupDamaged,
            format!("{file} has a damaged header (length {len})"),
        ));
    }
    Ok(len)
}

/// Parses a whole container header (`prefix json crc`), checking the CRC.
pub fn parse_container_header(bytes: &[u8], file: &str) -> Result<Clear> {
    let len = parse_prefix(bytes, file)?;
    let end = PREFIX_LEN + len;
    if bytes.len() < end + 4 {
        return Err(Error::new(ErrorCode::BackupTruncated, format!("{file} ends inside its header")));
    }
    let stored = u32::from_be_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]);
    if stored != crc32(&bytes[..end]) {
        return Err(Error::new(
            ErrorCode::BackupDamaged,
            format!("{file} has a damaged header (checksum mismatch)"),
        ));
    }
    let json = &bytes[PREFIX_LEN..end];
    match u16::from_be_bytes([bytes[8], bytes[9]]) {
        1 => {
            let h = Header::from_json(json, file)?;
            if h.format != 1 || h.encryption.is_none() {
                return Err(Error::new(ErrorCode::BackupDamaged, format!("{file} has a damaged header")));
            }
            Ok(Clear::V1(Box::new(h)))
        }
        3 => {
            let c: ClearHeaderV3 = serde_json::from_slice(json).map_err(|e| {
                Error::new(ErrorCode::BackupDamaged, format!("unreadable header in {file}: {e}"))
            })?;
            if c.format != 3 {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{file} has a damaged header (version)"),
                ));
            }
            if c.cipher != super::crypto::CIPHER {
                return Err(Error::new(
                    ErrorCode::UnsupportedVersion,
                    format!("{file} uses cipher {:?}, which this Keepsake cannot read", c.cipher),
                ));
            }
            c.key.check().map_err(|e| Error::new(e.code(), format!("{file}: {}", e.message())))?;
            Ok(Clear::V3(Box::new(c)))
        }
        _ => {
            let c: ClearHeader = serde_json::from_slice(json).map_err(|e| {
                Error::new(ErrorCode::BackupDamaged, format!("unreadable header in {file}: {e}"))
            })?;
            if c.format != 2 {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{file} has a damaged header (version)"),
                ));
            }
            if c.cipher != super::crypto::CIPHER || c.kdf.name != super::crypto::KDF {
                return Err(Error::new(
                    ErrorCode::UnsupportedVersion,
                    format!(
                        "{file} uses cipher {:?} / {:?}, which this Keepsake cannot read",
                        c.cipher, c.kdf.name
                    ),
                ));
            }
            Ok(Clear::V2(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn sample() -> Header {
        Header {
            format: 1,
            id: "backup_20260101_020000".into(),
            kind: BackupKind::Full,
            installation: None,
            created_at: DateTime::parse_from_rfc3339("2026-01-01T02:00:00Z").unwrap().with_timezone(&Utc),
            source_path: "/data/app.db".into(),
            backup_type: BackupType::Scheduled,
            description: Some("nightly".into()),
            tags: vec!["a".into()],
            original_size: 4096,
            schema: SchemaInfo::default(),
            row_counts: BTreeMap::from([("users".into(), 3)]),
            codec: HeaderCodec { name: "gzip".into(), level: 6, block_size: 1 << 21 },
            encryption: Some(HeaderEncryption {
                cipher: super::super::crypto::CIPHER.into(),
                chunk_size: 1 << 20,
                nonce_prefix: "00".repeat(7),
                kdf: HeaderKdf {
                    name: super::super::crypto::KDF.into(),
                    iterations: 600_000,
                    salt: "11".repeat(16),
                },
                key_check: "22".repeat(16),
            }),
            chain: None,
            with: None,
            opaque: None,
        }
    }

    /// An opaque backup's header must state lengths that fill its pages exactly: a header that
    /// lies (a longer file than its pages hold, a part that is not the file's `-wal` or
    /// `-journal`, an increment) is refused before anything is read.
    #[test]
    fn an_opaque_header_with_impossible_lengths_is_refused() {
        let part = |suffix: &str, length: u64| OpaquePart { suffix: suffix.into(), length };
        let of = |parts: Vec<OpaquePart>, pages: u64| {
            let mut h = sample();
            h.format = 2;
            h.encryption = None;
            h.schema.page_size = crate::model::OPAQUE_PAGE;
            h.schema.page_count = pages;
            h.original_size = pages * 4096;
            h.opaque = Some(parts);
            Header::from_json(&h.to_json().unwrap(), "f")
        };
        assert!(of(vec![part("", 5000), part("-wal", 1)], 3).is_ok());
        assert!(of(vec![part("", 5000)], 1).is_err(), "longer than its pages");
        assert!(of(vec![part("", 100)], 2).is_err(), "shorter");
        assert!(of(vec![part("-wal", 100)], 1).is_err(), "the file itself first");
        assert!(of(vec![part("", 1), part("/../../etc/passwd", 1)], 2).is_err());
        assert!(of(vec![part("", 1), part("-wal", 1), part("-wal", 1)], 3).is_err());
        assert!(of(vec![], 0).is_err());
        assert!(of(vec![part("", u64::MAX)], 1).is_err());
    }

    #[test]
    fn container_header_round_trips() {
        let h = sample();
        let bytes = Header::container_bytes(&h.to_json().unwrap(), 1);
        assert_eq!(parse_container_header(&bytes, "f").unwrap(), Clear::V1(Box::new(h)));
    }

    #[test]
    fn newer_version_is_unsupported() {
        let mut bytes = Header::container_bytes(&sample().to_json().unwrap(), 1);
        bytes[9] = 4;
        assert_eq!(parse_container_header(&bytes, "f").unwrap_err().code(), ErrorCode::UnsupportedVersion);
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_container_header(&bytes, "f");
        }

        #[test]
        fn every_single_byte_change_is_caught(pos in 0usize..400, xor in 1u8..=255) {
            let bytes = Header::container_bytes(&sample().to_json().unwrap(), 1);
            let pos = pos % bytes.len();
            let mut bad = bytes.clone();
            bad[pos] ^= xor;
            prop_assert!(parse_container_header(&bad, "f").is_err());
        }

        #[test]
        fn truncated_headers_are_errors(cut in 0usize..400) {
            let bytes = Header::container_bytes(&sample().to_json().unwrap(), 1);
            let cut = cut % bytes.len();
            prop_assert!(parse_container_header(&bytes[..cut], "f").is_err());
        }

        #[test]
        fn any_description_round_trips(desc in ".{0,200}", tags in proptest::collection::vec("[a-z]{1,8}", 0..5)) {
            let mut h = sample();
            h.description = Some(desc);
            h.tags = tags;
            let bytes = Header::container_bytes(&h.to_json().unwrap(), 1);
            prop_assert_eq!(parse_container_header(&bytes, "f").unwrap(), Clear::V1(Box::new(h)));
        }
    }
}
