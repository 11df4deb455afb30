//! The engine's data types: what a backup is, what a verification found, what a run did.
//!
//! Field names here are the names the CLI's `--json` output and the app's IPC use, so they are
//! part of the public contract (snake_case, documented in the CLI's README section).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FreeUp};

/// Why a backup was made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackupType {
    /// Asked for by a person (`keepsake create`, the window's "Back up now").
    #[default]
    Manual,
    /// Made by the scheduler for a source: at a schedule slot, or on "run now".
    Scheduled,
    /// Made automatically by a script or another tool (`keepsake create --type auto`).
    Auto,
    /// Taken automatically just before a restore replaces a database.
    Safety,
}

impl BackupType {
    /// The type as written in JSON, the history and `--type` (`manual`, `scheduled`, `auto`, `safety`).
    pub fn as_str(self) -> &'static str {
        match self {
            BackupType::Manual => "manual",
            BackupType::Scheduled => "scheduled",
            BackupType::Auto => "auto",
            BackupType::Safety => "safety",
        }
    }
}

impl std::str::FromStr for BackupType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "manual" => Ok(BackupType::Manual),
            "scheduled" => Ok(BackupType::Scheduled),
            "auto" => Ok(BackupType::Auto),
            "safety" => Ok(BackupType::Safety),
            _ => Err(format!("unknown backup type {s:?} (manual, scheduled, auto, safety)")),
        }
    }
}

/// Whether a backup holds the whole database or the pages changed since another backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// Every page of the database.
    #[default]
    Full,
    /// The pages that differ from the backup it builds on (its chain's previous link).
    Increment,
}

/// Why a backup came out full when an increment was asked for (the rule is in
/// `commands/backup.rs`: a chain is restarted when it is long or large, or when most pages
/// changed).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FullReason {
    /// No earlier backup of this database is recorded in this folder.
    NoEarlierBackup,
    /// The newest earlier backup cannot be built on: its file is missing or changed, or it
    /// failed its verification.
    EarlierBackupUnusable,
    /// The newest earlier backup was encrypted and this one is not, or the other way round.
    EncryptionChanged,
    /// The newest earlier backup is in an older format, which increments cannot build on.
    EarlierBackupOldFormat,
    /// The page list of the newest earlier backup (kept in this installation's own folder) is
    /// not there: it was made by an older Keepsake, or on another computer, or the list was lost.
    NoPageList,
    /// The database's page size changed (a `VACUUM` with another page size, a rebuild).
    PageSizeChanged,
    /// The password changed: every link of a chain opens with one password.
    PasswordChanged,
    /// The chain reached its longest (`MAX_CHAIN_LENGTH` increments).
    ChainLongest,
    /// The chain's increments add up to more than `MAX_CHAIN_SHARE` of its full backup.
    ChainLarge,
    /// A backup the chain builds on is missing or changed.
    ChainBroken,
    /// More than `MAX_INCREMENT_SHARE` of the pages changed: an increment would cost as much.
    ManyPagesChanged,
}

/// What the database looked like when it was backed up.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SchemaInfo {
    /// `PRAGMA user_version`: the owning app's schema version.
    pub user_version: i64,
    /// SHA-256 (hex) over `type, name, tbl_name, sql` of every `sqlite_schema` row, ordered by name.
    pub schema_hash: String,
    /// Bytes per database page (`PRAGMA page_size`).
    pub page_size: u32,
    /// Pages in the database at the snapshot (`page_count * page_size` is its size in bytes).
    pub page_count: u64,
    /// `wal`, `delete`, ... as reported by `PRAGMA journal_mode` on the source.
    pub journal_mode: String,
}

/// Encryption parameters of a backup (never the key or password).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionInfo {
    /// The cipher and its streaming construction, `aes-256-gcm-stream-be32`.
    pub cipher: String,
    /// How the key is derived from the password, `pbkdf2-hmac-sha256`.
    pub kdf: String,
    /// PBKDF2 iterations of that derivation.
    pub iterations: u32,
    /// Plaintext bytes per encrypted chunk (each chunk is stored with its own 16-byte tag).
    pub chunk_size: u32,
}

/// The key new encrypted backups are made under (never a key: what a front end shows of it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStatus {
    /// There is a key (the first encrypted backup, a password change or a kit makes it).
    pub has_key: bool,
    /// When the current key was made.
    pub made_at: Option<DateTime<Utc>>,
    /// When the recovery key that opens it was made: `None` when no recovery key opens the
    /// backups made from now on.
    pub kit_made_at: Option<DateTime<Utc>>,
    /// The first 8 hex digits of that recovery key's public key: which kit it is.
    pub kit: Option<String>,
}

/// Verification state recorded with a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// No verification has run on it yet.
    #[default]
    Unverified,
    /// The last verification found nothing wrong.
    Passed,
    /// The last verification found the backup missing, damaged or incomplete: do not rely on it.
    Failed,
}

