//! `keepsake cleanup`: apply (or, with `--dry-run`, show) a retention policy, to the folder or
//! (`--at DEST`) to the copies recorded at a destination.

use chrono::Utc;
use clap::Args;
use keepsake_engine::{CleanupPlan, Destination, RetentionPolicy};

use super::{Ctx, Verb};
use crate::args::CalendarKeep;
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::{Style, Table, human_size, relative_time};

/// Delete old backups according to a retention policy
#[derive(Debug, Args)]
#[command(after_help = "A backup is kept when any rule keeps it. With no flag, the policy comes \
    from BACKUP_MAX_BACKUPS and BACKUP_RETENTION_DAYS (or max_backups and retention_days in the \
    config file); with none of those either, cleanup refuses to guess.\n\n\
    With --at DEST it deletes copies at a destination instead, only those Keepsake recorded \
    sending there, by the destination's own rules (`keepsake dest set DEST keep_last N`) or, \
    without any, the same as the folder's. The background copier does this after each copy.\n\n\
    Examples:\n  keepsake cleanup --keep 30\n  keepsake cleanup --older-than 90 --keep 5 --dry-run\n  \
    keepsake cleanup --at b2 --dry-run")]
pub struct Cleanup {
    /// Keep the N newest backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    keep: Option<u32>,

    /// Keep the backups made in the last DAYS days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    older_than: Option<u32>,

    #[command(flatten)]
    calendar: CalendarKeep,

    /// Show what would be deleted, and delete nothing
    #[arg(long)]
    dry_run: bool,

    /// Clean up the copies at this destination (see `keepsake dest list`), not the folder
    #[arg(long, value_name = "DEST")]
    at: Option<String>,
}

/// What `cleanup` does, resolved.
#[derive(Debug)]
struct Plan {
    backup_dir: std::path::PathBuf,
    policy: RetentionPolicy,
    /// The copies at this destination instead of the folder.
    at: Option<Destination>,
}

impl Cleanup {
    /// The flags, else the destination's own rules, else the source's, else the environment's
    /// and the config file's.
    fn plan(self, cfg: &Config) -> CliResult<Plan> {
        let picked = cfg.picked_source()?;
        let backup_dir = cfg.backup_dir(picked.as_ref())?;
        let flags = RetentionPolicy {
            keep_last: self.keep,
            keep_within_days: self.older_than,
            keep_daily: self.calendar.keep_daily,
            keep_weekly: self.calendar.keep_weekly,
            keep_monthly: self.calendar.keep_monthly,
        };
        let at = self.at.as_deref().map(|name| cfg.destination(name)).transpose()?;
        let own = at.as_ref().and_then(|d| d.retention.clone());
        let policy = match picked.as_ref().map(|s| &s.retention) {
            _ if !flags.is_empty() => flags,
            // A destination's own rules (empty: keep every copy there).
            _ if own.is_some() => own.clone().unwrap_or_default(),
            Some(retention) if !retention.is_empty() => retention.clone(),
            _ => RetentionPolicy {
                keep_last: cfg.defaults.max_backups.or(cfg.file().max_backups),
                keep_within_days: cfg.defaults.retention_days.or(cfg.file().retention_days),
                ..RetentionPolicy::default()
            },
        };
        // An empty policy keeps everything: never what a person running cleanup meant.
        if policy.is_empty() && own.is_none() {
            return Err(CliError::invalid(
                "cleanup needs a retention policy, and none is set",
                format!(
                    "Pass --keep N and/or --older-than DAYS, set BACKUP_MAX_BACKUPS or \
                     BACKUP_RETENTION_DAYS, set max_backups or retention_days in {}, or give \
                     the source a retention rule (`keepsake source set NAME keep_last N`).",
                    cfg.file_name()
                ),
            ));
        }
        Ok(Plan { backup_dir, policy, at })
    }
}

impl Verb for Cleanup {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let dry_run = self.dry_run;
        let plan = self.plan(cfg)?;
        let ctx = Ctx::folder(cfg, plan.backup_dir, super::Open::default())?;
        run(&ctx, &plan.policy, dry_run, plan.at.as_ref())
    }
}

fn run(ctx: &Ctx, policy: &RetentionPolicy, dry_run: bool, at: Option<&Destination>) -> CliResult<u8> {
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;
    use crate::config::testing::with_sources;

    fn plan(args: &[&str], env: &[(&str, &str)]) -> CliResult<Plan> {
        let (cfg, command) = parse(args, env)?;
        let Command::Cleanup(cleanup) = command else { panic!("not cleanup") };
        cleanup.plan(&cfg)
    }

    #[test]
    fn cleanup_refuses_without_a_policy_and_takes_the_env() {
        let e = plan(&["cleanup"], &[("BACKUP_DIR", "/b")]).expect_err("no policy");
        assert!(e.message.contains("retention policy"));
        let p = plan(&["cleanup"], &[("BACKUP_DIR", "/b"), ("BACKUP_MAX_BACKUPS", "4")]).expect("plan");
        assert_eq!(p.policy.keep_last, Some(4));
        let p = plan(&["cleanup", "--older-than", "7"], &[("BACKUP_DIR", "/b"), ("BACKUP_MAX_BACKUPS", "4")])
            .expect("plan");
        assert_eq!((p.policy.keep_last, p.policy.keep_within_days), (None, Some(7)));
    }

    #[test]
    fn without_flags_cleanup_takes_the_sources_retention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let p = plan(&["--sources", &file, "--source", "astro", "cleanup"], &[]).expect("plan");
        assert_eq!(p.policy.keep_last, Some(3));
        assert_eq!(p.backup_dir, PathBuf::from("/b/astro"));
    }
}
