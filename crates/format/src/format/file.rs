//! Whole backup files: writing one (header, members, optional encryption, SHA-256 of the bytes
//! on disk) and opening one for reading (detecting the kind and version, checking the password,
//! splitting the payload into members, bounding everything a planted file could inflate).

use std::io::{self, BufReader, Read, Write};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Reason, Result};
use crate::seams::{CancelToken, SecretSource};
use crate::store::{Store, StoreWrite};

use super::crypto::{self, DecryptReader, EncryptWriter, TRAILER_LEN};
use super::gzip::{self, MemberKind, MemberSplitter};
use super::header::{self, Clear, ClearHeaderV3, Header, HeaderEncryption, PREFIX_LEN, TRAILER_MAGIC};
use super::keys::{self, Key, KeyCache, Unlocker};
use super::vault::{self, DataKey, KeyRecord, RecoveryKey};
use super::{CHUNK_SIZE, FORMAT_VERSION, MAX_BLOCK, MAX_CHUNK, MIN_BLOCK, MIN_CHUNK};
use crate::model::EncryptionInfo;

/// SHA-256 and length of the bytes that went through.
#[derive(Debug, Default)]
pub struct HashState {
    hasher: Sha256,
    /// Bytes so far.
    pub len: u64,
}

impl HashState {
    /// The SHA-256 so far, in hex.
    pub fn hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

/// Hashes what is written to the file.
#[derive(Debug)]
pub struct HashWriter<W> {
    inner: W,
    /// The hash so far.
    pub state: HashState,
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.state.hasher.update(&buf[..n]);
        self.state.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes what is read from the file (shared, so the hash survives boxing the reader).
struct HashReader<R> {
    inner: R,
    state: Arc<Mutex<HashState>>,
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut s) = self.state.lock() {
            s.hasher.update(&buf[..n]);
            s.len += n as u64;
        }
        Ok(n)
    }
}

/// An object of a store, named in messages.
pub struct Object<'a> {
    /// The store.
    pub store: &'a dyn Store,
    /// Its name there.
    pub name: &'a str,
    /// How messages name it (its path, or its name and the store).
    pub label: String,
}

impl std::fmt::Debug for Object<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object").finish_non_exhaustive()
    }
}

impl<'a> Object<'a> {
    /// The object `name` in `store`.
    pub fn new(store: &'a dyn Store, name: &'a str) -> Object<'a> {
        let label = match store.local_dir() {
            Some(d) => d.join(name).display().to_string(),
            None => format!("{name} in {}", store.location()),
        };
        Object { store, name, label }
    }
}

type FileSink = HashWriter<Box<dyn StoreWrite>>;

/// Where the gzip payload of a new backup goes.
#[allow(missing_debug_implementations)] // key material: never printed
pub enum PayloadWriter {
    /// Not encrypted: the gzip stream as it is.
    Plain(FileSink),
    /// Encrypted: the gzip stream in the container.
    Encrypted(Box<EncryptWriter<FileSink>>),
}

impl Write for PayloadWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            PayloadWriter::Plain(w) => w.write(buf),
            PayloadWriter::Encrypted(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            PayloadWriter::Plain(w) => w.flush(),
            PayloadWriter::Encrypted(w) => w.flush(),
        }
    }
}

impl PayloadWriter {
    /// Writes the container's clear header (when encrypted) and the header member of a new
    /// format-2 backup.
    pub fn create(out: Box<dyn StoreWrite>, header: &Header, key: Option<&NewKey>) -> Result<PayloadWriter> {
        let json = header.to_json()?;
        let sink = HashWriter { inner: out, state: HashState::default() };
        let mut w = match key {
            None => PayloadWriter::Plain(sink),
            Some(k) => PayloadWriter::Encrypted(Box::new(
                EncryptWriter::new(
                    sink,
                    Header::container_bytes(&k.clear, FORMAT_VERSION),
                    &k.file_key,
                    k.prefix,
                    CHUNK_SIZE as usize,
                )
                .map_err(io_err)?,
            )),
        };
        w.write_all(&gzip::header_member(&json, FORMAT_VERSION)).map_err(io_err)?;
        Ok(w)
    }

    /// Ends the payload; returns the object (not yet committed) and its hash state.
    pub fn finish(self) -> io::Result<(Box<dyn StoreWrite>, HashState)> {
        let sink = match self {
            PayloadWriter::Plain(w) => w,
            PayloadWriter::Encrypted(w) => w.finish()?,
        };
        let HashWriter { inner, state } = sink;
        Ok((inner, state))
    }
}