/// Whether the database inside a backup is known to be sound: SQLite's own check of it (see
/// [`BackupMetadata::soundness`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Soundness {
    /// The database passed the check: a good point to go back to.
    Sound,
    /// Not known: a backup made before Keepsake checked every backup, a foreign one, or one
    /// whose check could not run (the database kept changing, or the check was stopped).
    #[default]
    Unknown,
    /// The database failed the check: it was damaged already when the backup was made.
    Damaged,
}

impl Soundness {
    /// What an integrity result (`source_integrity`) says.
    pub fn of(integrity: Option<bool>) -> Soundness {
        match integrity {
            Some(true) => Soundness::Sound,
            Some(false) => Soundness::Damaged,
            None => Soundness::Unknown,
        }
    }

    /// The word used in `--json` and in the window.
    pub fn as_str(self) -> &'static str {
        match self {
            Soundness::Sound => "sound",
            Soundness::Unknown => "unknown",
            Soundness::Damaged => "damaged",
        }
    }
}

/// Where the engine's knowledge of a backup comes from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// This installation recorded writing it (its size and SHA-256 at write time are known).
    #[default]
    Recorded,
    /// Found in the folder but not recorded here: made by another computer, copied in by
    /// hand, or planted. What is known of it comes from the file itself, which anyone who can
    /// write to the folder can forge; it is never restored without a confirmation, never
    /// counted by retention, undo or "last backup".
    Foreign,
}

/// Why a backup needs a look before it is trusted.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    /// Recorded, but its file is gone from the folder.
    Missing,
    /// Recorded, but its file is no longer the one that was written (another size or SHA-256).
    Changed,
    /// Foreign: made by another installation of Keepsake (the other computer of a synced folder).
    OtherInstallation,
    /// Foreign: nothing says who made it (an older Keepsake, a file copied in by hand).
    NotRecorded,
    /// Foreign to this store, yet made by this installation: a copy it sent here, or a file
    /// it recorded in another of its folders (same id, file name and size). Listed as foreign
    /// all the same: this store's file is not checked against the record until it is read.
    CopyOfOwn,
    /// Foreign: its header names another backup than its file name does (`claimed_id`).
    NameMismatch,
    /// Foreign: it claims the id of a backup recorded here (`claimed_id`).
    IdTaken,
    /// Foreign: dated more than a day after now, so never taken for the newest.
    FutureDated,
    /// An increment that cannot be restored: a backup it builds on is missing, changed or
    /// not recorded here.
    BrokenChain,
}

