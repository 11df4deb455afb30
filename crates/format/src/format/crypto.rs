//! Encryption: a PBKDF2-HMAC-SHA256 key and AES-256-GCM in the STREAM construction (as the
//! `aead` crate's `StreamBE32`): the 12-byte nonce of chunk `i` is `prefix(7) || i (u32 BE) ||
//! last (0 or 1)`, so reordered, dropped or appended chunks fail authentication. The container
//! header bytes are the AAD of every chunk, so the header is authenticated too.

use std::io::{self, Read, Write};

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use crate::error::{Error, ErrorCode, Result};

/// Magic bytes of the container's trailer.
pub const TRAILER_MAGIC: &[u8; 8] = b"KSEND\0\0\0";

/// The cipher's name in the header.
pub const CIPHER: &str = "aes-256-gcm-stream-be32";
/// The key derivation's name in the header.
pub const KDF: &str = "pbkdf2-hmac-sha256";
/// Fewest PBKDF2 iterations a reader accepts (see FORMAT.md, "Limits").
pub const MIN_ITERATIONS: u32 = if cfg!(test) { 1_000 } else { 100_000 };
/// Most PBKDF2 iterations a reader accepts: at most a few seconds of work for a planted file.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// Bytes of an authentication tag.
pub const TAG_LEN: usize = 16;
/// Bytes of the container's trailer.
pub const TRAILER_LEN: usize = 16;
/// A 256-bit key, wiped when dropped.
pub type Key = zeroize::Zeroizing<[u8; 32]>;

/// `N` random bytes from the OS.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| Error::new(ErrorCode::Io, format!("no randomness from the OS: {e}")))?;
    Ok(b)
}

fn nonce(prefix: &[u8; 7], counter: u32, last: bool) -> Nonce<aes_gcm::aead::consts::U12> {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::from(n)
}

/// Carries an engine error through `io::Read`/`io::Write`.
pub fn wrap(e: Error) -> io::Error {
    io::Error::other(e)
}

/// Recovers an engine error carried by [`wrap`]; other I/O errors become read errors.
pub fn unwrap_io(e: io::Error, file: &str) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Some(inner) = e.into_inner()
            && let Ok(err) = inner.downcast::<Error>()
        {
            return *err;
        }
        return Error::new(ErrorCode::Io, format!("error reading {file}"));
    }
    Error::new(ErrorCode::Io, format!("error reading {file}: {e}")).with_source(e)
}

/// Reads until `buf` is full or EOF; returns the bytes read. Errors keep their code when the
/// reader is a decrypting one.
pub fn read_full<R: Read>(r: &mut R, buf: &mut [u8], file: &str) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unwrap_io(e, file)),
        }
    }
    Ok(n)
}

/// Writes the container: header bytes, encrypted chunks, trailer.
#[allow(missing_debug_implementations)] // key material: never printed
pub struct EncryptWriter<W: Write> {
    inner: W,
    cipher: Aes256Gcm,
    prefix: [u8; 7],
    aad: Vec<u8>,
    chunk: usize,
    counter: u32,
    buf: Vec<u8>,
    written: u64,
}

impl<W: Write> EncryptWriter<W> {
    /// Encrypts into `inner`.
    pub fn new(
        mut inner: W,
        header_bytes: Vec<u8>,
        key: &Key,
        prefix: [u8; 7],
        chunk: usize,
    ) -> io::Result<Self> {
        inner.write_all(&header_bytes)?;
        let cipher = Aes256Gcm::new_from_slice(&key[..]).map_err(|_| io::Error::other("bad key length"))?;
        Ok(EncryptWriter {
            inner,
            cipher,
            prefix,
            written: header_bytes.len() as u64,
            aad: header_bytes,
            chunk,
            counter: 0,
            buf: Vec::with_capacity(chunk + TAG_LEN),
        })
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        let n = nonce(&self.prefix, self.counter, last);
        let tag = self
            .cipher
            .encrypt_in_place_detached(&n, &self.aad, &mut self.buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.buf.extend_from_slice(&tag);
        self.inner.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| io::Error::other("backup too large"))?;
        Ok(())
    }

