//! Sources: the databases Keepsake protects, each with its own backup folder, schedule,
//! retention and options, kept in one TOML file. Loading is strict (an unknown key or a bad
//! value is an error naming the field), saving is atomic (a temporary file, synced, renamed),
//! and the seed tool's environment variables can define or override a default source.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::destinations::Destination;
pub use crate::destinations::parse_bool;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::model::{BackupOptions, BackupType, DEFAULT_LEVEL, SpaceMargin};
use crate::retention::RetentionPolicy;
use crate::schedule::Schedule;

/// Name of the source the environment variables define.
pub const DEFAULT_SOURCE: &str = "default";

fn yes() -> bool {
    true
}

fn default_level() -> u32 {
    DEFAULT_LEVEL
}

/// One database and how to protect it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The name people use for it (`keepsake run NAME`); unique among the sources.
    pub name: String,
    /// The SQLite database file to back up (a relative path is relative to the sources file's folder).
    pub database: PathBuf,
    /// The folder its backups go to (relative as `database` is); no two sources share one.
    pub backup_dir: PathBuf,
    /// Scheduled backups run only for enabled sources.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Paused by the user (from the tray or `keepsake source set NAME paused true`).
    #[serde(default)]
    pub paused: bool,
    /// When scheduled backups run; `None`: only when asked.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Which backups a cleanup keeps; with a rule set, one runs after each sound scheduled backup.
    #[serde(default)]
    pub retention: RetentionPolicy,
    /// Encrypt its backups with the password (default on).
    #[serde(default = "yes")]
    pub encrypt: bool,
    /// Compress its backups (default on).
    #[serde(default = "yes")]
    pub compress: bool,
    /// The gzip level, 1-9 (default 6).
    #[serde(default = "default_level")]
    pub level: u32,
    /// Verify each new backup right after making it (default on).
    #[serde(default = "yes")]
    pub verify_after_backup: bool,
    /// Warn when no backup succeeded for this many days (default: three scheduled intervals,
    /// at least two days).
    #[serde(default)]
    pub overdue_after_days: Option<u32>,
    /// "Save space: back up only what changed": `true` makes increments whenever it can,
    /// `false` never; unset, databases of at least 64 MiB get increments.
    #[serde(default)]
    pub incremental: Option<bool>,
    /// A table that loses more than this share of its rows (percent) between two backups
    /// raises a content alert; 0 turns content alerts off (default 20).
    #[serde(default = "default_row_loss")]
    pub row_loss_alert_percent: u32,
    /// The destinations (by name) each new backup is copied to, after the local one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies_to: Vec<String>,
    /// When the backup folder's disk counts as low on space (`low_space = { percent = 10,
    /// mib = 1024 }`: the smaller of the two is kept free after a backup).
    #[serde(default, skip_serializing_if = "SpaceMargin::is_default")]
    pub low_space: SpaceMargin,
    /// The app these files belong to (the catalogue's id, `firefox`): the window and the CLI
    /// name it ("Close Firefox first"), and its files are put back only while it is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The app's other files (relative as `database` is): each run backs them up with
    /// `database`, and a restore puts them all back from the same run, so the app finds its
    /// files as they were together at one moment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<PathBuf>,
    /// The files among `database` and `also` that their app encrypts itself (SQLCipher:
    /// Signal's `db.sqlite`): SQLite cannot read them, so Keepsake keeps them as bytes, copied
    /// whole with the `-wal` beside them and checked unchanged while copied, and puts them back
    /// whole. It cannot check inside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opaque: Vec<PathBuf>,
}

fn default_row_loss() -> u32 {
    crate::watch::DEFAULT_ROW_LOSS_PERCENT
}

