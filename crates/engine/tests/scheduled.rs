//! `Engine::run_scheduled` and `Engine::source_history` on real databases: a scheduled run backs
//! up with the source's settings, verifies, applies retention and records itself; a busy folder
//! makes it skipped; the history queries give the scheduler what it decides from.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs::File;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use keepsake_engine::model::{BackupType, RunStatus, VerificationStatus};
use keepsake_engine::sources::Source;
use keepsake_engine::{
    CancelToken, Engine, ErrorCode, FixedClock, Job, Phase, Progress, RetentionPolicy, RunHow,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn source(env: &Env) -> Source {
    let mut s = Source::new("astro", &env.db, &env.backups);
    s.encrypt = false;
    s
}

/// The engine with its clock at `now`.
fn engine_at(env: &Env, now: &str) -> Engine {
    env.engine().with_clock(Arc::new(FixedClock(t(now))))
}

#[test]
fn a_scheduled_run_backs_up_verifies_cleans_up_and_records() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 40);
    let mut src = source(&env);
    src.retention = RetentionPolicy { keep_last: Some(2), ..RetentionPolicy::default() };
    let mut ids = Vec::new();
    for (i, now) in
        ["2026-01-10T01:00:00Z", "2026-01-11T01:00:00Z", "2026-01-12T01:00:00Z"].iter().enumerate()
    {
        let run = engine_at(&env, now).run_scheduled(&src, &job()).unwrap();
        assert_eq!(run.source, "astro");
        assert_eq!(run.status, RunStatus::Success, "{run:#?}");
        let backup = run.backup.unwrap();
        assert_eq!(backup.backup_type, BackupType::Scheduled);
        assert!(!backup.encrypted, "the source's settings are used");
        assert_eq!(backup.verification, VerificationStatus::Passed);
        assert!(run.verify.unwrap().ok);
        let plan = run.cleanup.unwrap();
        assert_eq!(plan.delete.len(), usize::from(i == 2), "keep the last 2");
        assert!(run.cleanup_error.is_none());
        ids.push(backup.id);
    }
    let kept: Vec<String> = env.engine().list(None).unwrap().into_iter().map(|b| b.id).collect();
    assert_eq!(kept, [ids[2].clone(), ids[1].clone()]);
    let backups: Vec<_> = env
        .engine()
        .history(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.operation == keepsake_engine::Operation::Backup)
        .collect();
    assert_eq!(backups.len(), 3);
    for r in &backups {
        assert_eq!(r.backup_type, Some(BackupType::Scheduled));
        assert_eq!(r.status, RunStatus::Success);
        assert_eq!(r.source_path.as_deref(), Some(env.db.as_path()));
    }
}

#[test]
fn back_up_now_gives_the_same_outcome_and_deletes_nothing() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 40);
    let mut src = source(&env);
    src.retention = RetentionPolicy { keep_last: Some(1), ..RetentionPolicy::default() };
    engine_at(&env, "2026-01-10T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    let how = RunHow::manual(Some("before the trip".into()), vec!["trip".into()]);
    let run = engine_at(&env, "2026-01-11T01:00:00Z").run_source(&src, &how, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Success, "{run:#?}");
    let backup = run.backup.unwrap();
    assert_eq!(backup.backup_type, BackupType::Manual);
    assert_eq!(backup.description.as_deref(), Some("before the trip"));
    assert_eq!(backup.tags, ["trip"]);
    assert_eq!(backup.verification, VerificationStatus::Passed, "the source's verification");
    assert!(run.verify.unwrap().ok);
    assert!(run.cleanup.is_none(), "a backup someone asked for deletes nothing");
    assert!(run.space.is_some(), "the room for the next backup, in the same outcome");
    assert_eq!(env.engine().list(None).unwrap().len(), 2);
    let last = env.engine().history(Some(1)).unwrap().remove(0);
    assert_eq!(last.backup_type, Some(BackupType::Manual));
}

#[test]
fn without_retention_or_verify_only_the_backup_happens() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 10);
    let mut src = source(&env);
    src.verify_after_backup = false;
    let run = env.engine().run_scheduled(&src, &job()).unwrap();
    assert_eq!(run.status, RunStatus::Success);
    assert_eq!(run.backup.unwrap().verification, VerificationStatus::Unverified);
    assert!(run.verify.is_none() && run.cleanup.is_none());
}

