//! `keepsake catalog rebuild`: read every file of the folder again and hash every recorded
//! backup, then say what was found, file by file: nothing disappears silently. Exits 1 when a
//! backup is damaged or missing.

use clap::{Args, Subcommand};

use super::list::concern_text;
use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::safe;

/// Maintain the catalog of the backup folder
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake catalog rebuild")]
pub struct Catalog {
    #[command(subcommand)]
    action: CatalogAction,
}

#[derive(Debug, Subcommand)]
enum CatalogAction {
    /// Make the catalog again from the backup files in the folder
    #[command(after_help = "Use it after copying backup files into the folder by hand, or when the \
        catalog file was lost. Verification results are forgotten (every backup becomes unverified); \
        the run history is kept.\n\n\
        Examples:\n  keepsake catalog rebuild")]
    Rebuild,
}

impl Verb for Catalog {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        match self.action {
            CatalogAction::Rebuild => rebuild(&ctx),
        }
    }
}

pub fn rebuild(ctx: &Ctx) -> CliResult<u8> {
    let report = ctx.engine.rebuild_catalog()?;
    let code = if report.has_damage() { EXIT_PROBLEM } else { EXIT_OK };
    if ctx.out.json_mode() {
        ctx.out.json(&report)?;
        return Ok(code);
    }
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut lines = vec![format!(
        "Catalog rebuilt for {}: {} backup{} made here, sound.",
        ctx.backup_dir.display(),
        report.sound.len(),
        s(report.sound.len())
    )];
    for id in &report.changed {
        lines.push(format!("  damaged: {} (its file changed since it was made)", safe(id)));
    }
    for id in &report.missing {
        lines.push(format!("  missing: {} (its file is gone)", safe(id)));
    }
    for b in &report.foreign {
        let why = b.concern.map(concern_text).unwrap_or("not recorded here");
        lines.push(format!("  foreign: {} ({why})", safe(&b.file_name)));
    }
    for f in &report.files {
        let state = match f.state {
            keepsake_engine::FileState::Locked => "locked",
            keepsake_engine::FileState::Damaged => "damaged",
        };
        lines.push(format!("  {state}: {} ({})", safe(&f.file_name), safe(&f.message)));
    }
    ctx.out.text(&lines.join("\n"))?;
    Ok(code)
}
