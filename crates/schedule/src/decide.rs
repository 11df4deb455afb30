//! The host loop's decisions, as pure functions of the times it passes in: whether a run is due
//! or was missed, whether the wall clock jumped, how long to sleep, and whether a source is
//! overdue.
//!
//! The one rule behind all of them: a slot counts as done once a run started after it, judged
//! by the recorded time of the last run. Catch-up and clock jumps follow from that rule instead
//! of from timers, so a missed stretch costs one run, and a clock moved back cannot make a
//! slot that already ran look due again.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::Schedule;

/// A slot noticed within this long of its time (or within one interval, if shorter) is "on
/// time"; later than that it is reported as missed. Either way it runs once.
pub const ON_TIME_GRACE: Duration = Duration::from_secs(5 * 60);

/// Counting missed slots stops here; a schedule firing every minute reaches it after ~70 days.
pub const MISSED_COUNT_CAP: u32 = 100_000;

/// A last run recorded further in the future than this is not trusted: the clock was wrong when
/// it was recorded (or is wrong now), and waiting for it could mean no backups for years.
pub const MAX_TRUSTED_FUTURE_RECORD: Duration = Duration::from_secs(24 * 3600);

/// Wall and monotonic clocks drift apart by milliseconds in normal operation; a disagreement
/// beyond this is a jump.
pub const DEFAULT_JUMP_TOLERANCE: Duration = Duration::from_secs(5);

/// Overdue means this many scheduled intervals without a success...
pub const OVERDUE_INTERVALS: u32 = 3;

/// ...but never less than this, so an hourly schedule does not alarm after a short trip.
pub const MIN_OVERDUE_THRESHOLD: Duration = Duration::from_secs(2 * 24 * 3600);

/// What to do about one schedule now. Every variant other than [`Due::NotDue`] means "run one
/// backup now"; the variants exist so the host can log why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due<Tz: TimeZone> {
    /// Nothing to do; `next` is the next run time (`None`: the schedule never fires again).
    NotDue {
        /// The next run time; `None` when the schedule never fires again.
        next: Option<DateTime<Tz>>,
    },
    /// One slot passed since the last run and it was noticed promptly.
    OnTime {
        /// The slot that passed.
        slot: DateTime<Tz>,
    },
    /// Slots passed while the app was closed or the machine asleep. Run once, not once per slot.
    /// `missed` counts them (at most [`MISSED_COUNT_CAP`]); `first`/`latest` bound them.
    Missed {
        /// The earliest slot not covered.
        first: DateTime<Tz>,
        /// The most recent slot not covered (at or before `now`).
        latest: DateTime<Tz>,
        /// How many slots passed, `first` and `latest` included (at most [`MISSED_COUNT_CAP`]).
        missed: u32,
    },
    /// No run was ever recorded. Running now gives a new source its first backup right away; a
    /// host that would rather wait for the first slot passes the time the source was added as
    /// `last_run` instead of `None`.
    NeverRun,
    /// The recorded last run is more than [`MAX_TRUSTED_FUTURE_RECORD`] ahead of `now`, so the
    /// record (or the clock) is wrong and nothing can be said about missed slots.
    RecordInFuture {
        /// The recorded start of the last run.
        last_run: DateTime<Utc>,
    },
}

impl<Tz: TimeZone> Due<Tz> {
    /// Whether to run one backup now: anything but [`Due::NotDue`].
    pub fn should_run(&self) -> bool {
        !matches!(self, Due::NotDue { .. })
    }
}