impl Source {
    /// A source with the defaults: enabled, no schedule, no retention rule, encrypted,
    /// compressed at the default level, verified after each backup.
    pub fn new(
        name: impl Into<String>,
        database: impl Into<PathBuf>,
        backup_dir: impl Into<PathBuf>,
    ) -> Source {
        Source {
            name: name.into(),
            database: database.into(),
            backup_dir: backup_dir.into(),
            enabled: true,
            paused: false,
            schedule: None,
            retention: RetentionPolicy::default(),
            encrypt: true,
            compress: true,
            level: DEFAULT_LEVEL,
            verify_after_backup: true,
            overdue_after_days: None,
            incremental: None,
            row_loss_alert_percent: default_row_loss(),
            copies_to: Vec::new(),
            low_space: SpaceMargin::default(),
            app: None,
            also: Vec::new(),
            opaque: Vec::new(),
        }
    }

    /// A source that protects one app's files as discovery found them ([`crate::discover`]):
    /// its important files (with `rebuildable`, the files the app can rebuild too), the first
    /// as `database` and the others as `also`, so every run backs them up together and a
    /// restore puts them back together. Files the app encrypts itself are kept as bytes
    /// (`opaque`): Keepsake cannot check inside them.
    pub fn for_app(
        found: &crate::discover::FoundApp,
        name: &str,
        backup_dir: impl Into<PathBuf>,
        rebuildable: bool,
    ) -> Result<Source> {
        let mut files = found.files.iter().filter(|f| f.important || rebuildable).map(|f| f.path.clone());
        let Some(database) = files.next() else {
            return Err(Error::invalid(format!(
                "{} in {} has no file Keepsake can back up",
                found.name,
                shown(&found.place)
            )));
        };
        let mut s = Source::new(name, database, backup_dir);
        s.also = files.collect();
        s.opaque = found
            .files
            .iter()
            .filter(|f| f.encrypted)
            .map(|f| f.path.clone())
            .filter(|p| s.files().any(|f| f == p))
            .collect();
        s.app = Some(found.app.clone());
        s.validate()?;
        Ok(s)
    }

