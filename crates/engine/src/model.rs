//! The engine's data types: what a backup is, what a verification found, what a run did.
//!
//! Field names here are the names the CLI's `--json` output and the app's IPC use, so they are
//! part of the public contract (snake_case, documented in the CLI's README section).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// Why a backup was made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackupType {
    #[default]
    Manual,
    Scheduled,
    Auto,
    /// Taken automatically just before a restore replaces a database.
    Safety,
}

impl BackupType {
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

/// What the database looked like when it was backed up.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SchemaInfo {
    /// `PRAGMA user_version`: the owning app's schema version.
    pub user_version: i64,
    /// SHA-256 (hex) over `type, name, tbl_name, sql` of every `sqlite_schema` row, ordered by name.
    pub schema_hash: String,
    pub page_size: u32,
    pub page_count: u64,
    /// `wal`, `delete`, ... as reported by `PRAGMA journal_mode` on the source.
    pub journal_mode: String,
}

/// Encryption parameters of a backup (never the key or password).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionInfo {
    pub cipher: String,
    pub kdf: String,
    pub iterations: u32,
    pub chunk_size: u32,
}

/// Verification state recorded with a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    #[default]
    Unverified,
    Passed,
    Failed,
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
    /// Foreign: its header names another backup than its file name does (`claimed_id`).
    NameMismatch,
    /// Foreign: it claims the id of a backup recorded here (`claimed_id`).
    IdTaken,
    /// Foreign: dated more than a day after now, so never taken for the newest.
    FutureDated,
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
    pub created_at: DateTime<Utc>,
    pub source_path: PathBuf,
    pub backup_type: BackupType,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Size of the database snapshot in bytes.
    pub original_size: u64,
    /// Size of the backup file in bytes.
    pub stored_size: u64,
    /// SHA-256 (hex) of the backup file.
    pub sha256: String,
    pub encrypted: bool,
    pub compressed: bool,
    /// Codec of the payload (`gzip`).
    pub codec: String,
    /// gzip level 0-9 (0: stored, not compressed).
    pub compression_level: u32,
    pub encryption: Option<EncryptionInfo>,
    pub schema: SchemaInfo,
    /// Rows per table at the moment of the snapshot.
    pub row_counts: BTreeMap<String, u64>,
    pub duration_ms: u64,
    pub verification: VerificationStatus,
    pub verified_at: Option<DateTime<Utc>>,
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
    Passed,
    Failed,
    Skipped,
}

/// One check of a verification.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// `exists`, `checksum`, `decrypt`, `decompress`, `integrity`, `metadata`.
    pub name: String,
    pub status: CheckStatus,
    pub message: String,
}

/// The structured result of verifying a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub backup_id: String,
    pub ok: bool,
    /// Why it failed, when it failed.
    pub code: Option<ErrorCode>,
    pub checks: Vec<Check>,
    pub verified_at: DateTime<Utc>,
    pub duration_ms: u64,
}

/// What a restore did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    pub backup_id: String,
    pub target: PathBuf,
    /// The safety backup of the database as it was before, if one was taken.
    pub safety_backup_id: Option<String>,
    pub verified: bool,
    pub duration_ms: u64,
}

/// What a recorded run was.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Backup,
    Verify,
    Restore,
    Delete,
    Cleanup,
    /// `catalog rebuild`: every file read again.
    Rebuild,
}

impl Operation {
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
    Success,
    Failed,
    Cancelled,
    Skipped,
}

/// One entry of the run history (successful or not).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: i64,
    pub operation: Operation,
    pub backup_type: Option<BackupType>,
    pub backup_id: Option<String>,
    pub source_path: Option<PathBuf>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub status: RunStatus,
    pub error_code: Option<ErrorCode>,
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
    pub count: u64,
    pub total_original_size: u64,
    pub total_stored_size: u64,
    /// Mean of stored/original over backups with a non-empty original.
    pub average_compression_ratio: Option<f64>,
    pub verified_count: u64,
    pub failed_count: u64,
    pub unverified_count: u64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
    pub failed_runs: u64,
}

/// Options of a backup.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupOptions {
    pub encrypt: bool,
    pub compress: bool,
    /// gzip level 1-9 used when `compress` is on.
    pub level: u32,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub backup_type: BackupType,
    /// Verify the new backup right after writing it.
    pub verify: bool,
}

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
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            verify_first: true,
            safety_backup: true,
            source_encrypts: true,
            allow_foreign: false,
            allow_unencrypted: false,
        }
    }
}

/// An error as data, for a result that reports the failure of a secondary step (a cleanup
/// after a good backup) without failing as a whole.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ErrorCode,
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
    pub message: Option<String>,
    /// The new backup (with its verification state), unless skipped.
    pub backup: Option<BackupMetadata>,
    /// The verification of the new backup, when the source verifies after each backup.
    pub verify: Option<VerifyReport>,
    /// The retention cleanup that followed, when the source has a retention rule and the backup
    /// is sound.
    pub cleanup: Option<crate::retention::CleanupPlan>,
    /// The cleanup failed; the backup itself is fine.
    pub cleanup_error: Option<Problem>,
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
