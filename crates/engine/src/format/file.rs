//! Whole backup files: writing one (header, members, optional encryption, SHA-256 of the bytes
//! on disk) and opening one for reading (detecting the kind, checking the password, splitting
//! the payload into members).

use std::io::{self, BufReader, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::seams::{CancelToken, SecretSource};
use crate::store::{Store, StoreWrite};

use super::crypto::{self, DecryptReader, EncryptWriter, TRAILER_LEN};
use super::gzip::{self, MemberKind, MemberSplitter};
use super::header::{self, Header, HeaderEncryption, HeaderKdf, PREFIX_LEN, TRAILER_MAGIC};
use super::keys::{Key, KeyCache};
use super::{CHUNK_SIZE, KDF_ITERATIONS};

/// SHA-256 and length of the bytes that went through.
#[derive(Debug, Default)]
pub(crate) struct HashState {
    hasher: Sha256,
    pub len: u64,
}

impl HashState {
    pub(crate) fn hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

/// Hashes what is written to the file.
pub(crate) struct HashWriter<W> {
    inner: W,
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

type FileSink = HashWriter<Box<dyn StoreWrite>>;

/// Where the gzip payload of a new backup goes.
pub(crate) enum PayloadWriter {
    Plain(FileSink),
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
    /// Fills in `header.encryption` when a password is given, and writes the container header
    /// (if encrypted) and the header member.
    pub(crate) fn create(
        out: Box<dyn StoreWrite>,
        header: &mut Header,
        key: Option<&NewKey>,
    ) -> Result<PayloadWriter> {
        header.encryption = key.map(|k| k.params.clone());
        let key = key.map(|k| (k.key.clone(), k.prefix));
        let json = header.to_json()?;
        let sink = HashWriter { inner: out, state: HashState::default() };
        let mut w = match key {
            None => PayloadWriter::Plain(sink),
            Some((key, prefix)) => PayloadWriter::Encrypted(Box::new(
                EncryptWriter::new(
                    sink,
                    header::Header::container_bytes(&json),
                    &key,
                    prefix,
                    CHUNK_SIZE as usize,
                )
                .map_err(io_err)?,
            )),
        };
        w.write_all(&gzip::header_member(&json)).map_err(io_err)?;
        Ok(w)
    }

    /// Ends the payload; returns the object (not yet committed) and its hash state.
    pub(crate) fn finish(self) -> io::Result<(Box<dyn StoreWrite>, HashState)> {
        let sink = match self {
            PayloadWriter::Plain(w) => w,
            PayloadWriter::Encrypted(w) => w.finish()?,
        };
        let HashWriter { inner, state } = sink;
        Ok((inner, state))
    }
}

/// A fresh key for one new backup: random salt and nonce prefix, the derived key, and the
/// header fields that describe them. Derived before the source database is opened, so the
/// slow KDF never holds a lock on it.
pub(crate) struct NewKey {
    key: Key,
    prefix: [u8; 7],
    params: HeaderEncryption,
}

impl NewKey {
    pub(crate) fn derive(password: &str, iterations: u32, cancel: &CancelToken) -> Result<NewKey> {
        let iterations = iterations.max(KDF_ITERATIONS_FLOOR);
        let salt: [u8; 16] = crypto::random()?;
        let prefix: [u8; 7] = crypto::random()?;
        let key = super::keys::pbkdf2(password.as_bytes(), &salt, iterations, cancel)?;
        let params = HeaderEncryption {
            cipher: crypto::CIPHER.into(),
            chunk_size: CHUNK_SIZE,
            nonce_prefix: hex::encode(prefix),
            kdf: HeaderKdf { name: crypto::KDF.into(), iterations, salt: hex::encode(salt) },
            key_check: hex::encode(super::keys::key_check(&key)),
        };
        Ok(NewKey { key, prefix, params })
    }
}

/// Lowest iteration count accepted when writing (tests may not go below it either).
const KDF_ITERATIONS_FLOOR: u32 = if cfg!(test) { 1_000 } else { KDF_ITERATIONS };

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

/// An object of a store, named in messages.
pub(crate) struct Object<'a> {
    pub store: &'a dyn Store,
    pub name: &'a str,
    pub label: String,
}

impl<'a> Object<'a> {
    pub(crate) fn new(store: &'a dyn Store, name: &'a str) -> Object<'a> {
        let label = match store.local_dir() {
            Some(d) => d.join(name).display().to_string(),
            None => format!("{name} in {}", store.location()),
        };
        Object { store, name, label }
    }
}

/// Reads only the header of a backup (no password needed for the formats that keep it clear).
pub(crate) fn read_header(obj: &Object<'_>) -> Result<Header> {
    let label = obj.label.clone();
    let mut r = BufReader::new(obj.store.open(obj.name)?);
    let mut first = vec![0u8; 12];
    let n = gzip::read_full(&mut r, &mut first, &label)?;
    first.truncate(n);
    match sniff(&first, &label)? {
        Kind::Plain => {
            let chained = first.as_slice().chain(r);
            let mut split = MemberSplitter::new(chained, &label);
            match split.next_member()? {
                Some((_, MemberKind::Header(json))) => Header::from_json(&json, &label),
                _ => Err(Error::new(ErrorCode::BackupDamaged, format!("{label} has no Keepsake header"))),
            }
        }
        Kind::Container => {
            let mut head = first;
            head.resize(PREFIX_LEN, 0);
            if gzip::read_full(&mut r, &mut head[n..], &label)? < PREFIX_LEN - n {
                return Err(Error::new(
                    ErrorCode::BackupTruncated,
                    format!("{label} is incomplete: it ends inside its header"),
                ));
            }
            let len = header::parse_prefix(&head, &label)?;
            head.resize(PREFIX_LEN + len + 4, 0);
            if gzip::read_full(&mut r, &mut head[PREFIX_LEN..], &label)? < len + 4 {
                return Err(Error::new(
                    ErrorCode::BackupTruncated,
                    format!("{label} is incomplete: it ends inside its header"),
                ));
            }
            header::parse_container_header(&head, &label)
        }
    }
}

/// A backup opened for reading its payload.
pub(crate) struct OpenBackup {
    pub header: Header,
    /// The payload's members, from the first data member on.
    pub members: MemberSplitter<Box<dyn Read + Send>>,
    pub hash: Arc<Mutex<HashState>>,
    /// Set when a chunk failed authentication (to tell the decrypt check from the decompress one).
    pub crypto_failed: Arc<AtomicBool>,
    pub label: String,
}

/// Opens a backup; asks `secrets` for the password only when the backup is encrypted. A wrong
/// password is reported before anything is decrypted.
pub(crate) fn open(
    obj: &Object<'_>,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
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
                Some(_) => {
                    return Err(Error::new(
                        ErrorCode::BackupDamaged,
                        format!("{label} has no Keepsake header"),
                    ));
                }
                None => return Err(Error::new(ErrorCode::BackupTruncated, format!("{label} is empty"))),
            };
            Ok(OpenBackup { header, members, hash, crypto_failed, label })
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
            let header = header::parse_container_header(&head, &label)?;
            let enc = header.encryption.clone().ok_or_else(|| {
                Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{label}: encrypted container without encryption parameters"),
                )
            })?;
            check_trailer(obj, file_len, head.len() as u64)?;
            let key = key_for(&enc, secrets, keys, cancel, &label)?;
            let prefix: [u8; 7] =
                hex::decode(&enc.nonce_prefix).ok().and_then(|v| v.try_into().ok()).ok_or_else(|| {
                    Error::new(ErrorCode::BackupDamaged, format!("{label} has a damaged header (nonce)"))
                })?;
            if !(super::MIN_CHUNK..=super::MAX_CHUNK).contains(&enc.chunk_size) {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{label} has a damaged header (chunk size)"),
                ));
            }
            let region = file_len - head.len() as u64 - TRAILER_LEN as u64;
            let dec = DecryptReader::new(
                r,
                head,
                &key,
                prefix,
                enc.chunk_size as usize,
                region,
                &label,
                Arc::clone(&crypto_failed),
            )?;
            let boxed: Box<dyn Read + Send> = Box::new(dec);
            let mut members = MemberSplitter::new(boxed, &label);
            match members.next_member()? {
                Some((_, MemberKind::Header(_))) => {}
                _ => {
                    return Err(Error::new(
                        ErrorCode::BackupDamaged,
                        format!("{label} has no inner Keepsake header"),
                    ));
                }
            }
            Ok(OpenBackup { header, members, hash, crypto_failed, label })
        }
    }
}

fn key_for(
    enc: &HeaderEncryption,
    secrets: &dyn SecretSource,
    keys: &KeyCache,
    cancel: &CancelToken,
    label: &str,
) -> Result<Key> {
    let password = crate::seams::require_password(secrets, &format!("open {label}"))?;
    let salt = hex::decode(&enc.kdf.salt)
        .map_err(|_| Error::new(ErrorCode::BackupDamaged, format!("{label} has a damaged header (salt)")))?;
    let key = keys.master(&password, &salt, enc.kdf.iterations, cancel)?;
    if hex::encode(super::keys::key_check(&key)) != enc.key_check {
        return Err(Error::new(ErrorCode::WrongPassword, format!("wrong password for {label}")));
    }
    Ok(key)
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
pub(crate) fn finish_hash(obj: &Object<'_>, hash: &Mutex<HashState>) -> Result<(String, u64)> {
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
pub(crate) fn sha256_of(obj: &Object<'_>) -> Result<(String, u64)> {
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

pub(crate) fn mark(flag: &AtomicBool) {
    flag.store(true, Ordering::SeqCst);
}