/// Everything known about one backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BackupMetadata {
    /// `backup_YYYYMMDD_HHMMSS_xxxxxxxx` (date and time in UTC, then 8 random hex digits, so
    /// ids made on two computers never collide). Older backups have `backup_YYYYMMDD_HHMMSS`,
    /// with `_2`, `_3`... when several were made in one second. A foreign file whose name does
    /// not give a usable id is referred to by its file name.
    pub id: String,
    /// File name inside the backup folder.
    pub file_name: String,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// The database that was backed up: the absolute path recorded in the backup's header.
    pub source_path: PathBuf,
    /// Why it was made: by hand, on schedule, automatically, or just before a restore.
    pub backup_type: BackupType,
    /// The person's note about it; `None` when none was given.
    pub description: Option<String>,
    /// Labels given when it was made; empty when none were.
    pub tags: Vec<String>,
    /// Size of the database snapshot in bytes.
    pub original_size: u64,
    /// Size of the backup file in bytes.
    pub stored_size: u64,
    /// SHA-256 (hex) of the backup file.
    pub sha256: String,
    /// The file is the encrypted container (`.keepsake`): reading it needs the password.
    pub encrypted: bool,
    /// The payload is compressed (`compression_level` above 0).
    pub compressed: bool,
    /// Codec of the payload (`gzip`).
    pub codec: String,
    /// gzip level 0-9 (0: stored, not compressed).
    pub compression_level: u32,
    /// The encryption parameters; `None` for an unencrypted backup.
    pub encryption: Option<EncryptionInfo>,
    /// The database's schema and size at the snapshot.
    pub schema: SchemaInfo,
    /// Rows per table at the moment of the snapshot.
    pub row_counts: BTreeMap<String, u64>,
    /// How long writing the backup took, in milliseconds (0 for a foreign backup: not known).
    pub duration_ms: u64,
    /// What its last verification found (always `unverified` for a foreign backup).
    pub verification: VerificationStatus,
    /// When it was last verified (RFC 3339, UTC); `None` if it never was.
    pub verified_at: Option<DateTime<Utc>>,
    /// The backup file format it is written in, 1 or 2 (`docs/FORMAT.md`).
    pub format_version: u16,
    /// Recorded here, or foreign.
    #[serde(default)]
    pub origin: Origin,
    /// Why it needs a look, if it does.
    #[serde(default)]
    pub concern: Option<Concern>,
    /// The id its header claims, when that differs from `id` (see [`Concern::NameMismatch`]).
    #[serde(default)]
    pub claimed_id: Option<String>,
    /// The installation that made it, as the backup says (format 2 and later).
    #[serde(default)]
    pub installation: Option<String>,
    /// `full` (the whole database) or `increment` (the pages changed since `chain.base`).
    #[serde(default)]
    pub kind: BackupKind,
    /// For an increment: the backups it builds on. Restoring it reads its whole chain.
    #[serde(default)]
    pub chain: Option<ChainLink>,
    /// Why this backup is full although an increment was asked for (`--incremental`, the
    /// source's `incremental`, or a large database); `None` for an increment, and for a full
    /// backup made because a full one was asked for.
    #[serde(default)]
    pub full_reason: Option<FullReason>,
    /// The database checksum of the image it restores to (format 2; hex), which the next
    /// increment's `base_checksum` must equal.
    #[serde(default)]
    pub db_checksum: Option<String>,
    /// The tables of `row_counts` that SQLite keeps itself (`sqlite_` tables, a full-text
    /// index's shadow tables): meaningless to a person, never the subject of an alert. Recorded
    /// since content alerts; empty for older backups.
    #[serde(default)]
    pub internal_tables: Vec<String>,
    /// Whether the database passed SQLite's check at the snapshot: every backup runs
    /// `PRAGMA quick_check` on the snapshot it stores while it is made, and a verification's
    /// `PRAGMA integrity_check` replaces that answer (the backup is the database's pages, byte
    /// for byte, so a backup whose checksum, decryption and decompression pass yet fails the
    /// check holds a database that was damaged already). `None` while not known.
    #[serde(default)]
    pub source_integrity: Option<bool>,
    /// `source_integrity` in a word: `sound`, `unknown` or `damaged` (set whenever a backup is
    /// read from the catalog; retention never deletes a database's newest `sound` backup).
    #[serde(default)]
    pub soundness: Soundness,
    /// Kept whatever retention says (see [`Pin`]); `None` when not pinned.
    #[serde(default)]
    pub pinned: Option<Pin>,
    /// Taken from a copy of the database's files, because another program (the app that owns
    /// it) held it under an exclusive lock: checked unchanged while copied and sound
    /// (`integrity_check`) before it was stored. `false`: read through SQLite directly.
    #[serde(default)]
    pub copied_while_held: bool,
    /// For one of an app's other files (a source's `also`): the id of the backup of the app's
    /// main database made in the same run, with which it is restored. `None` for every other
    /// backup.
    #[serde(default)]
    pub with: Option<String>,
    /// For a file its app encrypts itself (SQLCipher: Signal's `db.sqlite`): the files the
    /// backup holds, kept whole as bytes (see [`OpaquePart`]). Keepsake cannot look inside such
    /// a file: its verification checks the backup (checksum, decryption, decompression, the
    /// lengths), not the database. `None` for a SQLite database read through SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque: Option<Vec<OpaquePart>>,
}

/// Where copies of a database's backups are, as a person thinks of it (see
/// `keepsake_engine::places`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// On the disk the database is on.
    ThisDisk,
    /// On another disk (an external disk, a USB stick, another computer's share).
    OtherDisk,
    /// In a folder a sync client (Dropbox, Nextcloud, ...) sends elsewhere.
    SyncedFolder,
    /// Online storage (a destination: S3, WebDAV, SFTP, Azure, Google Cloud Storage).
    Online,
}

/// The place off this computer's disk that holds copies of a database's backups.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondPlace {
    /// What kind of place it is.
    pub kind: PlaceKind,
    /// Its name: the destination's, or the backup folder's.
    pub name: String,
    /// The database's newest backup is there.
    pub has_newest: bool,
}

/// Bytes per page of an opaque backup's image (see [`OpaquePart`]).
pub const OPAQUE_PAGE: u32 = 4096;

/// One file of an opaque backup: the file itself (`suffix` empty), then the `-wal` or
/// `-journal` beside it when there was one, each as it was at one moment. The backup's image is
/// each part's bytes in this order, each padded with zeros to a multiple of [`OPAQUE_PAGE`]
/// (`docs/FORMAT.md`, "Opaque backups").
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpaquePart {
    /// `""` for the file itself, `-wal` or `-journal` for the file beside it.
    pub suffix: String,
    /// Its length in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub length: u64,
}

impl OpaquePart {
    /// Pages this part fills in the image.
    pub fn pages(&self) -> u64 {
        self.length.div_ceil(u64::from(OPAQUE_PAGE))
    }

    /// Whether `parts` is a layout a backup may state: the file first, then at most a `-wal`
    /// and a `-journal`, each once, filling exactly `page_count` pages of [`OPAQUE_PAGE`] bytes.
    pub fn layout_ok(parts: &[OpaquePart], page_size: u32, page_count: u64) -> bool {
        let Some((first, rest)) = parts.split_first() else { return false };
        let suffixes_ok = first.suffix.is_empty()
            && rest.iter().all(|p| p.suffix == "-wal" || p.suffix == "-journal")
            && !(rest.len() == 2 && rest[0].suffix == rest[1].suffix)
            && rest.len() <= 2;
        let pages = parts.iter().try_fold(0u64, |n, p| n.checked_add(p.pages()));
        suffixes_ok && page_size == OPAQUE_PAGE && pages == Some(page_count)
    }
}

