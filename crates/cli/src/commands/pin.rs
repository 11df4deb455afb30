//! `keepsake pin ID`: every retention rule keeps the backup until it is unpinned.

use clap::Args;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};

/// Pin a backup: every retention rule keeps it until it is unpinned
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake pin backup_20250101_020000")]
pub struct Pin {
    /// Id of the backup (see `keepsake list`)
    id: String,
}

impl Verb for Pin {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        pin(&Ctx::of_folder(cfg)?, &self.id, true)
    }
}

/// Pins (`on`) or unpins a backup, and says so.
pub fn pin(ctx: &Ctx, id: &str, on: bool) -> CliResult<u8> {
    let meta = if on { ctx.engine.pin(id)? } else { ctx.engine.unpin(id)? };
    if ctx.out.json_mode() {
        ctx.out.json(&meta)?;
    } else if on {
        ctx.out.note(&format!("Backup {} is pinned: retention keeps it until you unpin it.", meta.id));
    } else {
        ctx.out.note(&format!("Backup {} is no longer pinned: retention rules apply to it again.", meta.id));
    }
    Ok(EXIT_OK)
}
