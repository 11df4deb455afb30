//! `keepsake create`: back up the database and print the new backup's id.

use std::path::Path;

use keepsake_engine::model::{BackupKind, BackupMetadata, BackupOptions, FullReason, VerificationStatus};
use keepsake_engine::{MAX_CHAIN_LENGTH, MAX_CHAIN_SHARE, MAX_INCREMENT_SHARE};

use super::Ctx;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{human_duration, human_size};

pub fn run(ctx: &Ctx, source: &Path, opts: &BackupOptions) -> CliResult<u8> {
    super::space::warn_if_low(ctx, source, &keepsake_engine::SpaceMargin::default(), opts.verify);
    let meta = ctx.work(|job| ctx.engine.backup(source, opts, job))?;
    let failed = meta.verification == VerificationStatus::Failed;
    if ctx.out.json_mode() {
        ctx.out.json(&meta)?;
    } else {
        // The id alone on stdout, so `id=$(keepsake create)` works; the details go to stderr.
        ctx.out.text(&meta.id)?;
        let kind = kind_words(&meta);
        let mut how = vec![kind.as_str()];
        how.push(if meta.encrypted { "encrypted" } else { "not encrypted" });
        how.push(if meta.compressed { "compressed" } else { "not compressed" });
        match meta.verification {
            VerificationStatus::Passed => how.push("verified"),
            VerificationStatus::Failed => how.push("VERIFICATION FAILED"),
            VerificationStatus::Unverified => {}
        }
        ctx.out.note(&format!(
            "Backed up {} ({}) to {} ({}, {}) in {}",
            source.display(),
            human_size(meta.original_size),
            ctx.engine
                .backup_path(&meta)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| meta.file_name.clone()),
            human_size(meta.stored_size),
            how.join(", "),
            human_duration(meta.duration_ms),
        ));
        if let Some(why) = meta.full_reason {
            ctx.out.note(&format!("Full backup, not an increment: {}.", full_reason_words(why)));
        }
    }
    if !ctx.out.json_mode() {
        super::alerts::tell(ctx, &ctx.engine.alerts_of(&meta.id)?);
    }
    if failed {
        ctx.out.problem(
            &format!("backup {} was written but failed its verification", meta.id),
            &format!(
                "Run `keepsake verify {}` to see which check failed; do not rely on this backup.",
                meta.id
            ),
        );
        return Ok(EXIT_PROBLEM);
    }
    // The backup is made (and kept: it is the database as it is now), but the database itself
    // failed the check of its snapshot: a problem found, as for a failed verification, so that
    // a script or a cron job notices (the alert above says what is pinned).
    if meta.source_integrity == Some(false) {
        ctx.out.problem(
            &format!("the database {} failed its integrity check", source.display()),
            "Keep the backups from before (the newest sound one is pinned);              `keepsake alerts` shows them, `keepsake list` says which are sound.",
        );
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}

/// `full`, or `increment +N on BASE`.
pub fn kind_words(meta: &BackupMetadata) -> String {
    match (&meta.kind, &meta.chain) {
        (BackupKind::Increment, Some(c)) => format!("increment +{} on {}", c.seq, c.base),
        (BackupKind::Increment, None) => "increment".to_owned(),
        (BackupKind::Full, _) => "full".to_owned(),
    }
}

/// Why a backup came out full when an increment was asked for, in a few words.
pub fn full_reason_words(why: FullReason) -> String {
    let pct = |share: f64| (share * 100.0).round() as u32;
    match why {
        FullReason::NoEarlierBackup => "no earlier backup of this database here to build on".to_owned(),
        FullReason::EarlierBackupUnusable => {
            "the newest earlier backup is missing, changed or failed its check".to_owned()
        }
        FullReason::EncryptionChanged => {
            "the newest earlier backup is encrypted differently (a chain is all encrypted or all not)"
                .to_owned()
        }
        FullReason::EarlierBackupOldFormat => {
            "the newest earlier backup is in an older format, which an increment cannot build on".to_owned()
        }
        FullReason::NoPageList => "the newest earlier backup's list of pages is not in this installation's \
            folder (made by an older Keepsake or elsewhere, or lost)"
            .to_owned(),
        FullReason::PageSizeChanged => "the database's page size changed".to_owned(),
        FullReason::PasswordChanged => {
            "the password changed (every backup of a chain opens with one password)".to_owned()
        }
        FullReason::ChainLongest => {
            format!("the chain reached its longest ({MAX_CHAIN_LENGTH} increments); a new chain starts here")
        }
        FullReason::ChainLarge => format!(
            "the chain's increments add up to more than {} % of its full backup; a new chain starts here",
            pct(MAX_CHAIN_SHARE)
        ),
        FullReason::ChainBroken => "a backup the chain builds on is missing or changed".to_owned(),
        FullReason::ManyPagesChanged => format!(
            "more than {} % of the database's pages changed, so an increment would cost as much",
            pct(MAX_INCREMENT_SHARE)
        ),
    }
}