/// Why a backup is pinned: kept by every retention rule until the person unpins it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// When it was pinned (RFC 3339, UTC).
    pub pinned_at: DateTime<Utc>,
    /// The content alert that pinned it (the last backup before the change); `None` when the
    /// person pinned it.
    pub alert: Option<i64>,
}

/// Where an increment sits in its chain.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    /// The backup it builds on (the previous link: a full backup or an increment).
    pub base: String,
    /// The full backup that starts the chain.
    pub full: String,
    /// Its place in the chain: 1 for the first increment after the full backup.
    pub seq: u32,
    /// The database checksum of `base` (hex): the image this increment's pages apply to.
    pub base_checksum: String,
}

impl BackupMetadata {
    /// Stored size over original size (1.0 when the original is empty).
    pub fn compression_ratio(&self) -> f64 {
        if self.original_size == 0 { 1.0 } else { self.stored_size as f64 / self.original_size as f64 }
    }
}

/// How a single verification check ended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The check found nothing wrong.
    Passed,
    /// The check found a problem; its message says what.
    Failed,
    /// The check did not apply (`decrypt` on a plain backup), was not reached or not asked for.
    Skipped,
}

/// One check of a verification.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// `exists`, `checksum`, `decrypt`, `decompress`, `integrity`, `metadata`.
    pub name: String,
    /// Whether it passed, failed or did not run.
    pub status: CheckStatus,
    /// One line on what was found, e.g. `SHA-256 matches`, or the error's message.
    pub message: String,
}

/// The structured result of verifying a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// The backup that was verified.
    pub backup_id: String,
    /// The backup is sound: no check failed. `false` means the backup itself is bad.
    pub ok: bool,
    /// Why it failed, when it failed.
    pub code: Option<ErrorCode>,
    /// The checks in the order they ran (`exists`, `checksum`, `decrypt`, `decompress`, `integrity`).
    pub checks: Vec<Check>,
    /// When the verification finished (RFC 3339, UTC).
    pub verified_at: DateTime<Utc>,
    /// How long the verification took, in milliseconds.
    pub duration_ms: u64,
}

/// What a restore did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    /// The backup that was restored.
    pub backup_id: String,
    /// The database file the backup was written to (replaced, or created).
    pub target: PathBuf,
    /// The safety backup of the database as it was before, if one was taken.
    pub safety_backup_id: Option<String>,
    /// The backup passed its verification before the target was touched (`verify_first`).
    pub verified: bool,
    /// How long the whole restore took, in milliseconds (the safety backup included).
    pub duration_ms: u64,
    /// For a restore of some tables: each table, with its rows before and after.
    #[serde(default)]
    pub tables: Vec<TableRestored>,
    /// For a restore of some tables: other tables whose rows refer to them (foreign keys).
    #[serde(default)]
    pub referenced_by: Vec<String>,
    /// For a restore of some tables: the database's own triggers that ran as their rows were
    /// replaced (as they would for the owning app).
    #[serde(default)]
    pub triggers: Vec<String>,
}

/// One table a restore of some tables put back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRestored {
    /// The table.
    pub table: String,
    /// Its rows before (`None`: it was not there, and was created).
    pub rows_before: Option<u64>,
    /// Its rows after: the backup's.
    pub rows_after: u64,
}

/// What a recorded run was.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Making a backup (a safety backup is part of its restore's run, not one of its own).
    Backup,
    /// Checking a backup on request (a check right after a backup is part of that backup's run).
    Verify,
    /// Writing a backup's database over a database file, or into a new one.
    Restore,
    /// Deleting one backup by hand.
    Delete,
    /// Deleting the backups the retention rules do not keep (by hand, or after a scheduled backup).
    Cleanup,
    /// `catalog rebuild`: every file read again.
    Rebuild,
}

impl Operation {
    /// The operation as written in JSON and the history (`backup`, `verify`, `restore`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Backup => "backup",
            Operation::Verify => "verify",
            Operation::Restore => "restore",
            Operation::Delete => "delete",
            Operation::Cleanup => "cleanup",
            Operation::Rebuild => "rebuild",
        }
    }
}

/// How a run ended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// It did what it was asked.
    Success,
    /// It stopped on an error (`error_code` says which).
    Failed,
    /// It was stopped on request (Ctrl-C, the window, a shutdown) before it finished.
    Cancelled,
    /// It did not run: another Keepsake operation held the backup folder, or a backup of the
    /// same source was still running (`busy`).
    Skipped,
}

