//! `keepsake show ID [--table T]`: what is inside a backup without restoring it: its tables
//! with their rows, or one table's rows page by page (`--offset`, `--limit`, `--search`).
//! Decoded to a private temporary file that is removed afterwards.

use std::io::{IsTerminal, Write};

use clap::Args;
use keepsake_engine::{BackupView, TableSummary};

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, safe};

/// What is inside a backup, without restoring it: its tables, or one table's rows
#[derive(Debug, Args)]
#[command(after_help = "Decodes the backup to a private temporary file (removed afterwards) \
    and reads it. Without --table: each table with its rows and columns (internal tables \
    only with --all). With --table: its rows, page by page, optionally only those with \
    --search TEXT in a value.\n\nExamples:\n  keepsake show backup_20250101_020000\n  \
    keepsake show backup_20250101_020000 --table invoices --search Smith\n  \
    keepsake show backup_20250101_020000 --table invoices --offset 50 --limit 50 --json\n  \
    keepsake show backup_20250101_020000 --table invoices --csv > invoices.csv")]
pub struct Show {
    /// Id of the backup (see `keepsake list`)
    id: String,
    /// Show this table's rows
    #[arg(long, short = 't', value_name = "TABLE")]
    table: Option<String>,
    /// Only rows with this text in one of their values
    #[arg(long, value_name = "TEXT", requires = "table")]
    search: Option<String>,
    /// Skip this many rows
    #[arg(long, value_name = "N", default_value_t = 0, requires = "table")]
    offset: u64,
    /// Show at most N rows
    #[arg(long, short = 'n', value_name = "N", default_value_t = 50, requires = "table")]
    limit: u64,
    /// Show internal tables too (SQLite's own, full-text indexes and their shadow tables)
    #[arg(long)]
    all: bool,
    /// Write every row of --table as CSV to stdout (a header line, then the rows; a blob
    /// in hex, NULL as an empty field)
    #[arg(long, requires = "table", conflicts_with_all = ["search", "offset", "limit"])]
    csv: bool,
}

impl Verb for Show {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx, &self.id, &self)
    }
}

fn run(ctx: &Ctx, id: &str, a: &Show) -> CliResult<u8> {
    let view = ctx.work(|job| ctx.engine.open_backup(id, job))?;
    let Some(table) = &a.table else {
        let tables: Vec<TableSummary> = view.tables()?.into_iter().filter(|t| a.all || !t.internal).collect();
        if ctx.out.json_mode() {
            ctx.out.json(&serde_json::json!({ "backup": view.backup(), "tables": tables }))?;
            return Ok(EXIT_OK);
        }
        let mut t = Table::new(&[("TABLE", false), ("ROWS", true), ("COLUMNS", false)]);
        for s in &tables {
            t.row(vec![
                (safe(&s.table), if s.internal { Style::Dim } else { Style::Bold }),
                (s.rows.map_or_else(|| "-".to_owned(), |n| n.to_string()), Style::Plain),
                (safe(&s.columns.join(", ")), Style::Dim),
            ]);
        }
        ctx.out.text(&t.render(ctx.out.mode.color))?;
        if !a.all {
            ctx.out
                .note("Internal tables (SQLite's own, full-text indexes) are not shown; --all shows them.");
        }
        return Ok(EXIT_OK);
    };
    if a.csv {
        // To a pipe or a file the CSV is exact, byte for byte: it is data for a program, and
        // a value's newline or tab is part of it. To a terminal it is read by a person, and
        // the terminal would act on a value's escape sequences: every name and value is shown
        // through `safe` there, then quoted as CSV.
        let written = if std::io::stdout().is_terminal() {
            csv_for_terminal(&view, table)?
        } else {
            view.export_csv(table, &mut std::io::stdout().lock())?
        };
        ctx.out.note(&format!(
            "{written} rows of {} from backup {} written as CSV.",
            safe(table),
            safe(&view.backup().id)
        ));
        return Ok(EXIT_OK);
    }
    let page = view.rows(table, a.offset, a.limit, a.search.as_deref())?;
    if ctx.out.json_mode() {
        ctx.out.json(&page)?;
        return Ok(EXIT_OK);
    }
    let columns: Vec<String> = page.columns.iter().map(|c| safe(c)).collect();
    let heads: Vec<(&str, bool)> = columns.iter().map(|c| (c.as_str(), false)).collect();
    let mut t = Table::new(&heads);
    for row in &page.rows {
        t.row(
            row.iter()
                .map(|v| match v {
                    Some(v) => (safe(&clip(v)), Style::Plain),
                    None => ("NULL".to_owned(), Style::Dim),
                })
                .collect(),
        );
    }
    ctx.out.text(&t.render(ctx.out.mode.color))?;
    let last = page.offset + page.rows.len() as u64;
    let matching = if a.search.is_some() { " matching" } else { "" };
    ctx.out.note(&format!(
        "Rows {}-{last} of {}{matching} in {} of backup {}.{}",
        if page.rows.is_empty() { page.offset } else { page.offset + 1 },
        page.total,
        safe(&page.table),
        safe(&view.backup().id),
        if last < page.total { format!(" Next: --offset {last}") } else { String::new() }
    ));
    Ok(EXIT_OK)
}

/// Writes `table` as CSV for a person at a terminal: each name and value through `safe` (so
/// it holds no control character left to quote), a field quoted when it holds `,` or `"` or
/// starts or ends with a space. Returns the rows written.
fn csv_for_terminal(view: &BackupView, table: &str) -> CliResult<u64> {
    let field = |v: &str| {
        let v = safe(v);
        if v.contains([',', '"']) || v.starts_with(' ') || v.ends_with(' ') {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v
        }
    };
    let line = |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",");
    let mut out = std::io::stdout().lock();
    let mut header = true;
    let written = view.each_row(table, |columns, values| {
        if std::mem::take(&mut header) {
            writeln!(out, "{}", line(&mut columns.iter().map(|c| field(c)))).map_err(write_failed)?;
        }
        writeln!(out, "{}", line(&mut values.iter().map(|v| field(v.as_deref().unwrap_or("")))))
            .map_err(write_failed)
    })?;
    if header {
        // No rows: the header line alone.
        let columns = view.rows(table, 0, 0, None)?.columns;
        writeln!(out, "{}", line(&mut columns.iter().map(|c| field(c)))).map_err(write_failed)?;
    }
    out.flush().map_err(write_failed)?;
    Ok(written)
}

fn write_failed(e: std::io::Error) -> keepsake_engine::Error {
    keepsake_engine::Error::new(keepsake_engine::ErrorCode::Io, format!("cannot write the CSV: {e}"))
}

/// A value cut to fit a terminal line.
fn clip(v: &str) -> String {
    let one_line = v.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}
