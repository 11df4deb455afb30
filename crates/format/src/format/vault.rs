//! Format 3's keys (`docs/FORMAT.md`, "Keys of version 3"): every encrypted backup is encrypted
//! under a random **data key**, and a **key record** says how to get that key back: wrapped by
//! the password's key, and wrapped for the **recovery key** of the person's emergency kit. A
//! record also carries, wrapped under its own data key, the data keys it replaced (a password
//! change or a new kit makes a new data key), so the newest password or recovery key opens
//! every older backup, and an old password opens nothing made after the change.
//!
//! The recovery key itself is never kept: Keepsake keeps only its X25519 public key, so it can
//! wrap each new data key for it (an ephemeral X25519 agreement, HKDF-SHA256, AES-256-GCM)
//! without being able to unwrap one. Because anyone may wrap for a public key, a recovery wrap
//! also carries a *seal*: an HMAC under a key only the recovery key and the holders of a data
//! key can derive, so a planted record never makes the recovery key open a key of someone else.
//!
//! Every wrap is AES-256-GCM with its role and the record's id as associated data, and a data
//! key's id is an HMAC of the key: a record that was changed, swapped or planted gives the
//! genuine key or an error, never another key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::crypto::{Key, random};
use crate::error::{Error, ErrorCode, Reason, Result};

type HmacSha256 = Hmac<Sha256>;

/// Most data keys one record may carry from before it (a record stays well under the header's
/// 60,000 bytes).
pub const MAX_PREVIOUS: usize = 200;

/// Bytes of a data key's id.
pub const ID_LEN: usize = 16;

/// Key files beside the backups are named `keepsake-key_<id>.json`.
pub const KEY_FILE_PREFIX: &str = "keepsake-key_";
/// Largest key file a reader reads.
pub const MAX_KEY_FILE: u64 = 64 << 10;

/// The name of the key file of the record with `id` (hex).
pub fn key_file_name(id: &str) -> String {
    format!("{KEY_FILE_PREFIX}{id}.json")
}

/// Whether `name` is a key file's (`keepsake-key_` 32 hex digits `.json`).
pub fn is_key_file_name(name: &str) -> bool {
    name.strip_prefix(KEY_FILE_PREFIX).and_then(|r| r.strip_suffix(".json")).is_some_and(|id| {
        id.len() == 2 * ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Reads a key file's record: at most [`MAX_KEY_FILE`] bytes, its id equal to its name's.
pub fn read_key_file(name: &str, bytes: &[u8]) -> Result<KeyRecord> {
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(bad_record("the key file is too large"));
    }
    let r: KeyRecord =
        serde_json::from_slice(bytes).map_err(|_| bad_record("the key file is not a key record"))?;
    r.check()?;
    if key_file_name(&r.id) != name {
        return Err(bad_record("the key file's name is not its key's"));
    }
    Ok(r)
}

/// A data key and its id: `HMAC-SHA256(key, "keepsake v3 key id")`, first 16 bytes.
#[derive(Clone)]
pub struct DataKey {
    id: [u8; ID_LEN],
    key: Key,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", hex::encode(self.id))
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Key {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF's limit.
    let _ = hk.expand(info, &mut out[..]);
    out
}

impl DataKey {
    /// A new random data key.
    pub fn generate() -> Result<DataKey> {
        Ok(DataKey::from_key(Zeroizing::new(random::<32>()?)))
    }

    fn from_key(key: Key) -> DataKey {
        let mac = hmac(&key[..], &[b"keepsake v3 key id"]);
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&mac[..ID_LEN]);
        DataKey { id, key }
    }

    /// The key's id.
    pub fn id(&self) -> [u8; ID_LEN] {
        self.id
    }

    /// The key's id, as hex.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// The key of one file: HKDF-SHA256(salt = the file's salt, IKM = the data key, info =
    /// "keepsake v3 file key").
    pub fn file_key(&self, file_salt: &[u8]) -> Key {
        hkdf(file_salt, &self.key[..], b"keepsake v3 file key")
    }
}

/// An AES-256-GCM wrap: a random 12-byte nonce and the ciphertext with its tag, both hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrapped {
    /// 12 bytes, hex.
    pub nonce: String,
    /// The wrapped bytes and the 16-byte tag, hex.
    pub data: String,
}

fn aad(role: &str, ids: &[&[u8]]) -> Vec<u8> {
    let mut a = format!("keepsake v3 {role}").into_bytes();
    for id in ids {
        a.extend_from_slice(id);
    }
    a
}

fn seal(kek: &[u8; 32], plain: &[u8], aad: &[u8]) -> Result<Wrapped> {
    let nonce: [u8; 12] = random()?;
    let cipher = Aes256Gcm::new_from_slice(kek).map_err(|_| Error::invalid("bad key length"))?;
    let data = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| Error::invalid("key wrapping failed"))?;
    Ok(Wrapped { nonce: hex::encode(nonce), data: hex::encode(data) })
}