/// The key of one new encrypted backup: a file key derived from the data key (opened once per
/// process: the slow KDF runs before the source database is opened and not again for the next
/// backup), a fresh file salt and nonce prefix, and the clear header describing them with the
/// data key's record.
#[allow(missing_debug_implementations)] // key material: never printed
pub struct NewKey {
    file_key: Key,
    prefix: [u8; 7],
    clear: Vec<u8>,
    key_id: [u8; 16],
    older: Vec<[u8; 16]>,
    info: EncryptionInfo,
}

impl NewKey {
    /// A new backup's key under `key`, whose record `record` goes into the file's clear header
    /// (format 3).
    pub fn under(key: &DataKey, record: &KeyRecord) -> Result<NewKey> {
        let file_salt: [u8; 16] = crypto::random()?;
        let prefix: [u8; 7] = crypto::random()?;
        let clear = ClearHeaderV3 {
            format: FORMAT_VERSION,
            cipher: crypto::CIPHER.into(),
            chunk_size: CHUNK_SIZE,
            nonce_prefix: hex::encode(prefix),
            file_salt: hex::encode(file_salt),
            key: record.clone(),
        };
        let info = record_info(record, CHUNK_SIZE);
        let clear = serde_json::to_vec(&clear).map_err(|e| Error::invalid(e.to_string()))?;
        if clear.len() > header::MAX_HEADER_LEN {
            return Err(Error::invalid("the key record is too large for a backup's header"));
        }
        let older = record.previous.iter().filter_map(|p| hex::decode(&p.id).ok()?.try_into().ok()).collect();
        Ok(NewKey { file_key: key.file_key(&file_salt), prefix, clear, key_id: key.id(), older, info })
    }

    /// Whether what this key opens includes backups made under the key with id `check` (its own,
    /// or one its record carries): a chain can go on across a password change.
    pub fn opens(&self, check: Option<[u8; 16]>) -> bool {
        check.is_some_and(|c| c == self.key_id || self.older.contains(&c))
    }

    /// The id of the data key (the same for every file encrypted under it).
    pub fn key_check(&self) -> Option<[u8; 16]> {
        Some(self.key_id)
    }

    /// What the catalog records about this encryption.
    pub fn info(&self) -> EncryptionInfo {
        self.info.clone()
    }
}

/// What the catalog records about a format-3 file's encryption: its record's password KDF.
fn record_info(record: &KeyRecord, chunk_size: u32) -> EncryptionInfo {
    EncryptionInfo {
        cipher: crypto::CIPHER.into(),
        kdf: record.password.as_ref().map_or_else(|| "recovery-key".into(), |p| p.kdf.name.clone()),
        iterations: record.password.as_ref().map_or(0, |p| p.kdf.iterations),
        chunk_size,
    }
}

fn io_err(e: io::Error) -> Error {
    Error::new(ErrorCode::Io, format!("error writing backup: {e}")).with_source(e)
}

/// What kind of file this is, from its first bytes.
enum Kind {
    Plain,
    Container,
}

fn sniff(first: &[u8], file: &str) -> Result<Kind> {
    if first.len() >= 2 && first[..2] == [0x1f, 0x8b] {
        Ok(Kind::Plain)
    } else if first.len() >= 8 && &first[..8] == header::MAGIC {
        Ok(Kind::Container)
    } else if first.len() < 8 && (header::MAGIC.starts_with(first) || first.is_empty()) {
        Err(Error::new(
            ErrorCode::BackupTruncated,
            format!("{file} is incomplete: it ends inside its header"),
        ))
    } else {
        Err(Error::new(ErrorCode::UnsupportedVersion, format!("{file} is not a Keepsake backup")))
    }
}

/// A backup opened for reading its payload.
#[allow(missing_debug_implementations)] // a reader of key material
pub struct OpenBackup {
    /// Its header.
    pub header: Header,
    /// The version of the format it is in.
    pub version: u16,
    /// How it is encrypted, if it is.
    pub encryption: Option<EncryptionInfo>,
    /// The payload's members, from the first data member on.
    pub members: MemberSplitter<Box<dyn Read + Send>>,
    /// The SHA-256 of the file, as it is read.
    pub hash: Arc<Mutex<HashState>>,
    /// Set when a chunk failed authentication (to tell the decrypt check from the decompress one).
    pub crypto_failed: Arc<AtomicBool>,
    /// The file, for messages.
    pub label: String,
}

