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
//!   `remote_failed` with a reason that says what to fix;
//! - a server cannot make Keepsake hold more than it asked for, nor wait forever: a listing is
//!   taken page by page up to [`MAX_LISTED`] names (and ends at a name given twice), a read
//!   keeps the bytes it asked for and drops the connection, a WebDAV upload is sent from a
//!   staged file, and every call ends at its overall deadline ([`Retries::deadline`]) or at once
//!   when [`interrupt()`] is called (Stop, Ctrl-C, SIGTERM).
//!
//! Secrets are given by the caller (from the OS keyring); they are never part of a location,
//! a message or a `Debug` output.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::io::{self, Read, Seek, Write};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use keepsake_model::destinations::{Destination, DestinationKind};
use keepsake_model::error::Reason;
use keepsake_model::error::{Error, ErrorCode, Result};
use keepsake_store::store::{LocalFolder, Store, StoreEntry, StoreWrite, Throttled};
use opendal::layers::{RetryLayer, TimeoutLayer};
use opendal::{ErrorKind, Operator};
use tokio::runtime::Runtime;
use zeroize::Zeroizing;

pub mod hostkey;
pub mod interrupt;
pub mod secrets;
pub use interrupt::interrupt;
#[cfg(feature = "testing")]
pub mod testing;

/// Size of one part of a multipart upload, and of one read request.
pub const PART_SIZE: usize = 8 << 20;
/// Parts in flight at once during an upload.
pub const PARTS_IN_FLIGHT: usize = 4;
/// The prefix of an object being written where objects cannot be hidden until complete.
const PARTIAL: &str = ".keepsake-partial-";
/// The most names one listing takes from a server. Far more backups than anyone keeps, and a
/// bound on what a server that never ends its listing can make Keepsake hold (about 100 bytes
/// a name).
pub const MAX_LISTED: usize = 1_000_000;
/// One piece of a WebDAV upload read from its staged file.
const UPLOAD_PIECE: usize = 256 << 10;
/// The slowest upload a WebDAV PUT is given time for beyond [`Retries::deadline`] (bytes a
/// second): a large object on a slow line is not cut at the deadline, and a server that stops
/// taking bytes is caught sooner by the stall check ([`Retries::timeout`] with nothing sent).
const SLOWEST_UPLOAD: u64 = 64 << 10;

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
    /// The longest one call may take whatever its retries do (a listing of every page, a read, a
    /// part of an upload, with their retries); past it the call fails with the reason `timeout`.
    /// A WebDAV upload, sent in one request, gets more time for its size.
    pub deadline: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            times: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
            // Enough for a part of PARTS_IN_FLIGHT parallel uploads on a slow line with every
            // retry (8 MiB at 64 KiB/s is about 2 minutes).
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

/// `d` in words: "15 min", "2 s", "300 ms".
fn in_words(d: Duration) -> String {
    if d.as_secs() >= 120 {
        format!("{} min", d.as_secs() / 60)
    } else if d.as_secs() >= 1 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Runs one remote call on the runtime until it is done, [`interrupt()`] is called (it fails
/// with `cancelled`) or `deadline` passes (`remote_failed`, reason `timeout`). Every wait on a
/// server goes through here, so that Stop, Ctrl-C and SIGTERM end it at once.
fn run<T>(fut: impl Future<Output = T>, deadline: Duration, location: &str, what: &str) -> Result<T> {
    match runtime().block_on(interrupt::interruptible(fut, deadline)) {
        Ok(out) => Ok(out),
        Err(interrupt::Stopped::Interrupted) => Err(Error::new(ErrorCode::Cancelled, "cancelled")),
        Err(interrupt::Stopped::Deadline) => Err(Error::new(
            ErrorCode::RemoteFailed,
            format!(
                "{what} {location}: the server did not finish in {} (the longest one call may take)",
                in_words(deadline)
            ),
        )
        .with_reason(Reason::Timeout)),
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
        .with_reason(Reason::Server));
    }
    Ok(())
}

/// Opens destinations with their saved secrets, for the background copier
/// (the engine's `scheduler::copies::Copier`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SavedSecrets;

impl keepsake_store::store::DestinationOpener for SavedSecrets {
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
        .with_reason(Reason::Credentials)
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
        // Its waits end at once when the host stops remote work ([`interrupt::interrupt`]).
        Some(kib) if kib > 0 => Arc::new(Throttled::with_wait(
            store,
            u64::from(kib) * 1024,
            Arc::new(|d| interrupt::block_until(d, || None::<()>) == Err(interrupt::Stopped::Interrupted)),
        )),
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
        .with_reason(Reason::Credentials));
    }
    Ok(Arc::new(RemoteStore::new(dest, secret.unwrap_or(""), retries)?))
}

