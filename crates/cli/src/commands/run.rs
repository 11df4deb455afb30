//! `keepsake run NAME`: a source's scheduled run, now, through the same engine verb as the
//! daemon (`Engine::run_scheduled`): back up with the source's settings, verify, apply its
//! retention. It is recorded as a scheduled backup, so it covers the current slot.

use keepsake_engine::error::ErrorCode;
use keepsake_engine::model::RunStatus;
use keepsake_engine::sources::Source;

use super::Ctx;
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{human_duration, human_size};

pub fn run(ctx: &Ctx, source: &Source) -> CliResult<u8> {
    super::space::warn_if_low(ctx, &source.database, &source.low_space, source.verify_after_backup);
    let run = ctx.work(|job| ctx.engine.run_scheduled(source, job))?;
    if run.status == RunStatus::Skipped {
        return Err(CliError {
            code: ErrorCode::Busy,
            message: format!(
                "{}; the run of {} was recorded as skipped",
                run.message.as_deref().unwrap_or("the backup folder is busy"),
                source.name
            ),
            hint: crate::hints::hint(ErrorCode::Busy).into(),
            silent: false,
        });
    }
    if ctx.out.json_mode() {
        ctx.out.json(&run)?;
    } else if let Some(meta) = &run.backup {
        // The id alone on stdout, as `create` does; the details go to stderr.
        ctx.out.text(&meta.id)?;
        let verified = match &run.verify {
            Some(r) if r.ok => ", verified",
            Some(_) => ", VERIFICATION FAILED",
            None => "",
        };
        ctx.out.note(&format!(
            "Backed up {} ({}) to {} ({}, {}{verified}) in {}",
            source.name,
            human_size(meta.original_size),
            ctx.engine
                .backup_path(meta)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| meta.file_name.clone()),
            human_size(meta.stored_size),
            super::create::kind_words(meta),
            human_duration(run.duration_ms),
        ));
        if let Some(why) = meta.full_reason {
            ctx.out
                .note(&format!("Full backup, not an increment: {}.", super::create::full_reason_words(why)));
        }
        if let Some(plan) = run.cleanup.as_ref().filter(|p| !p.delete.is_empty()) {
            ctx.out.note(&format!(
                "Retention: deleted {} old backup(s) ({} freed), kept {}.",
                plan.delete.len(),
                human_size(plan.freed_bytes()),
                plan.keep.len()
            ));
        }
    }
    if !ctx.out.json_mode() {
        super::alerts::tell(ctx, &run.alerts);
    }
    if let Some(p) = &run.cleanup_error {
        ctx.out.problem(
            &format!("the backup is fine, but the retention cleanup failed: {}", p.message),
            crate::hints::hint(p.code),
        );
    }
    if run.status == RunStatus::Failed {
        let id = run.backup.as_ref().map_or("", |b| b.id.as_str());
        ctx.out.problem(
            run.message.as_deref().unwrap_or("the new backup failed its verification"),
            &format!("Run `keepsake --source {} verify {id}` to see which check failed; do not rely on this backup.", source.name),
        );
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}