/// Unwraps; `Ok(None)` when the tag does not match (a wrong key), an error when the record is
/// malformed.
fn unseal(kek: &[u8; 32], w: &Wrapped, aad: &[u8], want: usize) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let nonce = decode_hex(&w.nonce, 12)?;
    let data = hex::decode(&w.data).map_err(|_| bad_record("a wrapped key is not hex"))?;
    if data.len() != want + 16 {
        return Err(bad_record("a wrapped key has the wrong length"));
    }
    let cipher = Aes256Gcm::new_from_slice(kek).map_err(|_| Error::invalid("bad key length"))?;
    Ok(cipher.decrypt(Nonce::from_slice(&nonce), Payload { msg: &data, aad }).ok().map(Zeroizing::new))
}

fn bad_record(what: &str) -> Error {
    Error::new(ErrorCode::BackupDamaged, format!("a key record is damaged: {what}"))
}

fn decode_hex(s: &str, len: usize) -> Result<Vec<u8>> {
    hex::decode(s).ok().filter(|v| v.len() == len).ok_or_else(|| bad_record("a field has the wrong length"))
}

fn array<const N: usize>(s: &str) -> Result<[u8; N]> {
    decode_hex(s, N)?.try_into().map_err(|_| bad_record("a field has the wrong length"))
}

fn key_of(bytes: &[u8]) -> Key {
    let mut k = Zeroizing::new([0u8; 32]);
    k.copy_from_slice(&bytes[..32]);
    k
}

/// How the password's key is derived: PBKDF2-HMAC-SHA256 with a salt and iterations (the
/// limits of `docs/FORMAT.md` apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordKdf {
    /// `pbkdf2-hmac-sha256`.
    pub name: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// The salt, hex (8 to 64 bytes).
    pub salt: String,
}

/// The data key wrapped by the password's key (PBKDF2-HMAC-SHA256 of the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordWrap {
    /// How the password's key is derived (`pbkdf2-hmac-sha256`, iterations, salt).
    pub kdf: PasswordKdf,
    /// The data key, wrapped with AAD "keepsake v3 password" || id.
    pub key: Wrapped,
}

/// The data key wrapped for the recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryWrap {
    /// The recovery key's X25519 public key, 32 bytes hex.
    pub public: String,
    /// The ephemeral X25519 public key of this wrap, 32 bytes hex.
    pub ephemeral: String,
    /// The data key, wrapped with AAD "keepsake v3 recovery" || id.
    pub key: Wrapped,
    /// HMAC-SHA256(seal key, "keepsake v3 seal" || id || public || ephemeral || nonce ||
    /// data), hex: made only by someone holding the recovery key or one of its data keys.
    pub seal: String,
}

/// A data key this record replaced, wrapped under this record's data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousWrap {
    /// The older key's id, 16 bytes hex.
    pub id: String,
    /// The older key, wrapped with AAD "keepsake v3 previous" || this id || the older id.
    pub key: Wrapped,
}

/// How one data key can be had: see the module's documentation and `docs/FORMAT.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The data key's id, 16 bytes hex.
    pub id: String,
    /// The data key for the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordWrap>,
    /// The data key for the recovery key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoveryWrap>,
    /// The recovery key's seal key and public key (64 bytes), wrapped under the data key with
    /// AAD "keepsake v3 seal key" || id: what lets the next record be wrapped for the same
    /// recovery key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_key: Option<Wrapped>,
    /// The data keys this one replaced, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<PreviousWrap>,
}

/// What wrapping for a recovery key takes: its public key and its seal key (never the
/// recovery key itself).
#[derive(Clone)]
pub struct RecoveryLock {
    public: [u8; 32],
    seal: Key,
}

impl std::fmt::Debug for RecoveryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryLock({})", hex::encode(&self.public[..4]))
    }
}