    /// Every database file of the source: `database`, then the app's other files.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.database.as_path()).chain(self.also.iter().map(PathBuf::as_path))
    }

    /// Whether the source keeps the file at `path` as bytes (see [`Source::opaque`]).
    pub fn is_opaque(&self, path: &Path) -> bool {
        self.opaque.iter().any(|p| p == path)
    }

    /// Options of a backup of this source (of its `database`).
    pub fn backup_options(&self, backup_type: BackupType) -> BackupOptions {
        BackupOptions {
            opaque: self.is_opaque(&self.database),
            encrypt: self.encrypt,
            compress: self.compress,
            level: self.level,
            backup_type,
            verify: self.verify_after_backup,
            incremental: self.incremental,
            watch: crate::watch::WatchRules { row_loss_percent: self.row_loss_alert_percent },
            ..BackupOptions::default()
        }
    }

    /// Whether the scheduler should run this source.
    pub fn is_scheduled(&self) -> bool {
        self.enabled && !self.paused && self.schedule.is_some()
    }

    fn validate(&self) -> Result<()> {
        let bad =
            |field: &str, why: String| Err(Error::invalid(format!("source {:?}: {field}: {why}", self.name)));
        if self.name.trim().is_empty() || self.name.chars().any(|c| c.is_control()) {
            return bad("name", "must be a non-empty name without control characters".into());
        }
        if self.database.as_os_str().is_empty() {
            return bad("database", "is empty".into());
        }
        if self.backup_dir.as_os_str().is_empty() {
            return bad("backup_dir", "is empty".into());
        }
        if !(1..=9).contains(&self.level) {
            return bad("level", format!("{} is not between 1 and 9", self.level));
        }
        if self.row_loss_alert_percent > 100 {
            return bad(
                "row_loss_alert_percent",
                format!("{} is not between 0 and 100", self.row_loss_alert_percent),
            );
        }
        if self.overdue_after_days == Some(0) {
            return bad("overdue_after_days", "must be at least 1".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for f in self.files() {
            if f.as_os_str().is_empty() {
                return bad("also", "a file path is empty".into());
            }
            if !seen.insert(f) {
                return bad("also", format!("{} is listed twice", shown(f)));
            }
        }
        if let Some(stray) = self.opaque.iter().find(|p| !seen.contains(p.as_path())) {
            return bad("opaque", format!("{} is not one of the source's files", shown(stray)));
        }
        Ok(())
    }

    /// Sets one field from text, as `keepsake source set NAME FIELD VALUE` does. `none` clears
    /// an optional field.
    pub fn set(&mut self, field: &str, value: &str) -> Result<()> {
        let v = value.trim();
        let none = matches!(v.to_ascii_lowercase().as_str(), "none" | "off" | "");
        let err = |why: String| Error::invalid(format!("source {:?}: {field}: {why}", self.name));
        let flag = || parse_bool(v).ok_or_else(|| err(format!("{v:?} is not true or false")));
        let count = || -> Result<Option<u32>> {
            if none {
                return Ok(None);
            }
            v.parse::<u32>().map(Some).map_err(|_| err(format!("{v:?} is not a whole number (or none)")))
        };
        match field {
            "name" => self.name = v.to_owned(),
            "database" => self.database = parse_database_url(v).map_err(err)?,
            "backup_dir" => self.backup_dir = PathBuf::from(v),
            "enabled" => self.enabled = flag()?,
            "paused" => self.paused = flag()?,
            "schedule" => {
                self.schedule =
                    if none { None } else { Some(Schedule::parse(v).map_err(|e| err(e.to_string()))?) }
            }
            "keep_last" => self.retention.keep_last = count()?,
            "keep_within_days" => self.retention.keep_within_days = count()?,
            "keep_daily" => self.retention.keep_daily = count()?,
            "keep_weekly" => self.retention.keep_weekly = count()?,
            "keep_monthly" => self.retention.keep_monthly = count()?,
            "encrypt" => self.encrypt = flag()?,
            "compress" => self.compress = flag()?,
            "level" => self.level = count()?.ok_or_else(|| err("a level is required (1-9)".into()))?,
            "verify_after_backup" => self.verify_after_backup = flag()?,
            "overdue_after_days" => self.overdue_after_days = count()?,
            "row_loss_alert_percent" => self.row_loss_alert_percent = count()?.unwrap_or(0),
            "low_space_percent" => self.low_space.percent = count()?.unwrap_or(0).min(100),
            "low_space_mib" => self.low_space.mib = u64::from(count()?.unwrap_or(0)),
            "copies_to" => {
                self.copies_to = if none {
                    Vec::new()
                } else {
                    v.split(',').map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect()
                }
            }
            "incremental" => {
                self.incremental = match v.to_ascii_lowercase().as_str() {
                    "auto" | "none" | "" => None,
                    _ => Some(flag()?),
                }
            }
            _ => {
                return Err(Error::invalid(format!(
                    "unknown field {field:?}; fields: {}",
                    Source::FIELDS.join(", ")
                )));
            }
        }
        self.validate()
    }

    /// The fields [`Source::set`] accepts.
    pub const FIELDS: [&'static str; 21] = [
        "name",
        "database",
        "backup_dir",
        "enabled",
        "paused",
        "schedule",
        "keep_last",
        "keep_within_days",
        "keep_daily",
        "keep_weekly",
        "keep_monthly",
        "encrypt",
        "compress",
        "level",
        "verify_after_backup",
        "overdue_after_days",
        "incremental",
        "row_loss_alert_percent",
        "copies_to",
        "low_space_percent",
        "low_space_mib",
    ];
}

/// Every source, as kept in the settings file (`[[source]]` tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// The sources, in file order.
    #[serde(default, rename = "source")]
    pub sources: Vec<Source>,
    /// The places backups are copied to (`[[destination]]` tables).
    #[serde(default, rename = "destination", skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<Destination>,
    /// E-mail from `keepsake daemon` (`[email]`): failures and the weekly summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailSettings>,
}

/// A settings file's parse error as `FILE, line N: what`, without the line's text: a line the
/// file should not have (`password = ...` under `[email]`) may hold a secret, and the message
/// goes to terminals and logs.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    match line {
        Some(n) => format!("{}, line {n}: {}", shown(path), e.message().trim()),
        None => format!("{}: {}", shown(path), e.message().trim()),
    }
}