/// One entry of the run history (successful or not).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Identifies the record in this installation's history.
    pub id: i64,
    /// Which verb ran.
    pub operation: Operation,
    /// For a backup run, the type of the backup made (or attempted); `None` for other operations.
    pub backup_type: Option<BackupType>,
    /// The backup made, verified, restored or deleted; `None` when there is none (a backup that
    /// failed, a cleanup).
    pub backup_id: Option<String>,
    /// The database backed up, or the restore's target, as an absolute path; `None` for the other
    /// operations.
    pub source_path: Option<PathBuf>,
    /// When the run started (RFC 3339, UTC).
    pub started_at: DateTime<Utc>,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
    /// How it ended.
    pub status: RunStatus,
    /// Why it failed, was cancelled or was skipped; `None` on success.
    pub error_code: Option<ErrorCode>,
    /// The one-line message that goes with `error_code`; `None` on success.
    pub message: Option<String>,
    /// For a restore: the safety backup it took of the database before replacing it (what
    /// undo puts back).
    #[serde(default)]
    pub safety_backup_id: Option<String>,
}

/// Figures over all backups in a folder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Stats {
    /// Number of backups this installation recorded in the folder.
    pub count: u64,
    /// Sum of their database sizes, in bytes.
    pub total_original_size: u64,
    /// Sum of their backup file sizes, in bytes.
    pub total_stored_size: u64,
    /// Mean of stored/original over backups with a non-empty original.
    pub average_compression_ratio: Option<f64>,
    /// Backups whose last verification passed.
    pub verified_count: u64,
    /// Backups whose last verification failed.
    pub failed_count: u64,
    /// Backups never verified.
    pub unverified_count: u64,
    /// When the oldest backup was made (RFC 3339, UTC); `None` when there are none.
    pub oldest: Option<DateTime<Utc>>,
    /// When the newest backup was made (RFC 3339, UTC); `None` when there are none.
    pub newest: Option<DateTime<Utc>>,
    /// Backup runs on this folder that failed, over the whole history.
    pub failed_runs: u64,
}

/// Options of a backup.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupOptions {
    /// Encrypt the backup with the password (a `.keepsake` container); fails without a password.
    pub encrypt: bool,
    /// Compress at `level`; off, the pages are stored as they are (still valid gzip, level 0).
    pub compress: bool,
    /// gzip level 1-9 used when `compress` is on.
    pub level: u32,
    /// A note kept with the backup (an empty one is dropped).
    pub description: Option<String>,
    /// Labels kept with the backup.
    pub tags: Vec<String>,
    /// Why it is made (kept with the backup and in the history).
    pub backup_type: BackupType,
    /// Verify the new backup right after writing it.
    pub verify: bool,
    /// Whether this backup may be an increment (the pages changed since the source's previous
    /// backup): `Some(false)` never, `Some(true)` whenever a usable previous backup exists,
    /// `None` when the database is at least [`INCREMENTAL_AUTO_BYTES`] large.
    pub incremental: Option<bool>,
    /// What raises a content alert when this backup is compared with the source's previous one.
    pub watch: WatchRules,
    /// For one of an app's other files: the backup of the app's main database made in the
    /// same run (see [`BackupMetadata::with`]).
    pub with: Option<String>,
    /// Keep the file as bytes: its app encrypts it, so SQLite cannot read it (see
    /// [`BackupMetadata::opaque`]). Such a backup is always full.
    pub opaque: bool,
}

/// Databases at least this large are backed up incrementally unless told otherwise (chosen
/// from `make bench`: below it a full backup takes well under a second).
pub const INCREMENTAL_AUTO_BYTES: u64 = 64 << 20;

/// The default gzip level, chosen by `make bench` (speed against size on two cores).
pub const DEFAULT_LEVEL: u32 = 6;

impl Default for BackupOptions {
    fn default() -> Self {
        BackupOptions {
            encrypt: true,
            compress: true,
            level: DEFAULT_LEVEL,
            description: None,
            tags: Vec::new(),
            backup_type: BackupType::Manual,
            verify: false,
            incremental: Some(false),
            watch: WatchRules::default(),
            with: None,
            opaque: false,
        }
    }
}

/// Options of a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Verify the backup before touching the target (default on).
    pub verify_first: bool,
    /// Back up the target first, as a `safety` backup (default on).
    pub safety_backup: bool,
    /// The database's source encrypts its backups (default on): its safety backup is
    /// encrypted, and an unencrypted backup is restored only with `allow_unencrypted`.
    pub source_encrypts: bool,
    /// The person confirmed restoring a foreign backup (one this installation did not record).
    pub allow_foreign: bool,
    /// The person confirmed restoring an unencrypted backup into a source that encrypts.
    pub allow_unencrypted: bool,
    /// Restore only these tables (their rows, in one transaction) into the live database;
    /// empty: the whole database.
    pub tables: Vec<String>,
    /// The person confirmed restoring `tables` although rows of other tables would then point
    /// at rows that are not there (or the other way round).
    pub allow_broken_references: bool,
    /// Write a new file only: the target must not exist, and nothing that appears there while
    /// the backup is decoded is replaced (a restore on a new computer, with nowhere to keep a
    /// safety backup).
    pub new_file: bool,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            verify_first: true,
            safety_backup: true,
            source_encrypts: true,
            allow_foreign: false,
            allow_unencrypted: false,
            tables: Vec::new(),
            allow_broken_references: false,
            new_file: false,
        }
    }
}

