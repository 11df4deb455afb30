//! Real servers on 127.0.0.1 for the copies-elsewhere tests, each on a free port in a folder of
//! its own, stopped when dropped: s3s-fs (S3 with SigV4 checked) and rclone's WebDAV and SFTP
//! servers. `scripts/setup.sh` installs them; a test that cannot find one fails and says so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keepsake_engine::{Destination, DestinationKind};

pub const ACCESS_KEY: &str = "keepsake-test-access";
pub const SECRET_KEY: &str = "keepsake-test-secret-key-0123456789";
pub const DAV_USER: &str = "ann";
pub const DAV_PASSWORD: &str = "a webdav password";
pub const BUCKET: &str = "family-backups";

/// A server process and what it serves.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    /// The folder it serves (for S3, the folder of the buckets).
    pub root: PathBuf,
    kind: DestinationKind,
    pub key_file: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
    args: Vec<String>,
    program: PathBuf,
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

    /// rclone's SFTP server, logging in with a key made for it.
    pub fn sftp() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("sftp");
        std::fs::create_dir_all(&root).unwrap();
        let key = dir.path().join("id_ed25519");
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "ssh-keygen failed");
        let port = free_port();
        let args = vec![
            "serve".into(),
            "sftp".into(),
            root.display().to_string(),
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--authorized-keys".into(),
            format!("{}.pub", key.display()),
            "--config".into(),
            "/dev/null".into(),
        ];
        Server::start(program("rclone"), args, port, root, DestinationKind::Sftp, Some(key), Some(dir))
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
            _ => None,
        }
    }

    /// Where an object under `prefix` lands on the server's disk.
    pub fn file(&self, prefix: &str, name: &str) -> PathBuf {
        let base = if self.kind == DestinationKind::S3 { self.root.join(BUCKET) } else { self.root.clone() };
        base.join(prefix).join(name)
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
    }
}
