//! Keepsake's copies elsewhere: S3-compatible object storage, Azure Blob Storage, Google Cloud
//! Storage, WebDAV and SFTP through Apache OpenDAL, behind the engine's storage seam ([`Store`]). The engine stays synchronous and free
//! of network code; this crate owns the async runtime and blocks on it.
//!
//! A remote store keeps the seam's contract (the conformance suite runs against real servers in
//! this crate's tests):
//! - a new object is invisible until committed: on S3 (and Google Cloud Storage) it is a
//!   multipart upload, which the server shows only once completed (and which is aborted when
//!   the writer is dropped); on Azure, blocks that become a blob only when their list is put; on
//!   WebDAV and SFTP it is written under a hidden name (`.keepsake-partial-…`, never listed)
//!   and renamed when whole;
//! - committing never replaces an object of the same name;
//! - requests that fail for a while (a 503, a dropped connection, a timeout) are retried with
//!   backoff; refusals (a wrong key, no such bucket) are not, and come back as
//!   `remote_failed` with a reason that says what to fix.
//!
//! Secrets are given by the caller (from the OS keyring); they are never part of a location,
//! a message or a `Debug` output.

use std::future::IntoFuture;
use std::io::{self, Read, Write};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use keepsake_engine::error::{Error, ErrorCode, Result};
use keepsake_engine::store::{LocalFolder, Store, StoreEntry, StoreWrite, Throttled};
use keepsake_engine::{Destination, DestinationKind};
use opendal::layers::{RetryLayer, TimeoutLayer};
use opendal::{ErrorKind, Operator};
use tokio::runtime::Runtime;

pub mod secrets;
#[cfg(feature = "testing")]
pub mod testing;

/// Size of one part of a multipart upload, and of one read request.
pub const PART_SIZE: usize = 8 << 20;
/// Parts in flight at once during an upload.
pub const PARTS_IN_FLIGHT: usize = 4;
/// The prefix of an object being written where objects cannot be hidden until complete.
const PARTIAL: &str = ".keepsake-partial-";

/// How hard a store tries before giving up on a request that failed for a while.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// Attempts after the first.
    pub times: usize,
    /// The first wait; each next one is longer (with jitter), up to `max_delay`.
    pub min_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
    /// How long one request may take before it counts as failed.
    pub timeout: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            times: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
        }
    }
}

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("keepsake-remote")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the runtime for copies elsewhere: {e}"))
    })
}

/// Checks that `store` can be listed, written to, read and deleted from, with a small object
/// of its own (`keepsake-probe-…`, removed again): what "Test connection" does.
pub fn probe(store: &dyn Store) -> Result<()> {
    store.list()?;
    let name =
        partial_name("probe").trim_start_matches(PARTIAL).replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let name = format!("keepsake-probe-{name}");
    let body = b"Keepsake checks it can write here; this file is removed at once.";
    let mut w = store.create(&name)?;
    w.write_all(body).map_err(|e| {
        Error::carried(e).unwrap_or_else(|e| {
            Error::new(ErrorCode::Io, format!("cannot write to {}: {e}", store.location()))
        })
    })?;
    w.commit()?;
    let back = store.read_range(&name, 0, body.len());
    store.delete(&name)?;
    if back? != body {
        return Err(Error::new(
            ErrorCode::RemoteFailed,
            format!("{} gave back something else than was written", store.location()),
        )
        .with_reason("server"));
    }
    Ok(())
}

/// Opens destinations with their saved secrets, for the background copier
/// ([`keepsake_engine::scheduler::copies::Copier`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SavedSecrets;

impl keepsake_engine::scheduler::copies::DestinationOpener for SavedSecrets {
    fn open(&self, dest: &Destination) -> Result<Arc<dyn Store>> {
        open_saved(dest)
    }
}