/// An error as data, for a result that reports the failure of a secondary step (a cleanup
/// after a good backup) without failing as a whole.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// The one-line technical message (it names the file involved).
    pub message: String,
}

/// How one scheduled run of a source ended (`Engine::run_scheduled`), for hosts to log and show.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledRun {
    /// The source's name.
    pub source: String,
    /// `success`; `failed` when the new backup failed its verification; `skipped` when another
    /// operation held the backup folder. A backup that could not be made is an `Err` instead.
    pub status: RunStatus,
    /// Why it failed or was skipped.
    pub error_code: Option<ErrorCode>,
    /// The one-line message that goes with `error_code`.
    pub message: Option<String>,
    /// The new backup (with its verification state), unless skipped.
    pub backup: Option<BackupMetadata>,
    /// For an app's source: the backups of its other files made in this run (each `with` the
    /// main one), verified as the main one is.
    #[serde(default)]
    pub also: Vec<BackupMetadata>,
    /// The verification of the new backup, when the source verifies after each backup.
    pub verify: Option<VerifyReport>,
    /// The retention cleanup that followed, when the source has a retention rule and the backup
    /// is sound.
    pub cleanup: Option<CleanupPlan>,
    /// The cleanup failed; the backup itself is fine.
    pub cleanup_error: Option<Problem>,
    /// Content alerts the new backup raised (compared with the source's previous one, and its
    /// integrity check).
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// The room for the next backup like it, as the disk stands after this run (`None`: not a
    /// local disk, or no backup made): the host tells the person when it is low.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub space: Option<SpaceCheck>,
    /// How long the whole run took (backup, verification and cleanup), in milliseconds.
    pub duration_ms: u64,
}

/// What the run history of a backup folder says about one source, as the scheduler needs it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceHistory {
    /// The newest scheduled backup run that counts as an attempt: it succeeded, failed or was
    /// skipped. A cancelled one does not count, so a backup stopped by a shutdown is caught up
    /// at the next start instead of leaving its slot without a backup.
    pub last_attempt: Option<RunRecord>,
    /// When the newest successful backup (of any type) started.
    pub last_success: Option<DateTime<Utc>>,
    /// When the first backup run of the source (of any type and outcome) started: a source that
    /// never succeeded is overdue counting from here.
    pub first_attempt: Option<DateTime<Utc>>,
}

// ---- Content alerts (computed in `watch`) ----

/// The share of a table's rows whose loss raises an alert unless the source says otherwise.
pub const DEFAULT_ROW_LOSS_PERCENT: u32 = 20;

/// What raises an alert for a source.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchRules {
    /// A table that lost more than this share of its rows (percent, 1-100) since the previous
    /// backup raises an alert; 0 turns content alerts off.
    pub row_loss_percent: u32,
}

impl Default for WatchRules {
    fn default() -> Self {
        WatchRules { row_loss_percent: DEFAULT_ROW_LOSS_PERCENT }
    }
}

/// What an alert is about.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// `table` had rows (`before`) and has none now.
    TableEmptied,
    /// `table` lost more than the source's share of its rows (`before` to `after`).
    RowsLost,
    /// `table` (with `before` rows) is gone.
    TableGone,
    /// The schema changed (tables, columns or indexes): the owning app was probably upgraded.
    SchemaChanged,
    /// `PRAGMA user_version` changed from `before` to `after`: the owning app changed its data
    /// format.
    UserVersionChanged,
    /// The database fails `PRAGMA integrity_check`: it is damaged. While it does, retention
    /// deletes none of its backups.
    IntegrityFailed,
}

/// One alert: something changed between backup `previous_id` and backup `backup_id` of the
/// database at `source_path`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Its number in this installation's records (0 before it is recorded).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// What it is about.
    pub kind: AlertKind,
    /// The database.
    pub source_path: PathBuf,
    /// The backup that showed the change.
    pub backup_id: String,
    /// The backup it was compared with (the source's previous one); `None` for
    /// `integrity_failed`, which needs no comparison.
    pub previous_id: Option<String>,
    /// The table, for the kinds about one table.
    pub table: Option<String>,
    /// Rows (or `user_version`) before.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub before: Option<i64>,
    /// Rows (or `user_version`) after.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub after: Option<i64>,
    /// When it was raised (RFC 3339, UTC).
    pub raised_at: DateTime<Utc>,
    /// The backup pinned because of it (the last one before the change), if any.
    pub pinned: Option<String>,
    /// When the person dismissed it ("this was me"); `None` while it stands.
    pub dismissed_at: Option<DateTime<Utc>>,
}