/// Reads only what a backup says about itself, with the password at hand (never asking
/// anyone): a plain backup and a format-1 container say it in clear, a format-2 container only
/// to the right password (`password_required` / `wrong_password` otherwise).
pub fn read_header(
    obj: &Object<'_>,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    limits: Option<&keys::DeriveLimits>,
) -> Result<(Header, Option<EncryptionInfo>)> {
    // A format-1 container says everything in its clear header: no password, nothing decrypted.
    let start = obj.store.read_range(obj.name, 0, PREFIX_LEN)?;
    if start.len() == PREFIX_LEN && &start[..8] == header::MAGIC && start[8..10] == [0, 1] {
        let len = header::parse_prefix(&start, &obj.label)?;
        let head = obj.store.read_range(obj.name, 0, PREFIX_LEN + len + 4)?;
        if let Clear::V1(h) = header::parse_container_header(&head, &obj.label)? {
            let enc = h.encryption.clone().map(|e| EncryptionInfo {
                cipher: e.cipher,
                kdf: e.kdf.name,
                iterations: e.kdf.iterations,
                chunk_size: e.chunk_size,
            });
            check_header(&h, &obj.label)?;
            return Ok((*h, enc));
        }
    }
    let at_hand = AtHand(secrets.at_hand(), secrets.recovery_key());
    let opened = open_within(obj, &at_hand, keys, &CancelToken::new(), limits)?;
    Ok((opened.header, opened.encryption))
}

/// A secret source that only gives what is at hand.
struct AtHand(Option<crate::seams::Password>, Option<crate::seams::Password>);

impl SecretSource for AtHand {
    fn password(&self) -> Result<Option<crate::seams::Password>> {
        Ok(self.0.clone())
    }

    fn recovery_key(&self) -> Option<crate::seams::Password> {
        self.1.clone()
    }
}

/// Opens a backup; asks `secrets` for the password only when the backup is encrypted. A wrong
/// password is reported before anything is decrypted.
pub fn open(
    obj: &Object<'_>,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
) -> Result<OpenBackup> {
    open_within(obj, secrets, keys, cancel, None)
}

