//! `keepsake catalog rebuild`: read every file of the folder again and hash every recorded
//! backup, then say what was found, file by file: nothing disappears silently. Exits 1 when a
//! backup is damaged or missing.

use super::Ctx;
use super::list::concern_text;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::safe;

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
