//! `keepsake delete`: remove one backup, after asking.

use chrono::Utc;

use clap::Args;

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{human_size, relative_time};

/// Delete one backup
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake delete backup_20250101_020000\n  \
    keepsake delete backup_20250101_020000 --yes")]
pub struct Delete {
    /// Id of the backup (see `keepsake list`)
    id: String,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    yes: bool,
}

impl Verb for Delete {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        run(&ctx, &self.id, self.yes)
    }
}

pub fn run(ctx: &Ctx, id: &str, confirmed: bool) -> CliResult<u8> {
    let meta = ctx.engine.get(id)?;
    ctx.confirm(
        confirmed,
        &format!(
            "Delete {id} (made {}, {})? This cannot be undone.",
            relative_time(meta.created_at, Utc::now()),
            human_size(meta.stored_size)
        ),
        "delete",
    )?;
    ctx.engine.delete(id)?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "deleted": meta }))?;
    } else {
        ctx.out.text(&format!("Deleted backup {id} ({} freed).", human_size(meta.stored_size)))?;
    }
    Ok(EXIT_OK)
}