/// E-mail from `keepsake daemon` on a home server: each failed backup and the weekly summary,
/// sent over SMTP with STARTTLS (required). The password is never here: it is in the OS keyring
/// (`keepsake email password`) or `KEEPSAKE_SMTP_PASSWORD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The SMTP server (`smtp.example.org`).
    pub smtp_host: String,
    /// Its submission port (587 when not given).
    #[serde(default = "default_smtp_port")]
    pub smtp_port: u16,
    /// The login (none: the server takes mail without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The sender (`Keepsake <ann@example.org>`).
    pub from: String,
    /// The recipient.
    pub to: String,
    /// Mail each failed scheduled backup (default yes).
    #[serde(default = "yes")]
    pub failures: bool,
    /// Mail the weekly summary (default yes).
    #[serde(default = "yes")]
    pub weekly: bool,
    /// A certificate authority to trust for the server besides the system's (a home server's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

fn default_smtp_port() -> u16 {
    587
}

impl Sources {
    /// Reads `path`; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<Sources> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Sources::default()),
            Err(e) => return Err(Error::read(path, e)),
        };
        let s: Sources = toml::from_str(&text).map_err(|e| Error::invalid(toml_error(path, &text, &e)))?;
        s.validate().map_err(|e| Error::invalid(format!("{}: {}", shown(path), e.message())))?;
        Ok(s)
    }

    /// The file's sources as they are meant: relative paths (of a hand-edited file) are
    /// relative to the file's folder. What every host runs from; [`Sources::load`] is for
    /// editing the file as written.
    pub fn load_resolved(path: &Path) -> Result<Sources> {
        let mut sources = Sources::load(path)?;
        if let Some(dir) = path.parent() {
            for s in &mut sources.sources {
                for p in [&mut s.database, &mut s.backup_dir]
                    .into_iter()
                    .chain(s.also.iter_mut())
                    .chain(s.opaque.iter_mut())
                {
                    if p.is_relative() {
                        *p = dir.join(&*p);
                    }
                }
            }
        }
        Ok(sources)
    }

    /// Writes `path` atomically (readable by the owner only): the old file stays whole until
    /// the new one is complete.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let text = toml::to_string_pretty(self).map_err(|e| Error::invalid(e.to_string()))?;
        crate::durable::write_atomic(path, text.as_bytes())
    }

    /// Checks every source's fields, and that no two share a name or a backup folder.
    pub fn validate(&self) -> Result<()> {
        for (i, s) in self.sources.iter().enumerate() {
            s.validate()?;
            for other in &self.sources[..i] {
                if other.name == s.name {
                    return Err(Error::invalid(format!("two sources are named {:?}", s.name)));
                }
                if other.backup_dir == s.backup_dir {
                    return Err(Error::invalid(format!(
                        "sources {:?} and {:?} share the backup folder {}; give each its own",
                        other.name,
                        s.name,
                        shown(&s.backup_dir)
                    )));
                }
            }
            for d in &s.copies_to {
                if !self.destinations.iter().any(|x| &x.name == d) {
                    return Err(Error::invalid(format!(
                        "source {:?} copies to {d:?}, which is no destination",
                        s.name
                    )));
                }
            }
        }
        for (i, d) in self.destinations.iter().enumerate() {
            d.validate()?;
            if self.destinations[..i].iter().any(|o| o.name == d.name) {
                return Err(Error::invalid(format!("two destinations are named {:?}", d.name)));
            }
        }
        Ok(())
    }

    /// The destination named `name`; `invalid_input` when there is none.
    pub fn destination(&self, name: &str) -> Result<&Destination> {
        self.destinations
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| Error::invalid(format!("no destination is named {name:?}")))
    }

    /// Adds `dest`; refused, with nothing changed, when it is invalid or its name is taken, also
    /// as the environment variable of its secret (`my-nas` and `My.Nas` would share
    /// `KEEPSAKE_DEST_SECRET_MY_NAS`, and one's secret would log in to the other).
    pub fn add_destination(&mut self, dest: Destination) -> Result<()> {
        if let Some(other) =
            self.destinations.iter().find(|o| o.name != dest.name && o.secret_env() == dest.secret_env())
        {
            return Err(Error::invalid(format!(
                "destination {:?}: its name is too close to the destination {:?}'s: both would take \
                 their secret from the variable {}; pick a name that differs in more than \
                 capitals and punctuation",
                dest.name,
                other.name,
                dest.secret_env()
            )));
        }
        self.destinations.push(dest);
        if let Err(e) = self.validate() {
            self.destinations.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Removes the destination named `name` (and it from every source's copies) and returns it.
    pub fn remove_destination(&mut self, name: &str) -> Result<Destination> {
        let i = self
            .destinations
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| Error::invalid(format!("no destination is named {name:?}")))?;
        for s in &mut self.sources {
            s.copies_to.retain(|d| d != name);
        }
        Ok(self.destinations.remove(i))
    }

    /// The source named `name`; `invalid_input` when there is none.
    pub fn get(&self, name: &str) -> Result<&Source> {
        self.sources.iter().find(|s| s.name == name).ok_or_else(|| unknown(name))
    }

    /// The source named `name`, to change it; `invalid_input` when there is none.
    pub fn get_mut(&mut self, name: &str) -> Result<&mut Source> {
        self.sources.iter_mut().find(|s| s.name == name).ok_or_else(|| unknown(name))
    }

    /// Adds `source`; refused, with nothing changed, when it is invalid or clashes with another.
    pub fn add(&mut self, source: Source) -> Result<()> {
        self.sources.push(source);
        if let Err(e) = self.validate() {
            self.sources.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Removes the source named `name` and returns it.
    pub fn remove(&mut self, name: &str) -> Result<Source> {
        let i = self.sources.iter().position(|s| s.name == name).ok_or_else(|| unknown(name))?;
        Ok(self.sources.remove(i))
    }

    /// Applies the seed tool's environment variables to the source named `default`, creating
    /// it when `DATABASE_URL` is set and it does not exist. `var` reads one variable.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        let env_err = |name: &str, v: &str, why: &str| {
            Error::new(ErrorCode::InvalidInput, format!("{name}={v:?}: {why}"))
        };
        let db = match var("DATABASE_URL") {
            Some(url) => Some(parse_database_url(&url).map_err(|why| env_err("DATABASE_URL", &url, &why))?),
            None => None,
        };
        let dir = var("BACKUP_DIR").map(PathBuf::from);
        if self.get(DEFAULT_SOURCE).is_err() {
            let Some(db) = db.clone() else { return Ok(()) };
            let backup_dir =
                dir.clone().unwrap_or_else(|| db.parent().unwrap_or(Path::new(".")).join("backups"));
            self.sources.push(Source::new(DEFAULT_SOURCE, db, backup_dir));
        }
        let s = self.get_mut(DEFAULT_SOURCE)?;
        if let Some(db) = db {
            s.database = db;
        }
        if let Some(d) = dir {
            s.backup_dir = d;
        }
        let flag = |name: &str| -> Result<Option<bool>> {
            match var(name) {
                None => Ok(None),
                Some(v) => {
                    parse_bool(&v).map(Some).ok_or_else(|| env_err(name, &v, "expected true or false"))
                }
            }
        };
        let count = |name: &str| -> Result<Option<u32>> {
            match var(name) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| env_err(name, &v, "expected a whole number")),
            }
        };
        if let Some(b) = flag("BACKUP_ENABLED")? {
            s.enabled = b;
        }
        if let Some(expr) = var("BACKUP_SCHEDULE") {
            s.schedule =
                Some(Schedule::parse(&expr).map_err(|e| env_err("BACKUP_SCHEDULE", &expr, &e.to_string()))?);
        }
        if let Some(n) = count("BACKUP_RETENTION_DAYS")? {
            s.retention.keep_within_days = Some(n);
        }
        if let Some(n) = count("BACKUP_MAX_BACKUPS")? {
            s.retention.keep_last = Some(n);
        }
        if let Some(b) = flag("BACKUP_ENCRYPTION_ENABLED")? {
            s.encrypt = b;
        }
        if let Some(b) = flag("BACKUP_COMPRESSION_ENABLED")? {
            s.compress = b;
        }
        if let Some(b) = flag("BACKUP_VERIFY_AFTER_CREATE")? {
            s.verify_after_backup = b;
        }
        self.validate()
    }
}