/// A store on a server, through OpenDAL.
pub struct RemoteStore {
    op: Operator,
    location: String,
    hide_by_rename: bool,
    /// The overall deadline of one call ([`Retries::deadline`]).
    deadline: Duration,
    /// WebDAV: OpenDAL's writer takes an object in memory, whole, and sends it in one request;
    /// Keepsake stages it in a private temp file and sends it from there itself.
    dav: Option<Arc<Dav>>,
    /// Written as a resumable upload (Google Cloud Storage: its emulator and some proxies have no
    /// XML multipart uploads).
    resumable: bool,
    /// SFTP: the known-hosts file `ssh` checks the server against, kept while the store lives.
    _known_hosts: Option<hostkey::KnownHostsFile>,
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
        TRANSPORT.get_or_init(|| {
            opendal::HttpTransporter::install_default(CappedTransport(
                opendal_http_transport_reqwest::ReqwestTransport::default(),
            ));
        });
        let root = root_of(&dest.prefix);
        let config = |e: opendal::Error| {
            Error::new(ErrorCode::InvalidInput, format!("destination {:?}: {}", dest.name, e.message()))
        };
        let mut known_hosts = None;
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
                    // Checked again however it came (the keyring, KEEPSAKE_DEST_SECRET_<NAME>), and
                    // only the rebuilt minimal key goes on: any other kind of Google credential
                    // makes the signer read local files and send them where the file says.
                    let key = secrets::google_key(secret).map_err(|why| {
                        Error::new(
                            ErrorCode::RemoteFailed,
                            format!(
                                "the key saved for the destination {:?} (in the OS keyring or {}) {why}",
                                dest.name,
                                secrets::env_name(&dest.name)
                            ),
                        )
                        .with_reason(Reason::Credentials)
                    })?;
                    b.credential(&base64::engine::general_purpose::STANDARD.encode(key.as_bytes()))
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
                // The server must show the key kept when the destination was added, and `ssh`
                // itself then holds it to that key alone (see `hostkey`).
                let kept = hostkey::verify(dest)?;
                let file = hostkey::KnownHostsFile::write(dest, &kept)?;
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
                    .known_hosts_strategy("strict")
                    .known_hosts_file(&file.path().to_string_lossy());
                if let Some(key) = &dest.key_file {
                    b = b.key(&key.to_string_lossy());
                }
                let location = format!("sftp://{user}@{endpoint}{}", root.trim_end_matches('/'));
                known_hosts = Some(file);
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
        let dav = if dest.kind == DestinationKind::Webdav {
            Some(Arc::new(Dav::new(dest, &root, secret, retries)?))
        } else {
            None
        };
        let resumable = dest.kind == DestinationKind::Gcs;
        Ok(RemoteStore {
            op,
            location,
            hide_by_rename,
            deadline: retries.deadline,
            dav,
            resumable,
            _known_hosts: known_hosts,
        })
    }

    fn block<T>(&self, f: impl Future<Output = opendal::Result<T>>, what: &str) -> Result<T> {
        run(f, self.deadline, &self.location, what)?.map_err(|e| remote_error(&e, &self.location, what))
    }

    /// The objects at the top of the store, or why the listing stopped.
    fn listing(&self) -> Result<std::result::Result<Vec<StoreEntry>, ListStop>> {
        run(list_files(&self.op), self.deadline, &self.location, "cannot list")
    }
}