/// [`open`], a new key derivation only within `limits` when given (a listing's).
fn open_within(
    obj: &Object<'_>,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
    limits: Option<&keys::DeriveLimits>,
) -> Result<OpenBackup> {
    let label = obj.label.clone();
    let file_len = obj
        .store
        .stat(obj.name)?
        .ok_or_else(|| Error::new(ErrorCode::BackupNotFound, format!("backup file missing: {label}")))?
        .size;
    let hash = Arc::new(Mutex::new(HashState::default()));
    let mut r = HashReader {
        inner: BufReader::with_capacity(1 << 20, obj.store.open(obj.name)?),
        state: Arc::clone(&hash),
    };
    let mut first = vec![0u8; PREFIX_LEN];
    let n = gzip::read_full(&mut r, &mut first, &label)?;
    first.truncate(n);
    let crypto_failed = Arc::new(AtomicBool::new(false));
    match sniff(&first, &label)? {
        Kind::Plain => {
            let boxed: Box<dyn Read + Send> = Box::new(io::Cursor::new(first).chain(r));
            let mut members = MemberSplitter::new(boxed, &label);
            let header = match members.next_member()? {
                Some((_, MemberKind::Header(json))) => Header::from_json(&json, &label)?,
                Some(_) => return Err(damaged(&label, "it has no Keepsake header")),
                None => return Err(Error::new(ErrorCode::BackupTruncated, format!("{label} is empty"))),
            };
            if header.encryption.is_some() {
                return Err(damaged(&label, "a plain backup's header describes encryption"));
            }
            let version = header.format;
            check_header(&header, &label)?;
            members.set_limit(gzip::member_limit(header.codec.block_size as usize));
            Ok(OpenBackup { header, version, encryption: None, members, hash, crypto_failed, label })
        }
        Kind::Container => {
            if n < PREFIX_LEN {
                return Err(Error::new(
                    ErrorCode::BackupTruncated,
                    format!("{label} is incomplete: it ends inside its header"),
                ));
            }
            let len = header::parse_prefix(&first, &label)?;
            let mut head = first;
            head.resize(PREFIX_LEN + len + 4, 0);
            if gzip::read_full(&mut r, &mut head[PREFIX_LEN..], &label)? < len + 4 {
                return Err(Error::new(
                    ErrorCode::BackupTruncated,
                    format!("{label} is incomplete: it ends inside its header"),
                ));
            }
            let clear = header::parse_container_header(&head, &label)?;
            let (version, chunk_size, prefix_hex) = match &clear {
                Clear::V1(h) => {
                    let enc =
                        h.encryption.as_ref().ok_or_else(|| damaged(&label, "no encryption parameters"))?;
                    (1, enc.chunk_size, enc.nonce_prefix.clone())
                }
                Clear::V2(c) => (2, c.chunk_size, c.nonce_prefix.clone()),
                Clear::V3(c) => (3, c.chunk_size, c.nonce_prefix.clone()),
            };
            if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size) {
                return Err(damaged(&label, "its header has an impossible chunk size"));
            }
            let prefix: [u8; 7] = hex::decode(&prefix_hex)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| damaged(&label, "its header has a damaged nonce"))?;
            let file_salt = |salt: &str| -> Result<[u8; 16]> {
                hex::decode(salt)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(|| damaged(&label, "its header has a damaged file salt"))
            };
            let (key, encryption) = match &clear {
                Clear::V1(_) | Clear::V2(_) => {
                    let enc = match &clear {
                        Clear::V1(h) => {
                            h.encryption.clone().ok_or_else(|| damaged(&label, "no encryption"))?
                        }
                        Clear::V2(c) => HeaderEncryption {
                            cipher: c.cipher.clone(),
                            chunk_size: c.chunk_size,
                            nonce_prefix: c.nonce_prefix.clone(),
                            kdf: c.kdf.clone(),
                            key_check: c.key_check.clone(),
                        },
                        Clear::V3(_) => unreachable!("matched above"),
                    };
                    if !(keys::MIN_ITERATIONS..=keys::MAX_ITERATIONS).contains(&enc.kdf.iterations) {
                        return Err(damaged(
                            &label,
                            "its key derivation asks for an impossible amount of work",
                        ));
                    }
                    check_trailer(obj, file_len, head.len() as u64)?;
                    let master = master_key(&enc, secrets, keys, cancel, &label, limits)?;
                    let key = match &clear {
                        Clear::V2(c) => keys::file_key(&master, &file_salt(&c.file_salt)?),
                        _ => master,
                    };
                    let info = EncryptionInfo {
                        cipher: enc.cipher,
                        kdf: enc.kdf.name,
                        iterations: enc.kdf.iterations,
                        chunk_size: enc.chunk_size,
                    };
                    (key, info)
                }
                Clear::V3(c) => {
                    let salt = file_salt(&c.file_salt)?;
                    check_trailer(obj, file_len, head.len() as u64)?;
                    let data = data_key(obj, &c.key, secrets, keys, cancel, &label, limits)?;
                    (data.file_key(&salt), record_info(&c.key, c.chunk_size))
                }
            };
            let region = file_len - head.len() as u64 - TRAILER_LEN as u64;
            let dec = DecryptReader::new(
                r,
                head,
                &key,
                prefix,
                chunk_size as usize,
                region,
                &label,
                Arc::clone(&crypto_failed),
            )?;
            let boxed: Box<dyn Read + Send> = Box::new(dec);
            let mut members = MemberSplitter::new(boxed, &label);
            let inner = match members.next_member()? {
                Some((_, MemberKind::Header(json))) => json,
                _ => return Err(damaged(&label, "it has no inner Keepsake header")),
            };
            let header = match clear {
                // Format 1 repeats its clear header inside; the clear (authenticated) one counts.
                Clear::V1(h) => *h,
                Clear::V2(_) | Clear::V3(_) => {
                    let h = Header::from_json(&inner, &label)?;
                    if h.format != version || h.encryption.is_some() {
                        return Err(damaged(&label, "its inner header is not of its container's version"));
                    }
                    h
                }
            };
            check_header(&header, &label)?;
            members.set_limit(gzip::member_limit(header.codec.block_size as usize));
            let encryption = Some(encryption);
            Ok(OpenBackup { header, version, encryption, members, hash, crypto_failed, label })
        }
    }
}

fn damaged(label: &str, what: &str) -> Error {
    Error::new(ErrorCode::BackupDamaged, format!("{label} is damaged: {what}"))
}

