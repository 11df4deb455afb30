//! The scheduler's decisions with fixed clocks: which sources a tick runs and why, pause and run
//! now, a run in progress, the overdue warning, the next wake-up and the job info. The slot rules
//! themselves (presets, cron, daylight saving, clock jumps) are tested in `schedule/tests.rs`.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use chrono_tz::Tz;

use super::*;
use crate::model::{BackupType, Operation, RunStatus};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Tz> {
    Berlin.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap()
}

fn utc(t: DateTime<Tz>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

fn source(name: &str, schedule: &str) -> Source {
    let mut s = Source::new(name, format!("/data/{name}.db"), format!("/backups/{name}"));
    s.set("schedule", schedule).unwrap();
    s
}

/// A state whose last scheduled attempt and last success were both at `ran`.
fn ran_at(ran: DateTime<Tz>) -> SourceState {
    SourceState {
        last_attempt: Some(utc(ran)),
        last_success: Some(utc(ran)),
        first_attempt: Some(utc(ran) - TimeDelta::days(30)),
        ..SourceState::default()
    }
}

fn plan(jobs: &[(Source, SourceState)], now: DateTime<Tz>) -> Vec<Action> {
    plan_tick(jobs.iter().map(|(s, st)| (s, st)), &now)
}

fn run(name: &str, reason: RunReason) -> Action {
    Action::Run { source: name.into(), reason }
}

#[test]
fn nothing_to_do_between_slots() {
    let jobs = [(source("astro", "daily 02:00"), ran_at(at(2026, 1, 10, 2, 0)))];
    assert_eq!(plan(&jobs, at(2026, 1, 10, 14, 0)), []);
}

#[test]
fn a_slot_noticed_promptly_runs_on_time() {
    let jobs = [(source("astro", "daily 02:00"), ran_at(at(2026, 1, 10, 2, 0)))];
    assert_eq!(
        plan(&jobs, at(2026, 1, 11, 2, 0) + TimeDelta::seconds(3)),
        [run("astro", RunReason::OnTime { slot: at(2026, 1, 11, 2, 0).fixed_offset() })]
    );
}

#[test]
fn missed_slots_make_one_catch_up_run() {
    // The laptop was closed for three nights; Keepsake starts on Wednesday at 09:00.
    let jobs = [(source("astro", "daily 02:00"), ran_at(at(2026, 1, 10, 2, 0)))];
    assert_eq!(
        plan(&jobs, at(2026, 1, 13, 9, 0)),
        [run(
            "astro",
            RunReason::CatchUp {
                missed: 3,
                first: at(2026, 1, 11, 2, 0).fixed_offset(),
                latest: at(2026, 1, 13, 2, 0).fixed_offset()
            }
        )]
    );
    // Once the catch-up is recorded, nothing more until Thursday 02:00.
    let jobs = [(source("astro", "daily 02:00"), ran_at(at(2026, 1, 13, 9, 0)))];
    for later in [1, 60, 16 * 60] {
        assert_eq!(plan(&jobs, at(2026, 1, 13, 9, 0) + TimeDelta::minutes(later)), []);
    }
}

#[test]
fn a_new_source_runs_at_once() {
    let jobs = [(source("astro", "weekly mon 02:00"), SourceState::default())];
    assert_eq!(plan(&jobs, at(2026, 1, 14, 12, 0)), [run("astro", RunReason::FirstRun)]);
}

#[test]
fn paused_disabled_and_unscheduled_sources_do_not_run() {
    let mut paused = source("paused", "hourly");
    paused.paused = true;
    let mut disabled = source("disabled", "hourly");
    disabled.enabled = false;
    let unscheduled = Source::new("manual", "/data/m.db", "/backups/m");
    let long_ago = ran_at(at(2025, 1, 1, 0, 0));
    let jobs = [(paused, long_ago.clone()), (disabled, long_ago.clone()), (unscheduled, long_ago)];
    // Not even the overdue warning: the user chose this.
    assert_eq!(plan(&jobs, at(2026, 1, 14, 12, 0)), []);
    assert_eq!(next_wake(jobs.iter().map(|(s, st)| (s, st)), &at(2026, 1, 14, 12, 0)), None);
}

#[test]
fn run_now_runs_whatever_the_schedule_says() {
    let mut paused = source("astro", "daily 02:00");
    paused.paused = true;
    let state = SourceState { run_now: true, ..ran_at(at(2026, 1, 14, 2, 0)) };
    let jobs = [(paused, state.clone()), (Source::new("manual", "/m.db", "/bm"), state)];
    assert_eq!(
        plan(&jobs, at(2026, 1, 14, 12, 0)),
        [run("astro", RunReason::RunNow), run("manual", RunReason::RunNow)]
    );
}

#[test]
fn a_trigger_while_running_is_skipped() {
    let state = SourceState { running: true, ..ran_at(at(2026, 1, 10, 2, 0)) };
    let jobs = [(source("astro", "daily 02:00"), state.clone())];
    assert_eq!(
        plan(&jobs, at(2026, 1, 11, 2, 1)),
        [Action::Skip {
            source: "astro".into(),
            reason: RunReason::OnTime { slot: at(2026, 1, 11, 2, 0).fixed_offset() }
        }]
    );
    let jobs = [(source("astro", "daily 02:00"), SourceState { run_now: true, ..state })];
    assert_eq!(
        plan(&jobs, at(2026, 1, 10, 12, 0)),
        [Action::Skip { source: "astro".into(), reason: RunReason::RunNow }]
    );
}

#[test]
fn sources_are_decided_independently() {
    let jobs = [
        (source("a", "daily 02:00"), ran_at(at(2026, 1, 10, 2, 0))),
        (source("b", "hourly :30"), ran_at(at(2026, 1, 11, 1, 30))),
        (source("c", "daily 03:00"), ran_at(at(2026, 1, 10, 3, 0))),
    ];
    assert_eq!(
        plan(&jobs, at(2026, 1, 11, 2, 30)),
        [
            run(
                "a",
                RunReason::CatchUp {
                    missed: 1,
                    first: at(2026, 1, 11, 2, 0).fixed_offset(),
                    latest: at(2026, 1, 11, 2, 0).fixed_offset()
                }
            ),
            run("b", RunReason::OnTime { slot: at(2026, 1, 11, 2, 30).fixed_offset() }),
        ]
    );
}

#[test]
fn a_record_far_in_the_future_runs_once_to_reset() {
    let jobs = [(source("astro", "daily 02:00"), ran_at(at(2031, 1, 1, 2, 0)))];
    assert_eq!(
        plan(&jobs, at(2026, 1, 10, 12, 0)),
        [run("astro", RunReason::ClockWasWrong { last_run: utc(at(2031, 1, 1, 2, 0)) })]
    );
}

#[test]
fn overdue_warning_after_three_intervals_and_at_least_two_days() {
    // Daily: 3 days. The attempts keep failing, so nothing is due but the last success is old.
    let state = SourceState {
        last_attempt: Some(utc(at(2026, 1, 14, 2, 0))),
        last_success: Some(utc(at(2026, 1, 10, 2, 0))),
        first_attempt: Some(utc(at(2025, 6, 1, 2, 0))),
        ..SourceState::default()
    };
    let earlier = SourceState { last_attempt: Some(utc(at(2026, 1, 12, 2, 0))), ..state.clone() };
    let jobs = [(source("astro", "daily 02:00"), earlier)];
    assert_eq!(plan(&jobs, at(2026, 1, 13, 1, 0)), [], "2 days 23 hours is not overdue yet");
    let jobs = [(source("astro", "daily 02:00"), state.clone())];
    let warn = Action::Warn {
        source: "astro".into(),
        since: utc(at(2026, 1, 10, 2, 0)),
        days: 4,
        never_succeeded: false,
    };
    assert_eq!(plan(&jobs, at(2026, 1, 14, 12, 0)), [warn]);

    // At most once a day.
    let warned = SourceState { last_warned: Some(utc(at(2026, 1, 14, 1, 0))), ..state.clone() };
    let jobs = [(source("astro", "daily 02:00"), warned)];
    assert_eq!(plan(&jobs, at(2026, 1, 14, 23, 0)), []);
    assert_eq!(plan(&jobs, at(2026, 1, 15, 1, 30)).len(), 1);

    // Hourly: two days, not three hours.
    let jobs = [(source("notes", "hourly"), SourceState { last_attempt: None, ..state.clone() })];
    assert_eq!(plan(&jobs, at(2026, 1, 10, 8, 0)), [run("notes", RunReason::FirstRun)]);
    let hourly = SourceState { last_attempt: Some(utc(at(2026, 1, 12, 1, 30))), ..state.clone() };
    let jobs = [(source("notes", "hourly"), hourly.clone())];
    assert_eq!(plan(&jobs, at(2026, 1, 12, 1, 45)), []);

    // An explicit threshold wins.
    let mut strict = source("notes", "hourly");
    strict.overdue_after_days = Some(1);
    let recent = SourceState { last_success: Some(utc(at(2026, 1, 11, 1, 0))), ..hourly };
    assert_eq!(plan(&[(strict, recent)], at(2026, 1, 12, 1, 45)).len(), 1);
}

#[test]
fn a_due_run_comes_before_the_warning() {
    // Overdue and due at once: run first; if it fails, the next tick warns.
    let state = SourceState {
        last_attempt: Some(utc(at(2026, 1, 10, 2, 0))),
        last_success: Some(utc(at(2026, 1, 1, 2, 0))),
        ..SourceState::default()
    };
    let jobs = [(source("astro", "daily 02:00"), state)];
    let actions = plan(&jobs, at(2026, 1, 11, 2, 0));
    assert!(matches!(actions.as_slice(), [Action::Run { .. }]), "{actions:?}");
}

#[test]
fn a_source_that_never_succeeded_is_overdue_from_its_first_run() {
    let state = SourceState {
        last_attempt: Some(utc(at(2026, 1, 14, 2, 0))),
        last_success: None,
        first_attempt: Some(utc(at(2026, 1, 10, 2, 0))),
        ..SourceState::default()
    };
    let jobs = [(source("astro", "daily 02:00"), state)];
    assert_eq!(
        plan(&jobs, at(2026, 1, 14, 3, 0)),
        [Action::Warn {
            source: "astro".into(),
            since: utc(at(2026, 1, 10, 2, 0)),
            days: 4,
            never_succeeded: true
        }]
    );
    // One that never ran at all is not an alarm (it is about to run for the first time).
    let s = source("astro", "daily 02:00");
    assert_eq!(
        source_health(&s, &SourceState::default(), utc(at(2026, 1, 14, 3, 0))),
        Health::NeverSucceeded
    );
}

#[test]
fn next_wake_is_the_earliest_next_run() {
    let jobs = [
        (source("a", "daily 02:00"), ran_at(at(2026, 1, 10, 2, 0))),
        (source("b", "hourly :30"), ran_at(at(2026, 1, 10, 11, 30))),
    ];
    let wake = |now| next_wake(jobs.iter().map(|(s, st)| (s, st)), &now);
    assert_eq!(wake(at(2026, 1, 10, 12, 0)), Some(at(2026, 1, 10, 12, 30)));
    // Something due: now.
    assert_eq!(wake(at(2026, 1, 11, 2, 0)), Some(at(2026, 1, 11, 2, 0)));
    // With the hourly one caught up, the next is its next slot.
    let jobs = [(source("a", "daily 02:00"), ran_at(at(2026, 1, 11, 2, 0)))];
    assert_eq!(
        next_wake(jobs.iter().map(|(s, st)| (s, st)), &at(2026, 1, 11, 2, 0)),
        Some(at(2026, 1, 12, 2, 0))
    );
}

/// A host loop over a week: tick, carry out the plan, record the attempt; with the machine
/// asleep for two days in the middle and one backup failing. Each slot runs once, the sleep
/// costs one catch-up run, and the failure is retried at the next slot, not at every tick.
#[test]
fn simulated_host_loop() {
    let sources = [source("astro", "daily 02:00"), source("notes", "hourly :15")];
    let mut states = [SourceState::default(), SourceState::default()];
    let mut now = at(2026, 3, 26, 12, 0);
    let end = at(2026, 3, 31, 12, 0);
    let mut log = Vec::new();
    while now < end {
        let jobs: Vec<(&Source, &SourceState)> = sources.iter().zip(states.iter()).collect();
        let actions = plan_tick(jobs, &now);
        for action in actions {
            let Action::Run { source, reason } = action else { continue };
            let i = sources.iter().position(|s| s.name == source).unwrap();
            states[i].last_attempt = Some(utc(now));
            // astro's database is unreachable on the 29th (the DST night, too).
            if !(source == "astro" && now.date_naive().to_string() == "2026-03-29") {
                states[i].last_success = Some(utc(now));
            }
            if source == "astro" || !matches!(reason, RunReason::OnTime { .. }) {
                log.push(format!("{} {source} {}", now.to_rfc3339(), reason_word(&reason)));
            }
        }
        now =
            if now == at(2026, 3, 27, 18, 0) { at(2026, 3, 29, 1, 40) } else { now + TimeDelta::minutes(1) };
    }
    assert_eq!(
        log,
        [
            "2026-03-26T12:00:00+01:00 astro first",
            "2026-03-26T12:00:00+01:00 notes first",
            "2026-03-27T02:00:00+01:00 astro on time",
            "2026-03-29T01:40:00+01:00 astro catch-up 1", // the 28th, slept through
            "2026-03-29T01:40:00+01:00 notes catch-up 32", // 18:15 on the 27th to 01:15
            "2026-03-29T03:00:00+02:00 astro on time",    // 02:00 does not exist that night
            "2026-03-30T02:00:00+02:00 astro on time",
            "2026-03-31T02:00:00+02:00 astro on time",
        ]
    );
}

fn reason_word(r: &RunReason) -> String {
    match r {
        RunReason::OnTime { .. } => "on time".into(),
        RunReason::CatchUp { missed, .. } => format!("catch-up {missed}"),
        RunReason::FirstRun => "first".into(),
        RunReason::RunNow => "now".into(),
        RunReason::ClockWasWrong { .. } => "clock".into(),
    }
}

fn record(status: RunStatus, started: DateTime<Tz>) -> RunRecord {
    RunRecord {
        id: 1,
        operation: Operation::Backup,
        backup_type: Some(BackupType::Scheduled),
        backup_id: Some("backup_20260110_010000".into()),
        source_path: Some("/data/astro.db".into()),
        started_at: utc(started),
        duration_ms: 1200,
        status,
        error_code: None,
        message: None,
        safety_backup_id: None,
    }
}

#[test]
fn job_info_of_a_scheduled_source() {
    let s = source("astro", "daily 02:00");
    let history = SourceHistory {
        last_attempt: Some(record(RunStatus::Success, at(2026, 1, 10, 2, 0))),
        last_success: Some(utc(at(2026, 1, 10, 2, 0))),
        first_attempt: Some(utc(at(2026, 1, 1, 2, 0))),
    };
    let info = job_info(&s, &history, &at(2026, 1, 10, 12, 0));
    assert_eq!(info.source, "astro");
    assert_eq!(info.schedule.as_deref(), Some("daily 02:00"));
    assert_eq!(info.description.as_deref(), Some("Every day at 02:00"));
    assert_eq!(info.next_run.unwrap().to_rfc3339(), "2026-01-11T02:00:00+01:00");
    assert_eq!(info.due, None);
    assert_eq!(info.last_run.as_ref().unwrap().status, RunStatus::Success);
    assert_eq!(info.health, Health::Ok);

    // Days later: due now as a catch-up, and overdue.
    let info = job_info(&s, &history, &at(2026, 1, 14, 12, 0));
    assert_eq!(info.next_run.unwrap().to_rfc3339(), "2026-01-14T12:00:00+01:00");
    assert!(matches!(info.due, Some(RunReason::CatchUp { missed: 4, .. })), "{:?}", info.due);
    assert_eq!(info.health, Health::Overdue { since: utc(at(2026, 1, 10, 2, 0)), days: 4 });

    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["due"]["reason"], "catch_up");
    assert_eq!(json["health"]["status"], "overdue");
    assert_eq!(json["next_run"], "2026-01-14T12:00:00+01:00");
}

