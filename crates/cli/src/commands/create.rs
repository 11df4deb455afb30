//! `keepsake create`: back up the database and print the new backup's id.

use std::path::Path;

use keepsake_engine::model::{BackupOptions, VerificationStatus};

use super::Ctx;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{human_duration, human_size};

pub fn run(ctx: &Ctx, source: &Path, opts: &BackupOptions) -> CliResult<u8> {
    super::space::warn_if_low(ctx, source, &keepsake_engine::SpaceMargin::default());
    let meta = ctx.work(|job| ctx.engine.backup(source, opts, job))?;
    let failed = meta.verification == VerificationStatus::Failed;
    if ctx.out.json_mode() {
        ctx.out.json(&meta)?;
    } else {
        // The id alone on stdout, so `id=$(keepsake create)` works; the details go to stderr.
        ctx.out.text(&meta.id)?;
        let mut how = vec![];
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
    Ok(EXIT_OK)
}
