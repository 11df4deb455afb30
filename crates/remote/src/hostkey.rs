//! Who an SFTP server is: the fingerprint of its host key, seen once when the destination is
//! added (or first tested, where the fingerprint is shown to the person) and kept with the
//! destination ([`Destination::host_key`], Keepsake's own record, never the user's
//! `~/.ssh/known_hosts`); every later connection is refused when the server shows another key,
//! as a server put in between would.
//!
//! Two locks, one inside the other. Before a store is opened, the keys the server shows
//! (`ssh-keyscan`) must include the kept one ([`verify`]), or nothing is tried. Then `ssh` itself
//! is given a known-hosts file of Keepsake's own holding that one key alone ([`KnownHostsFile`])
//! with strict checking, so that the very connection the copies go through proves the server
//! holds the kept key's private half: a server that only showed the right public key to the scan
//! is refused by `ssh` (`Host key verification failed`). OpenDAL's SFTP service takes no
//! known-hosts file; Keepsake uses a copy of it with that one option added
//! (`crates/vendor/opendal-service-sftp`).

use std::process::Stdio;

use base64::Engine as _;
use keepsake_model::destinations::{Destination, DestinationKind};
use keepsake_model::error::Reason;
use keepsake_model::error::{Error, ErrorCode, Result};
use sha2::{Digest, Sha256};

/// How long `ssh-keyscan` waits for the server, in seconds.
const SCAN_TIMEOUT_SECS: u32 = 15;

/// One key a server showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// Its algorithm as SSH names it (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`).
    pub algorithm: String,
    /// `SHA256:…`, as `ssh-keygen -l` and `ssh` print it.
    pub fingerprint: String,
    /// The public key as a known-hosts file holds it: `ALGORITHM BASE64`.
    pub public: String,
}

impl HostKey {
    /// The key with its kind, as `ssh` shows it: `SHA256:… (ED25519)`.
    pub fn describe(&self) -> String {
        let kind = match self.algorithm.as_str() {
            "ssh-ed25519" => "ED25519",
            "ssh-rsa" => "RSA",
            a if a.starts_with("ecdsa-") => "ECDSA",
            a => a,
        };
        format!("{} ({kind})", self.fingerprint)
    }
}

/// The fingerprint of a public key written as in a `.pub` or `known_hosts` file
/// (`ssh-ed25519 AAAA… comment`, or with the host in front); `None` when it is not one.
pub fn fingerprint_of(line: &str) -> Option<HostKey> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    // A known_hosts line starts with the host; a `.pub` file with the algorithm.
    let (algorithm, blob) = if first.starts_with("ssh-") || first.starts_with("ecdsa-") {
        (first, words.next()?)
    } else {
        (words.next()?, words.next()?)
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(blob).ok()?;
    let digest = Sha256::digest(&bytes);
    Some(HostKey {
        algorithm: algorithm.to_owned(),
        fingerprint: format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)),
        public: format!("{algorithm} {blob}"),
    })
}

/// The host and port of an SFTP destination's endpoint (`host`, `host:port`,
/// `ssh://[user@]host[:port]`), read the way the `openssh` crate reads it for `ssh`.
fn host_and_port(dest: &Destination) -> Result<(String, u16)> {
    let endpoint = dest.endpoint.as_deref().unwrap_or_default().trim();
    let mut rest = endpoint.strip_prefix("ssh://").unwrap_or(endpoint);
    if let Some(at) = rest.rfind('@') {
        rest = &rest[at + 1..];
    }
    let mut port = 22;
    if let Some(colon) = rest.rfind(':')
        && let Ok(p) = rest[colon + 1..].parse::<u16>()
    {
        port = p;
        rest = &rest[..colon];
    }
    let host = rest.trim_start_matches('[').trim_end_matches(']');
    // A host that starts with `-` would be read by `ssh` as an option (`-oProxyCommand=…`).
    if host.is_empty() || host.starts_with('-') || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("destination {:?}: endpoint: {endpoint:?} is not a server's name or address", dest.name),
        )
        .with_reason(Reason::Endpoint));
    }
    Ok((host.to_owned(), port))
}

