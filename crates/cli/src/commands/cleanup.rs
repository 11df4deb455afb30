//! `keepsake cleanup`: apply (or, with `--dry-run`, show) a retention policy, to the folder or
//! (`--at DEST`) to the copies recorded at a destination.

use chrono::Utc;
use keepsake_engine::{CleanupPlan, Destination, RetentionPolicy};

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, human_size, relative_time};

pub fn run(ctx: &Ctx, policy: &RetentionPolicy, dry_run: bool, at: Option<&Destination>) -> CliResult<u8> {
    let plan = match at {
        None if dry_run => ctx.engine.plan_cleanup(policy)?,
        None => ctx.engine.cleanup(policy)?,
        Some(dest) => {
            let store = keepsake_remote::open_saved(dest)?;
            if dry_run {
                ctx.engine.plan_copies_cleanup(store.location(), policy)?
            } else {
                ctx.work(|job| ctx.engine.cleanup_copies(store.as_ref(), policy, job))?
            }
        }
    };
    let what = at.map_or("backup".to_owned(), |d| format!("copy at {}", d.name));
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({
            "destination": at.map(|d| &d.name),
            "dry_run": dry_run,
            "keep": plan.keep,
            "delete": plan.delete,
        }))?;
        return Ok(EXIT_OK);
    }
    if !plan.keep.is_empty() || !plan.delete.is_empty() {
        ctx.out.text(&table(&plan, dry_run).render(ctx.out.mode.color))?;
    }
    let freed: u64 = plan.delete.iter().map(|e| e.stored_size).sum();
    let (n_del, n_keep) = (plan.delete.len(), plan.keep.len());
    let s = |n: usize| if n == 1 { what.clone() } else { plural(&what) };
    ctx.out.text(&if dry_run {
        format!(
            "Would delete {n_del} {} ({}) and keep {n_keep}. Nothing was deleted (--dry-run).",
            s(n_del),
            human_size(freed)
        )
    } else {
        format!("Deleted {n_del} {} ({} freed); kept {n_keep}.", s(n_del), human_size(freed))
    })?;
    Ok(EXIT_OK)
}

/// `backup` → `backups`, `copy at b2` → `copies at b2`.
fn plural(what: &str) -> String {
    match what.strip_prefix("copy") {
        Some(rest) => format!("copies{rest}"),
        None => format!("{what}s"),
    }
}

fn table(plan: &CleanupPlan, dry_run: bool) -> Table {
    let now = Utc::now();
    let mut t = Table::new(&[
        ("ID", false),
        ("CREATED", false),
        ("SIZE", true),
        ("ACTION", false),
        ("WHY KEPT", false),
    ]);
    let mut rows: Vec<_> =
        plan.keep.iter().map(|e| (e, true)).chain(plan.delete.iter().map(|e| (e, false))).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0.created_at));
    for (e, keep) in rows {
        let action = match (keep, dry_run) {
            (true, _) => ("keep".to_owned(), Style::Good),
            (false, true) => ("would delete".to_owned(), Style::Warn),
            (false, false) => ("deleted".to_owned(), Style::Warn),
        };
        t.row(vec![
            (e.id.clone(), Style::Bold),
            (relative_time(e.created_at, now), Style::Plain),
            (human_size(e.stored_size), Style::Plain),
            action,
            (e.reasons.join(", "), Style::Dim),
        ]);
    }
    t
}
