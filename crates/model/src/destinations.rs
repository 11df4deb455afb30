//! Destinations: the places a source's backups are copied to besides its backup folder (an
//! external drive, S3-compatible storage, Azure Blob Storage, Google Cloud Storage, WebDAV,
//! SFTP), kept in the settings file as `[[destination]]` tables. Only what is not secret is kept
//! here: the S3 secret key, the Azure account key, the Google service-account key and the WebDAV
//! password live in the OS keyring under [`Destination::secret_key`]. The engine keeps
//! the settings; turning one into a store (`keepsake_store::store::Store`) is the remote crate's job (the engine has
//! no network code and no async runtime).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::RetentionPolicy;

/// How often the copies at a destination are read back whole when nothing says otherwise.
pub const DEFAULT_VERIFY_EVERY_DAYS: u32 = 30;
/// After how many hours of failing copies to a destination the person is told, by default.
pub const DEFAULT_ALERT_AFTER_HOURS: u32 = 24;

/// What kind of place a destination is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    /// A folder on this computer: an external drive, a NAS mount, a synced folder.
    Folder,
    /// S3-compatible object storage (AWS S3, Backblaze B2, Cloudflare R2, Wasabi, MinIO).
    S3,
    /// A WebDAV server (Nextcloud, ownCloud, a NAS).
    Webdav,
    /// An SFTP server, with a key file (or the SSH agent) for the login.
    Sftp,
    /// Azure Blob Storage: an account, a container, the account key.
    Azblob,
    /// Google Cloud Storage: a bucket, a service account's JSON key (none: a public bucket or an
    /// emulator, unsigned).
    Gcs,
}

impl DestinationKind {
    /// The kind as written in the settings file (`folder`, `s3`, `webdav`, `sftp`).
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationKind::Folder => "folder",
            DestinationKind::S3 => "s3",
            DestinationKind::Webdav => "webdav",
            DestinationKind::Sftp => "sftp",
            DestinationKind::Azblob => "azblob",
            DestinationKind::Gcs => "gcs",
        }
    }

    /// The kind written `s`.
    pub fn parse(s: &str) -> Result<DestinationKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "folder" => Ok(DestinationKind::Folder),
            "s3" => Ok(DestinationKind::S3),
            "webdav" => Ok(DestinationKind::Webdav),
            "sftp" => Ok(DestinationKind::Sftp),
            "azblob" | "azure" => Ok(DestinationKind::Azblob),
            "gcs" | "google" => Ok(DestinationKind::Gcs),
            other => Err(Error::invalid(format!(
                "{other:?} is not a kind of destination: folder, s3, azure, gcs, webdav or sftp"
            ))),
        }
    }

    /// Whether logging in takes a secret (kept in the keyring): S3's secret key, Azure's account
    /// key, Google's service-account key (the whole JSON file), WebDAV's password.
    pub fn takes_secret(self) -> bool {
        matches!(
            self,
            DestinationKind::S3 | DestinationKind::Webdav | DestinationKind::Azblob | DestinationKind::Gcs
        )
    }
}