    /// Encrypts the last chunk and writes the trailer; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        let mut trailer = [0u8; TRAILER_LEN];
        trailer[..8].copy_from_slice(TRAILER_MAGIC);
        trailer[8..].copy_from_slice(&(self.written + TRAILER_LEN as u64).to_be_bytes());
        self.inner.write_all(&trailer)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let n = data.len();
        while !data.is_empty() {
            if self.buf.len() == self.chunk {
                self.emit(false)?;
            }
            let take = (self.chunk - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the plaintext of the chunks that follow the container header.
#[allow(missing_debug_implementations)] // key material: never printed
pub struct DecryptReader<R: Read> {
    inner: R,
    cipher: Aes256Gcm,
    prefix: [u8; 7],
    aad: Vec<u8>,
    chunk: usize,
    counter: u32,
    /// Ciphertext bytes (chunks) not yet read.
    remaining: u64,
    buf: Vec<u8>,
    pos: usize,
    file: String,
    failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<R: Read> DecryptReader<R> {
    /// Decrypts what `inner` reads.
    pub fn new(
        inner: R,
        header_bytes: Vec<u8>,
        key: &Key,
        prefix: [u8; 7],
        chunk: usize,
        region: u64,
        file: &str,
        failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<Self> {
        let cipher = Aes256Gcm::new_from_slice(&key[..]).map_err(|_| Error::invalid("bad key length"))?;
        Ok(DecryptReader {
            inner,
            cipher,
            prefix,
            aad: header_bytes,
            chunk,
            counter: 0,
            remaining: region,
            buf: Vec::with_capacity(chunk + TAG_LEN),
            pos: 0,
            file: file.to_owned(),
            failed,
        })
    }

    fn next_chunk(&mut self) -> Result<()> {
        let size = (self.chunk + TAG_LEN).min(self.remaining as usize);
        let last = self.remaining as usize == size;
        if size < TAG_LEN {
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("{} is damaged: a chunk is too short", self.file),
            ));
        }
        self.buf.resize(size, 0);
        let got = read_full(&mut self.inner, &mut self.buf, &self.file)?;
        if got < size {
            self.failed.store(true, std::sync::atomic::Ordering::SeqCst);
            return Err(Error::new(
                ErrorCode::BackupTruncated,
                format!("{} is incomplete: it ends inside chunk {}", self.file, self.counter),
            ));
        }
        let tag_at = size - TAG_LEN;
        let tag = Tag::clone_from_slice(&self.buf[tag_at..]);
        self.buf.truncate(tag_at);
        // Kept only so that a failing last chunk can be re-tried as "not last".
        let attempt = if last { Some(self.buf.clone()) } else { None };
        let ok = self
            .cipher
            .decrypt_in_place_detached(
                &nonce(&self.prefix, self.counter, last),
                &self.aad,
                &mut self.buf,
                &tag,
            )
            .is_ok();
        if !ok {
            // A chunk that authenticates as "not last" at the end of the file means the rest is gone.
            let cut = attempt.is_some_and(|mut probe| {
                self.cipher
                    .decrypt_in_place_detached(
                        &nonce(&self.prefix, self.counter, false),
                        &self.aad,
                        &mut probe,
                        &tag,
                    )
                    .is_ok()
            });
            self.failed.store(true, std::sync::atomic::Ordering::SeqCst);
            return Err(if cut {
                Error::new(
                    ErrorCode::BackupTruncated,
                    format!("{} is incomplete: chunks after {} are missing", self.file, self.counter),
                )
            } else {
                Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{} is damaged: chunk {} fails authentication", self.file, self.counter),
                )
            });
        }
        self.remaining -= size as u64;
        self.counter = self.counter.wrapping_add(1);
        self.pos = 0;
        Ok(())
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            if self.remaining == 0 {
                return Ok(0);
            }
            self.next_chunk().map_err(wrap)?;
        }
        let n = (self.buf.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
