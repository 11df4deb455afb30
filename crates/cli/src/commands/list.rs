//! `keepsake list`: the backups, newest first.

use chrono::Utc;
use keepsake_engine::model::{BackupMetadata, VerificationStatus};

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, human_size, relative_time};

pub fn run(ctx: &Ctx, limit: Option<usize>) -> CliResult<u8> {
    let backups = ctx.engine.list(limit)?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "backups": backups }))?;
        return Ok(EXIT_OK);
    }
    if backups.is_empty() {
        ctx.out.note(&format!(
            "No backups in {} yet; make one with `keepsake create`.",
            ctx.backup_dir.display()
        ));
        return Ok(EXIT_OK);
    }
    ctx.out.text(&table(&backups).render(ctx.out.mode.color))?;
    Ok(EXIT_OK)
}

pub fn verification_cell(v: VerificationStatus) -> (String, Style) {
    match v {
        VerificationStatus::Passed => ("passed".to_owned(), Style::Good),
        VerificationStatus::Failed => ("FAILED".to_owned(), Style::Bad),
        VerificationStatus::Unverified => ("-".to_owned(), Style::Dim),
    }
}

fn table(backups: &[BackupMetadata]) -> Table {
    let now = Utc::now();
    let mut t = Table::new(&[
        ("ID", false),
        ("CREATED", false),
        ("TYPE", false),
        ("SIZE", true),
        ("ORIGINAL", true),
        ("ENC", false),
        ("VERIFIED", false),
        ("DESCRIPTION", false),
    ]);
    for b in backups {
        let mut description = b.description.clone().unwrap_or_default();
        if !b.tags.is_empty() {
            let tags = b.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ");
            description = if description.is_empty() { tags } else { format!("{description} {tags}") };
        }
        t.row(vec![
            (b.id.clone(), Style::Bold),
            (relative_time(b.created_at, now), Style::Plain),
            (b.backup_type.as_str().to_owned(), Style::Plain),
            (human_size(b.stored_size), Style::Plain),
            (human_size(b.original_size), Style::Dim),
            (if b.encrypted { "yes" } else { "no" }.to_owned(), Style::Plain),
            verification_cell(b.verification),
            (description, Style::Plain),
        ]);
    }
    t
}
