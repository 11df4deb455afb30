//! Keys: the password-derived master key (PBKDF2-HMAC-SHA256, cancellable and bounded), the
//! per-file key of format 2 (HKDF-SHA256 from the master key and the file's own salt), the key
//! check that tells a wrong password from a damaged file, and a per-process cache so that the
//! slow derivation runs once per password and salt, not once per file (a chain of increments
//! is read with one derivation).

use std::sync::{Mutex, PoisonError};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::vault::{DataKey, ID_LEN, KeyRecord};
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result};
use crate::seams::CancelToken;

pub use super::crypto::Key;

pub use super::crypto::{MAX_ITERATIONS, MIN_ITERATIONS};
/// How many iterations run between two looks at the cancel flag.
const CANCEL_EVERY: u32 = 16_384;

type HmacSha256 = Hmac<Sha256>;

/// PBKDF2-HMAC-SHA256 with a 32-byte output (one block), checking `cancel` as it goes.
pub fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32, cancel: &CancelToken) -> Result<Key> {
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(Error::new(
            ErrorCode::BackupDamaged,
            format!(
                "the key derivation asks for {iterations} iterations; Keepsake accepts {MIN_ITERATIONS} to {MAX_ITERATIONS}"
            ),
        ));
    }
    let prf = HmacSha256::new_from_slice(password).expect("HMAC takes any key length");
    // U1 = PRF(P, S || INT(1)); Ui = PRF(P, U(i-1)); T = U1 ^ U2 ^ ... ^ Uc.
    let mut mac = prf.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u: [u8; 32] = mac.finalize().into_bytes().into();
    let mut t = Zeroizing::new(u);
    for i in 1..iterations {
        if i % CANCEL_EVERY == 0 {
            cancel.check()?;
        }
        let mut mac = prf.clone();
        mac.update(&u);
        u = mac.finalize().into_bytes().into();
        for (a, b) in t.iter_mut().zip(u.iter()) {
            *a ^= b;
        }
    }
    u.fill(0);
    Ok(t)
}

/// First 16 bytes of HMAC-SHA256(key, "keepsake key check").
pub fn key_check(key: &Key) -> [u8; 16] {
    let mut mac = HmacSha256::new_from_slice(&key[..]).expect("HMAC takes any key length");
    mac.update(b"keepsake key check");
    let out = mac.finalize().into_bytes();
    let mut check = [0u8; 16];
    check.copy_from_slice(&out[..16]);
    check
}

/// The key of one format-2 file: HKDF-SHA256(salt = the file's salt, IKM = the master key,
/// info = "keepsake v2 file key"), 32 bytes.
pub fn file_key(master: &Key, file_salt: &[u8]) -> Key {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(file_salt), &master[..]);
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF's limit of 255 blocks.
    let _ = hk.expand(b"keepsake v2 file key", &mut key[..]);
    key
}

struct Entry {
    salt: Vec<u8>,
    iterations: u32,
    password: Zeroizing<String>,
    key: Key,
}

/// Master keys derived in this process, by password, salt and iteration count; and (format 3)
/// the data keys opened so far, and the key records worth trying when a file's own record does
/// not open with what the person gave (a newer record, after a password change or a new kit).
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<Vec<Entry>>,
    data: Mutex<Vec<(DataKey, Unlocker)>>,
    records: Mutex<Vec<KeyRecord>>,
}

/// What opened a data key: a password, or a recovery key (compared, never shown).
#[derive(Clone, PartialEq, Eq)]
pub enum Unlocker {
    /// A password, as typed.
    Password(Zeroizing<String>),
    /// A recovery key, as its checked text.
    Recovery(Zeroizing<String>),
}

impl std::fmt::Debug for Unlocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unlocker::Password(_) => "Unlocker::Password(***)",
            Unlocker::Recovery(_) => "Unlocker::Recovery(***)",
        })
    }
}

impl Unlocker {
    /// A password.
    pub fn password(p: &str) -> Unlocker {
        Unlocker::Password(Zeroizing::new(p.to_owned()))
    }
}

/// Data keys kept at most (one per password change or kit, and the older ones they carry).
const DATA_KEYS: usize = 1024;
/// Key records kept at most to try.
const RECORDS: usize = 32;

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache(***)")
    }
}

/// Keys kept at most: a few passwords times a few salts.
const CACHE_SIZE: usize = 16;

/// What one listing of a store may spend on key derivations: files anybody could have put
/// there each name their own salt and up to [`MAX_ITERATIONS`], so without a bound a folder of
/// planted files makes a listing take hours. A key already derived costs nothing and is never
/// refused.
#[derive(Debug)]
pub struct DeriveLimits {
    /// Derive only for this iteration count (this installation's own); `None`: any.
    iterations: Option<u32>,
    left: std::sync::atomic::AtomicU32,
    deadline: std::time::Instant,
}

impl DeriveLimits {
    /// At most `count` new derivations until `budget` has passed, for `iterations` only (any
    /// count when `None`).
    pub fn new(iterations: Option<u32>, count: u32, budget: std::time::Duration) -> DeriveLimits {
        DeriveLimits {
            iterations,
            left: std::sync::atomic::AtomicU32::new(count),
            deadline: std::time::Instant::now() + budget,
        }
    }

