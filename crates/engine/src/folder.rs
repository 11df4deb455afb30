//! What is in a store, sorted by what Keepsake can trust. Every file is untrusted input: the
//! recorded backups come from this installation's catalog (checked against their files by size
//! here, by SHA-256 when verified), and everything else is read from the file itself and listed
//! apart, as *foreign* (a readable backup nobody here recorded), *locked* (encrypted, and no
//! password that opens it) or *damaged* (a backup's name, but unreadable). Readings are cached
//! in the catalog by name, size and modification time. A listing is bounded (files read, key
//! derivations, time; see [`MAX_SCAN_READS`]) and derives keys only with this installation's
//! iteration count unless asked: what it leaves unread is listed as locked, saying why.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::FileRecord;
use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{ErrorCode, Result, escaped};
use crate::format::file::{self, Object};
use crate::format::keys::DeriveLimits;
use crate::model::{BackupMetadata, Concern, Origin};
use crate::names;

/// A file with a backup's name that cannot be listed as a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderFile {
    /// Its name in the store.
    pub file_name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The date and time in its name, when it has one.
    pub named_date: Option<DateTime<Utc>>,
    /// Why it is not listed.
    pub state: FileState,
    /// What was found, in one technical line.
    pub message: String,
}

/// Why a file is not listed as a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Encrypted, and no password at hand opens it.
    Locked,
    /// It has a backup's name but cannot be read as one.
    Damaged,
}

/// Everything in a store, sorted.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FolderReport {
    /// The backups this installation recorded, newest first (with a concern when their file is
    /// missing or changed).
    pub backups: Vec<BackupMetadata>,
    /// Readable backups nobody here recorded, newest first, each with its concern.
    pub foreign: Vec<BackupMetadata>,
    /// Files with a backup's name that cannot be listed as backups.
    pub files: Vec<FolderFile>,
}

/// What `catalog rebuild` found: every file read again, every recorded backup's file hashed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RebuildReport {
    /// Recorded backups whose file is there, whole.
    pub sound: Vec<String>,
    /// Recorded backups whose file is gone.
    pub missing: Vec<String>,
    /// Recorded backups whose file is no longer the one written (size or SHA-256).
    pub changed: Vec<String>,
    /// Readable backups nobody here recorded, with their concern.
    pub foreign: Vec<BackupMetadata>,
    /// Files with a backup's name that cannot be read (locked or damaged).
    pub files: Vec<FolderFile>,
}

impl crate::engine::Outcome for RebuildReport {}

impl RebuildReport {
    /// Whether anything is damaged or gone (`keepsake catalog rebuild` then exits non-zero).
    pub fn has_damage(&self) -> bool {
        !self.missing.is_empty()
            || !self.changed.is_empty()
            || self.files.iter().any(|f| f.state == FileState::Damaged)
    }
}

/// What a file said about itself when it was read (cached in the catalog).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FileInfo {
    Backup { meta: Box<BackupMetadata> },
    Locked { message: String },
    Damaged { message: String },
}

/// A foreign file dated further in the future than this is flagged.
const FUTURE_SLACK: Duration = Duration::days(1);

/// Most files one listing reads (those whose reading is not cached yet): a folder or bucket
/// somebody filled with files of backups' names is listed in pieces, the rest said unread.
pub const MAX_SCAN_READS: usize = 2_000;
/// Most new key derivations one listing runs. Backups of one installation share one (a
/// chain of a thousand costs one); each planted file can name its own salt.
pub const MAX_SCAN_DERIVATIONS: u32 = 8;
/// Longest one listing spends reading files before it lists the rest as not read yet.
pub const SCAN_READ_BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