/// One place backups are copied to. Which fields matter depends on `kind`; [`Destination::validate`]
/// names a missing one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    /// The name people use for it (`keepsake copy ID --to NAME`); unique among destinations.
    pub name: String,
    /// What kind of place it is.
    pub kind: DestinationKind,
    /// A folder destination's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub path: Option<PathBuf>,
    /// The server: `https://s3.eu-central-003.backblazeb2.com`, `https://cloud.example.org/remote.php/dav/files/ann`,
    /// or `host:port` for SFTP. S3 without one is AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub endpoint: Option<String>,
    /// The S3 region (`us-east-1` when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub region: Option<String>,
    /// The S3 or Google Cloud Storage bucket, or the Azure container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub bucket: Option<String>,
    /// The Azure storage account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub account: Option<String>,
    /// The folder inside the bucket or on the server that Keepsake writes in (`keepsake/laptop`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub prefix: String,
    /// The S3 access key id (not secret; the secret key is in the keyring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub access_key_id: Option<String>,
    /// S3 path-style addressing (`endpoint/bucket/key`, as MinIO and most self-hosted servers
    /// want) instead of virtual-host style (`bucket.endpoint/key`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub path_style: bool,
    /// Google Cloud Storage without a key: requests go unsigned (a public bucket, an emulator).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub unsigned: bool,
    /// Plain `http://` to a server that is not on this computer, said on purpose (`--insecure-http`):
    /// the secret and the backups then cross the network readable by anyone on the way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub insecure_http: bool,
    /// The WebDAV or SFTP user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub user: Option<String>,
    /// The SFTP private key file (without one, the SSH agent's keys are used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key_file: Option<PathBuf>,
    /// The SFTP server's identity: the fingerprint of its host key (`SHA256:…`, as `ssh-keygen
    /// -l` prints it), seen when the destination was added or first tested and kept here
    /// (Keepsake's own record, not `~/.ssh/known_hosts`). A server showing another key is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub host_key: Option<String>,
    /// Send at most this many KiB per second (none: as fast as the connection goes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub upload_limit_kib: Option<u32>,
    /// Read every copy here back whole every N days ([`DEFAULT_VERIFY_EVERY_DAYS`] when not
    /// set; 0: only when asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verify_every_days: Option<u32>,
    /// Tell the person (a desktop notification) once copying here has failed for this many
    /// hours ([`DEFAULT_ALERT_AFTER_HOURS`] when not set; 0: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub alert_after_hours: Option<u32>,
    /// Which copies stay here; none: the same rules as the backup folder of each source whose
    /// backups come here; no rule in it: every copy. Applied only to the copies Keepsake
    /// recorded sending here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub retention: Option<RetentionPolicy>,
}

impl Destination {
    /// A destination of `kind` named `name`, every other field empty.
    pub fn new(name: impl Into<String>, kind: DestinationKind) -> Destination {
        Destination {
            name: name.into(),
            kind,
            path: None,
            endpoint: None,
            region: None,
            bucket: None,
            account: None,
            prefix: String::new(),
            access_key_id: None,
            path_style: false,
            unsigned: false,
            insecure_http: false,
            user: None,
            key_file: None,
            host_key: None,
            upload_limit_kib: None,
            verify_every_days: None,
            alert_after_hours: None,
            retention: None,
        }
    }

    /// Whether logging in here needs a secret from the keyring (all but folders, SFTP and an
    /// unsigned Google Cloud Storage bucket).
    pub fn needs_secret(&self) -> bool {
        self.kind.takes_secret() && !(self.kind == DestinationKind::Gcs && self.unsigned)
    }

    /// Hours of failing copies here before the person is told; `None`: never.
    pub fn alert_after(&self) -> Option<u32> {
        match self.alert_after_hours.unwrap_or(DEFAULT_ALERT_AFTER_HOURS) {
            0 => None,
            n => Some(n),
        }
    }

    /// Whether `other` is the same place with the same login (what a saved secret belongs to);
    /// the copy settings (retention, limit, checks) do not count.
    pub fn same_place(&self, other: &Destination) -> bool {
        let place = |d: &Destination| {
            (
                d.kind,
                d.path.clone(),
                d.endpoint.clone(),
                d.region.clone(),
                d.bucket.clone(),
                d.account.clone(),
                d.prefix.clone(),
                d.access_key_id.clone(),
                d.path_style,
                d.unsigned,
                d.user.clone(),
                d.key_file.clone(),
            )
        };
        place(self) == place(other)
    }

    /// The rules for the copies here of a source whose folder keeps `source`'s.
    pub fn retention_for<'a>(&'a self, source: &'a RetentionPolicy) -> &'a RetentionPolicy {
        self.retention.as_ref().unwrap_or(source)
    }

    /// Days between two readings of the copies here; `None`: never by itself.
    pub fn verify_every(&self) -> Option<u32> {
        match self.verify_every_days.unwrap_or(DEFAULT_VERIFY_EVERY_DAYS) {
            0 => None,
            n => Some(n),
        }
    }