impl Schedule {
    /// Is a run due at `now`, given when the last run (or attempt) started?
    ///
    /// Slots strictly after `last_run` and at or before `now` are the ones not yet covered. A
    /// `last_run` later than `now` (the clock went back) keeps everything up to `last_run`
    /// covered, so a slot is never run twice.
    pub fn due<Tz: TimeZone>(&self, last_run: Option<DateTime<Utc>>, now: DateTime<Tz>) -> Due<Tz> {
        let Some(last_run) = last_run else {
            return Due::NeverRun;
        };
        let tz = now.timezone();
        let now_utc = now.with_timezone(&Utc);
        if last_run > now_utc {
            if (last_run - now_utc) > to_delta(MAX_TRUSTED_FUTURE_RECORD) {
                return Due::RecordInFuture { last_run };
            }
            return Due::NotDue { next: self.next_run(last_run.with_timezone(&tz)) };
        }

        let mut runs = self.runs_after(last_run.with_timezone(&tz));
        let first = match runs.next() {
            Some(first) if first <= now => first,
            next => return Due::NotDue { next },
        };
        let (missed, latest) = self.count_through(first.clone(), runs, &now);
        let grace = to_delta(ON_TIME_GRACE).min(self.max_interval());
        if missed == 1 && now.clone().signed_duration_since(first.clone()) <= grace {
            Due::OnTime { slot: first }
        } else {
            Due::Missed { first, latest, missed }
        }
    }

    /// How many slots from `first` (already counted) through `now`, and the latest of them.
    fn count_through<Tz: TimeZone>(
        &self,
        first: DateTime<Tz>,
        rest: super::Runs<'_, Tz>,
        now: &DateTime<Tz>,
    ) -> (u32, DateTime<Tz>) {
        if let Schedule::EverySeconds { seconds } = self {
            // Epoch-aligned, so plain arithmetic; iterating could mean millions of steps.
            let n = i64::from(seconds.get());
            let latest_secs = now.timestamp().div_euclid(n) * n;
            let count = (latest_secs - first.timestamp()) / n + 1;
            let latest = DateTime::from_timestamp(latest_secs, 0)
                .map(|t| t.with_timezone(&now.timezone()))
                .unwrap_or(first);
            return (u32::try_from(count).unwrap_or(u32::MAX).min(MISSED_COUNT_CAP), latest);
        }
        let mut count = 1;
        let mut latest = first;
        for slot in rest.take_while(|slot| slot <= now) {
            latest = slot;
            count += 1;
            if count == MISSED_COUNT_CAP {
                break;
            }
        }
        if count == MISSED_COUNT_CAP {
            // Still report the real latest slot: it lies within one interval (plus an hour of
            // DST) before `now`, so a short search from there finds it.
            let window = self.max_interval() + TimeDelta::hours(2);
            let from = now.clone().checked_sub_signed(window).unwrap_or(latest.clone()).max(latest.clone());
            if let Some(slot) = self.runs_after(from).take_while(|slot| slot <= now).last() {
                latest = slot;
            }
        }
        (count, latest)
    }
}

/// Which way the wall clock moved relative to the monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JumpDirection {
    /// The machine slept, or the clock was set ahead.
    Forward,
    /// The clock was set back (by hand, or by a large NTP correction).
    Backward,
}

/// A jump of the wall clock, as [`clock_jumped`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Jump {
    /// Which way the clock moved.
    pub direction: JumpDirection,
    /// How far: the wall-clock time that passed, less the monotonic time that did (or the reverse).
    pub by: Duration,
}

/// Compares the wall-clock time that passed between two ticks with the monotonic time that
/// passed (`std::time::Instant`). They differ when the clock was changed, and when the machine
/// slept on platforms whose monotonic clock stops during sleep (Linux, macOS); on Windows a
/// sleep does not show up here, which is harmless because [`Schedule::due`] catches up anyway.
pub fn clock_jumped(
    prev_wall: DateTime<Utc>,
    now_wall: DateTime<Utc>,
    mono_elapsed: Duration,
    tolerance: Duration,
) -> Option<Jump> {
    let wall = now_wall.signed_duration_since(prev_wall);
    let drift = wall.checked_sub(&to_delta(mono_elapsed)).unwrap_or(TimeDelta::MIN);
    if drift.abs() <= to_delta(tolerance) {
        return None;
    }
    let direction = if drift > TimeDelta::zero() { JumpDirection::Forward } else { JumpDirection::Backward };
    Some(Jump { direction, by: drift.abs().to_std().unwrap_or(Duration::MAX) })
}