#[test]
fn job_info_of_a_paused_or_new_source() {
    let mut s = source("astro", "daily 02:00");
    s.paused = true;
    let info = job_info(&s, &SourceHistory::default(), &at(2026, 1, 10, 12, 0));
    assert!(info.paused && info.enabled);
    assert_eq!((info.next_run, info.due, info.last_run), (None, None, None));
    assert_eq!(info.health, Health::NeverSucceeded);

    s.paused = false;
    let info = job_info(&s, &SourceHistory::default(), &at(2026, 1, 10, 12, 0));
    assert_eq!(info.due, Some(RunReason::FirstRun));
    assert_eq!(info.next_run.unwrap().to_rfc3339(), "2026-01-10T12:00:00+01:00");

    let failed = SourceHistory {
        last_attempt: Some(RunRecord {
            error_code: Some(crate::ErrorCode::SourceNotFound),
            message: Some("database not found: /data/astro.db".into()),
            ..record(RunStatus::Failed, at(2026, 1, 10, 2, 0))
        }),
        ..SourceHistory::default()
    };
    let info = job_info(&s, &failed, &at(2026, 1, 10, 12, 0));
    assert_eq!(info.last_run.unwrap().error_code, Some(crate::ErrorCode::SourceNotFound));
    assert_eq!(info.health, Health::NeverSucceeded);
}
