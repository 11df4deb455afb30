//! Content alerts on real databases: a scheduled backup after half a table was deleted raises
//! an alert and pins the backup before it, which retention keeping 1 does not delete; a damaged
//! database raises an integrity alert and stops retention; dismissing and unpinning.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::model::RunStatus;
use keepsake_engine::sources::Source;
use keepsake_engine::{AlertKind, Engine, FixedClock, RetentionPolicy};
use rusqlite::Connection;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn engine_at(env: &Env, now: &str) -> Engine {
    env.engine().with_clock(Arc::new(FixedClock(t(now))))
}

fn source(env: &Env) -> Source {
    let mut s = Source::new("astro", &env.db, &env.backups);
    s.encrypt = false;
    s.retention = RetentionPolicy { keep_last: Some(1), ..RetentionPolicy::default() };
    s
}

#[test]
fn deleting_half_a_table_raises_an_alert_and_pins_the_backup_before_it() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 40);
    let src = source(&env);
    let first = engine_at(&env, "2026-01-10T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert!(first.alerts.is_empty(), "nothing to compare the first backup with");
    let first = first.backup.unwrap();
    // Growth and a small loss are no alert.
    Connection::open(&env.db).unwrap().execute("DELETE FROM users WHERE id <= 2", []).unwrap();
    let quiet = engine_at(&env, "2026-01-11T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert!(quiet.alerts.is_empty(), "{:?}", quiet.alerts);
    let before = quiet.backup.clone().unwrap();
    assert!(quiet.cleanup.unwrap().delete.iter().any(|d| d.id == first.id));

    Connection::open(&env.db).unwrap().execute("DELETE FROM users WHERE id % 2 = 0", []).unwrap();
    let e = engine_at(&env, "2026-01-12T01:00:00Z");
    let run = e.run_scheduled(&src, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Success);
    let kinds: Vec<_> = run.alerts.iter().map(|a| (a.kind, a.table.as_deref())).collect();
    assert_eq!(kinds, vec![(AlertKind::RowsLost, Some("users"))], "no alert on internal tables");
    let alert = &run.alerts[0];
    assert_eq!((alert.before, alert.after), (Some(38), Some(19)));
    assert_eq!(alert.previous_id.as_deref(), Some(before.id.as_str()));
    assert_eq!(alert.pinned.as_deref(), Some(before.id.as_str()));

    // Retention keeping 1 kept the pinned backup (and the new one).
    let cleanup = run.cleanup.unwrap();
    assert!(cleanup.delete.is_empty(), "{cleanup:?}");
    let listed: Vec<_> = e.list(None).unwrap().into_iter().map(|b| (b.id, b.pinned.is_some())).collect();
    assert_eq!(listed, vec![(run.backup.unwrap().id, false), (before.id.clone(), true)]);
    // It cannot be deleted by hand either, until unpinned.
    let err = e.delete(&before.id).unwrap_err();
    assert_eq!(err.facts().reason, Some(Reason::Pinned));

    // Dismissing the alert ("this was me") leaves the pin; unpinning lets retention work.
    e.dismiss_alert(alert.id).unwrap();
    assert!(e.alerts(false).unwrap().is_empty());
    assert_eq!(e.alerts(true).unwrap()[0].dismissed_at, Some(t("2026-01-12T01:00:00Z")));
    assert!(e.get(&before.id).unwrap().pinned.is_some());
    e.unpin(&before.id).unwrap();
    assert_eq!(e.cleanup(&src.retention).unwrap().delete.len(), 1);
    assert!(e.dismiss_alert(9999).is_err());
}

#[test]
fn a_source_with_alerts_off_or_a_higher_share_raises_none() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 40);
    let mut src = source(&env);
    src.row_loss_alert_percent = 60;
    engine_at(&env, "2026-01-10T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    Connection::open(&env.db).unwrap().execute("DELETE FROM users WHERE id % 2 = 0", []).unwrap();
    let run = engine_at(&env, "2026-01-11T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert!(run.alerts.is_empty());
    src.row_loss_alert_percent = 0;
    Connection::open(&env.db).unwrap().execute("DELETE FROM users", []).unwrap();
    let run = engine_at(&env, "2026-01-12T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert!(run.alerts.is_empty());
}

#[test]
fn an_upgrade_of_the_owning_app_is_an_alert() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 10);
    let e = env.engine();
    let old = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    Connection::open(&env.db)
        .unwrap()
        .execute_batch("ALTER TABLE users ADD COLUMN email TEXT; PRAGMA user_version = 43;")
        .unwrap();
    let new = e.backup(&env.db, &opts(false, true), &job()).unwrap();
    let alerts = e.alerts_of(&new.id).unwrap();
    let kinds: Vec<_> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AlertKind::SchemaChanged, AlertKind::UserVersionChanged]);
    let version = alerts.iter().find(|a| a.kind == AlertKind::UserVersionChanged).unwrap();
    assert_eq!((version.before, version.after), (Some(42), Some(43)));
    assert!(e.get(&old.id).unwrap().pinned.is_some());
}

#[test]
fn a_damaged_database_raises_an_integrity_alert_and_retention_deletes_nothing() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 200);
    let src = source(&env);
    let good = engine_at(&env, "2026-01-10T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    assert_eq!(good.backup.as_ref().unwrap().source_integrity, Some(true));
    // Damage: the index's pages stay, its schema row goes (integrity_check: "never used").
    let c = Connection::open(&env.db).unwrap();
    c.execute_batch("PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'users_name';")
        .unwrap();
    drop(c);
    assert!(!integrity_ok(&env.db));
    let e = engine_at(&env, "2026-01-11T01:00:00Z");
    let run = e.run_scheduled(&src, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Failed, "the new backup's check fails");
    let kinds: Vec<_> = run.alerts.iter().map(|a| a.kind).collect();
    assert!(kinds.contains(&AlertKind::IntegrityFailed), "{kinds:?}");
    let damaged = e.get(&run.backup.unwrap().id).unwrap();
    assert_eq!(damaged.source_integrity, Some(false));
    let integrity = run.alerts.iter().find(|a| a.kind == AlertKind::IntegrityFailed).unwrap();
    assert_eq!(integrity.pinned.as_deref(), Some(good.backup.as_ref().unwrap().id.as_str()));
    // Verifying again raises no second alert.
    e.verify(&damaged.id, &job()).unwrap();
    let standing = e.alerts(false).unwrap();
    assert_eq!(standing.iter().filter(|a| a.kind == AlertKind::IntegrityFailed).count(), 1);
    // Even unpinned, nothing goes while the newest checked backup fails the check.
    e.unpin(&good.backup.unwrap().id).unwrap();
    assert!(e.plan_cleanup(&src.retention).unwrap().delete.is_empty());
}