fn unknown(name: &str) -> Error {
    Error::invalid(format!("no source named {name:?}; `keepsake source list` shows them"))
}

/// Turns a `DATABASE_URL` into a path: SQLAlchemy's forms as the Python tool used them
/// (`sqlite:///relative`, `sqlite:////absolute`, `sqlite+driver://...`, a query string is
/// dropped) and a plain path.
pub fn parse_database_url(url: &str) -> std::result::Result<PathBuf, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(PathBuf::from(url));
    };
    let dialect = scheme.split('+').next().unwrap_or(scheme);
    if !dialect.eq_ignore_ascii_case("sqlite") {
        return Err(format!("{scheme}:// is not a SQLite URL; Keepsake backs up SQLite databases"));
    }
    let rest = rest.split_once('?').map_or(rest, |(path, _query)| path);
    let Some(path) = rest.strip_prefix('/') else {
        return Err(
            "a SQLite URL has no host: write sqlite:///relative/path or sqlite:////absolute/path".to_owned()
        );
    };
    if path.is_empty() || path == ":memory:" {
        return Err("an in-memory database has nothing to back up".to_owned());
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn a_bad_line_is_named_by_its_number_and_its_text_is_never_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        let text =
            "[email]\nsmtp_host = \"h\"\nfrom = \"a@b\"\nto = \"a@b\"\npassword = \"hunter2-secret\"\n";
        std::fs::write(&path, text).unwrap();
        let e = Sources::load(&path).unwrap_err();
        assert!(e.message().contains("line 5"), "{e}");
        assert!(e.message().contains("unknown field `password`"), "{e}");
        assert!(!e.message().contains("hunter2"), "no secret repeated: {e}");
    }

    #[test]
    fn the_low_space_margin_is_set_per_source_and_kept_out_of_the_file_when_default() {
        let mut s = Source::new("app", "/a.db", "/b");
        assert!(!toml::to_string(&s).unwrap().contains("low_space"), "the default is not written");
        s.set("low_space_percent", "5").unwrap();
        s.set("low_space_mib", "2048").unwrap();
        assert_eq!(s.low_space, SpaceMargin { percent: 5, mib: 2048 });
        let text = toml::to_string(&s).unwrap();
        assert_eq!(toml::from_str::<Source>(&text).unwrap().low_space, s.low_space, "{text}");
        assert!(s.set("low_space_percent", "lots").is_err());
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conf/sources.toml");
        let mut s = Sources::default();
        let mut a = Source::new("astro", "/data/astro.db", "/backups/astro");
        a.set("schedule", "daily 02:30").unwrap();
        a.set("keep_last", "10").unwrap();
        s.add(a).unwrap();
        s.add(Source::new("notes", "/data/notes.db", "/backups/notes")).unwrap();
        s.save(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("[[source]]"), "{text}");
        let mode = std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(Sources::load(&path).unwrap(), s);
        assert_eq!(Sources::load(&dir.path().join("missing.toml")).unwrap(), Sources::default());
    }

    #[test]
    fn bad_values_name_the_field_and_change_nothing() {
        let mut s = Source::new("astro", "/a.db", "/b");
        let before = s.clone();
        let e = s.set("level", "12").unwrap_err();
        assert!(e.message().contains("level"), "{e}");
        let e = s.set("schedule", "0 25 * * *").unwrap_err();
        assert!(e.message().contains("schedule") && e.message().contains("hour"), "{e}");
        let e = s.set("paused", "maybe").unwrap_err();
        assert!(e.message().contains("paused"));
        let e = s.set("colour", "red").unwrap_err();
        assert!(e.message().contains("unknown field"));
        // `set` validates after assigning; a failed parse leaves the field as it was.
        s.level = before.level;
        assert_eq!(s.schedule, before.schedule);
    }

    #[test]
    fn load_refuses_unknown_keys_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        fs::write(&path, "[[source]]\nname = \"a\"\ndatabase = \"/a\"\nbackup_dir = \"/b\"\ncolor = 1\n")
            .unwrap();
        assert!(Sources::load(&path).unwrap_err().message().contains("color"));
        fs::write(&path, "[[source]]\nname = \"a\"\ndatabase = \"/a\"\nbackup_dir = \"/b\"\n[[source]]\nname = \"a\"\ndatabase = \"/c\"\nbackup_dir = \"/d\"\n").unwrap();
        assert!(Sources::load(&path).unwrap_err().message().contains("two sources"));
    }

    #[test]
    fn seed_environment_defines_the_default_source() {
        let mut s = Sources::default();
        s.apply_env(env(&[
            ("DATABASE_URL", "sqlite:////srv/app/data/app.db"),
            ("BACKUP_DIR", "/srv/backups"),
            ("BACKUP_ENABLED", "true"),
            ("BACKUP_SCHEDULE", "0 2 * * *"),
            ("BACKUP_RETENTION_DAYS", "30"),
            ("BACKUP_MAX_BACKUPS", "20"),
            ("BACKUP_ENCRYPTION_ENABLED", "false"),
            ("BACKUP_COMPRESSION_ENABLED", "yes"),
            ("BACKUP_VERIFY_AFTER_CREATE", "0"),
        ]))
        .unwrap();
        let d = s.get(DEFAULT_SOURCE).unwrap();
        assert_eq!(d.database, PathBuf::from("/srv/app/data/app.db"));
        assert_eq!(d.backup_dir, PathBuf::from("/srv/backups"));
        assert_eq!(d.schedule.as_ref().unwrap().describe(), "Every day at 02:00");
        assert_eq!(d.retention.keep_within_days, Some(30));
        assert_eq!(d.retention.keep_last, Some(20));
        assert!(!d.encrypt && d.compress && !d.verify_after_backup && d.enabled);
    }

    #[test]
    fn environment_overrides_an_existing_default_and_names_bad_variables() {
        let mut s = Sources::default();
        s.add(Source::new(DEFAULT_SOURCE, "/old.db", "/old-backups")).unwrap();
        s.apply_env(env(&[("BACKUP_DIR", "/new-backups")])).unwrap();
        assert_eq!(s.get(DEFAULT_SOURCE).unwrap().backup_dir, PathBuf::from("/new-backups"));
        let e = s.apply_env(env(&[("BACKUP_MAX_BACKUPS", "lots")])).unwrap_err();
        assert!(e.message().contains("BACKUP_MAX_BACKUPS"));
        let e = Sources::default().apply_env(env(&[("DATABASE_URL", "postgres://x/y")])).unwrap_err();
        assert!(e.message().contains("DATABASE_URL"));
        // Nothing set: nothing defined.
        let mut empty = Sources::default();
        empty.apply_env(env(&[])).unwrap();
        assert!(empty.sources.is_empty());
    }

    #[test]
    fn database_urls() {
        assert_eq!(parse_database_url("sqlite:///./data/app.db").unwrap(), PathBuf::from("./data/app.db"));
        assert_eq!(parse_database_url("sqlite:////abs/app.db").unwrap(), PathBuf::from("/abs/app.db"));
        assert_eq!(parse_database_url("sqlite+pysqlite:///x.db?mode=ro").unwrap(), PathBuf::from("x.db"));
        assert_eq!(parse_database_url("/plain/path.db").unwrap(), PathBuf::from("/plain/path.db"));
        assert!(parse_database_url("sqlite://:memory:").is_err());
        assert!(parse_database_url("mysql://h/db").is_err());
    }
}