impl RecoveryLock {
    /// The first 8 hex digits of the public key: which kit a record is for.
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.public[..4])
    }
}

fn recovery_wrap_key(shared: &[u8; 32], ephemeral: &[u8; 32], public: &[u8; 32]) -> Key {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(public);
    hkdf(&salt, shared, b"keepsake v3 recovery wrap")
}

fn seal_mac(seal: &Key, id: &[u8], public: &[u8], ephemeral: &[u8], w: &Wrapped) -> Result<[u8; 32]> {
    let nonce = decode_hex(&w.nonce, 12)?;
    let data = hex::decode(&w.data).map_err(|_| bad_record("a wrapped key is not hex"))?;
    Ok(hmac(&seal[..], &[b"keepsake v3 seal", id, public, ephemeral, &nonce, &data]))
}

impl KeyRecord {
    /// A record for `key`: wrapped by the password's key `master` (derived with `kdf`), for the
    /// recovery key behind `lock`, and carrying `previous` keys (newest first).
    pub fn make(
        key: &DataKey,
        password: Option<(&Key, PasswordKdf)>,
        lock: Option<&RecoveryLock>,
        previous: &[DataKey],
    ) -> Result<KeyRecord> {
        let id = key.id();
        let password = match password {
            Some((master, kdf)) => {
                Some(PasswordWrap { kdf, key: seal(master, &key.key[..], &aad("password", &[&id]))? })
            }
            None => None,
        };
        let (recovery, seal_key) = match lock {
            Some(lock) => {
                let eph = x25519_dalek::StaticSecret::from(random::<32>()?);
                let eph_pub = x25519_dalek::PublicKey::from(&eph);
                let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(lock.public));
                if !shared.was_contributory() {
                    return Err(Error::invalid("the recovery key's public key is not usable"));
                }
                let kek = recovery_wrap_key(shared.as_bytes(), eph_pub.as_bytes(), &lock.public);
                let wrapped = seal(&kek, &key.key[..], &aad("recovery", &[&id]))?;
                let mac = seal_mac(&lock.seal, &id, &lock.public, eph_pub.as_bytes(), &wrapped)?;
                let mut both = Zeroizing::new([0u8; 64]);
                both[..32].copy_from_slice(&lock.seal[..]);
                both[32..].copy_from_slice(&lock.public);
                let seal_key = seal(&key.key, &both[..], &aad("seal key", &[&id]))?;
                let w = RecoveryWrap {
                    public: hex::encode(lock.public),
                    ephemeral: hex::encode(eph_pub.as_bytes()),
                    key: wrapped,
                    seal: hex::encode(mac),
                };
                (Some(w), Some(seal_key))
            }
            None => (None, None),
        };
        let mut prev = Vec::new();
        for p in previous.iter().filter(|p| p.id != id).take(MAX_PREVIOUS) {
            if prev.iter().any(|w: &PreviousWrap| w.id == p.id_hex()) {
                continue;
            }
            let wrapped = seal(&key.key, &p.key[..], &aad("previous", &[&id, &p.id]))?;
            prev.push(PreviousWrap { id: p.id_hex(), key: wrapped });
        }
        Ok(KeyRecord { id: hex::encode(id), password, recovery, seal_key, previous: prev })
    }

    /// The record's id, checked to be 16 bytes of hex; its lists checked to be within bounds.
    pub fn check(&self) -> Result<[u8; ID_LEN]> {
        if self.previous.len() > MAX_PREVIOUS {
            return Err(bad_record("it lists too many older keys"));
        }
        if let Some(p) = &self.password
            && !(super::crypto::MIN_ITERATIONS..=super::crypto::MAX_ITERATIONS).contains(&p.kdf.iterations)
        {
            return Err(bad_record("its key derivation asks for an impossible amount of work"));
        }
        if let Some(p) = &self.password
            && (p.kdf.name != super::crypto::KDF
                || !hex::decode(&p.kdf.salt).is_ok_and(|s| (8..=64).contains(&s.len())))
        {
            return Err(bad_record("its key derivation is not one Keepsake accepts"));
        }
        array::<ID_LEN>(&self.id)
    }

    /// The data key, if `master` (the password's key for this record's `password.kdf`) opens
    /// it; `Ok(None)` for a wrong password or a record without a password wrap.
    pub fn open_with_password(&self, master: &Key) -> Result<Option<DataKey>> {
        let id = self.check()?;
        let Some(p) = &self.password else { return Ok(None) };
        let Some(bytes) = unseal(master, &p.key, &aad("password", &[&id]), 32)? else { return Ok(None) };
        self.genuine(id, &bytes)
    }

    /// The data key, if `recovery` opens it (the seal checked before anything is unwrapped);
    /// `Ok(None)` for another recovery key or a record without a recovery wrap.
    pub fn open_with_recovery(&self, recovery: &RecoveryKey) -> Result<Option<DataKey>> {
        let id = self.check()?;
        let Some(r) = &self.recovery else { return Ok(None) };
        let lock = recovery.lock();
        let public: [u8; 32] = array(&r.public)?;
        if public != lock.public {
            return Ok(None);
        }
        let ephemeral: [u8; 32] = array(&r.ephemeral)?;
        let want = seal_mac(&lock.seal, &id, &public, &ephemeral, &r.key)?;
        let got: [u8; 32] = array(&r.seal)?;
        if !same(&want, &got) {
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                "a key record was not made by Keepsake for this recovery key (its seal does not match): \
                 it was changed or planted, and nothing was decrypted with it",
            ));
        }
        let secret = recovery.secret();
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral));
        if !shared.was_contributory() {
            return Err(bad_record("its ephemeral key is not usable"));
        }
        let kek = recovery_wrap_key(shared.as_bytes(), &ephemeral, &public);
        let Some(bytes) = unseal(&kek, &r.key, &aad("recovery", &[&id]), 32)? else {
            return Err(bad_record("its recovery wrap does not open although its seal matches"));
        };
        self.genuine(id, &bytes)
    }

    fn genuine(&self, id: [u8; ID_LEN], bytes: &[u8]) -> Result<Option<DataKey>> {
        let key = DataKey::from_key(key_of(bytes));
        if key.id != id {
            return Err(bad_record("the key it holds is not the key it names"));
        }
        Ok(Some(key))
    }

    /// The older data keys this record carries, unwrapped with its own key `key`.
    pub fn previous_keys(&self, key: &DataKey) -> Result<Vec<DataKey>> {
        let id = self.check()?;
        if key.id != id {
            return Err(Error::invalid("not this record's key"));
        }
        let mut out = Vec::with_capacity(self.previous.len());
        for p in &self.previous {
            let pid: [u8; ID_LEN] = array(&p.id)?;
            let bytes = unseal(&key.key, &p.key, &aad("previous", &[&id, &pid]), 32)?
                .ok_or_else(|| bad_record("an older key does not open with this one"))?;
            let old = DataKey::from_key(key_of(&bytes));
            if old.id != pid {
                return Err(bad_record("an older key is not the key it names"));
            }
            out.push(old);
        }
        Ok(out)
    }

    /// What wrapping the next record for the same recovery key takes, unwrapped with this
    /// record's key; `None` when the record has no recovery key.
    pub fn recovery_lock(&self, key: &DataKey) -> Result<Option<RecoveryLock>> {
        let id = self.check()?;
        let Some(w) = &self.seal_key else { return Ok(None) };
        let bytes = unseal(&key.key, w, &aad("seal key", &[&id]), 64)?
            .ok_or_else(|| bad_record("its seal key does not open with its key"))?;
        let mut public = [0u8; 32];
        public.copy_from_slice(&bytes[32..]);
        Ok(Some(RecoveryLock { public, seal: key_of(&bytes[..32]) }))
    }

    /// The fingerprint of the recovery key this record is wrapped for, if any (as a record
    /// says it: shown, never trusted).
    pub fn recovery_fingerprint(&self) -> Option<String> {
        self.recovery.as_ref().map(|r| r.public.chars().take(8).collect())
    }
}