/// What every reader checks in a header before trusting its numbers.
fn check_header(h: &Header, label: &str) -> Result<()> {
    let block = h.codec.block_size;
    if !(MIN_BLOCK..=MAX_BLOCK).contains(&block) {
        return Err(damaged(label, "its header has an impossible block size"));
    }
    if h.codec.level > 9 {
        return Err(damaged(label, "its header has an impossible compression level"));
    }
    if h.format >= 2 {
        let ps = h.schema.page_size;
        if !(512..=65536).contains(&ps) || !ps.is_power_of_two() || !block.is_multiple_of(ps) {
            return Err(damaged(label, "its header has an impossible page size"));
        }
        if h.schema.page_count.checked_mul(u64::from(ps)) != Some(h.original_size) {
            return Err(damaged(label, "its header's sizes do not add up"));
        }
    }
    Ok(())
}

fn master_key(
    enc: &HeaderEncryption,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
    label: &str,
    limits: Option<&keys::DeriveLimits>,
) -> Result<Key> {
    let salt = hex::decode(&enc.kdf.salt)
        .ok()
        .filter(|s| (8..=64).contains(&s.len()))
        .ok_or_else(|| damaged(label, "its header has a damaged salt"))?;
    let others = secrets.other_passwords();
    // The main password first; when there is none, another one given for this may still do.
    let main = match crate::seams::require_password(secrets, &format!("open {label}")) {
        Ok(p) => Some(p),
        Err(e) if others.is_empty() => return Err(e),
        Err(_) => None,
    };
    for password in main.iter().chain(others.iter().filter(|p| !p.is_empty())) {
        let key = keys.master_within(password, &salt, enc.kdf.iterations, cancel, limits)?;
        if hex::encode(keys::key_check(&key)) == enc.key_check {
            return Ok(key);
        }
    }
    Err(Error::new(ErrorCode::WrongPassword, format!("wrong password for {label}")))
}

/// The data key a format-3 file is encrypted under: one opened already, else opened from its
/// own record or a newer one the cache knows (after a password change the newest password opens
/// the newest record, which carries the older keys), with the recovery key the person gave, or
/// with a password. A record that was planted or changed opens to nothing or fails: see
/// `vault`.
fn data_key(
    obj: &Object<'_>,
    record: &KeyRecord,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
    label: &str,
    limits: Option<&keys::DeriveLimits>,
) -> Result<DataKey> {
    let id = record.check().map_err(|e| damaged(label, e.message()))?;
    let recovery = match secrets.recovery_key() {
        Some(text) => Some(RecoveryKey::parse(&text)?),
        None => None,
    };
    let by_recovery = recovery.as_ref().map(|rk| Unlocker::Recovery(rk.display()));
    if let Some(k) = by_recovery.as_ref().and_then(|by| keys.data_key(&id, by)) {
        return Ok(k);
    }
    let others = secrets.other_passwords();
    let main = match crate::seams::require_password(secrets, &format!("open {label}")) {
        Ok(p) => Some(p),
        Err(_) if recovery.is_some() => None,
        Err(e) if others.is_empty() => return Err(e),
        Err(_) => None,
    };
    let passwords: Vec<&crate::seams::Password> =
        main.iter().chain(others.iter().filter(|p| !p.is_empty())).collect();
    for p in &passwords {
        if let Some(k) = keys.data_key(&id, &Unlocker::password(p)) {
            return Ok(k);
        }
    }
    let own = std::iter::once(record.clone());
    let mut candidates: Vec<KeyRecord> =
        own.chain(keys.records().into_iter().filter(|r| r != record)).collect();
    // Key files beside the backups: after a password change, the newest record may be there
    // before any backup carries it.
    for r in store_records(obj.store) {
        if !candidates.contains(&r) {
            candidates.push(r);
        }
    }
    // A record planted beside the backups (not the file's own) is passed over; if nothing else
    // opens, what was wrong with it is said.
    let mut refused: Option<Error> = None;
    if let (Some(rk), Some(by)) = (&recovery, &by_recovery) {
        for (i, r) in candidates.iter().enumerate() {
            match r.open_with_recovery(rk) {
                Ok(Some(k)) => {
                    keys.unlock(r, k, by)?;
                    if let Some(k) = keys.data_key(&id, by) {
                        return Ok(k);
                    }
                }
                Ok(None) => {}
                Err(e) if i == 0 => return Err(damaged(label, e.message())),
                Err(e) => refused = Some(e),
            }
        }
    }
    for password in passwords {
        let by = Unlocker::password(password);
        for (i, r) in candidates.iter().enumerate() {
            let Some(p) = &r.password else { continue };
            let salt =
                hex::decode(&p.kdf.salt).map_err(|_| damaged(label, "a key record's salt is not hex"))?;
            let master = match keys.master_within(password, &salt, p.kdf.iterations, cancel, limits) {
                Ok(m) => m,
                Err(e) if i == 0 || e.code() == ErrorCode::Cancelled => return Err(e),
                Err(e) => {
                    refused = Some(e);
                    continue;
                }
            };
            match r.open_with_password(&master) {
                Ok(Some(k)) => {
                    keys.unlock(r, k, &by)?;
                    if let Some(k) = keys.data_key(&id, &by) {
                        return Ok(k);
                    }
                }
                Ok(None) => {}
                Err(e) if i == 0 => return Err(damaged(label, e.message())),
                Err(e) => refused = Some(e),
            }
        }
    }
    if let Some(e) = refused {
        return Err(e);
    }
    Err(match recovery {
        Some(_) => Error::new(
            ErrorCode::WrongPassword,
            format!("this recovery key does not open {label}: it is another kit's, or the backup is newer than the kit"),
        )
        .with_reason(Reason::WrongRecoveryKey),
        None => Error::new(ErrorCode::WrongPassword, format!("wrong password for {label}")),
    })
}

