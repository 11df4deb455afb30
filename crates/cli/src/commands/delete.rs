//! `keepsake delete`: remove one backup, after asking.

use chrono::Utc;

use super::Ctx;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{human_size, relative_time};

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