/// Compares without stopping at the first difference.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Crockford's base-32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random bytes in a recovery key.
const RECOVERY_RANDOM: usize = 16;
/// Checksum bytes in a recovery key.
const RECOVERY_CHECK: usize = 4;
/// Characters of a recovery key (without the dashes).
pub const RECOVERY_CHARS: usize = 32;

/// A recovery key: 128 random bits and a 32-bit checksum, written as 32 characters of
/// Crockford's base 32 in 8 groups of 4 (`7KQ2-...`). Wiped when dropped; never printed by
/// `Debug`.
#[derive(Clone)]
pub struct RecoveryKey(Zeroizing<[u8; RECOVERY_RANDOM]>);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(***)")
    }
}

fn checksum(random: &[u8]) -> [u8; RECOVERY_CHECK] {
    let d = Sha256::new().chain_update(b"keepsake recovery key").chain_update(random).finalize();
    let mut c = [0u8; RECOVERY_CHECK];
    c.copy_from_slice(&d[..RECOVERY_CHECK]);
    c
}

impl RecoveryKey {
    /// A new random recovery key.
    pub fn generate() -> Result<RecoveryKey> {
        Ok(RecoveryKey(Zeroizing::new(random()?)))
    }

    /// Reads a recovery key as a person typed it: case, spaces and dashes do not matter, and
    /// `I`/`L` read as `1`, `O` as `0`. A typo is told apart from another key by the checksum.
    pub fn parse(text: &str) -> Result<RecoveryKey> {
        let mut bits: u64 = 0;
        let mut nbits = 0;
        let mut bytes = Zeroizing::new(Vec::with_capacity(RECOVERY_RANDOM + RECOVERY_CHECK));
        let mut count = 0;
        for c in text.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                other => other,
            };
            let Some(v) = ALPHABET.iter().position(|&a| char::from(a) == c) else {
                return Err(typo(format!(
                    "a recovery key has only the digits and the letters A to Z without U; {c:?} is not one of them"
                )));
            };
            count += 1;
            if count > RECOVERY_CHARS {
                // Said before reading the rest: a pasted page or a planted huge value costs nothing.
                return Err(typo(format!(
                    "a recovery key has {RECOVERY_CHARS} letters and digits (8 groups of 4); this has more"
                )));
            }
            bits = (bits << 5) | v as u64;
            nbits += 5;
            if nbits >= 8 {
                nbits -= 8;
                bytes.push((bits >> nbits) as u8);
                bits &= (1 << nbits) - 1;
            }
        }
        if count != RECOVERY_CHARS {
            return Err(typo(format!(
                "a recovery key has {RECOVERY_CHARS} letters and digits (8 groups of 4); this has {count}"
            )));
        }
        let (random, check) = bytes.split_at(RECOVERY_RANDOM);
        if checksum(random) != check {
            return Err(typo(
                "this recovery key has a typo: one of its letters or digits is not what the kit says; \
                 compare it group by group"
                    .into(),
            ));
        }
        let mut r = Zeroizing::new([0u8; RECOVERY_RANDOM]);
        r.copy_from_slice(random);
        Ok(RecoveryKey(r))
    }

    /// The key as the kit shows it: 8 groups of 4 characters joined by dashes.
    pub fn display(&self) -> Zeroizing<String> {
        let mut all = Zeroizing::new(Vec::with_capacity(RECOVERY_RANDOM + RECOVERY_CHECK));
        all.extend_from_slice(&self.0[..]);
        all.extend_from_slice(&checksum(&self.0[..]));
        let mut out = Zeroizing::new(String::with_capacity(40));
        let (mut bits, mut nbits) = (0u64, 0);
        let mut n = 0;
        for b in all.iter() {
            bits = (bits << 8) | u64::from(*b);
            nbits += 8;
            while nbits >= 5 {
                nbits -= 5;
                if n > 0 && n % 4 == 0 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[((bits >> nbits) & 31) as usize]));
                bits &= (1 << nbits) - 1;
                n += 1;
            }
        }
        out
    }

    fn secret(&self) -> x25519_dalek::StaticSecret {
        let k = hkdf(b"", &self.0[..], b"keepsake v3 recovery x25519");
        x25519_dalek::StaticSecret::from(*k)
    }

    /// What wrapping for this key takes (its public key and seal key).
    pub fn lock(&self) -> RecoveryLock {
        let public = x25519_dalek::PublicKey::from(&self.secret()).to_bytes();
        RecoveryLock { public, seal: hkdf(b"", &self.0[..], b"keepsake v3 recovery seal") }
    }
}