/// The store of `dest` with its secret looked up ([`secrets::lookup`]).
pub fn open_saved(dest: &Destination) -> Result<Arc<dyn Store>> {
    let secret = secrets::lookup(dest).map_err(|why| {
        Error::new(
            ErrorCode::RemoteFailed,
            format!("the secret of the destination {:?} cannot be read from the keyring: {why}", dest.name),
        )
        .with_reason("credentials")
    })?;
    open(dest, secret.as_deref().map(String::as_str))
}

/// The store of `dest`; `secret` is its S3 secret key, Azure account key, Google service-account
/// key (the JSON) or WebDAV password (from the keyring).
pub fn open(dest: &Destination, secret: Option<&str>) -> Result<Arc<dyn Store>> {
    open_with(dest, secret, Retries::default())
}

/// [`open`] with its own retry settings (tests use short waits).
pub fn open_with(dest: &Destination, secret: Option<&str>, retries: Retries) -> Result<Arc<dyn Store>> {
    let store = open_unlimited(dest, secret, retries)?;
    Ok(match dest.upload_limit_kib {
        Some(kib) if kib > 0 => Arc::new(Throttled::new(store, u64::from(kib) * 1024)),
        _ => store,
    })
}

fn open_unlimited(dest: &Destination, secret: Option<&str>, retries: Retries) -> Result<Arc<dyn Store>> {
    dest.validate()?;
    if dest.kind == DestinationKind::Folder {
        let path = dest.path.clone().unwrap_or_default();
        return Ok(Arc::new(LocalFolder::new(path)?));
    }
    if dest.needs_secret() && secret.is_none_or(str::is_empty) {
        let what = match dest.kind {
            DestinationKind::S3 => "secret key",
            DestinationKind::Azblob => "account key",
            DestinationKind::Gcs => "service account key",
            _ => "password",
        };
        return Err(Error::new(
            ErrorCode::RemoteFailed,
            format!("no {what} is saved for the destination {:?}", dest.name),
        )
        .with_reason("credentials"));
    }
    Ok(Arc::new(RemoteStore::new(dest, secret.unwrap_or(""), retries)?))
}

/// A store on a server, through OpenDAL.
pub struct RemoteStore {
    op: Operator,
    location: String,
    hide_by_rename: bool,
    /// The service takes an object in one request (OpenDAL's WebDAV): it is gathered whole first.
    one_shot: bool,
    /// Written as a resumable upload (Google Cloud Storage: its emulator and some proxies have no
    /// XML multipart uploads).
    resumable: bool,
}

impl std::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteStore").field("location", &self.location).finish_non_exhaustive()
    }
}

fn root_of(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() { "/".to_owned() } else { format!("/{p}/") }
}

