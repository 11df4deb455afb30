//! `keepsake restore`: replace the database (or write `--to PATH`) with a backup, after asking.

use std::path::Path;

use chrono::Utc;
use keepsake_engine::model::RestoreOptions;

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{human_duration, relative_time};

pub fn run(ctx: &Ctx, id: &str, target: &Path, opts: &RestoreOptions, confirmed: bool) -> CliResult<u8> {
    // Look the backup up first: an unknown id should fail before anyone is asked anything.
    let meta = ctx.engine.get(id)?;
    let made = relative_time(meta.created_at, Utc::now());
    let question = if target.exists() {
        let safety = if opts.safety_backup {
            "A safety backup of it is made first."
        } else {
            "NO safety backup will be made (--no-safety-backup)."
        };
        format!("Restore {id} (made {made}) over {}? {safety}", target.display())
    } else {
        format!("Restore {id} (made {made}) to the new file {}?", target.display())
    };
    ctx.confirm(confirmed, &question, "restore")?;
    let outcome = ctx.work(|job| ctx.engine.restore(id, target, opts, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&outcome)?;
        return Ok(EXIT_OK);
    }
    ctx.out.text(&format!(
        "Restored backup {} to {} in {}{}.",
        outcome.backup_id,
        outcome.target.display(),
        human_duration(outcome.duration_ms),
        if outcome.verified { " (verified first)" } else { "" },
    ))?;
    if let Some(safety) = &outcome.safety_backup_id {
        ctx.out.text(&format!(
            "The database as it was before is in backup {safety}; `keepsake restore {safety}` undoes this."
        ))?;
    }
    Ok(EXIT_OK)
}
