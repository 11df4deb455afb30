//! Real servers on 127.0.0.1 for the copies-elsewhere tests, each on a free port in a folder of
//! its own, stopped when dropped: s3s-fs (S3 with SigV4 checked), Azurite (Microsoft's Azure
//! Storage emulator, SharedKey signatures checked), fake-gcs-server (Google Cloud Storage's JSON
//! and XML APIs; it checks no login) and rclone's WebDAV and SFTP servers. `scripts/setup.sh`
//! installs them; a test that cannot find one fails and says so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keepsake_model::destinations::{Destination, DestinationKind};

/// The S3 test server's access key.
pub const ACCESS_KEY: &str = "keepsake-test-access";
/// The S3 test server's secret key.
pub const SECRET_KEY: &str = "keepsake-test-secret-key-0123456789";
/// The WebDAV test server's user.
pub const DAV_USER: &str = "ann";
/// The WebDAV test server's password.
pub const DAV_PASSWORD: &str = "a webdav password";
/// The bucket (or container) the tests use.
pub const BUCKET: &str = "family-backups";
/// Azurite's one account and its published key.
pub const AZURE_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's published account key.
pub const AZURE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// A server process and what it serves.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// The folder it serves (for S3, the folder of the buckets).
    pub root: PathBuf,
    kind: DestinationKind,
    /// The SFTP login's private key file (SFTP only).
    pub key_file: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
    args: Vec<String>,
    program: PathBuf,
}

/// A new Ed25519 key pair without a passphrase at `path` (and `path.pub`).
fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn program(name: &str) -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin").join(name));
    if let Some(p) = cargo_bin.filter(|p| p.exists()) {
        return p;
    }
    // The npm packages of the workspace (Azurite).
    let npm_bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/.bin").join(name);
    if npm_bin.exists() {
        return npm_bin;
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("{name} is not installed; scripts/setup.sh installs it");
}