impl RemoteStore {
    fn new(dest: &Destination, secret: &str, retries: Retries) -> Result<RemoteStore> {
        static TRANSPORT: OnceLock<()> = OnceLock::new();
        TRANSPORT.get_or_init(opendal_http_transport_reqwest::install_default);
        let root = root_of(&dest.prefix);
        let config = |e: opendal::Error| {
            Error::new(ErrorCode::InvalidInput, format!("destination {:?}: {}", dest.name, e.message()))
        };
        let (op, location, hide_by_rename) = match dest.kind {
            DestinationKind::S3 => {
                let bucket = dest.bucket.as_deref().unwrap_or_default();
                let endpoint = dest.endpoint.as_deref().unwrap_or("https://s3.amazonaws.com");
                let mut b = opendal::services::S3::default()
                    .bucket(bucket)
                    .endpoint(endpoint)
                    .region(dest.region.as_deref().unwrap_or("us-east-1"))
                    .access_key_id(dest.access_key_id.as_deref().unwrap_or_default())
                    .secret_access_key(secret)
                    .root(&root)
                    .disable_config_load();
                if !dest.path_style {
                    b = b.enable_virtual_host_style();
                }
                let location = format!("s3://{bucket}{}?endpoint={endpoint}", root.trim_end_matches('/'));
                (Operator::new(b).map_err(config)?, location, false)
            }
            DestinationKind::Azblob => {
                let account = dest.account.as_deref().unwrap_or_default();
                let container = dest.bucket.as_deref().unwrap_or_default();
                let endpoint = dest
                    .endpoint
                    .clone()
                    .unwrap_or_else(|| format!("https://{account}.blob.core.windows.net"));
                let b = opendal::services::Azblob::default()
                    .container(container)
                    .endpoint(&endpoint)
                    .account_name(account)
                    .account_key(secret)
                    .root(&root);
                let location =
                    format!("azure://{container}{}?endpoint={endpoint}", root.trim_end_matches('/'));
                (Operator::new(b).map_err(config)?, location, false)
            }
            DestinationKind::Gcs => {
                use base64::Engine as _;
                let bucket = dest.bucket.as_deref().unwrap_or_default();
                let endpoint = dest.endpoint.as_deref().unwrap_or("https://storage.googleapis.com");
                let mut b = opendal::services::Gcs::default()
                    .bucket(bucket)
                    .endpoint(endpoint)
                    .root(&root)
                    .disable_vm_metadata()
                    .disable_config_load();
                b = if dest.unsigned {
                    // A public bucket or an emulator.
                    b.skip_signature()
                } else {
                    b.credential(&base64::engine::general_purpose::STANDARD.encode(secret))
                };
                let location = format!("gs://{bucket}{}?endpoint={endpoint}", root.trim_end_matches('/'));
                (Operator::new(b).map_err(config)?, location, false)
            }
            DestinationKind::Webdav => {
                let endpoint = dest.endpoint.as_deref().unwrap_or_default();
                let mut b = opendal::services::Webdav::default().endpoint(endpoint).root(&root);
                if let Some(user) = &dest.user {
                    b = b.username(user).password(secret);
                }
                let location = format!("webdav+{endpoint}{}", root.trim_end_matches('/'));
                (Operator::new(b).map_err(config)?, location, true)
            }
            DestinationKind::Sftp => {
                let endpoint = dest.endpoint.as_deref().unwrap_or_default();
                let user = dest.user.as_deref().unwrap_or_default();
                // OpenSSH takes `host` or `ssh://host:port`.
                let url = if endpoint.starts_with("ssh://") {
                    endpoint.to_owned()
                } else {
                    format!("ssh://{endpoint}")
                };
                let mut b = opendal::services::Sftp::default()
                    .endpoint(&url)
                    .user(user)
                    .root(&root)
                    .known_hosts_strategy("accept");
                if let Some(key) = &dest.key_file {
                    b = b.key(&key.to_string_lossy());
                }
                let location = format!("sftp://{user}@{endpoint}{}", root.trim_end_matches('/'));
                (Operator::new(b).map_err(config)?, location, true)
            }
            DestinationKind::Folder => unreachable!("a folder is a LocalFolder"),
        };
        let op = op
            .layer(TimeoutLayer::new().with_timeout(retries.timeout).with_io_timeout(retries.timeout))
            .layer(
                RetryLayer::new()
                    .with_max_times(retries.times)
                    .with_min_delay(retries.min_delay)
                    .with_max_delay(retries.max_delay)
                    .with_jitter(),
            );
        // OpenDAL's WebDAV writer sends an object in one PUT and refuses a second write.
        let one_shot = dest.kind == DestinationKind::Webdav;
        let resumable = dest.kind == DestinationKind::Gcs;
        Ok(RemoteStore { op, location, hide_by_rename, one_shot, resumable })
    }

    fn block<T>(&self, f: impl std::future::Future<Output = opendal::Result<T>>, what: &str) -> Result<T> {
        runtime().block_on(f).map_err(|e| remote_error(&e, &self.location, what))
    }
}

/// `text` without the addresses in it (the store's location, each `uri: …`), so that a port
/// (`:40507`) or a bucket's name never reads as a reason (`507`, `certificate`).
fn without_addresses(text: &str, location: &str) -> String {
    let mut out = if location.is_empty() { text.to_owned() } else { text.replace(location, "") };
    while let Some(at) = out.find("uri: ") {
        let end = out[at..].find([',', '}']).map_or(out.len(), |n| at + n);
        out.replace_range(at..end, "");
    }
    out
}