/// The keys in `ssh-keyscan`'s output: lines `HOST ALGORITHM KEY`, the host first whatever it
/// looks like (a server named `ssh-nas.lan` is not an algorithm).
fn scanned(output: &str) -> Vec<HostKey> {
    output
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' ').and_then(|(_, key)| fingerprint_of(key)))
        .collect()
}

/// The keys the SFTP server of `dest` shows now, best first (Ed25519, ECDSA, RSA).
pub fn scan(dest: &Destination) -> Result<Vec<HostKey>> {
    let (host, port) = host_and_port(dest)?;
    let unreachable = |why: String| {
        Error::new(
            ErrorCode::RemoteFailed,
            format!(
                "cannot learn who the SFTP server {host}:{port} of the destination {:?} is: {why}",
                dest.name
            ),
        )
        .with_reason(Reason::Unreachable)
    };
    let mut cmd = tokio::process::Command::new("ssh-keyscan");
    cmd.args([
        "-T",
        &SCAN_TIMEOUT_SECS.to_string(),
        "-p",
        &port.to_string(),
        "-t",
        "ed25519,ecdsa,rsa",
        "--",
    ])
    .arg(&host)
    .stdin(Stdio::null())
    // Stop, Ctrl-C and SIGTERM end the scan at once (the call is dropped, and the child with it).
    .kill_on_drop(true);
    let deadline = std::time::Duration::from_secs(u64::from(SCAN_TIMEOUT_SECS) * 4);
    let out =
        crate::run(async move { cmd.output().await }, deadline, &format!("{host}:{port}"), "cannot scan")?
            .map_err(|e| unreachable(format!("ssh-keyscan cannot be run ({e}); install OpenSSH's client")))?;
    let mut keys = scanned(&String::from_utf8_lossy(&out.stdout));
    let rank = |k: &HostKey| match k.algorithm.as_str() {
        "ssh-ed25519" => 0,
        a if a.starts_with("ecdsa-") => 1,
        _ => 2,
    };
    keys.sort_by_key(rank);
    if keys.is_empty() {
        return Err(unreachable(
            "it did not answer as an SSH server (check the address and the port)".into(),
        ));
    }
    Ok(keys)
}

/// Trust on first use, where the person sees the fingerprint (`dest add`, "Test connection"):
/// a destination without a kept key gets the server's best one now; one with a kept key is
/// checked against it ([`verify`]). The key it holds afterwards.
pub fn first_use(dest: &mut Destination) -> Result<HostKey> {
    if dest.host_key.is_some() {
        return verify(dest);
    }
    let seen = scan(dest)?;
    let best = seen.into_iter().next().ok_or_else(|| {
        Error::new(ErrorCode::RemoteFailed, format!("the SFTP server of {:?} showed no key", dest.name))
            .with_reason(Reason::Unreachable)
    })?;
    dest.host_key = Some(best.fingerprint.clone());
    Ok(best)
}

/// Checks that the SFTP server of `dest` still shows the key kept for it; refuses a
/// destination whose server was never seen (an SFTP destination saved before Keepsake kept keys,
/// or added without a test), so that a first connection is never made where nobody saw the
/// fingerprint.
pub fn verify(dest: &Destination) -> Result<HostKey> {
    let (host, port) = host_and_port(dest)?;
    let Some(kept) = dest.host_key.as_deref() else {
        return Err(Error::new(
            ErrorCode::RemoteFailed,
            format!(
                "Keepsake does not know the identity of the SFTP server {host}:{port} of the destination \
                 {name:?} yet, so nothing was sent. Test it (`keepsake dest test {name}`, or remove and add \
                 it again in Settings) to see the server's fingerprint and keep it.",
                name = dest.name
            ),
        )
        .with_reason(Reason::HostKeyUnknown));
    };
    let seen = scan(dest)?;
    if let Some(same) = seen.iter().find(|k| k.fingerprint == kept) {
        return Ok(same.clone());
    }
    let shown = seen.iter().map(HostKey::describe).collect::<Vec<_>>().join(", ");
    Err(Error::new(
        ErrorCode::RemoteFailed,
        format!(
            "the server's identity changed: the SFTP server {host}:{port} of the destination {name:?} shows \
             the host key {shown}, not {kept} that Keepsake kept when it was added. Someone may be in \
             between; nothing was sent. If you changed the server, remove and add the destination again.",
            name = dest.name
        ),
    )
    .with_reason(Reason::HostKeyChanged))
}

