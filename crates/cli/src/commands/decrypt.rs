//! `keepsake decrypt`: write the plain database inside a backup to a new file.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, Verb};
use crate::config::{Config, absolute};
use crate::error::{CliResult, EXIT_OK};

/// Write the plain SQLite database inside a backup to a new file
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake decrypt backup_20250101_020000 --to plain.db")]
pub struct Decrypt {
    /// Id of the backup (see `keepsake list`)
    id: String,
    /// File to write; it must not exist yet
    #[arg(long, value_name = "PATH")]
    to: PathBuf,
}

impl Verb for Decrypt {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx, &self.id, &absolute(self.to))
    }
}

pub fn run(ctx: &Ctx, id: &str, dest: &Path) -> CliResult<u8> {
    ctx.work(|job| ctx.engine.decrypt_to(id, dest, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "backup_id": id, "path": dest }))?;
    } else {
        ctx.out.text(&format!("Wrote the database of backup {id} to {}.", dest.display()))?;
    }
    Ok(EXIT_OK)
}
