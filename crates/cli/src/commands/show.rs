//! `keepsake show ID [--table T]`: what is inside a backup without restoring it: its tables
//! with their rows, or one table's rows page by page (`--offset`, `--limit`, `--search`).
//! Decoded to a private temporary file that is removed afterwards.

use keepsake_engine::TableSummary;

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, safe};

pub struct ShowArgs {
    pub table: Option<String>,
    pub search: Option<String>,
    pub offset: u64,
    pub limit: u64,
    pub all: bool,
    pub csv: bool,
}

pub fn run(ctx: &Ctx, id: &str, a: &ShowArgs) -> CliResult<u8> {
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
        let written = view.export_csv(table, &mut std::io::stdout().lock())?;
        ctx.out.note(&format!("{written} rows of {table} from backup {} written as CSV.", view.backup().id));
        return Ok(EXIT_OK);
    }
    let page = view.rows(table, a.offset, a.limit, a.search.as_deref())?;
    if ctx.out.json_mode() {
        ctx.out.json(&page)?;
        return Ok(EXIT_OK);
    }
    let heads: Vec<(&str, bool)> = page.columns.iter().map(|c| (c.as_str(), false)).collect();
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
        page.table,
        view.backup().id,
        if last < page.total { format!(" Next: --offset {last}") } else { String::new() }
    ));
    Ok(EXIT_OK)
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
