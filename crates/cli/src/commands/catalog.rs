//! `keepsake catalog rebuild`: make the catalog again from the backup files.

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};

pub fn rebuild(ctx: &Ctx) -> CliResult<u8> {
    let count = ctx.engine.rebuild_catalog()?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "count": count }))?;
    } else {
        let s = if count == 1 { "" } else { "s" };
        ctx.out
            .text(&format!("Catalog rebuilt: {count} backup{s} found in {}.", ctx.backup_dir.display()))?;
    }
    Ok(EXIT_OK)
}