/// What ended a listing before the server said it was whole.
enum ListStop {
    Failed(opendal::Error),
    /// More than [`MAX_LISTED`] names.
    TooMany,
    /// The server gave this name a second time (it repeats its pages instead of ending them).
    Repeated(String),
}

/// Most bytes of one answer from a server. OpenDAL reads a listing page, a WebDAV PROPFIND
/// answer or an error's body whole before anything of Keepsake's sees it; a server that sends
/// one without end must not fill memory. Reads ask for at most [`PART_SIZE`] bytes at a time and
/// stop at what they asked for ([`read_capped`]), so no honest answer comes near this.
pub const MAX_ANSWER: u64 = 4 * PART_SIZE as u64;

/// The HTTP transport OpenDAL speaks through (reqwest, the system's TLS), with every answer's
/// body cut off at [`MAX_ANSWER`] bytes: past it the body ends in an error.
struct CappedTransport(opendal_http_transport_reqwest::ReqwestTransport);

impl opendal::HttpTransport for CappedTransport {
    async fn fetch(
        &self,
        req: http::Request<opendal::Buffer>,
    ) -> opendal::Result<http::Response<opendal::HttpBody>> {
        let answer = self.0.fetch(req).await?;
        Ok(answer.map(|body| {
            body.map_inner(|inner| Box::new(CappedBody { inner, left: MAX_ANSWER, done: false }))
        }))
    }
}

type BodyStream = Box<dyn futures::Stream<Item = opendal::Result<opendal::Buffer>> + Send + Sync + Unpin>;

/// An answer's body that ends in an error once it passed [`MAX_ANSWER`] bytes.
struct CappedBody {
    inner: BodyStream,
    left: u64,
    done: bool,
}

impl futures::Stream for CappedBody {
    type Item = opendal::Result<opendal::Buffer>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.done {
            return Poll::Ready(None);
        }
        match std::pin::Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(piece))) => {
                let n = piece.len() as u64;
                if n > self.left {
                    self.done = true;
                    return Poll::Ready(Some(Err(opendal::Error::new(
                        ErrorKind::Unexpected,
                        format!(
                            "the server's answer went on past {} MiB, more than any it should send",
                            MAX_ANSWER >> 20
                        ),
                    ))));
                }
                self.left -= n;
                Poll::Ready(Some(Ok(piece)))
            }
            other => other,
        }
    }
}

/// Most bytes of names one listing holds (with [`MAX_LISTED`]: a million names of a kilobyte
/// each would be a gigabyte, twice).
pub const MAX_LISTED_BYTES: usize = 64 << 20;

/// The files at the top of the store (any name: the caller checks them), taken page by page as
/// the server gives them: at most [`MAX_LISTED`] names, and never the same name twice.
async fn list_files(op: &Operator) -> std::result::Result<Vec<StoreEntry>, ListStop> {
    use futures::StreamExt as _;
    let mut lister = op.lister("/").await.map_err(ListStop::Failed)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut bytes = 0usize;
    while let Some(entry) = lister.next().await {
        let entry = entry.map_err(ListStop::Failed)?;
        bytes = bytes.saturating_add(entry.path().len());
        if seen.len() >= MAX_LISTED || bytes > MAX_LISTED_BYTES {
            return Err(ListStop::TooMany);
        }
        if !seen.insert(entry.path().to_owned()) {
            return Err(ListStop::Repeated(entry.path().to_owned()));
        }
        let meta = entry.metadata();
        if meta.is_file() {
            out.push(StoreEntry {
                name: entry.name().to_owned(),
                size: meta.content_length(),
                modified: to_time(meta.last_modified()),
            });
        }
    }
    Ok(out)
}

