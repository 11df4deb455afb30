//! Room on the backup folder's disk, in a terminal's words: the warning before a backup that
//! would leave less than the margin free, and the advice when a backup cannot fit.

use std::path::Path;

use keepsake_engine::{SpaceCheck, SpaceMargin, SpaceState};

use super::Ctx;
use crate::hints::advice;
use crate::output::human_size;

/// Warns on stderr, before a backup of `database` (verified right after it when `verify`), when
/// it would leave the disk low on space: less than the margin free, or too little for the next
/// backup like it. (One that cannot fit is refused by the engine, with the same advice.)
pub fn warn_if_low(ctx: &Ctx, database: &Path, margin: &SpaceMargin, verify: bool) {
    let Ok(Some(check)) = ctx.engine.space_check_for(database, margin, verify) else { return };
    if check.state != SpaceState::Low {
        return;
    }
    ctx.out.note(&format!("warning: {}", words(&check, "this backup")));
}

/// How the disk stands, in a terminal's words, with what to do (for `Low` and `NoRoom`);
/// `backup` names the backup it is about ("this backup", "the next backup").
pub fn words(check: &SpaceCheck, backup: &str) -> String {
    let advice = advice(check.free_up.as_ref(), &check.folder);
    if check.state == SpaceState::NoRoom {
        return format!(
            "the disk of {} has no room for {backup}: it needs about {}, {} is free. {advice}",
            check.folder.display(),
            human_size(check.needed),
            human_size(check.free)
        );
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
    format!(
        "the disk of {} is low on space: about {} will be left after {backup}, {why}. {advice}",
        check.folder.display(),
        human_size(left),
    )
}