impl Server {
    /// s3s-fs serving a fresh folder with the bucket [`BUCKET`] in it.
    pub fn s3() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("s3");
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let port = free_port();
        let args = vec![
            "--host".into(),
            "127.0.0.1".into(),
            "--port".into(),
            port.to_string(),
            "--access-key".into(),
            ACCESS_KEY.into(),
            "--secret-key".into(),
            SECRET_KEY.into(),
            root.display().to_string(),
        ];
        Server::start(program("s3s-fs"), args, port, root, DestinationKind::S3, None, Some(dir))
    }

    /// Azurite's blob service, with the container [`BUCKET`] made (a signed request: Azurite
    /// refuses unsigned ones).
    pub fn azure() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("azurite");
        std::fs::create_dir_all(&root).unwrap();
        let port = free_port();
        let args = vec![
            "--blobHost".into(),
            "127.0.0.1".into(),
            "--blobPort".into(),
            port.to_string(),
            "--location".into(),
            root.display().to_string(),
            "--silent".into(),
            "--skipApiVersionCheck".into(),
            "--disableProductStyleUrl".into(),
        ];
        Server::start(program("azurite-blob"), args, port, root, DestinationKind::Azblob, None, Some(dir))
    }

    /// fake-gcs-server over a folder with the bucket [`BUCKET`] in it.
    pub fn gcs() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("gcs");
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let port = free_port();
        let args = vec![
            "-scheme".into(),
            "http".into(),
            "-host".into(),
            "127.0.0.1".into(),
            "-port".into(),
            port.to_string(),
            "-backend".into(),
            "filesystem".into(),
            "-filesystem-root".into(),
            root.display().to_string(),
            "-log-level".into(),
            "error".into(),
        ];
        Server::start(program("fake-gcs-server"), args, port, root, DestinationKind::Gcs, None, Some(dir))
    }

    /// One request to Azurite, signed with the account key (SharedKey, as Azure's SDKs sign).
    /// `path` is under the account; `query` its parameters, sorted. The status and the body
    /// (the caller checks the status).
    pub fn azure_request(
        &self,
        verb: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        use base64::Engine as _;
        use hmac::Mac;
        use std::io::{Read, Write};
        let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let version = "2021-08-06";
        let length = if body.is_empty() { String::new() } else { body.len().to_string() };
        let blob =
            if verb == "PUT" && !path.contains("restype=") { "x-ms-blob-type:BlockBlob\n" } else { "" };
        let resource_path = path.split('?').next().unwrap_or(path);
        let mut resource = format!("/{AZURE_ACCOUNT}/{AZURE_ACCOUNT}{resource_path}");
        for (k, v) in query {
            resource.push_str(&format!("\n{k}:{v}"));
        }
        let to_sign = format!(
            "{verb}\n\n\n{length}\n\n\n\n\n\n\n\n\n{blob}x-ms-date:{date}\nx-ms-version:{version}\n{resource}"
        );
        let key = base64::engine::general_purpose::STANDARD.decode(AZURE_KEY).unwrap();
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(to_sign.as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut head = format!(
            "{verb} /{AZURE_ACCOUNT}{path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nx-ms-date: {date}\r\n\
             x-ms-version: {version}\r\nAuthorization: SharedKey {AZURE_ACCOUNT}:{signature}\r\n\
             Content-Length: {}\r\nConnection: close\r\n",
            self.port,
            body.len()
        );
        if !blob.is_empty() {
            head.push_str("x-ms-blob-type: BlockBlob\r\n");
        }
        head.push_str("\r\n");
        let mut conn = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        conn.write_all(head.as_bytes()).unwrap();
        conn.write_all(body).unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        let status = String::from_utf8_lossy(&answer[..answer.len().min(12)])
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body_at = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |p| p + 4);
        (status, answer[body_at..].to_vec())
    }

    /// rclone's WebDAV server with a user and password.
    pub fn webdav() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dav");
        std::fs::create_dir_all(&root).unwrap();
        let port = free_port();
        let args = vec![
            "serve".into(),
            "webdav".into(),
            root.display().to_string(),
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--user".into(),
            DAV_USER.into(),
            "--pass".into(),
            DAV_PASSWORD.into(),
            "--config".into(),
            "/dev/null".into(),
        ];
        Server::start(program("rclone"), args, port, root, DestinationKind::Webdav, None, Some(dir))
    }

    /// rclone's SFTP server, logging in with a key made for it, showing a host key of its own
    /// ([`Server::host_key_fingerprint`]).
    pub fn sftp() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("sftp");
        std::fs::create_dir_all(&root).unwrap();
        let key = dir.path().join("id_ed25519");
        keygen(&key);
        let host_key = dir.path().join("host_ed25519");
        keygen(&host_key);
        let port = free_port();
        let args = vec![
            "serve".into(),
            "sftp".into(),
            root.display().to_string(),
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--authorized-keys".into(),
            format!("{}.pub", key.display()),
            "--key".into(),
            host_key.display().to_string(),
            "--config".into(),
            "/dev/null".into(),
        ];
        Server::start(program("rclone"), args, port, root, DestinationKind::Sftp, Some(key), Some(dir))
    }

    /// The SFTP server's host key file (rclone's `--key`).
    fn host_key_file(&self) -> PathBuf {
        let at = self.args.iter().position(|a| a == "--key").expect("an SFTP server");
        PathBuf::from(&self.args[at + 1])
    }

    /// The fingerprint of the host key the SFTP server shows (`SHA256:…`).
    pub fn host_key_fingerprint(&self) -> String {
        let public = std::fs::read_to_string(format!("{}.pub", self.host_key_file().display())).unwrap();
        crate::hostkey::fingerprint_of(&public).expect("a public key").fingerprint
    }

    /// Gives the SFTP server another host key, as a reinstalled server or one put in its place
    /// would show; seen from the next [`Server::restart`].
    pub fn change_host_key(&mut self) {
        let file = self.host_key_file();
        let other = file.with_file_name(format!(
            "host_ed25519_{}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        keygen(&other);
        let at = self.args.iter().position(|a| a == "--key").expect("an SFTP server");
        self.args[at + 1] = other.display().to_string();
    }

    fn start(
        program: PathBuf,
        args: Vec<String>,
        port: u16,
        root: PathBuf,
        kind: DestinationKind,
        key_file: Option<PathBuf>,
        dir: Option<tempfile::TempDir>,
    ) -> Server {
        let mut s = Server { child: None, port, root, kind, key_file, _dir: dir, args, program };
        s.restart();
        s
    }

    /// Starts the server again (after [`Server::kill`]) on the same port and folder.
    pub fn restart(&mut self) {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        // A stray AWS_* variable changes what an S3 program does.
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        self.child = Some(cmd.spawn().unwrap());
        let end = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < end, "{} did not start on port {}", self.program.display(), self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
        // Azurite saves what it knows now and then: a container made just before a kill may be
        // gone after it. (Made again; 409: it is there.)
        if self.kind == DestinationKind::Azblob {
            let (status, _) = self.azure_request(
                "PUT",
                &format!("/{BUCKET}?restype=container"),
                &[("restype", "container")],
                &[],
            );
            assert!(status == 201 || status == 409, "Azurite did not make the container: {status}");
        }
    }

    /// Stops the server at once (SIGKILL), as a crash or a pulled cable would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A destination for this server, files under `prefix`.
    pub fn destination(&self, name: &str, prefix: &str) -> Destination {
        let mut d = Destination::new(name, self.kind);
        d.prefix = prefix.to_owned();
        match self.kind {
            DestinationKind::S3 => {
                d.endpoint = Some(format!("http://127.0.0.1:{}", self.port));
                d.bucket = Some(BUCKET.to_owned());
                d.access_key_id = Some(ACCESS_KEY.to_owned());
                d.path_style = true;
            }
            DestinationKind::Webdav => {
                d.endpoint = Some(format!("http://127.0.0.1:{}", self.port));
                d.user = Some(DAV_USER.to_owned());
            }
            DestinationKind::Sftp => {
                d.endpoint = Some(format!("127.0.0.1:{}", self.port));
                d.user = Some("keepsake".to_owned());
                d.key_file = self.key_file.clone();
                // As `dest add` keeps it.
                d.host_key = Some(self.host_key_fingerprint());
            }
            DestinationKind::Azblob => {
                d.endpoint = Some(format!("http://127.0.0.1:{}/{AZURE_ACCOUNT}", self.port));
                d.account = Some(AZURE_ACCOUNT.to_owned());
                d.bucket = Some(BUCKET.to_owned());
            }
            DestinationKind::Gcs => {
                d.endpoint = Some(format!("http://127.0.0.1:{}", self.port));
                d.bucket = Some(BUCKET.to_owned());
                // fake-gcs-server checks no login (and its tokens would come from Google).
                d.unsigned = true;
            }
            DestinationKind::Folder => unreachable!(),
        }
        d
    }

    /// The secret the destination needs.
    pub fn secret(&self) -> Option<&'static str> {
        match self.kind {
            DestinationKind::S3 => Some(SECRET_KEY),
            DestinationKind::Webdav => Some(DAV_PASSWORD),
            DestinationKind::Azblob => Some(AZURE_KEY),
            _ => None,
        }
    }

    /// Where an object under `prefix` lands on the server's disk (not for Azurite, which keeps
    /// blobs under names of its own: see [`Server::object`]).
    pub fn file(&self, prefix: &str, name: &str) -> PathBuf {
        let base = if matches!(self.kind, DestinationKind::S3 | DestinationKind::Gcs) {
            self.root.join(BUCKET)
        } else {
            self.root.clone()
        };
        base.join(prefix).join(name)
    }

    /// The bytes of an object under `prefix`, as the server keeps them (read past Keepsake's
    /// store: from the disk, or from Azurite with a request of its own).
    pub fn object(&self, prefix: &str, name: &str) -> Vec<u8> {
        if self.kind == DestinationKind::Azblob {
            let (status, body) = self.azure_request("GET", &format!("/{BUCKET}/{prefix}/{name}"), &[], &[]);
            assert_eq!(status, 200, "no {prefix}/{name} on Azurite");
            return body;
        }
        std::fs::read(self.file(prefix, name)).unwrap()
    }

    /// Somebody with access to the server flips one byte in the middle of an object.
    pub fn tamper(&self, prefix: &str, name: &str) {
        let mut bytes = self.object(prefix, name);
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x55;
        if self.kind == DestinationKind::Azblob {
            let (status, _) = self.azure_request("PUT", &format!("/{BUCKET}/{prefix}/{name}"), &[], &bytes);
            assert_eq!(status, 201, "Azurite did not take the changed blob");
        } else {
            std::fs::write(self.file(prefix, name), &bytes).unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A server that fails for a while: a TCP proxy in front of a real server that answers
/// `503 Service Unavailable` to the first `fail_first` connections (after reading their
/// request), then passes every byte both ways.
#[derive(Debug)]
pub struct FailingProxy {
    /// The port to connect to instead of the server's.
    pub port: u16,
    failed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FailingProxy {
    /// A proxy to `127.0.0.1:upstream`.
    pub fn start(upstream: u16, fail_first: usize) -> FailingProxy {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let failed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = failed.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut client) = conn else { return };
                if count.load(Ordering::SeqCst) < fail_first {
                    count.fetch_add(1, Ordering::SeqCst);
                    std::thread::spawn(move || {
                        // Read the request head and its body, then refuse it.
                        let mut buf = Vec::new();
                        let mut chunk = [0u8; 8192];
                        let mut want: Option<usize> = None;
                        loop {
                            let Ok(n) = client.read(&mut chunk) else { return };
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                            if want.is_none()
                                && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
                            {
                                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                                let len = head
                                    .lines()
                                    .find_map(|l| {
                                        l.strip_prefix("content-length:")
                                            .map(|v| v.trim().parse().unwrap_or(0))
                                    })
                                    .unwrap_or(0);
                                want = Some(end + 4 + len);
                            }
                            if want.is_some_and(|w| buf.len() >= w) {
                                break;
                            }
                        }
                        let _ = client.write_all(
                            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                    });
                    continue;
                }
                std::thread::spawn(move || {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
                    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let up = std::thread::spawn(move || {
                        let _ = std::io::copy(&mut c2, &mut s2);
                        let _ = s2.shutdown(std::net::Shutdown::Write);
                    });
                    let (mut s3, mut c3) = (server, client);
                    let _ = std::io::copy(&mut s3, &mut c3);
                    let _ = c3.shutdown(std::net::Shutdown::Write);
                    let _ = up.join();
                });
            }
        });
        FailingProxy { port, failed }
    }

    /// How many connections it refused so far.
    pub fn refused(&self) -> usize {
        self.failed.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Short waits between retries, so a test of a server that is down ends quickly.
pub fn quick() -> crate::Retries {
    crate::Retries {
        times: 2,
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        timeout: Duration::from_secs(20),
        deadline: Duration::from_secs(120),
    }
}