// ---- Cleanup plans (made in `retention`) ----

/// One backup in a plan, with why it is kept (empty when deleted).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The backup's id.
    pub id: String,
    /// When it was made (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Size of its file in bytes: what deleting it frees.
    pub stored_size: u64,
    /// Why it is kept, in words (`one of the last 30`, `newest backup`); empty when deleted.
    pub reasons: Vec<String>,
}

/// What a cleanup keeps and deletes, newest first.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupPlan {
    /// The backups kept, newest first.
    pub keep: Vec<PlanEntry>,
    /// The backups deleted (or, in a dry run, to be deleted), newest first.
    pub delete: Vec<PlanEntry>,
}

impl CleanupPlan {
    /// Bytes freed by deleting.
    pub fn freed_bytes(&self) -> u64 {
        self.delete.iter().map(|e| e.stored_size).sum()
    }
}

// ---- Copies elsewhere (made in `commands/copy`) ----

/// A copy of a backup that is whole at a destination, as recorded when it was checked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyRecord {
    /// The backup copied.
    pub backup_id: String,
    /// The destination's name when it was copied.
    pub destination: String,
    /// The destination store's location (`s3://…`, `webdav+https://…`, `file:///…`).
    pub location: String,
    /// The object's name there.
    pub object: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 (hex), the backup's own.
    pub sha256: String,
    /// When it was found whole there.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub copied_at: DateTime<Utc>,
}

// ---- Room on the disk (checked in `space`) ----

/// How much room the backup folder's disk keeps after a backup before Keepsake warns: the
/// smaller of `percent` of the disk and `mib` MiB.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceMargin {
    /// A share of the whole disk, in percent (default 10).
    #[serde(default = "default_percent")]
    pub percent: u32,
    /// A size, in MiB (default 1024).
    #[serde(default = "default_mib")]
    pub mib: u64,
}

fn default_percent() -> u32 {
    10
}

fn default_mib() -> u64 {
    1024
}

impl Default for SpaceMargin {
    fn default() -> Self {
        SpaceMargin { percent: default_percent(), mib: default_mib() }
    }
}

impl SpaceMargin {
    /// Whether it is the default (not written to the settings file then).
    pub fn is_default(&self) -> bool {
        *self == SpaceMargin::default()
    }

    /// The margin in bytes on a disk of `total` bytes.
    pub fn bytes_of(&self, total: u64) -> u64 {
        let share = (u128::from(total) * u128::from(self.percent.min(100)) / 100) as u64;
        share.min(self.mib.saturating_mul(1 << 20))
    }
}

// ---- Room on the disk, continued (checked in `space`) ----

/// How the room for the next backup stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceState {
    /// Room for it, with the margin to spare and room for one more like it after it.
    Enough,
    /// It fits, but leaves less than the margin free, or too little for the backup after it.
    Low,
    /// It does not fit (with the reserve kept free): it is not started.
    NoRoom,
}

/// The room for the next backup of a database on its backup folder's disk.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceCheck {
    /// The backup folder.
    pub folder: PathBuf,
    /// The next backup's size as estimated (its file on this disk).
    pub estimate: u64,
    /// The room it needs: the estimate, the scratch space it uses on this disk while it is made
    /// and checked (freed after), and the reserve kept free (the smaller of 10 % of the disk and 16 MiB).
    pub needed: u64,
    /// Free bytes on the disk now (for this user).
    pub free: u64,
    /// The disk's size.
    pub total: u64,
    /// The bytes to keep free after a backup.
    pub margin: u64,
    /// How it stands.
    pub state: SpaceState,
    /// What to delete to make room, when low or full and some backups may go.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub free_up: Option<FreeUp>,
}

impl SpaceCheck {
    /// Bytes to free for the next backup to leave the margin and room for one more like it.
    pub fn shortfall(&self) -> u64 {
        self.estimate.saturating_add(self.margin.max(self.needed)).saturating_sub(self.free)
    }
}

/// Which backups to keep. `None` means the rule is off.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Keep the newest N.
    #[serde(default)]
    pub keep_last: Option<u32>,
    /// Keep every backup made within the last N days.
    #[serde(default)]
    pub keep_within_days: Option<u32>,
    /// Keep the newest backup of each of the last N days that have backups.
    #[serde(default)]
    pub keep_daily: Option<u32>,
    /// Keep the newest backup of each of the last N weeks (ISO weeks) that have backups.
    #[serde(default)]
    pub keep_weekly: Option<u32>,
    /// Keep the newest backup of each of the last N months that have backups.
    #[serde(default)]
    pub keep_monthly: Option<u32>,
}

impl RetentionPolicy {
    /// The clean-up rule a database added in the window starts with, so old backups never fill
    /// the disk: every backup of the last 2 days, then the newest of each day for a week, of each
    /// week for a month and of each month for a year.
    pub fn recommended() -> RetentionPolicy {
        RetentionPolicy {
            keep_last: None,
            keep_within_days: Some(2),
            keep_daily: Some(7),
            keep_weekly: Some(4),
            keep_monthly: Some(12),
        }
    }

