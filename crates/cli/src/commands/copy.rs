//! `keepsake copy ID --to DEST`, `copy --missing --to DEST`, `copy --check --to DEST`: backups
//! of the folder sent to a destination elsewhere, and the copies there read back. What counts
//! as copied is the engine's decision (`Engine::copy_to`): the whole object there, matching the
//! backup's record.

use clap::Args;
use keepsake_engine::{CopyCheck, CopyRecord, CopyState, Destination};

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{Style, Table, human_size, safe};

/// Copy a backup to a destination elsewhere (S3, Azure Blob Storage, Google Cloud Storage,
/// WebDAV, SFTP, another folder)
#[derive(Debug, Args)]
#[command(after_help = "A copy counts once the whole file is at the destination and what was \
    sent matches the backup's record (size and SHA-256). An increment goes with the backups it \
    builds on. --missing sends every backup not yet there, oldest first; --check reads back \
    every copy recorded there and exits 1 when one is missing or changed. Secrets (an S3 secret \
    key, an Azure account key, a Google Cloud Storage service account's JSON key, a WebDAV \
    password) come from the OS keyring (saved by `keepsake dest add`) or \
    KEEPSAKE_DEST_SECRET_<NAME>.\n\n\
    Examples:\n  keepsake copy backup_20250101_020000_1a2b3c4d --to b2\n  \
    keepsake copy --missing --to nas\n  keepsake copy --check --to b2 --json")]
pub struct Copy {
    /// Id of the backup (see `keepsake list`)
    #[arg(required_unless_present_any = ["missing", "check"], conflicts_with_all = ["missing", "check"])]
    id: Option<String>,
    /// The destination (see `keepsake dest list`)
    #[arg(long, value_name = "DEST")]
    to: String,
    /// Send every backup of the folder that is not at the destination yet, oldest first
    #[arg(long, conflicts_with = "check")]
    missing: bool,
    /// Read back every copy recorded at the destination and check it whole
    #[arg(long)]
    check: bool,
}

/// What `keepsake copy` does at the destination.
#[derive(Debug)]
enum CopyWhat {
    /// One backup (with the backups it builds on).
    One(String),
    /// Every backup not there yet, oldest first.
    Missing,
    /// Read back every copy recorded there.
    Check,
}

impl Verb for Copy {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let picked = cfg.picked_source()?;
        let dir = cfg.backup_dir(picked.as_ref())?;
        let dest = cfg.destination(&self.to)?;
        let what = match (self.id, self.missing, self.check) {
            (Some(id), _, _) => CopyWhat::One(id),
            (None, _, true) => CopyWhat::Check,
            (None, _, false) => CopyWhat::Missing,
        };
        let ctx = Ctx::folder(cfg, dir, super::Open::default())?;
        run(&ctx, &dest, what)
    }
}

fn run(ctx: &Ctx, dest: &Destination, what: CopyWhat) -> CliResult<u8> {
    let store = keepsake_remote::open_saved(dest)?;
    match what {
        CopyWhat::One(id) => {
            let copied = ctx.work(|job| ctx.engine.copy_to(&id, &dest.name, store.as_ref(), job))?;
            report(ctx, dest, &copied)
        }
        CopyWhat::Missing => {
            let missing = ctx.engine.missing_copies(store.location())?;
            // The copies there before this run: an increment's copy brings its chain's records
            // along, and those already there are not copied again (nor listed as copied now).
            let before: Vec<CopyRecord> =
                ctx.engine.copies()?.into_iter().filter(|c| c.location == store.location()).collect();
            let mut copied: Vec<CopyRecord> = Vec::new();
            let mut failed = None;
            for m in &missing {
                if copied.iter().any(|c| c.backup_id == m.id) {
                    continue;
                }
                match ctx.work(|job| ctx.engine.copy_to(&m.id, &dest.name, store.as_ref(), job)) {
                    Ok(records) => {
                        for r in records {
                            // Each object once: a base shared by several increments is one row.
                            if !before.contains(&r) && !copied.iter().any(|c| c.backup_id == r.backup_id) {
                                copied.push(r);
                            }
                        }
                    }
                    Err(e) => {
                        failed = Some((m.id.clone(), e));
                        break;
                    }
                }
            }
            match failed {
                None => report(ctx, dest, &copied),
                // What was copied before the failure counts; the rest goes on the next run.
                Some((id, e)) => {
                    let left = missing.iter().filter(|m| !copied.iter().any(|c| c.backup_id == m.id)).count();
                    failure_report(ctx, dest, &copied, &id, left, e)
                }
            }
        }
        CopyWhat::Check => {
            let checks = ctx.work(|job| ctx.engine.verify_copies(store.as_ref(), job))?;
            check_report(ctx, dest, &checks)
        }
    }
}