    /// Whether one more derivation with `iterations` may run now (and counts it).
    fn allow(&self, iterations: u32) -> Result<()> {
        use std::sync::atomic::Ordering;
        if let Some(ours) = self.iterations
            && ours != iterations
        {
            return Err(Error::new(
                ErrorCode::PasswordRequired,
                format!(
                    "not opened: its key derivation ({iterations} iterations) is not this installation's \
                     ({ours}); a backup made with other settings is opened only when asked (--allow-foreign)"
                ),
            )
            .with_reason(Reason::ForeignKdf));
        }
        let spent = std::time::Instant::now() >= self.deadline
            || self.left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_err();
        if spent {
            return Err(Error::new(
                ErrorCode::PasswordRequired,
                "not opened in this listing: it already spent the key derivations one listing may run; \
                 list again to read more",
            )
            .with_reason(Reason::ScanLimit));
        }
        Ok(())
    }
}

impl KeyCache {
    /// The master key for `password` with `salt` and `iterations`, derived once.
    pub fn master(&self, password: &str, salt: &[u8], iterations: u32, cancel: &CancelToken) -> Result<Key> {
        self.master_within(password, salt, iterations, cancel, None)
    }

    /// [`KeyCache::master`], a new derivation only within `limits` when given.
    pub fn master_within(
        &self,
        password: &str,
        salt: &[u8],
        iterations: u32,
        cancel: &CancelToken,
        limits: Option<&DeriveLimits>,
    ) -> Result<Key> {
        let found = self
            .lock()
            .iter()
            .find(|e| e.iterations == iterations && e.salt == salt && *e.password == password)
            .map(|e| e.key.clone());
        if let Some(key) = found {
            return Ok(key);
        }
        if let Some(limits) = limits {
            limits.allow(iterations)?;
        }
        let key = pbkdf2(password.as_bytes(), salt, iterations, cancel)?;
        let mut entries = self.lock();
        if entries.len() >= CACHE_SIZE {
            entries.remove(0);
        }
        entries.push(Entry {
            salt: salt.to_vec(),
            iterations,
            password: Zeroizing::new(password.to_owned()),
            key: key.clone(),
        });
        Ok(key)
    }

    /// The data key with `id`, if `by` opened it (or a key carrying it) before. A key is kept
    /// with what opened it, so a wrong password never opens what the right one opened earlier.
    pub fn data_key(&self, id: &[u8; ID_LEN], by: &Unlocker) -> Option<DataKey> {
        let data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        data.iter().find(|(k, who)| k.id() == *id && who == by).map(|(k, _)| k.clone())
    }

    /// Keeps `key`, opened from `record` by `by` (a password or the recovery key), and the older
    /// keys the record carries under it.
    pub fn unlock(&self, record: &KeyRecord, key: DataKey, by: &Unlocker) -> Result<()> {
        let older = record.previous_keys(&key)?;
        let mut data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        for k in std::iter::once(key).chain(older) {
            if !data.iter().any(|(d, who)| d.id() == k.id() && who == by) {
                if data.len() >= DATA_KEYS {
                    data.remove(0);
                }
                data.push((k, by.clone()));
            }
        }
        Ok(())
    }

    /// Every data key opened in this process, once each (newest first).
    pub fn unlocked(&self) -> Vec<DataKey> {
        let data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out: Vec<DataKey> = Vec::new();
        for (k, _) in data.iter().rev() {
            if !out.iter().any(|o| o.id() == k.id()) {
                out.push(k.clone());
            }
        }
        out
    }

    /// Adds a record to try when a file's own does not open (this installation's current one,
    /// or one read beside the backups: it is trusted only if it opens).
    pub fn add_record(&self, record: KeyRecord) {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        if records.contains(&record) {
            return;
        }
        if records.len() >= RECORDS {
            records.remove(0);
        }
        records.push(record);
    }

    /// The records to try, newest added first.
    pub fn records(&self) -> Vec<KeyRecord> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner).iter().rev().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pbkdf2_matches_the_reference_implementation() {
        for (pw, salt, n) in [("password", &b"salt"[..], 1_000u32), ("pässwörd ✨", &[0u8; 16][..], 4_097)]
        {
            let mut want = [0u8; 32];
            ::pbkdf2::pbkdf2_hmac::<Sha256>(pw.as_bytes(), salt, n, &mut want);
            assert_eq!(*pbkdf2(pw.as_bytes(), salt, n, &CancelToken::new()).unwrap(), want);
        }
    }

    #[test]
    fn rfc_7914_test_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64), first 32 bytes.
        let mut want = [0u8; 64];
        ::pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut want);
        assert_eq!(hex::encode(&want[..8]), "55ac046e56e3089f");
    }

    #[test]
    fn a_cancelled_derivation_stops() {
        let c = CancelToken::new();
        c.cancel();
        assert_eq!(pbkdf2(b"p", b"s", MAX_ITERATIONS, &c).unwrap_err().code(), ErrorCode::Cancelled);
    }

    #[test]
    fn out_of_bounds_iterations_are_refused() {
        for n in [0, MIN_ITERATIONS - 1, MAX_ITERATIONS + 1, 100_000_000] {
            assert_eq!(
                pbkdf2(b"p", b"s", n, &CancelToken::new()).unwrap_err().code(),
                ErrorCode::BackupDamaged
            );
        }
    }

    #[test]
    fn the_cache_derives_once_per_password_and_salt() {
        let cache = KeyCache::default();
        let c = CancelToken::new();
        let a = cache.master("one", b"salt", 1_000, &c).unwrap();
        assert_eq!(cache.master("one", b"salt", 1_000, &c).unwrap(), a);
        assert_ne!(cache.master("two", b"salt", 1_000, &c).unwrap(), a);
        assert_ne!(cache.master("one", b"pepper", 1_000, &c).unwrap(), a);
        assert_eq!(cache.lock().len(), 3);
    }
}