    /// No rule is set, so a cleanup keeps everything.
    pub fn is_empty(&self) -> bool {
        self.keep_last.is_none()
            && self.keep_within_days.is_none()
            && self.keep_daily.is_none()
            && self.keep_weekly.is_none()
            && self.keep_monthly.is_none()
    }
}

/// A change to some settings of a source, each typed: what the window sends (`update_source`).
/// A field left out stays as it is; `null` clears a rule that can be off (a retention rule, the
/// overdue warning) or puts `incremental` back to automatic. It is applied through the same
/// checks as `keepsake source set` ([`SourcePatch::changes`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcePatch {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// Another database file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string"))]
    pub database: Option<PathBuf>,
    /// Another backup folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string"))]
    pub backup_dir: Option<PathBuf>,
    /// Scheduled backups on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub enabled: Option<bool>,
    /// Scheduled backups paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub paused: Option<bool>,
    /// Encrypt the backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub encrypt: Option<bool>,
    /// Compress the backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub compress: Option<bool>,
    /// The gzip level, 1 to 9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub level: Option<u32>,
    /// Verify each backup after making it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verify_after_backup: Option<bool>,
    /// Increments (`true`), always full backups (`false`), or automatic (`null`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "boolean | null"))]
    pub incremental: Option<Option<bool>>,
    /// Keep the newest N (`null`: the rule is off).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub keep_last: Option<Option<u32>>,
    /// Keep every backup of the last N days (`null`: off).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub keep_within_days: Option<Option<u32>>,
    /// Keep one backup a day for N days (`null`: off).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub keep_daily: Option<Option<u32>>,
    /// Keep one backup a week for N weeks (`null`: off).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub keep_weekly: Option<Option<u32>>,
    /// Keep one backup a month for N months (`null`: off).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub keep_monthly: Option<Option<u32>>,
    /// Warn when there was no backup for N days (`null`: the schedule's own measure).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub overdue_after_days: Option<Option<u32>>,
    /// The share of a table's rows lost that raises an alert, in percent (0: no alerts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub row_loss_alert_percent: Option<u32>,
}

/// A field that is there (even as `null`) is `Some`; one left out stays `None` (`default`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl SourcePatch {
    /// The changes as the source settings' own field names and values in words (`none` clears),
    /// in a fixed order: the same checks as `keepsake source set NAME FIELD VALUE` apply.
    pub fn changes(&self) -> Vec<(&'static str, String)> {
        let text = |v: &Option<u32>| v.map_or_else(|| "none".to_owned(), |n| n.to_string());
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        let mut out = Vec::new();
        let mut put = |field: &'static str, value: Option<String>| {
            if let Some(v) = value {
                out.push((field, v));
            }
        };
        put("name", self.name.clone());
        put("database", self.database.as_ref().map(path));
        put("backup_dir", self.backup_dir.as_ref().map(path));
        put("enabled", self.enabled.map(|b| b.to_string()));
        put("paused", self.paused.map(|b| b.to_string()));
        put("encrypt", self.encrypt.map(|b| b.to_string()));
        put("compress", self.compress.map(|b| b.to_string()));
        put("level", self.level.map(|n| n.to_string()));
        put("verify_after_backup", self.verify_after_backup.map(|b| b.to_string()));
        put("incremental", self.incremental.map(|v| v.map_or_else(|| "auto".to_owned(), |b| b.to_string())));
        put("keep_last", self.keep_last.as_ref().map(text));
        put("keep_within_days", self.keep_within_days.as_ref().map(text));
        put("keep_daily", self.keep_daily.as_ref().map(text));
        put("keep_weekly", self.keep_weekly.as_ref().map(text));
        put("keep_monthly", self.keep_monthly.as_ref().map(text));
        put("overdue_after_days", self.overdue_after_days.as_ref().map(text));
        put("row_loss_alert_percent", self.row_loss_alert_percent.map(|n| n.to_string()));
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_patch_says_only_what_it_changes_and_null_clears() {
        let p: SourcePatch = serde_json::from_str(
            r#"{"encrypt": false, "keep_last": null, "keep_daily": 7, "incremental": null}"#,
        )
        .unwrap();
        assert_eq!(
            p.changes(),
            [
                ("encrypt", "false".to_owned()),
                ("incremental", "auto".to_owned()),
                ("keep_last", "none".to_owned()),
                ("keep_daily", "7".to_owned()),
            ]
        );
        assert!(serde_json::from_str::<SourcePatch>("{}").unwrap().changes().is_empty());
        assert!(serde_json::from_str::<SourcePatch>(r#"{"keep_last": "ten"}"#).is_err(), "typed");
        assert!(serde_json::from_str::<SourcePatch>(r#"{"schedule": "daily"}"#).is_err(), "no such field");
    }
}
