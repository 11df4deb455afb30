//! This installation of Keepsake: who "we" are when Keepsake decides which backups it made. A
//! private folder on this computer (never the backup folder, which others may write to) holds
//! its identity, its catalog (what it recorded writing, the history of runs, what it found in
//! each backup folder), the locks that keep two operations on one folder apart, and the scratch
//! space where verifications decode. The CLI, the daemon and the desktop app of one user share
//! it, so a backup made by one is recorded for the others.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::durable;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::format::keys::KeyCache;

/// What identifies an installation, kept in `installation.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Identity {
    /// Random, 16 bytes as hex: written into every backup this installation makes.
    id: String,
    /// Random, 16 bytes as hex: the PBKDF2 salt of this installation's encrypted backups, so
    /// the slow key derivation runs once per password, not once per file.
    kdf_salt: String,
}

/// The current key record, as the installation keeps it (`key-record.json`: never a secret,
/// every key in it is wrapped).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptKey {
    /// The record (also in every backup made under it, and in a key file beside them).
    pub record: crate::format::vault::KeyRecord,
    /// When it was made (a password change or a new kit makes a new one).
    pub made_at: chrono::DateTime<chrono::Utc>,
    /// When the recovery key it is wrapped for was made, if there is one.
    #[serde(default)]
    pub kit_made_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An installation's private folder and identity. Cloning shares the key cache.
#[derive(Clone)]
pub struct Installation {
    dir: PathBuf,
    identity: Identity,
    pub(crate) keys: Arc<KeyCache>,
}

impl std::fmt::Debug for Installation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installation").field("dir", &self.dir).field("id", &self.identity.id).finish()
    }
}

impl Installation {
    /// Opens (creating when missing, 0700) the installation whose private folder is `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Installation> {
        let dir: PathBuf = dir.into();
        durable::create_private_dir(&dir)?;
        let file = dir.join("installation.json");
        let identity = match durable::open_regular(&file)? {
            Some(f) => {
                let identity: Identity =
                    serde_json::from_reader(std::io::BufReader::new(f)).map_err(|e| {
                        Error::new(ErrorCode::Io, format!("{} is unreadable: {e}", shown(&file)))
                            .with_path(&file)
                    })?;
                check_hex(&identity.id, &file)?;
                check_hex(&identity.kdf_salt, &file)?;
                identity
            }
            None => {
                let id: [u8; 16] = crate::format::crypto::random()?;
                let salt: [u8; 16] = crate::format::crypto::random()?;
                let identity = Identity { id: hex::encode(id), kdf_salt: hex::encode(salt) };
                let json = serde_json::to_vec_pretty(&identity).map_err(|e| Error::invalid(e.to_string()))?;
                durable::write_atomic(&file, &json)?;
                identity
            }
        };
        for sub in ["locks", "scratch"] {
            durable::create_private_dir(&dir.join(sub))?;
        }
        let home = Installation { dir, identity, keys: Arc::new(KeyCache::default()) };
        // The current key record is tried for every backup whose own record does not open: after
        // a password change it is what opens the older backups with the new password.
        if let Some(kept) = home.kept_key()? {
            home.keys.add_record(kept.record);
        }
        Ok(home)
    }

    fn key_path(&self) -> PathBuf {
        self.dir.join("key-record.json")
    }

    /// The record of the data key this installation's new encrypted backups are made under
    /// (format 3), with when it was made; `None` before the first one.
    pub(crate) fn kept_key(&self) -> Result<Option<KeptKey>> {
        let file = self.key_path();
        let Some(f) = durable::open_regular(&file)? else { return Ok(None) };
        let kept: KeptKey = serde_json::from_reader(std::io::BufReader::new(f)).map_err(|e| {
            Error::new(ErrorCode::Io, format!("{} is unreadable: {e}", shown(&file))).with_path(&file)
        })?;
        kept.record.check().map_err(|e| e.with_path(&file))?;
        Ok(Some(kept))
    }

    /// What front ends show of the current key (never a key).
    pub fn key_status(&self) -> Result<crate::model::KeyStatus> {
        Ok(match self.kept_key()? {
            None => crate::model::KeyStatus::default(),
            Some(k) => crate::model::KeyStatus {
                has_key: true,
                made_at: Some(k.made_at),
                kit: k.record.recovery_fingerprint(),
                kit_made_at: k.kit_made_at.filter(|_| k.record.recovery.is_some()),
            },
        })
    }

    /// Keeps `kept` as the current key (atomically: a crash leaves the old one or the new one).
    pub(crate) fn keep_key(&self, kept: &KeptKey) -> Result<()> {
        let json = serde_json::to_vec_pretty(kept).map_err(|e| Error::invalid(e.to_string()))?;
        durable::write_atomic(&self.key_path(), &json)?;
        self.keys.add_record(kept.record.clone());
        Ok(())
    }

    /// Where an installation keeps its folder when the host does not say: the user's local
    /// data folder (`~/.local/share/keepsake` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        dirs::data_local_dir().map(|d| d.join("keepsake"))
    }

    /// This installation's id (32 hex digits).
    pub fn id(&self) -> &str {
        &self.identity.id
    }

    /// The private folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn kdf_salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        if let Ok(b) = hex::decode(&self.identity.kdf_salt) {
            let n = b.len().min(16);
            salt[..n].copy_from_slice(&b[..n]);
        }
        salt
    }

    pub(crate) fn catalog_path(&self) -> PathBuf {
        self.dir.join("catalog.sqlite")
    }

    /// The lock file of the store at `location`: whoever holds an `flock` on it keeps this
    /// installation's operations off that store (a script copying the folder can take it).
    pub fn lock_path(&self, location: &str) -> PathBuf {
        self.dir.join("locks").join(format!("{}.lock", key_of(location)))
    }

    pub(crate) fn scratch_dir(&self) -> PathBuf {
        self.dir.join("scratch")
    }
}

/// Prefix of the scratch folder a verification decodes into.
pub(crate) const SCRATCH_PREFIX: &str = "verify-";

/// Removes scratch folders whose process died (a verification's, a held database's copy):
/// untouched for an hour (a younger one may be another process's, which takes no lock).
pub(crate) fn sweep_scratch(scratch: &Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with(SCRATCH_PREFIX) || name.starts_with("held-");
        if ours && crate::store::local::is_stale(&e) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A short, file-name-safe key for a store location.
pub(crate) fn key_of(location: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(location.as_bytes())[..12])
}

fn check_hex(v: &str, file: &Path) -> Result<()> {
    if v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::Io, format!("{} is damaged", shown(file))).with_path(file))
    }
}