    /// The environment variable that can hold its secret ([`secret_env_name`]).
    pub fn secret_env(&self) -> String {
        secret_env_name(&self.name)
    }

    /// The keyring entry of its secret (`destination:NAME`).
    pub fn secret_key(&self) -> String {
        format!("destination:{}", self.name)
    }

    /// Checks that the fields its kind needs are there, and that none is malformed.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, why: &str| {
            Err(Error::invalid(format!("destination {:?}: {field}: {why}", self.name)))
        };
        if self.name.trim().is_empty() || self.name.chars().any(|c| c.is_control()) {
            return bad("name", "must be a non-empty name without control characters");
        }
        if self.prefix.split('/').any(|p| p == "..") || self.prefix.chars().any(|c| c.is_control()) {
            return bad("prefix", "must be a plain folder path");
        }
        let needs = |field: &str, v: bool| if v { Ok(()) } else { bad(field, "is required for this kind") };
        match self.kind {
            DestinationKind::Folder => {
                needs("path", self.path.as_ref().is_some_and(|p| !p.as_os_str().is_empty()))
            }
            DestinationKind::S3 | DestinationKind::Azblob | DestinationKind::Gcs => {
                match self.kind {
                    DestinationKind::S3 => {
                        needs("bucket", self.bucket.as_ref().is_some_and(|b| !b.is_empty()))?;
                        needs("access_key_id", self.access_key_id.as_ref().is_some_and(|b| !b.is_empty()))?;
                    }
                    DestinationKind::Azblob => {
                        needs("account", self.account.as_ref().is_some_and(|b| !b.is_empty()))?;
                        needs("container", self.bucket.as_ref().is_some_and(|b| !b.is_empty()))?;
                    }
                    _ => needs("bucket", self.bucket.as_ref().is_some_and(|b| !b.is_empty()))?,
                }
                if let Some(e) = &self.endpoint
                    && !(e.starts_with("https://") || e.starts_with("http://"))
                {
                    return bad(
                        "endpoint",
                        "must start with https:// (or http:// for a server on this network)",
                    );
                }
                match &self.endpoint {
                    Some(e) => self.check_web_endpoint(e),
                    None => Ok(()),
                }
            }
            DestinationKind::Webdav => {
                let e = self.endpoint.as_deref().unwrap_or("");
                if !(e.starts_with("https://") || e.starts_with("http://")) {
                    return bad("endpoint", "must be the server's address, starting with https://");
                }
                self.check_web_endpoint(e)
            }
            DestinationKind::Sftp => {
                needs("endpoint", self.endpoint.as_ref().is_some_and(|b| !b.is_empty()))?;
                let e = self.endpoint.as_deref().unwrap_or("");
                // `host`, `host:port` or `ssh://…`, nothing else: another scheme (`sftp://`,
                // `SSH://`) would hide its `user:password@` from the check below.
                let rest = match e.split_once("://") {
                    Some((scheme, rest)) if scheme.eq_ignore_ascii_case("ssh") => rest,
                    Some(_) => {
                        return bad("endpoint", "must be `host`, `host:port` or `ssh://host:port`");
                    }
                    None => e,
                };
                let authority = rest.split('/').next().unwrap_or("");
                if authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':')) {
                    return bad(
                        "endpoint",
                        "must not hold a password (user:password@): it would be kept in the settings \
                         file and shown in logs; give the user as `user` and log in with a key file or \
                         the SSH agent",
                    );
                }
                needs("user", self.user.as_ref().is_some_and(|b| !b.is_empty()))
            }
        }
    }

    /// The rules for an `http(s)://` endpoint: no `user:password@` in it (the settings file, logs
    /// and `--json` would show it), and `https://` unless the server is on this computer
    /// (127.0.0.0/8, ::1, `localhost`) or plain HTTP was asked for ([`Destination::insecure_http`]).
    fn check_web_endpoint(&self, endpoint: &str) -> Result<()> {
        let bad = |why: &str| Err(Error::invalid(format!("destination {:?}: endpoint: {why}", self.name)));
        let (scheme, rest) = endpoint.split_once("://").unwrap_or(("", endpoint));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return bad("must not hold a user or password (user:password@host): it would be kept in the \
                 settings file and shown in logs and --json. Give the address alone; the user goes in \
                 `user` (or `access_key_id`), the password or key is asked for by `keepsake dest add` \
                 and kept in the OS keyring");
        }
        if scheme.eq_ignore_ascii_case("http") && !self.insecure_http && !is_loopback_host(authority) {
            return bad("must start with https:// (plain http:// is accepted only for a server on this \
                 computer). For a server on your network without TLS, pass --insecure-http (or set \
                 insecure_http = true): the secret and the backups then cross the network readable \
                 by anyone on the way");
        }
        Ok(())
    }

    /// Sets one field from text, as `keepsake dest add NAME --field value` does.
    pub fn set(&mut self, field: &str, value: &str) -> Result<()> {
        let v = value.trim();
        let opt = || if v.is_empty() { None } else { Some(v.to_owned()) };
        let none = matches!(v.to_ascii_lowercase().as_str(), "none" | "off" | "");
        let count = || -> Result<Option<u32>> {
            if none {
                return Ok(None);
            }
            v.parse::<u32>()
                .map(Some)
                .map_err(|_| Error::invalid(format!("{field}: {v:?} is not a whole number (or none)")))
        };
        let mut rule = |set: fn(&mut RetentionPolicy, Option<u32>)| -> Result<()> {
            let n = count()?;
            // Turning a rule off where there are no rules of its own keeps the source's.
            if n.is_some() || self.retention.is_some() {
                set(self.retention.get_or_insert_with(RetentionPolicy::default), n);
            }
            Ok(())
        };
        match field {
            "keep_last" => rule(|p, n| p.keep_last = n)?,
            "keep_within_days" => rule(|p, n| p.keep_within_days = n)?,
            "keep_daily" => rule(|p, n| p.keep_daily = n)?,
            "keep_weekly" => rule(|p, n| p.keep_weekly = n)?,
            "keep_monthly" => rule(|p, n| p.keep_monthly = n)?,
            // `source`: the same rules as each source's folder; `all`: keep every copy here.
            "retention" if matches!(v, "source" | "same" | "") => self.retention = None,
            "retention" if v == "all" => self.retention = Some(RetentionPolicy::default()),
            "upload_limit_kib" => self.upload_limit_kib = count()?.filter(|n| *n > 0),
            "verify_every_days" => self.verify_every_days = count()?,
            "alert_after_hours" => self.alert_after_hours = count()?,
            "path" => self.path = opt().map(PathBuf::from),
            "endpoint" => self.endpoint = opt().map(|e| e.trim_end_matches('/').to_owned()),
            "region" => self.region = opt(),
            "bucket" | "container" => self.bucket = opt(),
            "account" => self.account = opt(),
            "prefix" => self.prefix = v.trim_matches('/').to_owned(),
            "access_key_id" => self.access_key_id = opt(),
            "path_style" => {
                self.path_style = parse_bool(v)
                    .ok_or_else(|| Error::invalid(format!("path_style: {v:?} is not true or false")))?
            }
            "unsigned" => {
                self.unsigned = parse_bool(v)
                    .ok_or_else(|| Error::invalid(format!("unsigned: {v:?} is not true or false")))?
            }
            "insecure_http" => {
                self.insecure_http = parse_bool(v)
                    .ok_or_else(|| Error::invalid(format!("insecure_http: {v:?} is not true or false")))?
            }
            "user" => self.user = opt(),
            "key_file" => self.key_file = opt().map(PathBuf::from),
            // A fingerprint checked by other means (`ssh-keygen -l` on the server), or `none` to
            // see and keep the server's key again at the next test.
            "host_key" if none => self.host_key = None,
            "host_key" => {
                if !v.starts_with("SHA256:") || v.len() < 20 || v.contains(char::is_whitespace) {
                    return Err(Error::invalid(format!(
                        "host_key: {v:?} is not a fingerprint like SHA256:… (as `ssh-keygen -l` prints it), or none"
                    )));
                }
                self.host_key = Some(v.to_owned());
            }
            _ => return Err(Error::invalid(format!("unknown destination field {field:?}"))),
        }
        Ok(())
    }

    /// Where it is, in words a person recognises (no secret in it): `s3://bucket/prefix at
    /// https://endpoint`, `webdav https://host/dav/prefix`, `sftp user@host/prefix`, a folder's path.
    pub fn describe(&self) -> String {
        let prefix = if self.prefix.is_empty() { String::new() } else { format!("/{}", self.prefix) };
        match self.kind {
            DestinationKind::Folder => {
                self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
            }
            DestinationKind::S3 => format!(
                "s3://{}{prefix} at {}",
                self.bucket.as_deref().unwrap_or(""),
                self.endpoint.as_deref().unwrap_or("AWS")
            ),
            DestinationKind::Azblob => format!(
                "azure://{}/{}{prefix}{}",
                self.account.as_deref().unwrap_or(""),
                self.bucket.as_deref().unwrap_or(""),
                self.endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default()
            ),
            DestinationKind::Gcs => format!(
                "gs://{}{prefix}{}",
                self.bucket.as_deref().unwrap_or(""),
                self.endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default()
            ),
            DestinationKind::Webdav => format!("{}{prefix}", self.endpoint.as_deref().unwrap_or("")),
            DestinationKind::Sftp => format!(
                "sftp://{}@{}{prefix}",
                self.user.as_deref().unwrap_or(""),
                self.endpoint.as_deref().unwrap_or("")
            ),
        }
    }
}

