//! `keepsake diff`: what restoring a backup would change in a database, row by row. Exits 1 when
//! the backup and the database hold different rows (as `diff` does), 0 when they are the same.

use std::path::{Path, PathBuf};

use clap::Args;
use keepsake_engine::TableChange;

use super::{Ctx, Verb};
use crate::config::{Config, absolute};
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{Style, Table, safe};

/// What restoring a backup would change in the database, row by row
#[derive(Debug, Args)]
#[command(after_help = "Decodes the backup to a private temporary file (nothing is written \
    elsewhere) and compares it with the database by rowid or primary key: rows that come \
    back, rows whose values change back, rows added since that go. Exits 0 when the backup \
    holds the same rows as the database, 1 when they differ.\n\nExamples:\n  \
    keepsake diff backup_20250101_020000\n  \
    keepsake diff backup_20250101_020000 backup_20250108_020000\n  \
    keepsake diff backup_20250101_020000 --all --json")]
pub struct Diff {
    /// Id of the backup (see `keepsake list`)
    id: String,
    /// A later backup to compare it with, instead of the database now
    #[arg(conflicts_with = "with")]
    id2: Option<String>,
    /// Compare with this database instead of the source's
    #[arg(long, value_name = "PATH")]
    with: Option<PathBuf>,
    /// Show internal tables too (SQLite's own, full-text indexes and their shadow tables)
    #[arg(long)]
    all: bool,
}

impl Verb for Diff {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let picked = cfg.picked_source()?;
        let dir = cfg.backup_dir(picked.as_ref())?;
        let database = match (self.with, &self.id2) {
            (Some(p), _) => absolute(p),
            (None, Some(_)) => PathBuf::new(),
            (None, None) => cfg.database_needed(picked.as_ref(), "to compare with")?,
        };
        let ctx = Ctx::folder(cfg, dir, super::Open::default())?;
        match self.id2 {
            Some(other) => between(&ctx, &self.id, &other, self.all),
            None => run(&ctx, &self.id, &database, self.all),
        }
    }
}

fn run(ctx: &Ctx, id: &str, database: &Path, all: bool) -> CliResult<u8> {
    let changes = ctx.work(|job| ctx.engine.compare_rows(id, database, job))?;
    let same = format!("The backup holds the same rows as {}.", database.display());
    show(ctx, &changes, all, ("IN BACKUP", "NOW", "RESTORING IT"), words, &same)
}

/// `keepsake diff OLDER NEWER`: what changed from one backup to a later one, row by row.
fn between(ctx: &Ctx, older: &str, newer: &str, all: bool) -> CliResult<u8> {
    let changes = ctx.work(|job| ctx.engine.compare_backups(older, newer, job))?;
    show(ctx, &changes, all, (older, newer, "SINCE"), since, "The two backups hold the same rows.")
}

/// Prints a comparison (a table per line, with `heads` over the two counts and the words) and
/// returns the exit code: 1 when anything differs.
fn show(
    ctx: &Ctx,
    changes: &[TableChange],
    all: bool,
    heads: (&str, &str, &str),
    words: fn(&TableChange) -> String,
    same: &str,
) -> CliResult<u8> {
    let shown: Vec<&TableChange> = changes.iter().filter(|c| all || !c.internal).collect();
    let differs = shown.iter().any(|c| words(c) != "same");
    if ctx.out.json_mode() {
        ctx.out.json(&shown)?;
    } else {
        let count = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let mut t = Table::new(&[("TABLE", false), (heads.0, true), (heads.1, true), (heads.2, false)]);
        for c in &shown {
            let w = words(c);
            let style = if w == "same" { Style::Dim } else { Style::Plain };
            t.row(vec![
                // A table's name comes from the database or the backup: never raw to a terminal.
                (safe(&c.table), Style::Plain),
                (count(c.backup_rows), Style::Plain),
                (count(c.current_rows), Style::Plain),
                (w, style),
            ]);
        }
        ctx.out.text(&t.render(ctx.out.mode.color))?;
        let hidden = changes.len() - shown.len();
        if hidden > 0 {
            ctx.out.text(&format!("({hidden} internal tables not shown; --all shows them)"))?;
        }
        if !differs {
            ctx.out.text(same)?;
        }
    }
    Ok(if differs { EXIT_PROBLEM } else { EXIT_OK })
}

/// What restoring does to one table, in a few words.
fn words(c: &TableChange) -> String {
    let rows = |n: u64| if n == 1 { "1 row".to_owned() } else { format!("{n} rows") };
    match (c.backup_rows, c.current_rows) {
        (None, Some(n)) => return format!("table removed (added since, {})", rows(n)),
        (Some(n), None) => return format!("table comes back ({})", rows(n)),
        _ => {}
    }
    let mut parts = Vec::new();
    if c.brought_back > 0 {
        parts.push(format!("{} come back", rows(c.brought_back)));
    }
    match c.changed {
        Some(n) if n > 0 => parts.push(format!("{} changed back", rows(n))),
        None => parts.push("columns changed since (counts only)".to_owned()),
        _ => {}
    }
    if c.removed > 0 {
        parts.push(format!("{} added since go", rows(c.removed)));
    }
    if parts.is_empty() { "same".to_owned() } else { parts.join(", ") }
}

/// What changed in one table from the older backup to the newer, in a few words.
fn since(c: &TableChange) -> String {
    let rows = |n: u64| if n == 1 { "1 row".to_owned() } else { format!("{n} rows") };
    match (c.backup_rows, c.current_rows) {
        (None, Some(n)) => return format!("table added ({})", rows(n)),
        (Some(n), None) => return format!("table gone ({})", rows(n)),
        _ => {}
    }
    let mut parts = Vec::new();
    if c.brought_back > 0 {
        parts.push(format!("{} gone", rows(c.brought_back)));
    }
    if c.removed > 0 {
        parts.push(format!("{} added", rows(c.removed)));
    }
    match c.changed {
        Some(n) if n > 0 => parts.push(format!("{} changed", rows(n))),
        None => parts.push("columns changed (counts only)".to_owned()),
        _ => {}
    }
    if parts.is_empty() { "same".to_owned() } else { parts.join(", ") }
}
