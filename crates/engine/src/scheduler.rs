//! The scheduler's decisions for a host loop, as pure functions of the sources, what the history
//! says about each, and `now`: which sources to run at this tick and why, which to skip, which to
//! warn about ([`plan_tick`]), when to look again ([`next_wake`]), and what to show a person about
//! a source's job ([`job_info`]).
//!
//! Hosts (the `keepsake daemon` loop, the desktop app) only wait, read the state, call these and
//! carry out the actions through [`crate::Engine::run_scheduled`]. The slot rules themselves
//! (catch-up once, daylight saving, clock jumps) are [`Schedule::due`]'s; this module applies
//! them to sources and adds what is about sources: pause, run now, a run already in progress,
//! and the overdue warning.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{RunRecord, SourceHistory};
use crate::schedule::{Due, Health, Schedule, default_overdue_threshold};
use crate::sources::Source;

pub mod copies;
pub mod copy_host;
pub mod host;
#[cfg(test)]
mod tests;

/// An overdue source is warned about at most this often, so a notification does not repeat
/// every tick while the problem lasts.
pub const WARN_EVERY: Duration = Duration::from_secs(24 * 3600);

/// What a host knows about one source at a tick: the history (re-read every tick, so another
/// process's runs count too) and its own memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    /// Start of the last scheduled attempt (see [`SourceHistory::last_attempt`]).
    pub last_attempt: Option<DateTime<Utc>>,
    /// Start of the last successful backup, of any type.
    pub last_success: Option<DateTime<Utc>>,
    /// Start of the first backup run of this source, of any outcome.
    pub first_attempt: Option<DateTime<Utc>>,
    /// A backup of this source is running now (in this host).
    pub running: bool,
    /// The user asked to run it now.
    pub run_now: bool,
    /// When the host last raised the overdue warning for this source.
    pub last_warned: Option<DateTime<Utc>>,
}

impl SourceState {
    /// The state the history gives; the host's own fields start empty.
    pub fn from_history(history: &SourceHistory) -> SourceState {
        SourceState {
            last_attempt: history.last_attempt.as_ref().map(|r| r.started_at),
            last_success: history.last_success,
            first_attempt: history.first_attempt,
            ..SourceState::default()
        }
    }
}

/// Why a source runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RunReason {
    /// Its slot came and was noticed promptly.
    OnTime {
        /// The slot, in local time (RFC 3339 with its offset).
        slot: DateTime<FixedOffset>,
    },
    /// `missed` slots passed while the computer was off or asleep, or Keepsake was not running;
    /// one run covers them all.
    CatchUp {
        /// How many slots passed (at most `schedule::MISSED_COUNT_CAP`).
        missed: u32,
        /// The earliest missed slot, in local time (RFC 3339 with its offset).
        first: DateTime<FixedOffset>,
        /// The latest missed slot, in local time (RFC 3339 with its offset).
        latest: DateTime<FixedOffset>,
    },
    /// It never ran on schedule: its first backup is not left waiting for the first slot.
    FirstRun,
    /// The user asked for it.
    RunNow,
    /// The last run is recorded far in the future, so the clock was (or is) wrong and no slot
    /// can be trusted; one run now sets a fresh starting point.
    ClockWasWrong {
        /// The recorded start of the last run (RFC 3339, UTC), more than a day ahead of now.
        last_run: DateTime<Utc>,
    },
}

/// One thing for the host to do at this tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Back up the source now (`Engine::run_scheduled`).
    Run {
        /// The source's name.
        source: String,
        /// Why it runs.
        reason: RunReason,
    },
    /// The source was due but a backup of it is still running: record the trigger as skipped
    /// (`Engine::record_skipped`), never start a second one.
    Skip {
        /// The source's name.
        source: String,
        /// Why it was due.
        reason: RunReason,
    },
    /// No successful backup of the source for `days` days (since `since`): tell the user.
    Warn {
        /// The source's name.
        source: String,
        /// Its last success, or its first run when it never succeeded (RFC 3339, UTC).
        since: DateTime<Utc>,
        /// Whole days since `since`.
        days: u32,
        /// No backup of the source ever succeeded.
        never_succeeded: bool,
    },
}

/// Why `source` should run at `now`, if it should.
pub fn run_reason<Tz: TimeZone>(
    source: &Source,
    state: &SourceState,
    now: &DateTime<Tz>,
) -> Option<RunReason> {
    if state.run_now {
        return Some(RunReason::RunNow);
    }
    let schedule = scheduled(source)?;
    match schedule.due(state.last_attempt, now.clone()) {
        Due::NotDue { .. } => None,
        Due::OnTime { slot } => Some(RunReason::OnTime { slot: slot.fixed_offset() }),
        Due::Missed { first, latest, missed } => {
            Some(RunReason::CatchUp { missed, first: first.fixed_offset(), latest: latest.fixed_offset() })
        }
        Due::NeverRun => Some(RunReason::FirstRun),
        Due::RecordInFuture { last_run } => Some(RunReason::ClockWasWrong { last_run }),
    }
}