/// `len` bytes of `name` from `offset`, taken from the server's answer as it streams in: what
/// the server sends beyond them is never held (the connection is dropped), whatever it said
/// its length is. Fewer bytes when the object (or the answer) ends first.
async fn read_capped(op: &Operator, name: &str, offset: u64, len: u64) -> opendal::Result<Vec<u8>> {
    use futures::StreamExt as _;
    let want = usize::try_from(len).unwrap_or(usize::MAX);
    let mut stream = op.reader(name).await?.into_stream(offset..offset.saturating_add(len)).await?;
    let mut out = Vec::with_capacity(want.min(PART_SIZE));
    while out.len() < want {
        let Some(piece) = stream.next().await else { break };
        for bytes in piece? {
            let room = want - out.len();
            out.extend_from_slice(&bytes[..bytes.len().min(room)]);
            if out.len() == want {
                break;
            }
        }
    }
    Ok(out)
}

/// What a WebDAV upload needs to send an object itself, from its staged file: the URL OpenDAL
/// uses for the same object, and the login.
struct Dav {
    client: reqwest::Client,
    endpoint: String,
    /// The prefix as OpenDAL keeps it (`/` or `/a/b/`).
    root: String,
    user: Option<String>,
    password: Zeroizing<String>,
    retries: Retries,
}

