//! `keepsake stats`: figures over all backups of the folder.

use chrono::Utc;

use clap::Args;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, human_size, local_time, relative_time};

/// Show figures over all backups
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake stats\n  keepsake stats --json")]
pub struct Stats {}

impl Verb for Stats {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx)
    }
}

pub fn run(ctx: &Ctx) -> CliResult<u8> {
    let s = ctx.engine.stats()?;
    if ctx.out.json_mode() {
        ctx.out.json(&s)?;
        return Ok(EXIT_OK);
    }
    let now = Utc::now();
    let when = |t: Option<chrono::DateTime<Utc>>| {
        t.map_or("-".to_owned(), |t| format!("{} ({})", local_time(t), relative_time(t, now)))
    };
    let ratio = s
        .average_compression_ratio
        .map_or("-".to_owned(), |r| format!("{:.0}% of the original size on average", r * 100.0));
    let rows = [
        ("Backup folder", ctx.backup_dir.display().to_string()),
        (
            "Backups",
            format!(
                "{} ({} verified, {} failed verification, {} unverified)",
                s.count, s.verified_count, s.failed_count, s.unverified_count
            ),
        ),
        ("Stored size", human_size(s.total_stored_size)),
        ("Original size", human_size(s.total_original_size)),
        ("Compression", ratio),
        ("Oldest", when(s.oldest)),
        ("Newest", when(s.newest)),
        ("Failed runs", s.failed_runs.to_string()),
    ];
    // A two-column table without its header row.
    let mut t = Table::new(&[("", false), ("", false)]);
    for (k, v) in rows {
        t.row(vec![(format!("{k}:"), Style::Bold), (v, Style::Plain)]);
    }
    let text = t.render(ctx.out.mode.color);
    let body = text.split_once('\n').map_or("", |(_header, rest)| rest);
    ctx.out.text(body)?;
    Ok(EXIT_OK)
}
