//! `keepsake decrypt`: write the plain database inside a backup to a new file.

use std::path::Path;

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};

pub fn run(ctx: &Ctx, id: &str, dest: &Path) -> CliResult<u8> {
    ctx.work(|job| ctx.engine.decrypt_to(id, dest, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "backup_id": id, "path": dest }))?;
    } else {
        ctx.out.text(&format!("Wrote the database of backup {id} to {}.", dest.display()))?;
    }
    Ok(EXIT_OK)
}
