//! The weekly summary of a database's backups, from what the engine recorded: backups made,
//! failed runs, checks, the room they take, and nothing from before the week.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};

mod common;
use common::{Env, job, make_db, opts};

#[test]
fn a_week_counts_the_backups_made_failed_and_checked_and_the_room_they_take() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 200);
    let engine = env.engine();
    let checked = keepsake_engine::BackupOptions { verify: true, ..opts(true, true) };
    let a = engine.backup(&env.db, &checked, &job()).unwrap();
    let b = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    // A run that fails: the database is gone for a moment.
    let moved = env.dir.path().join("moved.db");
    std::fs::rename(&env.db, &moved).unwrap();
    assert!(engine.backup(&env.db, &opts(true, true), &job()).is_err());
    std::fs::rename(&moved, &env.db).unwrap();

    let now = Utc::now() + Duration::seconds(1);
    let week = engine.report(&env.db, now).unwrap();
    assert_eq!((week.made, week.failed, week.verified, week.verify_failed), (2, 1, 1, 0), "{week:?}");
    assert_eq!(week.space_used, a.stored_size + b.stored_size);
    assert_eq!(week.backups_kept, 2);
    assert_eq!(week.last_backup_at, Some(a.created_at.max(b.created_at)));
    assert!(week.copies.is_empty() && week.alerts.is_empty());
    assert!(week.needs_attention(), "a failed run");

    // Eight days later nothing of that week counts, but the backups still take their room.
    let later = engine.report(&env.db, now + Duration::days(8)).unwrap();
    assert_eq!((later.made, later.failed, later.verified), (0, 0, 0));
    assert_eq!(later.space_used, week.space_used);
    assert!(!later.needs_attention());
}