/// The decisions of one tick, in the order of `jobs`. A source gets at most one action: a run
/// (or a skip, when one is running) comes before a warning, because the run may make the
/// warning moot; if it fails, the next tick warns.
pub fn plan_tick<'a, Tz: TimeZone>(
    jobs: impl IntoIterator<Item = (&'a Source, &'a SourceState)>,
    now: &DateTime<Tz>,
) -> Vec<Action> {
    let now_utc = now.with_timezone(&Utc);
    let mut actions = Vec::new();
    for (source, state) in jobs {
        if let Some(reason) = run_reason(source, state, now) {
            let name = source.name.clone();
            actions.push(if state.running {
                Action::Skip { source: name, reason }
            } else {
                Action::Run { source: name, reason }
            });
            continue;
        }
        if state.running || scheduled(source).is_none() {
            continue;
        }
        let recently_warned =
            state.last_warned.is_some_and(|w| now_utc.signed_duration_since(w) < to_delta(WARN_EVERY));
        if let Health::Overdue { since, days } = source_health(source, state, now_utc)
            && !recently_warned
        {
            actions.push(Action::Warn {
                source: source.name.clone(),
                since,
                days,
                never_succeeded: state.last_success.is_none(),
            });
        }
    }
    actions
}

/// When the host should look again: the earliest next run of the scheduled sources (`now` if
/// one is due already), or `None` when nothing is scheduled. Hosts cap the wait (see
/// [`crate::schedule::sleep_for`]) to notice clock changes and edits of the sources.
pub fn next_wake<'a, Tz: TimeZone>(
    jobs: impl IntoIterator<Item = (&'a Source, &'a SourceState)>,
    now: &DateTime<Tz>,
) -> Option<DateTime<Tz>> {
    jobs.into_iter().filter_map(|(source, state)| next_run(source, state, now)).min()
}

/// The next run of one source: `now` when it is due, `None` when it is not scheduled.
fn next_run<Tz: TimeZone>(source: &Source, state: &SourceState, now: &DateTime<Tz>) -> Option<DateTime<Tz>> {
    if run_reason(source, state, now).is_some() {
        return Some(now.clone());
    }
    match scheduled(source)?.due(state.last_attempt, now.clone()) {
        Due::NotDue { next } => next,
        _ => Some(now.clone()),
    }
}

/// The schedule of a source that the scheduler runs: enabled, not paused, with a schedule.
fn scheduled(source: &Source) -> Option<&Schedule> {
    source.schedule.as_ref().filter(|_| source.is_scheduled())
}

/// Whether the source had a recent enough success: the source's `overdue_after_days`, else
/// three scheduled intervals and at least two days ([`default_overdue_threshold`]). A source
/// that never succeeded is overdue counting from its first run, so one that fails from the
/// start still gets a warning; one that never ran at all is `NeverSucceeded`, not an alarm.
pub fn source_health(source: &Source, state: &SourceState, now: DateTime<Utc>) -> Health {
    let threshold = match (source.overdue_after_days, &source.schedule) {
        (Some(days), _) => Duration::from_secs(u64::from(days) * 24 * 3600),
        (None, Some(schedule)) => default_overdue_threshold(schedule),
        // No interval to measure against and no explicit threshold: never overdue.
        (None, None) if state.last_success.is_some() => return Health::Ok,
        (None, None) => return Health::NeverSucceeded,
    };
    let Some(since) = state.last_success.or(state.first_attempt) else {
        return Health::NeverSucceeded;
    };
    let age = now.signed_duration_since(since);
    if age > to_delta(threshold) {
        Health::Overdue { since, days: u32::try_from(age.num_days()).unwrap_or(u32::MAX) }
    } else if state.last_success.is_none() {
        Health::NeverSucceeded
    } else {
        Health::Ok
    }
}

/// What a person sees about a source's job: its schedule, state, next and last run, health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInfo {
    /// The source's name.
    pub source: String,
    /// The schedule as written back to the sources file (`daily 02:00`, `0 2 * * 1-5`).
    pub schedule: Option<String>,
    /// The schedule in plain English (`Every day at 02:00`).
    pub description: Option<String>,
    /// Scheduled backups are on for this source.
    pub enabled: bool,
    /// The user paused its scheduled backups.
    pub paused: bool,
    /// When the scheduler will run it next, in local time: `now` when it is due (see `due`);
    /// `None` when it is not scheduled (no schedule, disabled or paused).
    pub next_run: Option<DateTime<FixedOffset>>,
    /// Why it would run at the next tick, when it is due.
    pub due: Option<RunReason>,
    /// The last scheduled attempt (success, failure or skip) with its result.
    pub last_run: Option<RunRecord>,
    /// When the last successful backup (of any type) started.
    pub last_success: Option<DateTime<Utc>>,
    /// Whether it had a recent enough successful backup.
    pub health: Health,
}

/// The job info of `source` from its history, at `now` (local time in `now`'s zone).
pub fn job_info<Tz: TimeZone>(source: &Source, history: &SourceHistory, now: &DateTime<Tz>) -> JobInfo {
    let state = SourceState::from_history(history);
    let due = if source.is_scheduled() { run_reason(source, &state, now) } else { None };
    JobInfo {
        source: source.name.clone(),
        schedule: source.schedule.as_ref().map(Schedule::to_string),
        description: source.schedule.as_ref().map(Schedule::describe),
        enabled: source.enabled,
        paused: source.paused,
        next_run: next_run(source, &state, now).map(|t| t.fixed_offset()),
        due,
        last_run: history.last_attempt.clone(),
        last_success: history.last_success,
        health: source_health(source, &state, now.with_timezone(&Utc)),
    }
}

fn to_delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}
