//! `keepsake restore`: replace the database (or write `--to PATH`) with a backup, after asking.

use std::path::Path;

use chrono::Utc;
use keepsake_engine::model::RestoreOptions;

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{human_duration, relative_time, safe};

pub fn run(ctx: &Ctx, id: &str, target: &Path, opts: &RestoreOptions, confirmed: bool) -> CliResult<u8> {
    // Look the backup up first: an unknown id should fail before anyone is asked anything.
    let meta = ctx.engine.get(id)?;
    let made = relative_time(meta.created_at, Utc::now());
    let question = if !opts.tables.is_empty() {
        let what = safe(&opts.tables.join(", "));
        let safety = if opts.safety_backup {
            "A safety backup of the whole database is made first."
        } else {
            "NO safety backup will be made (--no-safety-backup)."
        };
        format!(
            "Replace the rows of {what} in {} with those in {id} (made {made})? Every other table stays as it is. {safety}",
            target.display()
        )
    } else if target.exists() {
        let safety = if opts.safety_backup {
            "A safety backup of it is made first."
        } else {
            "NO safety backup will be made (--no-safety-backup)."
        };
        format!("Restore {id} (made {made}) over {}? {safety}", target.display())
    } else {
        format!("Restore {id} (made {made}) to the new file {}?", target.display())
    };
    // A layout changed since (the owning app was updated?) is said before anything happens.
    // (Best effort: a target that cannot be read is the restore's own refusal to word.)
    if opts.tables.is_empty()
        && let Ok(Some(c)) = ctx.engine.layout_change(id, target)
    {
        let mut what = Vec::new();
        if c.user_version_then != c.user_version_now {
            what.push(format!(
                "data version {} now, {} in the backup",
                c.user_version_now, c.user_version_then
            ));
        }
        if !c.tables_added.is_empty() {
            what.push(format!("tables added since: {}", safe(&c.tables_added.join(", "))));
        }
        if !c.tables_gone.is_empty() {
            what.push(format!("tables gone since: {}", safe(&c.tables_gone.join(", "))));
        }
        if what.is_empty() {
            what.push("tables, columns or indexes changed".to_owned());
        }
        ctx.out.note(&format!(
            "warning: the layout of {} changed since this backup ({}): the app that uses it was probably \
             updated. Restoring puts the old layout back; `keepsake restore {id} --table T` takes back one \
             table instead.",
            target.display(),
            what.join("; ")
        ));
    }
    ctx.confirm(confirmed, &question, "restore")?;
    let outcome = ctx.work(|job| ctx.engine.restore(id, target, opts, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&outcome)?;
        return Ok(EXIT_OK);
    }
    if !outcome.tables.is_empty() {
        for t in &outcome.tables {
            let before =
                t.rows_before.map_or_else(|| "it was gone".to_owned(), |n| format!("{n} rows before"));
            ctx.out.text(&format!("Restored {}: {} rows ({before}).", safe(&t.table), t.rows_after))?;
        }
        if !outcome.referenced_by.is_empty() {
            ctx.out.note(&format!(
                "Tables that refer to it were left as they are: {}.",
                safe(&outcome.referenced_by.join(", "))
            ));
        }
        if !outcome.triggers.is_empty() {
            ctx.out.note(&format!(
                "The database's own triggers ran as rows were replaced: {}.",
                safe(&outcome.triggers.join(", "))
            ));
        }
    } else {
        ctx.out.text(&format!(
            "Restored backup {} to {} in {}{}.",
            outcome.backup_id,
            outcome.target.display(),
            human_duration(outcome.duration_ms),
            if outcome.verified { " (verified first)" } else { "" },
        ))?;
    }
    if let Some(safety) = &outcome.safety_backup_id {
        // From a destination, the safety backup is in the local folder: the command names it.
        let command = match &ctx.safety_dir {
            Some(dir) => format!("keepsake --backup-dir {} restore {safety}", crate::hints::shell_word(dir)),
            None => format!("keepsake restore {safety}"),
        };
        ctx.out.text(&format!(
            "The database as it was before is in backup {safety}; `{command}` undoes this."
        ))?;
    }
    Ok(EXIT_OK)
}