/// The engine error for an OpenDAL error, with the reason a person can act on.
fn remote_error(e: &opendal::Error, location: &str, what: &str) -> Error {
    let mut text = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    let lower = without_addresses(&text, location).to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(&w.to_ascii_lowercase()));
    let reason = if has(&["RequestTimeTooSkewed", "clock skew", "RequestExpired"]) {
        "clock_skew"
    } else if has(&["certificate", "self signed", "self-signed", "unknown issuer", "tls handshake"]) {
        "certificate"
    } else if has(&["NoSuchBucket", "bucket does not exist", "InvalidBucketName", "ContainerNotFound"]) {
        "no_bucket"
    } else if has(&["QuotaExceeded", "Insufficient Storage", "status: 507", "EntityTooLarge", "StorageFull"])
    {
        "quota"
    } else if e.kind() == ErrorKind::PermissionDenied
        || has(&[
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "AccessDenied",
            "AuthenticationFailed",
            "AuthorizationFailure",
            "401 Unauthorized",
            "Unauthorized",
            // OpenSSH: "Permission denied (publickey)", "(password,publickey)".
            "Permission denied (",
        ])
    {
        "credentials"
    } else if has(&["timed out", "timeout", "deadline"]) {
        "timeout"
    } else if has(&[
        "connection refused",
        "dns error",
        "failed to lookup",
        "error trying to connect",
        "client error (connect)",
        "network is unreachable",
        "no route to host",
        "connection reset",
        "could not resolve",
        "connect to host",
        "broken pipe",
    ]) {
        "unreachable"
    } else {
        "server"
    };
    let said = match reason {
        "clock_skew" => "the server says this computer's clock is wrong",
        "certificate" => "the server's certificate is not trusted",
        "no_bucket" => "there is no such bucket",
        "quota" => "the storage is full or over its quota",
        "credentials" => "the server refused the login (check the key or the user and password)",
        "timeout" => "the server did not answer in time",
        "unreachable" => "the server cannot be reached",
        _ => "the server failed",
    };
    let detail = text;
    Error::new(ErrorCode::RemoteFailed, format!("{what} {location}: {said} ({detail})")).with_reason(reason)
}

fn not_found(e: &opendal::Error) -> bool {
    e.kind() == ErrorKind::NotFound
}

fn to_time(t: Option<opendal::raw::Timestamp>) -> Option<DateTime<Utc>> {
    t.map(|t| DateTime::<Utc>::from(std::time::SystemTime::from(t)))
}