fn report(ctx: &Ctx, dest: &Destination, copied: &[CopyRecord]) -> CliResult<u8> {
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "destination": dest.name, "copies": copied }))?;
        return Ok(EXIT_OK);
    }
    if copied.is_empty() {
        ctx.out.note(&format!("Every backup is already at {}.", dest.name));
        return Ok(EXIT_OK);
    }
    copied_table(ctx, copied)?;
    ctx.out.note(&format!("Copied to {}: each checked against its record (size and SHA-256).", dest.name));
    Ok(EXIT_OK)
}

/// The backups copied, one row each: what, how big, where.
fn copied_table(ctx: &Ctx, copied: &[CopyRecord]) -> CliResult<()> {
    let mut t = Table::new(&[("BACKUP", true), ("SIZE", false), ("AT", false)]);
    for c in copied {
        t.row(vec![
            (safe(&c.backup_id), Style::Bold),
            (human_size(c.size), Style::Plain),
            (safe(&c.location), Style::Plain),
        ]);
    }
    ctx.out.text(&t.render(ctx.out.mode.color))?;
    Ok(())
}

/// A `copy --missing` that failed part way: what was copied, what was not and why. Under
/// `--json` one document says both (`copies`, `failed`, and the error as `error`); the exit
/// code is the error's.
fn failure_report(
    ctx: &Ctx,
    dest: &Destination,
    copied: &[CopyRecord],
    failed_id: &str,
    left: usize,
    e: CliError,
) -> CliResult<u8> {
    if ctx.out.json_mode() {
        ctx.out.problem(&e.message, &e.hint);
        let mut doc = e.to_json();
        doc["destination"] = dest.name.clone().into();
        doc["copies"] = serde_json::to_value(copied).unwrap_or_default();
        doc["failed"] = serde_json::json!({ "backup_id": failed_id, "not_copied": left });
        ctx.out.json(&doc)?;
        return Ok(e.exit_number());
    }
    if !copied.is_empty() {
        copied_table(ctx, copied)?;
    }
    ctx.out.note(&format!(
        "Copied {} backup{} to {} (each checked against its record); {left} {} not copied, \
         starting with {}, which failed:",
        copied.len(),
        if copied.len() == 1 { "" } else { "s" },
        dest.name,
        if left == 1 { "was" } else { "were" },
        safe(failed_id),
    ));
    Err(e)
}

fn check_report(ctx: &Ctx, dest: &Destination, checks: &[CopyCheck]) -> CliResult<u8> {
    let bad = checks.iter().filter(|c| c.state != CopyState::Whole).count();
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "destination": dest.name, "copies": checks }))?;
    } else if checks.is_empty() {
        ctx.out.note(&format!("No copies recorded at {} yet.", dest.name));
    } else {
        let mut t = Table::new(&[("BACKUP", true), ("STATE", false)]);
        for c in checks {
            let cell = match c.state {
                CopyState::Whole => ("whole".to_owned(), Style::Good),
                CopyState::Missing => ("MISSING".to_owned(), Style::Bad),
                CopyState::Changed => ("CHANGED on the server".to_owned(), Style::Bad),
            };
            t.row(vec![(safe(&c.backup_id), Style::Bold), cell]);
        }
        ctx.out.text(&t.render(ctx.out.mode.color))?;
        if bad > 0 {
            ctx.out.note(&format!(
                "{bad} cop{} at {} no longer count; `keepsake copy --missing --to {}` sends them again \
                 where the name is free (a changed file is left for you to look at).",
                if bad == 1 { "y" } else { "ies" },
                dest.name,
                dest.name
            ));
        }
    }
    if bad > 0 {
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}
