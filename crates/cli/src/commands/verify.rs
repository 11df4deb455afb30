//! `keepsake verify`: check a backup end to end; exit 1 when it is damaged.

use keepsake_engine::model::CheckStatus;

use clap::Args;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{Style, Table, human_duration};

/// Check a backup end to end: checksum, decryption, decompression, SQLite integrity
#[derive(Debug, Args)]
#[command(after_help = "Exits with 1 when the backup is damaged, 0 when it is sound.\n\n\
    Examples:\n  keepsake verify backup_20250101_020000\n  \
    keepsake verify backup_20250101_020000 --json | jq .ok")]
pub struct Verify {
    /// Id of the backup (see `keepsake list`)
    id: String,
}

impl Verb for Verify {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx, &self.id)
    }
}

pub fn run(ctx: &Ctx, id: &str) -> CliResult<u8> {
    let report = ctx.work(|job| ctx.engine.verify(id, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&report)?;
    } else {
        let mut t = Table::new(&[("CHECK", false), ("RESULT", false), ("DETAIL", false)]);
        for c in &report.checks {
            let status = match c.status {
                CheckStatus::Passed => ("ok".to_owned(), Style::Good),
                CheckStatus::Failed => ("FAILED".to_owned(), Style::Bad),
                CheckStatus::Skipped => ("skipped".to_owned(), Style::Dim),
            };
            t.row(vec![(c.name.clone(), Style::Plain), status, (c.message.clone(), Style::Plain)]);
        }
        ctx.out.text(&t.render(ctx.out.mode.color))?;
        if report.ok {
            let verdict = ctx.out.paint("sound", Style::Good);
            ctx.out.text(&format!(
                "Backup {} is {verdict} (checked in {}).",
                report.backup_id,
                human_duration(report.duration_ms)
            ))?;
        }
    }
    if report.ok {
        return Ok(EXIT_OK);
    }
    // The report is the result; error/hint on stderr say what it means for a person.
    let failed = report.checks.iter().find(|c| c.status == CheckStatus::Failed);
    let why = failed.map(|c| format!(": {} check failed: {}", c.name, c.message)).unwrap_or_default();
    let code = report.code.map(|c| format!(" ({c})")).unwrap_or_default();
    let hint = report.code.map_or("Use another backup; keep this file for inspection.", crate::hints::hint);
    ctx.out.problem(&format!("backup {} is damaged{code}{why}", report.backup_id), hint);
    Ok(EXIT_PROBLEM)
}