fn partial_name(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{PARTIAL}{}-{nanos:x}-{}-{name}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

impl Store for RemoteStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn list(&self) -> Result<Vec<StoreEntry>> {
        let entries = match runtime().block_on(self.op.list("/")) {
            Ok(v) => v,
            // A prefix nothing was written under yet is an empty store on servers with folders.
            Err(e) if not_found(&e) && self.hide_by_rename => return Ok(Vec::new()),
            // Object stores list a prefix nothing was written under as empty: a 404 is the bucket
            // (or container) itself missing, whatever words the server puts with it.
            Err(e) if not_found(&e) => {
                return Err(Error::new(
                    ErrorCode::RemoteFailed,
                    format!("cannot list {}: there is no such bucket ({e})", self.location),
                )
                .with_reason("no_bucket"));
            }
            Err(e) => return Err(remote_error(&e, &self.location, "cannot list")),
        };
        let mut out = Vec::new();
        for entry in entries {
            let meta = entry.metadata();
            let name = entry.name();
            if !meta.is_file() || keepsake_engine::store::check_name(name).is_err() {
                continue;
            }
            out.push(StoreEntry {
                name: name.to_owned(),
                size: meta.content_length(),
                modified: to_time(meta.last_modified()),
            });
        }
        Ok(out)
    }

    fn stat(&self, name: &str) -> Result<Option<StoreEntry>> {
        keepsake_engine::store::check_name(name)?;
        match runtime().block_on(self.op.stat(name)) {
            Ok(m) if m.is_file() => Ok(Some(StoreEntry {
                name: name.to_owned(),
                size: m.content_length(),
                modified: to_time(m.last_modified()),
            })),
            Ok(_) => Ok(None),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(remote_error(&e, &self.location, "cannot read")),
        }
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        let size = match self.stat(name)? {
            Some(e) => e.size,
            None => {
                return Err(Error::new(ErrorCode::BackupNotFound, format!("no {name} in {}", self.location))
                    .with_backup(name));
            }
        };
        Ok(Box::new(RemoteRead {
            op: self.op.clone(),
            location: self.location.clone(),
            name: name.to_owned(),
            size,
            offset: 0,
            buf: Vec::new(),
            pos: 0,
        }))
    }

    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        keepsake_engine::store::check_name(name)?;
        let Some(e) = self.stat(name)? else {
            return Err(Error::new(ErrorCode::BackupNotFound, format!("no {name} in {}", self.location))
                .with_backup(name));
        };
        let end = e.size.min(offset.saturating_add(len as u64));
        if offset >= end {
            return Ok(Vec::new());
        }
        let buf = self.block(self.op.read_with(name).range(offset..end).into_future(), "cannot read")?;
        Ok(buf.to_vec())
    }

    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        keepsake_engine::store::check_name(name)?;
        let target = if self.hide_by_rename { partial_name(name) } else { name.to_owned() };
        let writer = if self.one_shot {
            self.block(self.op.writer(&target), "cannot write to")?
        } else if self.resumable {
            // A resumable upload, one piece after the other, kept by the server only when whole;
            // and the server itself refuses to replace an object (`ifGenerationMatch=0`).
            self.block(
                self.op.writer_with(&target).chunk(PART_SIZE).if_not_exists(true).into_future(),
                "cannot write to",
            )?
        } else {
            self.block(
                self.op.writer_with(&target).chunk(PART_SIZE).concurrent(PARTS_IN_FLIGHT).into_future(),
                "cannot write to",
            )?
        };
        Ok(Box::new(RemoteWrite {
            op: self.op.clone(),
            location: self.location.clone(),
            name: name.to_owned(),
            target,
            writer: Some(writer),
            pending: Vec::with_capacity(PART_SIZE),
            hide_by_rename: self.hide_by_rename,
            one_shot: self.one_shot,
        }))
    }

    fn delete(&self, name: &str) -> Result<()> {
        keepsake_engine::store::check_name(name)?;
        match runtime().block_on(self.op.delete(name)) {
            Ok(()) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(remote_error(&e, &self.location, "cannot delete from")),
        }
    }

    fn tidy(&self) {
        if !self.hide_by_rename {
            return;
        }
        // Partial objects a writer that died left behind, once surely abandoned (a day old:
        // another computer may be writing to the same place right now).
        let Ok(entries) = runtime().block_on(self.op.list("/")) else { return };
        let day_ago = Utc::now() - chrono::Duration::days(1);
        for entry in entries {
            let old = to_time(entry.metadata().last_modified()).is_some_and(|t| t < day_ago);
            if entry.name().starts_with(PARTIAL) && old {
                let _ = runtime().block_on(self.op.delete(entry.path()));
            }
        }
    }
}

/// Reads an object from its start, one request of [`PART_SIZE`] bytes at a time.
struct RemoteRead {
    op: Operator,
    location: String,
    name: String,
    size: u64,
    offset: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for RemoteRead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            if self.offset >= self.size {
                return Ok(0);
            }
            let end = self.size.min(self.offset + PART_SIZE as u64);
            let got = runtime()
                .block_on(self.op.read_with(&self.name).range(self.offset..end).into_future())
                .map_err(|e| io::Error::other(remote_error(&e, &self.location, "cannot read")))?;
            self.buf = got.to_vec();
            self.pos = 0;
            if self.buf.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the object ended early"));
            }
            self.offset += self.buf.len() as u64;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// An object being written; see the crate's documentation for how it stays invisible.