/// The key records in the key files of `store` (at most 16, each at most 64 KiB; a file that is
/// not one is passed over: nothing there is trusted unless it opens).
pub fn store_records(store: &dyn Store) -> Vec<KeyRecord> {
    let Ok(entries) = store.list() else { return Vec::new() };
    entries
        .iter()
        .filter(|e| vault::is_key_file_name(&e.name) && e.size <= vault::MAX_KEY_FILE)
        .take(16)
        .filter_map(|e| {
            let bytes = store.read_range(&e.name, 0, vault::MAX_KEY_FILE as usize).ok()?;
            vault::read_key_file(&e.name, &bytes).ok()
        })
        .collect()
}

/// The data key of `record` (this installation's, or one read beside backups), opened with what
/// `secrets` gives (the recovery key, the password, other passwords) or found already open.
pub fn open_record(
    store: &dyn Store,
    record: &KeyRecord,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
) -> Result<DataKey> {
    let obj = Object { store, name: "", label: "this computer's backup key".into() };
    data_key(&obj, record, secrets, keys, cancel, &obj.label, None)
}

/// The trailer says how long the file must be: a shorter file was cut.
fn check_trailer(obj: &Object<'_>, file_len: u64, header_len: u64) -> Result<()> {
    let label = &obj.label;
    let truncated = || {
        Error::new(ErrorCode::BackupTruncated, format!("{label} is incomplete: its end marker is missing"))
    };
    if file_len < header_len + TRAILER_LEN as u64 + crypto::TAG_LEN as u64 {
        return Err(truncated());
    }
    let t = obj.store.read_range(obj.name, file_len - TRAILER_LEN as u64, TRAILER_LEN)?;
    if t.len() != TRAILER_LEN {
        return Err(truncated());
    }
    let magic_ok = &t[..8] == TRAILER_MAGIC;
    let len_ok = u64::from_be_bytes(t[8..].try_into().unwrap_or_default()) == file_len;
    match (magic_ok, len_ok) {
        (true, true) => Ok(()),
        (false, false) => Err(truncated()),
        _ => Err(Error::new(ErrorCode::BackupDamaged, format!("{label} is damaged: bad end marker"))),
    }
}

/// Completes the hash of a file whose reader stopped at `hash.len` bytes: the few bytes left
/// (the trailer) are read directly; after an early stop, the whole file is hashed again.
pub fn finish_hash(obj: &Object<'_>, hash: &Mutex<HashState>) -> Result<(String, u64)> {
    let mut state = hash.lock().map_err(|_| Error::new(ErrorCode::Io, "hash state poisoned"))?;
    let size = obj.store.stat(obj.name)?.map_or(0, |e| e.size);
    if size >= state.len && size - state.len <= 1 << 16 {
        let rest = obj.store.read_range(obj.name, state.len, (size - state.len) as usize)?;
        state.hasher.update(&rest);
        state.len += rest.len() as u64;
        return Ok((state.hex(), state.len));
    }
    drop(state);
    sha256_of(obj)
}

/// SHA-256 and length of a whole object.
pub fn sha256_of(obj: &Object<'_>) -> Result<(String, u64)> {
    let mut r = obj.store.open(obj.name)?;
    let mut state = HashState::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::new(ErrorCode::Io, format!("error reading {}: {e}", obj.label))),
        };
        state.hasher.update(&buf[..n]);
        state.len += n as u64;
    }
    Ok((state.hex(), state.len))
}
