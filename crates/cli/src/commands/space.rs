//! Room on the backup folder's disk, in a terminal's words: the warning before a backup that
//! would leave less than the margin free, and the advice when a backup cannot fit.

use std::path::Path;

use keepsake_engine::{FreeUp, SpaceMargin, SpaceState};

use super::Ctx;
use crate::output::human_size;

/// `path` as one word of a shell command line (quoted when it needs it), for advice to copy.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What to run to make room in the backup folder `folder` (`keepsake --backup-dir DIR cleanup
/// --keep N`), or what to do when deleting backups cannot make enough.
pub fn advice(free_up: Option<&FreeUp>, folder: &Path) -> String {
    let cleanup = |keep: u32| format!("keepsake --backup-dir {} cleanup --keep {keep}", shell_word(folder));
    match free_up {
        Some(f) if f.enough => format!(
            "Delete the {} oldest backup(s) to free {}: `{}` (add --dry-run to see which), or free space \
             on the disk.",
            f.ids.len(),
            human_size(f.bytes),
            cleanup(f.keep_last)
        ),
        Some(f) => format!(
            "Deleting the {} oldest backup(s) (`{}`) frees only {}: free space on the disk, or choose a \
             bigger one for the backups.",
            f.ids.len(),
            cleanup(f.keep_last),
            human_size(f.bytes)
        ),
        None => "Free space on the disk, or choose a bigger one for the backups.".to_owned(),
    }
}

/// Warns on stderr, before a backup of `database` (verified right after it when `verify`), when
/// it would leave the disk low on space: less than the margin free, or too little for the next
/// backup like it. (One that cannot fit is refused by the engine, with the same advice.)
pub fn warn_if_low(ctx: &Ctx, database: &Path, margin: &SpaceMargin, verify: bool) {
    let Ok(Some(check)) = ctx.engine.space_check_for(database, margin, verify) else { return };
    if check.state != SpaceState::Low {
        return;
    }
    let left = check.free.saturating_sub(check.estimate);
    let why = if left < check.margin {
        format!("less than the {} Keepsake keeps free", human_size(check.margin))
    } else {
        format!(
            "too little for the next backup like it (about {} with what is kept free)",
            human_size(check.needed)
        )
    };
    ctx.out.note(&format!(
        "warning: the disk of {} is low on space: about {} will be left after this backup, {why}. {}",
        check.folder.display(),
        human_size(left),
        advice(check.free_up.as_ref(), &check.folder)
    ));
}