#[test]
fn a_busy_folder_makes_the_run_skipped_and_recorded() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 10);
    let engine = env.engine();
    // Another process's operation holds the folder lock.
    let holder = File::create(env.home.lock_path(engine.store().location())).unwrap();
    holder.lock().unwrap();
    let run = engine.run_scheduled(&source(&env), &job()).unwrap();
    assert_eq!(run.status, RunStatus::Skipped);
    assert_eq!(run.error_code, Some(ErrorCode::Busy));
    assert!(run.backup.is_none());
    drop(holder);
    let last = engine.source_history(&env.db).unwrap().last_attempt.unwrap();
    assert_eq!((last.status, last.backup_type), (RunStatus::Skipped, Some(BackupType::Scheduled)));
    assert!(engine.list(None).unwrap().is_empty());
}

#[test]
fn a_failed_run_is_an_error_and_recorded() {
    let env = Env::new();
    let engine = env.engine();
    let e = engine.run_scheduled(&source(&env), &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceNotFound);
    let h = engine.source_history(&env.db).unwrap();
    let last = h.last_attempt.unwrap();
    assert_eq!((last.status, last.error_code), (RunStatus::Failed, Some(ErrorCode::SourceNotFound)));
    assert_eq!(h.last_success, None);
    assert_eq!(h.first_attempt, Some(last.started_at));
}

#[test]
fn the_source_must_belong_to_the_folder() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 10);
    let mut src = source(&env);
    src.backup_dir = env.dir.path().join("elsewhere");
    let e = env.engine().run_scheduled(&src, &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.message().contains("elsewhere"), "{e}");
}

struct CancelInBackup(CancelToken);

impl Progress for CancelInBackup {
    fn update(&self, phase: Phase, _: u64, _: u64) {
        if phase == Phase::Backup {
            self.0.cancel();
        }
    }
}

#[test]
fn a_cancelled_run_leaves_nothing_and_does_not_count_as_an_attempt() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 200);
    let cancel = CancelToken::new();
    let job = Job::new(Arc::new(CancelInBackup(cancel.clone())), cancel);
    let e = env.engine().run_scheduled(&source(&env), &job).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert_eq!(backup_files(&env.backups), Vec::<String>::new());
    let h = env.engine().source_history(&env.db).unwrap();
    // The slot stays open, so the next start catches it up.
    assert_eq!(h.last_attempt, None);
    assert!(h.first_attempt.is_some());
}

#[test]
fn source_history_separates_attempts_successes_and_types() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 10);
    let src = source(&env);
    engine_at(&env, "2026-01-10T01:00:00Z").run_scheduled(&src, &job()).unwrap();
    // A manual backup later: a success, but not a scheduled attempt.
    engine_at(&env, "2026-01-10T09:00:00Z").backup(&env.db, &opts(false, true), &job()).unwrap();
    // A backup of another database into the same folder says nothing about this source.
    let other = env.dir.path().join("other.db");
    make_db(&other, true, 4096, 5);
    engine_at(&env, "2026-01-10T10:00:00Z").backup(&other, &opts(false, true), &job()).unwrap();

    let h = env.engine().source_history(&env.db).unwrap();
    assert_eq!(h.last_attempt.as_ref().unwrap().started_at, t("2026-01-10T01:00:00Z"));
    assert_eq!(h.last_success, Some(t("2026-01-10T09:00:00Z")));
    assert_eq!(h.first_attempt, Some(t("2026-01-10T01:00:00Z")));

    // A later failure is the last attempt; the last success stays.
    std::fs::rename(&env.db, env.dir.path().join("moved.db")).unwrap();
    let e = engine_at(&env, "2026-01-11T01:00:00Z").run_scheduled(&src, &job()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceNotFound);
    let h2 = env.engine().source_history(&env.db).unwrap();
    assert_eq!(h2.last_attempt.as_ref().unwrap().status, RunStatus::Failed);
    assert_eq!(h2.last_attempt.unwrap().started_at, t("2026-01-11T01:00:00Z"));
    assert_eq!(h2.last_success, Some(t("2026-01-10T09:00:00Z")));
    assert!(t("2026-01-11T01:00:00Z") - h2.last_success.unwrap() < TimeDelta::days(1));
}