struct RemoteWrite {
    op: Operator,
    location: String,
    name: String,
    target: String,
    writer: Option<opendal::Writer>,
    pending: Vec<u8>,
    hide_by_rename: bool,
    one_shot: bool,
}

impl RemoteWrite {
    fn err(&self, e: &opendal::Error) -> io::Error {
        io::Error::other(remote_error(e, &self.location, "cannot write to"))
    }

    fn send(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(PART_SIZE));
        let Some(w) = self.writer.as_mut() else {
            return Err(io::Error::other("the upload was already ended"));
        };
        match runtime().block_on(w.write(chunk)) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.err(&e)),
        }
    }

    fn abort(&mut self) {
        if let Some(mut w) = self.writer.take() {
            let _ = runtime().block_on(w.abort());
        }
        if self.hide_by_rename {
            let _ = runtime().block_on(self.op.delete(&self.target));
        }
    }
}

impl Write for RemoteWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.one_shot {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        }
        let room = PART_SIZE - self.pending.len();
        let n = buf.len().min(room);
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == PART_SIZE {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl StoreWrite for RemoteWrite {
    fn commit(mut self: Box<Self>) -> Result<()> {
        if let Err(e) = self.send() {
            self.abort();
            return Err(Error::carried(e).unwrap_or_else(|e| {
                Error::new(ErrorCode::Io, format!("cannot write to {}: {e}", self.location))
            }));
        }
        let taken = |s: &RemoteWrite| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("{} already holds an object named {}; it is not replaced", s.location, s.name),
            )
        };
        // Never over an existing object (checked as late as the protocols allow: S3 has no
        // rename, and its conditional write is not kept by every S3-compatible server).
        match runtime().block_on(self.op.stat(&self.name)) {
            Ok(_) => {
                self.abort();
                return Err(taken(&self));
            }
            Err(e) if not_found(&e) => {}
            Err(e) => {
                let err = remote_error(&e, &self.location, "cannot write to");
                self.abort();
                return Err(err);
            }
        }
        let Some(mut w) = self.writer.take() else {
            return Err(Error::new(ErrorCode::Io, "the upload was already ended"));
        };
        if let Err(e) = runtime().block_on(w.close()) {
            let err = remote_error(&e, &self.location, "cannot write to");
            let _ = runtime().block_on(w.abort());
            self.abort();
            return Err(err);
        }
        if self.hide_by_rename
            && let Err(e) = runtime().block_on(self.op.rename(&self.target, &self.name))
        {
            let err = remote_error(&e, &self.location, "cannot write to");
            self.abort();
            return Err(err);
        }
        Ok(())
    }
}

impl Drop for RemoteWrite {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_or_a_bucket_name_never_reads_as_a_reason() {
        // Seen once: a refused signature on port 40507 read as "507 Insufficient Storage".
        let location = "s3://certificate-backups/laptop?endpoint=http://127.0.0.1:40507";
        let refused =
            opendal::Error::new(ErrorKind::PermissionDenied, "S3Error { code: \"SignatureDoesNotMatch\" }")
                .with_context("uri", "http://127.0.0.1:40507/certificate-backups?list-type=2&prefix=laptop/")
                .with_context("response", "Parts { status: 403, version: HTTP/1.1 }");
        let e = remote_error(&refused, location, "list");
        assert_eq!(e.facts().reason.as_deref(), Some("credentials"), "{e}");
        let full = opendal::Error::new(ErrorKind::Unexpected, "upload failed")
            .with_context("uri", "http://127.0.0.1:8080/b/x")
            .with_context("response", "Parts { status: 507, version: HTTP/1.1 }");
        assert_eq!(remote_error(&full, location, "write").facts().reason.as_deref(), Some("quota"));
    }
}
