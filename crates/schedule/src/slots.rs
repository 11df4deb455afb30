//! From a schedule to run times in a time zone.
//!
//! Slots are found on naive local wall-clock time, where there is no daylight saving and every
//! day has 24 hours, and only then placed in the zone (see the module comment of `schedule` for
//! the rule). The placement never moves a later slot before an earlier one: a gap slot goes to
//! the end of the gap, which is before every slot after it, and a repeated slot takes its first
//! occurrence, which is before the repeated hour ends. So walking slots in wall-clock order and
//! keeping only instants later than the last one emitted yields each run exactly once.

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike,
};

use super::{MonthDay, Schedule};

/// The longest spring-forward gap to look past. Real gaps are an hour or less; Samoa skipped a
/// whole day in 2011.
const MAX_GAP_MINUTES: i64 = 48 * 60;

impl Schedule {
    /// The next `n` run times strictly after `after`, in `after`'s time zone.
    pub fn next_runs<Tz: TimeZone>(&self, after: DateTime<Tz>, n: usize) -> Vec<DateTime<Tz>> {
        self.runs_after(after).take(n).collect()
    }

    /// The first run time strictly after `after`, or `None` if the schedule never fires again
    /// (a cron expression limited to dates past the year 2100).
    pub fn next_run<Tz: TimeZone>(&self, after: DateTime<Tz>) -> Option<DateTime<Tz>> {
        self.runs_after(after).next()
    }

    /// All run times strictly after `after`, in order, each once.
    pub fn runs_after<Tz: TimeZone>(&self, after: DateTime<Tz>) -> Runs<'_, Tz> {
        Runs { schedule: self, cursor: Some(after.naive_local()), last: after }
    }

    /// The first wall-clock slot at or after `from`.
    fn next_slot(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        let date = from.date();
        let (candidate, step): (NaiveDateTime, fn(NaiveDateTime) -> Option<NaiveDateTime>) = match self {
            Schedule::Hourly { minute } => (date.and_hms_opt(from.hour(), minute.get(), 0)?, |t| {
                t.checked_add_signed(TimeDelta::hours(1))
            }),
            Schedule::Daily { time } => (date.and_time(time.naive()), |t| t.checked_add_days(Days::new(1))),
            Schedule::Weekly { weekday, time } => {
                let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
                (date.checked_add_days(Days::new(u64::from(ahead)))?.and_time(time.naive()), |t| {
                    t.checked_add_days(Days::new(7))
                })
            }
            Schedule::Monthly { day, time } => {
                let slot = month_slot(date.year(), date.month(), *day)?.and_time(time.naive());
                if slot >= from {
                    return Some(slot);
                }
                // Not `+ 1 month`: for "last" the day number changes month to month.
                let next = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?
                    .checked_add_months(Months::new(1))?;
                return Some(month_slot(next.year(), next.month(), *day)?.and_time(time.naive()));
            }
            Schedule::Cron(expr) => return expr.next_slot(from),
            // Epoch-aligned instants, handled by `Runs` without wall-clock slots.
            Schedule::EverySeconds { .. } => return None,
        };
        if candidate >= from { Some(candidate) } else { step(candidate) }
    }
}

fn month_slot(year: i32, month: u32, day: MonthDay) -> Option<NaiveDate> {
    match day.number() {
        Some(d) => NaiveDate::from_ymd_opt(year, month, d),
        None => NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(Months::new(1))?.pred_opt(),
    }
}

/// A wall-clock slot as an instant in `tz`, by the DST rule in the `schedule` module comment.
pub(crate) fn place<Tz: TimeZone>(tz: &Tz, slot: NaiveDateTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&slot) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(a, b) => Some(if a <= b { a } else { b }),
        LocalResult::None => {
            // Transitions happen on whole minutes, so the first valid whole minute is the end
            // of the gap.
            let base = slot.with_second(0)?.with_nanosecond(0)?;
            (1..=MAX_GAP_MINUTES).find_map(|k| {
                tz.from_local_datetime(&base.checked_add_signed(TimeDelta::minutes(k))?).earliest()
            })
        }
    }
}

/// Iterator over run times; see [`Schedule::runs_after`].
#[derive(Debug, Clone)]
pub struct Runs<'a, Tz: TimeZone> {
    schedule: &'a Schedule,
    /// Wall-clock time to search the next slot from; `None` once the schedule is exhausted.
    cursor: Option<NaiveDateTime>,
    /// Everything emitted must be strictly later than this.
    last: DateTime<Tz>,
}

impl<Tz: TimeZone> Iterator for Runs<'_, Tz> {
    type Item = DateTime<Tz>;

    fn next(&mut self) -> Option<DateTime<Tz>> {
        if let Schedule::EverySeconds { seconds } = self.schedule {
            let n = i64::from(seconds.get());
            let secs = self.last.timestamp().div_euclid(n).checked_add(1)?.checked_mul(n)?;
            let next = DateTime::from_timestamp(secs, 0)?.with_timezone(&self.last.timezone());
            self.last = next.clone();
            return Some(next);
        }
        let tz = self.last.timezone();
        loop {
            let from = self.cursor?;
            let Some(slot) = self.schedule.next_slot(from) else {
                self.cursor = None;
                return None;
            };
            // Slots are whole seconds, so one second on cannot skip the next one.
            self.cursor = slot.checked_add_signed(TimeDelta::seconds(1));
            // Slots before `last` come up right after a fall-back (their first occurrence is
            // already past) and when gap slots collapse onto one instant; both are skipped.
            if let Some(instant) = place(&tz, slot)
                && instant > self.last
            {
                self.last = instant.clone();
                return Some(instant);
            }
        }
    }
}