impl Dav {
    fn new(dest: &Destination, root: &str, secret: &str, retries: Retries) -> Result<Dav> {
        // No redirects: an upload goes to the address the person gave, and a server cannot send
        // the login (or the body) somewhere else.
        let client = reqwest::Client::builder()
            .connect_timeout(retries.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorCode::Io,
                    format!("destination {:?}: cannot start an HTTP client: {e}", dest.name),
                )
            })?;
        Ok(Dav {
            client,
            // As OpenDAL's builder keeps it: without a trailing slash.
            endpoint: dest.endpoint.as_deref().unwrap_or_default().trim_end_matches('/').to_owned(),
            root: root.to_owned(),
            user: dest.user.clone(),
            password: Zeroizing::new(secret.to_owned()),
            retries,
        })
    }

    fn url(&self, target: &str) -> String {
        let path = opendal::raw::build_rooted_abs_path(&self.root, target);
        format!("{}{}", self.endpoint, opendal::raw::percent_encode_path(&path))
    }

    /// PUTs the staged file as `target`, again from its start after a failure that may pass
    /// (as OpenDAL's retry layer does for its own requests).
    async fn put(&self, staged: &std::fs::File, size: u64, target: &str) -> opendal::Result<()> {
        let mut delay = self.retries.min_delay;
        let mut attempt = 0;
        loop {
            match self.put_once(staged, size, target).await {
                Err(e) if e.is_temporary() && attempt < self.retries.times => {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(self.retries.max_delay);
                }
                done => return done,
            }
        }
    }

    async fn put_once(&self, staged: &std::fs::File, size: u64, target: &str) -> opendal::Result<()> {
        use std::sync::atomic::{AtomicU64, Ordering};
        let unreadable = |e: io::Error| {
            opendal::Error::new(ErrorKind::Unexpected, "cannot read the staged upload back").set_source(e)
        };
        // A clone shares the offset; attempts run one after the other.
        let mut file = staged.try_clone().map_err(unreadable)?;
        file.seek(io::SeekFrom::Start(0)).map_err(unreadable)?;
        let sent = Arc::new(AtomicU64::new(0));
        let counter = sent.clone();
        let body = futures::stream::unfold(tokio::fs::File::from_std(file), move |mut f| {
            let counter = counter.clone();
            async move {
                use tokio::io::AsyncReadExt as _;
                let mut buf = vec![0; UPLOAD_PIECE];
                match f.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        counter.fetch_add(n as u64, Ordering::Relaxed);
                        Some((Ok(buf), f))
                    }
                    Err(e) => Some((Err(e), f)),
                }
            }
        });
        let mut req = self
            .client
            .put(self.url(target))
            .header(reqwest::header::CONTENT_LENGTH, size)
            .body(reqwest::Body::wrap_stream(body));
        if let Some(user) = &self.user {
            req = req.basic_auth(user, Some(self.password.as_str()));
        }
        let send = req.send();
        tokio::pin!(send);
        // A server that stops taking bytes (or, once it has them all, does not answer) for a
        // whole request timeout has stalled: the upload fails (and is tried again) rather than
        // waiting for the overall deadline.
        let mut seen = 0;
        let answer = loop {
            tokio::select! {
                answer = &mut send => break answer,
                () = tokio::time::sleep(self.retries.timeout) => {
                    let now = sent.load(Ordering::Relaxed);
                    if now == seen {
                        return Err(opendal::Error::new(
                            ErrorKind::Unexpected,
                            format!(
                                "the server took nothing more and did not answer for {}: timed out",
                                in_words(self.retries.timeout)
                            ),
                        )
                        .set_temporary());
                    }
                    seen = now;
                }
            }
        };
        let answer = answer.map_err(|e| {
            opendal::Error::new(ErrorKind::Unexpected, "the upload did not go through")
                .set_source(e.without_url())
                .set_temporary()
        })?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let kind = match status.as_u16() {
            401 | 403 => ErrorKind::PermissionDenied,
            404 | 409 => ErrorKind::NotFound,
            _ => ErrorKind::Unexpected,
        };
        let e =
            opendal::Error::new(kind, format!("the server refused the upload (status: {})", status.as_u16()))
                .with_context("response", format!("status: {}", status.as_u16()));
        // 507 is a full disk, not a passing failure.
        Err(if status.is_server_error() && status.as_u16() != 507 { e.set_temporary() } else { e })
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
    let reason = if has(&["Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED"]) {
        // `ssh` refused the server against Keepsake's known-hosts file (see `hostkey`).
        Reason::HostKeyChanged
    } else if has(&["RequestTimeTooSkewed", "clock skew", "RequestExpired"]) {
        Reason::ClockSkew
    } else if has(&["certificate", "self signed", "self-signed", "unknown issuer", "tls handshake"]) {
        Reason::Certificate
    } else if has(&["NoSuchBucket", "bucket does not exist", "InvalidBucketName", "ContainerNotFound"]) {
        Reason::NoBucket
    } else if has(&["QuotaExceeded", "Insufficient Storage", "status: 507", "EntityTooLarge", "StorageFull"])
    {
        Reason::Quota
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
        Reason::Credentials
    } else if has(&["timed out", "timeout", "deadline"]) {
        Reason::Timeout
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
        Reason::Unreachable
    } else {
        Reason::Server
    };
    let said = match reason {
        Reason::HostKeyChanged => {
            "the server's identity changed: it did not prove it holds the host key Keepsake kept for it, \
             so nothing was sent (if you changed the server, remove and add the destination again)"
        }
        Reason::ClockSkew => "the server says this computer's clock is wrong",
        Reason::Certificate => "the server's certificate is not trusted",
        Reason::NoBucket => "there is no such bucket",
        Reason::Quota => "the storage is full or over its quota",
        Reason::Credentials => "the server refused the login (check the key or the user and password)",
        Reason::Timeout => "the server did not answer in time",
        Reason::Unreachable => "the server cannot be reached",
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
        let entries = match self.listing()? {
            Ok(v) => v,
            // A prefix nothing was written under yet is an empty store on servers with folders.
            Err(ListStop::Failed(e)) if not_found(&e) && self.hide_by_rename => return Ok(Vec::new()),
            // Object stores list a prefix nothing was written under as empty: a 404 is the bucket
            // (or container) itself missing, whatever words the server puts with it.
            Err(ListStop::Failed(e)) if not_found(&e) => {
                return Err(Error::new(
                    ErrorCode::RemoteFailed,
                    format!("cannot list {}: there is no such bucket ({e})", self.location),
                )
                .with_reason(Reason::NoBucket));
            }
            Err(ListStop::Failed(e)) => return Err(remote_error(&e, &self.location, "cannot list")),
            Err(ListStop::TooMany) => {
                return Err(Error::new(
                    ErrorCode::RemoteFailed,
                    format!(
                        "cannot list {}: the server listed more than {MAX_LISTED} names (or {} MiB of names) and did not end; \
                         Keepsake stops there (a server this broken or hostile is not used)",
                        self.location,
                        MAX_LISTED_BYTES >> 20
                    ),
                )
                .with_reason(Reason::Server));
            }
            Err(ListStop::Repeated(name)) => {
                return Err(Error::new(
                    ErrorCode::RemoteFailed,
                    format!(
                        "cannot list {}: the server listed {name:?} twice (it repeats its listing \
                         instead of ending it)",
                        self.location
                    ),
                )
                .with_reason(Reason::Server));
            }
        };
        Ok(entries.into_iter().filter(|e| keepsake_store::store::check_name(&e.name).is_ok()).collect())
    }

    fn stat(&self, name: &str) -> Result<Option<StoreEntry>> {
        keepsake_store::store::check_name(name)?;
        match run(self.op.stat(name), self.deadline, &self.location, "cannot read")? {
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
            deadline: self.deadline,
            name: name.to_owned(),
            size,
            offset: 0,
            buf: Vec::new(),
            pos: 0,
        }))
    }

    fn read_range(&self, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        keepsake_store::store::check_name(name)?;
        let Some(e) = self.stat(name)? else {
            return Err(Error::new(ErrorCode::BackupNotFound, format!("no {name} in {}", self.location))
                .with_backup(name));
        };
        let end = e.size.min(offset.saturating_add(len as u64));
        if offset >= end {
            return Ok(Vec::new());
        }
        self.block(read_capped(&self.op, name, offset, end - offset), "cannot read")
    }

    fn create(&self, name: &str) -> Result<Box<dyn StoreWrite>> {
        keepsake_store::store::check_name(name)?;
        let target = if self.hide_by_rename { partial_name(name) } else { name.to_owned() };
        let writer = if let Some(dav) = &self.dav {
            // Staged on this computer's disk, readable by this user only, removed when closed
            // (it has no name to leave behind on Linux).
            let file = tempfile::tempfile().map_err(|e| {
                Error::new(
                    ErrorCode::Io,
                    format!(
                        "cannot stage an upload to {} in {}: {e}",
                        self.location,
                        std::env::temp_dir().display()
                    ),
                )
            })?;
            Sink::Staged { file, size: 0, dav: dav.clone() }
        } else if self.resumable {
            // A resumable upload, one piece after the other, kept by the server only when whole;
            // and the server itself refuses to replace an object (`ifGenerationMatch=0`).
            Sink::Writer(self.block(
                self.op.writer_with(&target).chunk(PART_SIZE).if_not_exists(true).into_future(),
                "cannot write to",
            )?)
        } else {
            Sink::Writer(self.block(
                self.op.writer_with(&target).chunk(PART_SIZE).concurrent(PARTS_IN_FLIGHT).into_future(),
                "cannot write to",
            )?)
        };
        Ok(Box::new(RemoteWrite {
            op: self.op.clone(),
            location: self.location.clone(),
            deadline: self.deadline,
            name: name.to_owned(),
            target,
            sink: Some(writer),
            pending: Vec::new(),
            hide_by_rename: self.hide_by_rename,
            started: interrupt::generation(),
        }))
    }

    fn delete(&self, name: &str) -> Result<()> {
        keepsake_store::store::check_name(name)?;
        match run(self.op.delete(name), self.deadline, &self.location, "cannot delete from")? {
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
        // The same bounded listing as `list`: a server that never ends it ends the tidying.
        let Ok(Ok(entries)) = self.listing() else { return };
        let day_ago = Utc::now() - chrono::Duration::days(1);
        for entry in entries {
            let old = entry.modified.is_some_and(|t| t < day_ago);
            if entry.name.starts_with(PARTIAL) && old {
                // Stopped (an interrupt, the deadline): the rest waits for the next pass.
                if run(self.op.delete(&entry.name), self.deadline, &self.location, "cannot delete from")
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Reads an object from its start, one request of [`PART_SIZE`] bytes at a time (never holding
/// more than that, whatever the server sends).
struct RemoteRead {
    op: Operator,
    location: String,
    deadline: Duration,
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
            let len = (self.size - self.offset).min(PART_SIZE as u64);
            let read = read_capped(&self.op, &self.name, self.offset, len);
            self.buf = run(read, self.deadline, &self.location, "cannot read")
                .map_err(io::Error::other)?
                .map_err(|e| io::Error::other(remote_error(&e, &self.location, "cannot read")))?;
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

/// Where the bytes of an object being written go.
enum Sink {
    /// OpenDAL's writer: parts of a multipart upload, blocks, a resumable upload, an SFTP file.
    Writer(opendal::Writer),
    /// WebDAV: a private temp file, sent in one streamed PUT when committed.
    Staged { file: std::fs::File, size: u64, dav: Arc<Dav> },
}

/// An object being written; see the crate's documentation for how it stays invisible.
struct RemoteWrite {
    op: Operator,
    location: String,
    deadline: Duration,
    name: String,
    target: String,
    sink: Option<Sink>,
    pending: Vec<u8>,
    hide_by_rename: bool,
    /// [`interrupt::generation`] when the upload began.
    started: u64,
}

/// How long removing a stopped upload may take once Stop, Ctrl-C or SIGTERM came: the program
/// must end at once. What is left is removed later: a `.keepsake-partial-` object by `tidy` once
/// it is a day old; an unfinished S3 multipart upload is never listed, and the bucket's own
/// lifecycle rule for incomplete uploads (most providers set one) removes it.
const CLEANUP_AFTER_STOP: Duration = Duration::from_secs(1);

impl RemoteWrite {
    fn err(&self, e: &opendal::Error) -> io::Error {
        io::Error::other(remote_error(e, &self.location, "cannot write to"))
    }

    /// The deadline of a call that removes what this upload sent.
    fn cleanup_deadline(&self) -> Duration {
        if interrupt::generation() == self.started { self.deadline } else { CLEANUP_AFTER_STOP }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(PART_SIZE));
        let Some(Sink::Writer(w)) = self.sink.as_mut() else {
            return Err(io::Error::other("the upload was already ended"));
        };
        match run(w.write(chunk), self.deadline, &self.location, "cannot write to")
            .map_err(io::Error::other)?
        {
            Ok(()) => Ok(()),
            Err(e) => Err(self.err(&e)),
        }
    }

    fn abort(&mut self) {
        let deadline = self.cleanup_deadline();
        if let Some(Sink::Writer(mut w)) = self.sink.take() {
            let _ = run(w.abort(), deadline, &self.location, "cannot write to");
        }
        if self.hide_by_rename {
            let _ = run(self.op.delete(&self.target), deadline, &self.location, "cannot delete from");
        }
    }

    /// Ends an upload that failed with `err`: what was sent is removed.
    fn failed(&mut self, err: Error) -> Result<()> {
        self.abort();
        Err(err)
    }
}

impl Write for RemoteWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(Sink::Staged { file, size, .. }) = self.sink.as_mut() {
            file.write_all(buf).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot stage the upload in {}: {e}", std::env::temp_dir().display()),
                )
            })?;
            *size += buf.len() as u64;
            return Ok(buf.len());
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(PART_SIZE);
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
            let err = Error::carried(e).unwrap_or_else(|e| {
                Error::new(ErrorCode::Io, format!("cannot write to {}: {e}", self.location))
            });
            return self.failed(err);
        }
        let taken = |s: &RemoteWrite| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("{} already holds an object named {}; it is not replaced", s.location, s.name),
            )
        };
        // Never over an existing object (checked as late as the protocols allow: S3 has no
        // rename, and its conditional write is not kept by every S3-compatible server).
        match run(self.op.stat(&self.name), self.deadline, &self.location, "cannot write to") {
            Ok(Ok(_)) => {
                let err = taken(&self);
                return self.failed(err);
            }
            Ok(Err(e)) if not_found(&e) => {}
            Ok(Err(e)) => {
                let err = remote_error(&e, &self.location, "cannot write to");
                return self.failed(err);
            }
            Err(err) => return self.failed(err),
        }
        let sent = match self.sink.take() {
            Some(Sink::Writer(mut w)) => {
                let sent = run(w.close(), self.deadline, &self.location, "cannot write to");
                if !matches!(sent, Ok(Ok(_))) {
                    let _ = run(w.abort(), self.cleanup_deadline(), &self.location, "cannot write to");
                }
                sent.map(|r| r.map(|_| ()))
            }
            Some(Sink::Staged { file, size, dav }) => {
                // The folder first (as OpenDAL's own writer makes it), then the object.
                let op = self.op.clone();
                let target = self.target.clone();
                let put = async move {
                    op.create_dir("/").await?;
                    dav.put(&file, size, &target).await
                };
                let deadline = self.deadline + Duration::from_secs(size / SLOWEST_UPLOAD);
                run(put, deadline, &self.location, "cannot write to")
            }
            None => return Err(Error::new(ErrorCode::Io, "the upload was already ended")),
        };
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let err = remote_error(&e, &self.location, "cannot write to");
                return self.failed(err);
            }
            Err(err) => return self.failed(err),
        }
        if self.hide_by_rename {
            let renamed = run(
                self.op.rename(&self.target, &self.name),
                self.deadline,
                &self.location,
                "cannot write to",
            );
            match renamed {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    let err = remote_error(&e, &self.location, "cannot write to");
                    return self.failed(err);
                }
                Err(err) => return self.failed(err),
            }
            self.until_visible()?;
        }
        Ok(())
    }
}

