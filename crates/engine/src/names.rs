//! Backup ids and file names. A backup's file name is derived from its id and nothing else (never
//! read from a catalog row or a header), so no name can point outside its folder.
//!
//! Ids are `backup_YYYYMMDD_HHMMSS_xxxxxxxx`: the UTC date and time, then 8 random hex digits,
//! so two computers backing up into one synced folder never pick the same id. Older backups
//! have `backup_YYYYMMDD_HHMMSS`, or `..._N` (N from 2) for several in one second.

use chrono::{DateTime, NaiveDateTime, Utc};

/// File name suffix of an unencrypted backup (a gzip file).
pub const PLAIN_EXT: &str = ".db.gz";
/// File name suffix of an encrypted backup.
pub const ENCRYPTED_EXT: &str = ".keepsake";

/// Whether `id` is a backup id this or an older Keepsake makes.
pub fn is_valid_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("backup_") else { return false };
    let b = rest.as_bytes();
    if b.len() < 15 || !b[..8].iter().all(u8::is_ascii_digit) || b[8] != b'_' {
        return false;
    }
    if !b[9..15].iter().all(u8::is_ascii_digit) {
        return false;
    }
    match &b[15..] {
        [] => true,
        [b'_', tail @ ..] => {
            (1..=16).contains(&tail.len())
                && tail.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        }
        _ => false,
    }
}

/// A new id for a backup made at `now`.
pub fn new_id(now: DateTime<Utc>) -> crate::error::Result<String> {
    let random: [u8; 4] = crate::format::crypto::random()?;
    Ok(format!("{}_{}", now.format("backup_%Y%m%d_%H%M%S"), hex::encode(random)))
}

/// The file name of backup `id`.
pub fn file_name(id: &str, encrypted: bool) -> String {
    format!("{id}{}", if encrypted { ENCRYPTED_EXT } else { PLAIN_EXT })
}

/// The id and kind a file name stands for: `(id, encrypted)`, or `None` for a name that is not a
/// backup's.
pub fn parse_file_name(name: &str) -> Option<(&str, bool)> {
    let (id, encrypted) = if let Some(id) = name.strip_suffix(PLAIN_EXT) {
        (id, false)
    } else if let Some(id) = name.strip_suffix(ENCRYPTED_EXT) {
        (id, true)
    } else {
        return None;
    };
    is_valid_id(id).then_some((id, encrypted))
}

/// Whether a file name looks like a backup's, valid or not (`backup_*.db.gz`, `backup_*.keepsake`):
/// such files are reported when they cannot be read, other files are left alone.
pub fn looks_like_backup(name: &str) -> bool {
    name.starts_with("backup_") && (name.ends_with(PLAIN_EXT) || name.ends_with(ENCRYPTED_EXT))
}

/// The date and time in a backup id (UTC).
pub fn date_of_id(id: &str) -> Option<DateTime<Utc>> {
    let stamp = id.strip_prefix("backup_")?.get(..15)?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d_%H%M%S").ok().map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_old_and_new() {
        for ok in ["backup_20261126_020000", "backup_20261126_020000_2", "backup_20261126_020000_a1b2c3d4"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in [
            "",
            "backup_",
            "backup_2026112_020000",
            "backup_20261126-020000",
            "backup_20261126_020000_",
            "backup_20261126_020000_A1",
            "backup_20261126_020000_../x",
            "backup_20261126_020000/x",
            "backup_zz_dropped",
            "../backup_20261126_020000",
            "backup_20261126_020000_0123456789abcdef0",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn new_ids_are_valid_and_differ() {
        let now = Utc::now();
        let a = new_id(now).unwrap();
        let b = new_id(now).unwrap();
        assert!(is_valid_id(&a) && is_valid_id(&b));
        assert_ne!(a, b);
        assert_eq!(date_of_id(&a).unwrap().timestamp(), now.timestamp());
    }

    #[test]
    fn file_names() {
        assert_eq!(parse_file_name("backup_20261126_020000.db.gz"), Some(("backup_20261126_020000", false)));
        assert_eq!(
            parse_file_name("backup_20261126_020000_ab.keepsake"),
            Some(("backup_20261126_020000_ab", true))
        );
        assert_eq!(parse_file_name("backup_zz_dropped.db.gz"), None);
        assert!(looks_like_backup("backup_zz_dropped.db.gz"));
        assert!(!looks_like_backup("keepsake-catalog.sqlite"));
        assert_eq!(file_name("backup_20261126_020000_ab", true), "backup_20261126_020000_ab.keepsake");
    }
}