/// A known-hosts file of Keepsake's own, in a private temporary folder, holding the one key
/// kept for a destination: what `ssh` checks the server against (strictly) for as long as the
/// store it was made for lives.
#[derive(Debug)]
pub struct KnownHostsFile {
    dir: tempfile::TempDir,
}

impl KnownHostsFile {
    /// The file for `dest`'s server, holding `key` (one [`verify`] found the server showing).
    pub fn write(dest: &Destination, key: &HostKey) -> Result<KnownHostsFile> {
        let (host, port) = host_and_port(dest)?;
        // As `ssh` looks a server up: the name alone on port 22, else `[name]:port`.
        let name = if port == 22 { host } else { format!("[{host}]:{port}") };
        let io = |e: std::io::Error| {
            Error::new(ErrorCode::Io, format!("cannot write Keepsake's known-hosts file: {e}"))
        };
        let dir = tempfile::Builder::new().prefix("keepsake-ssh-").tempdir().map_err(io)?;
        std::fs::write(dir.path().join("known_hosts"), format!("{name} {}\n", key.public)).map_err(io)?;
        Ok(KnownHostsFile { dir })
    }

    /// Where the file is, for `ssh -o UserKnownHostsFile=…`.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("known_hosts")
    }
}

/// [`verify`] for an SFTP destination; nothing for other kinds.
pub fn check(dest: &Destination) -> Result<()> {
    if dest.kind == DestinationKind::Sftp {
        verify(dest)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_fingerprint_reads_as_ssh_keygen_prints_it_and_the_endpoint_never_becomes_an_option() {
        // `ssh-keygen -lf` of this key: SHA256:gCinpJCg52I9OwaO/SbmiQTEqGPTAkLiuH7AeTrQQQM.
        let line = "[127.0.0.1]:42222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1EBZx/zrtAc/aaeguSJUERSOQ3pNdtvmsNBOfRH2tV";
        let k = fingerprint_of(line).unwrap();
        assert_eq!(k.fingerprint, "SHA256:gCinpJCg52I9OwaO/SbmiQTEqGPTAkLiuH7AeTrQQQM");
        assert_eq!(k.describe(), "SHA256:gCinpJCg52I9OwaO/SbmiQTEqGPTAkLiuH7AeTrQQQM (ED25519)");
        assert_eq!(fingerprint_of(line.split_once(" ").unwrap().1), Some(k.clone()));
        assert_eq!(fingerprint_of("# 127.0.0.1:22 SSH-2.0-OpenSSH"), None);
        let named_like_a_key =
            "ssh-nas.lan ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1EBZx/zrtAc/aaeguSJUERSOQ3pNdtvmsNBOfRH2tV";
        assert_eq!(
            scanned(&format!("# ssh-nas.lan:22 SSH-2.0-OpenSSH\n{named_like_a_key}\n")),
            vec![k.clone()]
        );
        let mut d = Destination::new("box", DestinationKind::Sftp);
        for (endpoint, want) in [
            ("nas.local", Some(("nas.local", 22))),
            ("nas.local:2222", Some(("nas.local", 2222))),
            ("ssh://ann@nas.local:2200", Some(("nas.local", 2200))),
            ("[::1]:2222", Some(("::1", 2222))),
            ("-oProxyCommand=touch /tmp/x", None),
            ("ssh://-oProxyCommand=x:22", None),
        ] {
            d.endpoint = Some(endpoint.to_owned());
            let got = host_and_port(&d).ok();
            assert_eq!(got.as_ref().map(|(h, p)| (h.as_str(), *p)), want, "{endpoint}");
        }
    }
}