/// The environment variable that can hold the secret of the destination named `name`:
/// `KEEPSAKE_DEST_SECRET_` and the name in capitals, every other character than a letter or
/// digit as `_` (so `my-nas`, `my_nas` and `My.Nas` share one, and cannot be told apart: two
/// destinations whose names map to one variable are refused, see `Sources::add_destination` in the engine).
pub fn secret_env_name(name: &str) -> String {
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("KEEPSAKE_DEST_SECRET_{name}")
}

/// Whether `authority` (`host`, `host:port`, `[::1]:port`) names this computer.
fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` (a setting's words, for sources and
/// destinations alike).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Some(true),
        "0" | "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_kind_names_the_field_it_misses() {
        let s3 = Destination::new("b2", DestinationKind::S3);
        assert!(s3.validate().unwrap_err().message().contains("bucket"));
        let mut s3 = s3;
        s3.set("bucket", "family").unwrap();
        assert!(s3.validate().unwrap_err().message().contains("access_key_id"));
        s3.set("access_key_id", "AK").unwrap();
        s3.validate().unwrap();
        s3.set("endpoint", "s3.example.org").unwrap();
        assert!(s3.validate().unwrap_err().message().contains("https://"));
        let mut dav = Destination::new("nas", DestinationKind::Webdav);
        assert!(dav.validate().is_err());
        dav.set("endpoint", "https://nas.local/dav/").unwrap();
        dav.set("prefix", "/keepsake/laptop/").unwrap();
        dav.validate().unwrap();
        assert_eq!(dav.describe(), "https://nas.local/dav/keepsake/laptop");
        dav.set("prefix", "a/../b").unwrap();
        assert!(dav.validate().is_err());
        assert_eq!(DestinationKind::parse("SFTP").unwrap(), DestinationKind::Sftp);
        let mut az = Destination::new("az", DestinationKind::parse("azure").unwrap());
        assert!(az.validate().unwrap_err().message().contains("account"));
        az.set("account", "family").unwrap();
        assert!(az.validate().unwrap_err().message().contains("container"));
        az.set("container", "backups").unwrap();
        az.validate().unwrap();
        assert_eq!(az.describe(), "azure://family/backups");
        let mut gcs = Destination::new("g", DestinationKind::parse("gcs").unwrap());
        assert!(gcs.validate().unwrap_err().message().contains("bucket"));
        gcs.set("bucket", "family").unwrap();
        gcs.validate().unwrap();
        assert!(gcs.needs_secret(), "a service account's key");
        gcs.set("unsigned", "true").unwrap();
        assert!(!gcs.needs_secret(), "a public bucket or an emulator");
        assert!(DestinationKind::parse("ftp").is_err());
    }

    #[test]
    fn endpoints_hold_no_password_and_speak_https_unless_on_this_computer() {
        let mut dav = Destination::new("nas", DestinationKind::Webdav);
        for ok in [
            "https://nas.example.org/dav",
            "http://127.0.0.1:8080/dav",
            "http://127.9.0.1",
            "http://[::1]:80",
            "http://LOCALHOST:1/x",
        ] {
            dav.set("endpoint", ok).unwrap();
            dav.validate().unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        dav.set("endpoint", "https://ann:hunter2@nas.example.org/dav").unwrap();
        let why = dav.validate().unwrap_err().message().to_owned();
        assert!(why.contains("password") && !why.contains("hunter2"), "{why}");
        dav.set("endpoint", "http://nas.example.org/dav").unwrap();
        assert!(dav.validate().unwrap_err().message().contains("--insecure-http"));
        dav.set("endpoint", "http://127.0.0.1.example.org/dav").unwrap();
        assert!(dav.validate().is_err(), "a name that only starts like a loopback address");
        dav.set("insecure_http", "true").unwrap();
        dav.validate().unwrap();
        let text = toml::to_string(&dav).unwrap();
        assert!(text.contains("insecure_http = true"), "{text}");
        let mut s3 = Destination::new("b2", DestinationKind::S3);
        s3.set("bucket", "b").unwrap();
        s3.set("access_key_id", "AK").unwrap();
        s3.set("endpoint", "http://s3.example.org").unwrap();
        assert!(s3.validate().is_err());
        let mut sftp = Destination::new("box", DestinationKind::Sftp);
        sftp.set("user", "ann").unwrap();
        sftp.set("endpoint", "ann:pw@box.example.org:22").unwrap();
        assert!(sftp.validate().is_err());
        sftp.set("endpoint", "box.example.org:22").unwrap();
        sftp.validate().unwrap();
        assert_eq!(secret_env_name("My.Nas"), secret_env_name("my-nas"));
    }

    #[test]
    fn retention_defaults_to_the_sources_and_settings_read_back_from_toml() {
        let folder = RetentionPolicy { keep_last: Some(3), ..RetentionPolicy::default() };
        let mut d = Destination::new("usb", DestinationKind::Folder);
        d.set("path", "/media/usb").unwrap();
        assert_eq!(d.retention_for(&folder), &folder, "the source's rules by default");
        assert_eq!(d.verify_every(), Some(DEFAULT_VERIFY_EVERY_DAYS));
        d.set("keep_monthly", "12").unwrap();
        d.set("verify_every_days", "0").unwrap();
        d.set("upload_limit_kib", "512").unwrap();
        assert_eq!(d.retention_for(&folder).keep_monthly, Some(12));
        assert_eq!(d.retention_for(&folder).keep_last, None, "its own rules only");
        assert_eq!(d.verify_every(), None, "0: only when asked");
        assert!(d.set("keep_last", "many").is_err());
        let text = toml::to_string(&d).unwrap();
        assert_eq!(toml::from_str::<Destination>(&text).unwrap(), d, "{text}");
        d.set("retention", "all").unwrap();
        assert!(d.retention_for(&folder).is_empty(), "every copy kept");
        d.set("retention", "source").unwrap();
        assert_eq!(d.retention_for(&folder), &folder);
        d.set("keep_last", "none").unwrap();
        assert_eq!(d.retention, None, "still the source's rules");
        assert_eq!(d.alert_after(), Some(DEFAULT_ALERT_AFTER_HOURS));
        d.set("alert_after_hours", "0").unwrap();
        assert_eq!(d.alert_after(), None, "0: never");
    }
}