/// What a host loop remembers between ticks to notice clock jumps. Per-source state (the last
/// run) lives with the source, not here.
#[derive(Debug, Clone)]
pub struct SchedulerState {
    prev_wall: DateTime<Utc>,
    tolerance: Duration,
}

impl SchedulerState {
    /// Starts watching at `now_wall`, with [`DEFAULT_JUMP_TOLERANCE`].
    pub fn new(now_wall: DateTime<Utc>) -> Self {
        Self::with_tolerance(now_wall, DEFAULT_JUMP_TOLERANCE)
    }

    /// Starts watching at `now_wall`; a disagreement of more than `tolerance` counts as a jump.
    pub fn with_tolerance(now_wall: DateTime<Utc>, tolerance: Duration) -> Self {
        SchedulerState { prev_wall: now_wall, tolerance }
    }

    /// Records a tick; `mono_elapsed` is the `Instant` time since the previous tick. A returned
    /// jump is the host's cue to log it and re-check every source at once instead of waiting
    /// for its timer, which was computed against the old clock.
    pub fn tick(&mut self, now_wall: DateTime<Utc>, mono_elapsed: Duration) -> Option<Jump> {
        let jump = clock_jumped(self.prev_wall, now_wall, mono_elapsed, self.tolerance);
        self.prev_wall = now_wall;
        jump
    }

    /// The wall-clock time of the last tick (or of the start).
    pub fn prev_wall(&self) -> DateTime<Utc> {
        self.prev_wall
    }
}

/// How long the host may sleep before its next check: until `next`, but at most `max_wait`.
/// The cap matters because a monotonic sleep neither notices the wall clock being changed nor,
/// on some platforms, counts time the machine spends asleep.
pub fn sleep_for<Tz: TimeZone>(
    next: Option<&DateTime<Tz>>,
    now: &DateTime<Tz>,
    max_wait: Duration,
) -> Duration {
    match next {
        Some(next) => {
            let until = next.clone().signed_duration_since(now.clone());
            until.to_std().unwrap_or(Duration::ZERO).min(max_wait)
        }
        None => max_wait,
    }
}

/// Whether a source has had a recent enough successful backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Health {
    /// The last success is recent enough.
    Ok,
    /// No successful backup is recorded at all. Not an alarm by itself: a source added a minute
    /// ago is in this state. A host that wants one passes the time the source was added as
    /// `last_success`.
    NeverSucceeded,
    /// The last success was at `since`, `days` whole days ago, longer ago than the threshold:
    /// "no successful backup of this source for N days".
    Overdue {
        /// The last success; for a source that never succeeded, its first run (as
        /// `scheduler::source_health` measures it).
        since: DateTime<Utc>,
        /// Whole days since `since`.
        days: u32,
    },
}

/// Three scheduled intervals, and at least two days.
pub fn default_overdue_threshold(schedule: &Schedule) -> Duration {
    let interval = schedule.max_interval().to_std().unwrap_or(Duration::ZERO);
    interval.saturating_mul(OVERDUE_INTERVALS).max(MIN_OVERDUE_THRESHOLD)
}

/// Health of a source from its last successful backup; `threshold` overrides
/// [`default_overdue_threshold`].
pub fn health(
    schedule: &Schedule,
    last_success: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    threshold: Option<Duration>,
) -> Health {
    let Some(since) = last_success else {
        return Health::NeverSucceeded;
    };
    let threshold = threshold.unwrap_or_else(|| default_overdue_threshold(schedule));
    let age = now.signed_duration_since(since);
    if age <= to_delta(threshold) {
        return Health::Ok;
    }
    Health::Overdue { since, days: u32::try_from(age.num_days()).unwrap_or(u32::MAX) }
}

fn to_delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}