fn typo(message: String) -> Error {
    Error::new(ErrorCode::InvalidInput, message).with_reason(Reason::RecoveryKeyTypo)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn kdf() -> PasswordKdf {
        PasswordKdf {
            name: super::super::crypto::KDF.into(),
            iterations: 1_000,
            salt: hex::encode([7u8; 16]),
        }
    }

    #[test]
    fn a_recovery_key_reads_back_and_names_a_typo() {
        let k = RecoveryKey::generate().unwrap();
        let text = k.display();
        assert_eq!(text.len(), 39);
        let back = RecoveryKey::parse(&text.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(back.0[..], k.0[..]);
        // Every single changed character is caught.
        let chars: Vec<char> = text.chars().collect();
        for i in (0..chars.len()).filter(|i| chars[*i] != '-') {
            let mut c = chars.clone();
            c[i] = if c[i] == 'A' { 'B' } else { 'A' };
            let e = RecoveryKey::parse(&c.iter().collect::<String>()).unwrap_err();
            assert_eq!(e.facts().reason, Some(Reason::RecoveryKeyTypo), "{e}");
        }
        assert!(RecoveryKey::parse(&text[..30]).unwrap_err().message().contains("this has"));
        // A huge value (a pasted page, a hostile window) is refused at its 33rd character.
        let huge = "A".repeat(50_000_000);
        assert!(RecoveryKey::parse(&huge).unwrap_err().message().contains("this has more"));
        assert!(RecoveryKey::parse(&text.replacen('-', "U", 1)).unwrap_err().message().contains("'U'"));
    }

    #[test]
    fn a_record_opens_with_the_password_and_the_recovery_key_and_nothing_else() {
        let key = DataKey::generate().unwrap();
        let old = DataKey::generate().unwrap();
        let master = Zeroizing::new([1u8; 32]);
        let rk = RecoveryKey::generate().unwrap();
        let rec = KeyRecord::make(&key, Some((&master, kdf())), Some(&rk.lock()), std::slice::from_ref(&old))
            .unwrap();
        let json = serde_json::to_string(&rec).unwrap();
        let rec: KeyRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(rec.open_with_password(&master).unwrap().unwrap().id(), key.id());
        assert!(rec.open_with_password(&Zeroizing::new([2u8; 32])).unwrap().is_none());
        assert_eq!(rec.open_with_recovery(&rk).unwrap().unwrap().id(), key.id());
        assert!(rec.open_with_recovery(&RecoveryKey::generate().unwrap()).unwrap().is_none());
        let prev = rec.previous_keys(&key).unwrap();
        assert_eq!(prev.len(), 1);
        assert_eq!(prev[0].id(), old.id());
        assert_eq!(*prev[0].key, *old.key);
        let lock = rec.recovery_lock(&key).unwrap().unwrap();
        assert_eq!(lock.public, rk.lock().public);
    }

    #[test]
    fn a_record_made_from_the_public_key_alone_is_refused() {
        // Anyone can read the public key off a record and wrap their own key for it: the seal
        // (which needs the recovery key or a data key) is what refuses it.
        let rk = RecoveryKey::generate().unwrap();
        let forged_lock = RecoveryLock { public: rk.lock().public, seal: Zeroizing::new([9u8; 32]) };
        let theirs = DataKey::generate().unwrap();
        let rec = KeyRecord::make(&theirs, None, Some(&forged_lock), &[]).unwrap();
        let e = rec.open_with_recovery(&rk).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BackupDamaged);
        assert!(e.message().contains("planted"), "{e}");
    }

    #[test]
    fn a_changed_record_gives_the_genuine_key_or_an_error() {
        let key = DataKey::generate().unwrap();
        let other = DataKey::generate().unwrap();
        let master = Zeroizing::new([1u8; 32]);
        let rec = KeyRecord::make(&key, Some((&master, kdf())), None, &[]).unwrap();
        // Another record's wrap under this id: the AAD (or the id check) refuses it.
        let theirs = KeyRecord::make(&other, Some((&master, kdf())), None, &[]).unwrap();
        let mut swapped = rec.clone();
        swapped.password = theirs.password.clone();
        assert!(swapped.open_with_password(&master).unwrap().is_none());
        let mut renamed = theirs.clone();
        renamed.id = rec.id.clone();
        assert!(renamed.open_with_password(&master).unwrap().is_none());
        // A flipped bit in the wrapped key.
        let mut flipped = rec.clone();
        let p = flipped.password.as_mut().unwrap();
        let mut d = hex::decode(&p.key.data).unwrap();
        d[3] ^= 1;
        p.key.data = hex::encode(d);
        assert!(flipped.open_with_password(&master).unwrap().is_none());
        // Older keys swapped between records.
        let a = KeyRecord::make(&key, None, None, std::slice::from_ref(&other)).unwrap();
        let mut b = KeyRecord::make(&other, None, None, std::slice::from_ref(&key)).unwrap();
        b.id = a.id.clone();
        assert!(b.previous_keys(&key).is_err());
    }
}