impl Engine {
    /// Lists the store: recorded backups, foreign ones, and files that cannot be read.
    pub fn scan(&self) -> Result<FolderReport> {
        let entries = self.store().list()?;
        let recorded = self.list(None)?;
        let recorded_ids: HashSet<&str> = recorded.iter().map(|b| b.id.as_str()).collect();
        let recorded_files: HashSet<&str> = recorded.iter().map(|b| b.file_name.as_str()).collect();
        let now = self.clock.now();
        let mut report = FolderReport { backups: recorded.clone(), ..FolderReport::default() };
        let mut seen = Vec::new();
        // Bounded: anybody who can write here can plant files asking for minutes of key
        // derivation each. Only this installation's iteration count is derived for unless asked
        // ([`Engine::with_foreign_kdf`]), and what is left unread is listed, saying so.
        let limits = DeriveLimits::new(
            (!self.foreign_kdf).then_some(self.kdf_iterations),
            MAX_SCAN_DERIVATIONS,
            SCAN_READ_BUDGET,
        );
        let started = std::time::Instant::now();
        let mut reads = 0usize;
        for entry in entries {
            if recorded_files.contains(entry.name.as_str()) || !names::looks_like_backup(&entry.name) {
                continue;
            }
            seen.push(entry.name.clone());
            let info = match self.cached_file(&entry)? {
                Some(info) => info,
                None if reads >= MAX_SCAN_READS || started.elapsed() >= SCAN_READ_BUDGET => {
                    FileInfo::Locked {
                        message: format!(
                            "not read in this listing: one listing reads at most {MAX_SCAN_READS} files, for at most {} s; \
                         list again to read more",
                            SCAN_READ_BUDGET.as_secs()
                        ),
                    }
                }
                None => {
                    reads += 1;
                    self.read_file(&entry, &limits)?
                }
            };
            let named = names::parse_file_name(&entry.name);
            match info {
                FileInfo::Backup { meta } => {
                    let mut meta = *meta;
                    let header_id = meta.id.clone();
                    meta.file_name = entry.name.clone();
                    meta.stored_size = entry.size;
                    meta.origin = Origin::Foreign;
                    meta.sha256.clear();
                    meta.verification = Default::default();
                    meta.verified_at = None;
                    let (id, concern) = match named {
                        Some((id, _)) if id != header_id => (id.to_owned(), Concern::NameMismatch),
                        Some((id, _)) if recorded_ids.contains(id) => (entry.name.clone(), Concern::IdTaken),
                        Some((id, _)) if meta.created_at > now + FUTURE_SLACK => {
                            (id.to_owned(), Concern::FutureDated)
                        }
                        Some((id, _)) => (
                            id.to_owned(),
                            if meta.installation.as_deref().is_some_and(|i| i != self.home.id()) {
                                Concern::OtherInstallation
                            } else if self.catalog()?.made_elsewhere_here(id, &entry.name, entry.size)? {
                                // A copy this installation sent here (a destination listed
                                // with `--from` on the computer that made the backups).
                                Concern::CopyOfOwn
                            } else {
                                Concern::NotRecorded
                            },
                        ),
                        None => (entry.name.clone(), Concern::NameMismatch),
                    };
                    if concern == Concern::NameMismatch || concern == Concern::IdTaken {
                        meta.claimed_id = Some(header_id);
                    }
                    meta.id = id;
                    meta.concern = Some(concern);
                    report.foreign.push(meta);
                }
                FileInfo::Locked { message } => report.files.push(FolderFile {
                    named_date: named.and_then(|(id, _)| names::date_of_id(id)),
                    file_name: entry.name.clone(),
                    size: entry.size,
                    state: FileState::Locked,
                    message,
                }),
                FileInfo::Damaged { message } => report.files.push(FolderFile {
                    named_date: named.and_then(|(id, _)| names::date_of_id(id)),
                    file_name: entry.name.clone(),
                    size: entry.size,
                    state: FileState::Damaged,
                    message,
                }),
            }
        }
        // Two foreign files may share an id (`x.db.gz` and `x.keepsake`): refer to both by name.
        let mut ids = std::collections::HashMap::new();
        for b in &report.foreign {
            *ids.entry(b.id.clone()).or_insert(0) += 1;
        }
        for b in &mut report.foreign {
            if ids.get(&b.id).copied().unwrap_or(0) > 1 {
                b.id = b.file_name.clone();
            }
        }
        // A foreign increment whose chain is not all here cannot be restored: said plainly, and so
        // is every later one that builds on it.
        loop {
            let whole: HashSet<String> = report
                .foreign
                .iter()
                .filter(|b| b.concern != Some(Concern::BrokenChain))
                .flat_map(|b| [b.id.clone(), b.claimed_id.clone().unwrap_or_default()])
                .collect();
            let mut changed = false;
            for b in &mut report.foreign {
                if let Some(c) = &b.chain
                    && b.concern != Some(Concern::BrokenChain)
                    && !whole.contains(&c.base)
                    && !recorded_ids.contains(c.base.as_str())
                {
                    b.concern = Some(Concern::BrokenChain);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        report.foreign.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        report.files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        self.catalog()?.retain_files(&seen)?;
        Ok(report)
    }

    /// Reads every file of the store again and hashes every recorded backup's file: a recorded
    /// file whose SHA-256 changed is marked so (and fails verification from then on); nothing
    /// recorded is forgotten, and nothing foreign becomes recorded.
    pub fn rebuild_catalog(&self) -> Result<RebuildReport> {
        self.locked_run(crate::model::Operation::Rebuild, crate::engine::RunInfo::default(), || {
            self.catalog()?.clear_files()?;
            let mut report = RebuildReport::default();
            for mut b in self.list(None)? {
                match b.concern {
                    Some(Concern::Missing) => report.missing.push(b.id.clone()),
                    Some(Concern::Changed) => report.changed.push(b.id.clone()),
                    _ => {
                        let obj = Object::new(self.store().as_ref(), &b.file_name);
                        let (sha, _) = file::sha256_of(&obj)?;
                        if sha == b.sha256 {
                            report.sound.push(b.id.clone());
                        } else {
                            b.concern = Some(Concern::Changed);
                            b.verification = crate::model::VerificationStatus::Failed;
                            b.verified_at = Some(self.clock.now());
                            self.catalog()?.record(&b, crate::catalog::RecordOrigin::Made)?;
                            report.changed.push(b.id.clone());
                        }
                    }
                }
            }
            let scan = self.scan()?;
            report.foreign = scan.foreign;
            report.files = scan.files;
            Ok(report)
        })
    }

    /// What a file said about itself when it was last read, when it has not changed since
    /// (and is not a locked one that a password at hand may open now).
    fn cached_file(&self, entry: &crate::store::StoreEntry) -> Result<Option<FileInfo>> {
        let cached = self.catalog()?.file(&entry.name)?;
        if let Some(c) = cached.filter(|c| c.size == entry.size && c.modified == entry.modified)
            && let Ok(info) = serde_json::from_str::<FileInfo>(&c.info)
        {
            // A locked file is tried again when a password may open it now.
            let retry = matches!(info, FileInfo::Locked { .. }) && self.secrets.at_hand().is_some();
            if !retry {
                return Ok(Some(info));
            }
        }
        Ok(None)
    }

    /// What a file says about itself, read now, its key derived within `limits`.
    fn read_file(&self, entry: &crate::store::StoreEntry, limits: &DeriveLimits) -> Result<FileInfo> {
        let obj = Object::new(self.store().as_ref(), &entry.name);
        let info = match file::read_header(&obj, self.secrets.as_ref(), &self.home.keys, Some(limits)) {
            Ok((h, encryption)) => {
                let mut meta =
                    crate::commands::backup::metadata(&h, entry.name.clone(), entry.size, String::new(), 0);
                if encryption.is_some() {
                    meta.encrypted = true;
                    meta.encryption = encryption;
                }
                FileInfo::Backup { meta: Box::new(meta) }
            }
            // Not opened because this listing spent its derivations: tried again next time.
            Err(e) if e.facts().reason == Some(Reason::ScanLimit) => {
                return Ok(FileInfo::Locked { message: e.message().to_owned() });
            }
            Err(e) if e.code() == ErrorCode::PasswordRequired || e.code() == ErrorCode::WrongPassword => {
                FileInfo::Locked { message: e.message().to_owned() }
            }
            Err(e) if e.code() == ErrorCode::Io => return Err(e),
            Err(e) => FileInfo::Damaged { message: escaped(e.message()) },
        };
        let record = FileRecord {
            name: entry.name.clone(),
            size: entry.size,
            modified: entry.modified,
            info: serde_json::to_string(&info).unwrap_or_default(),
        };
        self.catalog()?.put_file(&record)?;
        Ok(info)
    }
}
