//! `keepsake history`: past runs, newest first, failed ones too.

use chrono::Utc;
use keepsake_engine::model::RunStatus;

use clap::Args;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, human_duration, relative_time};

/// Show past runs (backups, verifications, restores...), failed ones too
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake history\n  keepsake history --limit 20 --json")]
pub struct History {
    /// Show at most N runs
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
}

impl Verb for History {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx, self.limit)
    }
}

pub fn run(ctx: &Ctx, limit: Option<usize>) -> CliResult<u8> {
    let runs = ctx.engine.history(limit)?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "runs": runs }))?;
        return Ok(EXIT_OK);
    }
    if runs.is_empty() {
        ctx.out.note(&format!("No runs recorded in {} yet.", ctx.backup_dir.display()));
        return Ok(EXIT_OK);
    }
    let now = Utc::now();
    let mut t = Table::new(&[
        ("WHEN", false),
        ("OPERATION", false),
        ("STATUS", false),
        ("BACKUP", false),
        ("TOOK", true),
        ("DETAIL", false),
    ]);
    for r in &runs {
        let status = match r.status {
            RunStatus::Success => ("ok", Style::Good),
            RunStatus::Failed => ("FAILED", Style::Bad),
            RunStatus::Cancelled => ("cancelled", Style::Warn),
            RunStatus::Skipped => ("skipped", Style::Dim),
        };
        let detail = match (&r.error_code, &r.message) {
            (Some(code), Some(m)) => format!("{code}: {m}"),
            (Some(code), None) => code.to_string(),
            (None, Some(m)) => m.clone(),
            (None, None) => String::new(),
        };
        t.row(vec![
            (relative_time(r.started_at, now), Style::Plain),
            (r.operation.as_str().to_owned(), Style::Plain),
            (status.0.to_owned(), status.1),
            (r.backup_id.clone().unwrap_or_else(|| "-".to_owned()), Style::Plain),
            (human_duration(r.duration_ms), Style::Dim),
            (detail, Style::Plain),
        ]);
    }
    ctx.out.text(&t.render(ctx.out.mode.color))?;
    Ok(EXIT_OK)
}