impl RemoteWrite {
    /// Waits until the renamed object can be seen and read: a server may apply a rename after
    /// answering it (rclone's SFTP server did, now and then, while it still closed the file just
    /// written), and a committed object must read back at once. A few tenths of a second at most, woken
    /// by a stop; an object that never shows is an error, and its name stays unlisted.
    fn until_visible(&self) -> Result<()> {
        for _ in 0..50 {
            match run(self.op.stat(&self.name), self.deadline, &self.location, "cannot write to")? {
                // Seen is not yet readable: rclone's SFTP server has answered a stat of the new
                // name and then "no such file" to reading it; its first byte must read too.
                Ok(meta) if meta.content_length() > 0 => {
                    match run(
                        read_capped(&self.op, &self.name, 0, 1),
                        self.deadline,
                        &self.location,
                        "cannot write to",
                    )? {
                        Ok(_) => return Ok(()),
                        Err(e) if not_found(&e) => {}
                        Err(e) => return Err(remote_error(&e, &self.location, "cannot write to")),
                    }
                }
                Ok(_) => return Ok(()),
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(remote_error(&e, &self.location, "cannot write to")),
            }
            if interrupt::block_until(Duration::from_millis(100), || None::<()>)
                == Err(interrupt::Stopped::Interrupted)
            {
                return Err(Error::new(ErrorCode::Cancelled, "cancelled"));
            }
        }
        Err(Error::new(
            ErrorCode::RemoteFailed,
            format!("{} did not show {} after it was written and renamed", self.location, self.name),
        )
        .with_reason(Reason::Server))
    }
}

impl Drop for RemoteWrite {
    fn drop(&mut self) {
        if self.sink.is_some() {
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
        assert_eq!(e.facts().reason, Some(Reason::Credentials), "{e}");
        let full = opendal::Error::new(ErrorKind::Unexpected, "upload failed")
            .with_context("uri", "http://127.0.0.1:8080/b/x")
            .with_context("response", "Parts { status: 507, version: HTTP/1.1 }");
        assert_eq!(remote_error(&full, location, "write").facts().reason, Some(Reason::Quota));
    }
}
