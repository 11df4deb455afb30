//! When scheduled backups run: the schedule a person picks (presets or cron), the run times it
//! produces in their local time zone, and the pure decisions a host loop needs (is a run due,
//! was one missed, did the wall clock jump, is a source overdue).
//!
//! Everything here is a pure function of the times passed in, so the host (CLI daemon, desktop
//! app) owns the clock and the timers and the rules can be tested with fixed clocks.
//!
//! Daylight saving, decided once for every schedule: run times are computed as local wall-clock
//! slots and then placed in the time zone. A slot that falls in the spring-forward gap (02:30 on
//! a day when clocks jump from 02:00 to 03:00) runs at the first instant after the gap (03:00);
//! a slot that happens twice on the fall-back day runs once, at its first occurrence. Two slots
//! that land on the same instant run once. This is what classic cron does for fixed-time jobs,
//! so a daily backup never skips a day and never runs twice. The price: an hourly schedule runs
//! only once during the repeated hour of the fall-back day.

#![warn(missing_docs)]

mod cron;
mod decide;
mod error;
mod phrase;
mod slots;
#[cfg(test)]
mod tests;

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use chrono::{NaiveTime, TimeDelta, Weekday};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use self::cron::CronExpr;
pub use self::decide::{
    DEFAULT_JUMP_TOLERANCE, Due, Health, Jump, JumpDirection, MAX_TRUSTED_FUTURE_RECORD,
    MIN_OVERDUE_THRESHOLD, MISSED_COUNT_CAP, ON_TIME_GRACE, OVERDUE_INTERVALS, SchedulerState, clock_jumped,
    default_overdue_threshold, health, sleep_for,
};
pub use self::error::{CronField, ScheduleError};
pub use self::slots::Runs;

/// A backup schedule, as a person picks it in the app or writes it in the config file.
///
/// In TOML it is either a table (`{ kind = "daily", time = "02:00" }`,
/// `{ kind = "cron", expr = "0 2 * * 1-5" }`) or a string accepted by [`Schedule::parse`]
/// (`"weekly mon 02:00"`). It is always written back as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every hour at `minute` past the hour.
    Hourly {
        /// Minutes past each hour.
        minute: Minute,
    },
    /// Every day at `time`.
    Daily {
        /// The local wall-clock time of the run.
        time: TimeOfDay,
    },
    /// Every week on `weekday` at `time`.
    Weekly {
        /// The day of the week it runs on.
        weekday: Weekday,
        /// The local wall-clock time of the run.
        time: TimeOfDay,
    },
    /// Every month on `day` at `time`.
    Monthly {
        /// The day of the month it runs on (1-28, or the last day).
        day: MonthDay,
        /// The local wall-clock time of the run.
        time: TimeOfDay,
    },
    /// A standard five-field cron expression, for everything the presets do not cover.
    Cron(CronExpr),
    /// Every `seconds` seconds, aligned to the Unix epoch. Meant for tests that need a schedule
    /// to fire within seconds; not offered by [`Schedule::parse`] so nobody types it by accident.
    EverySeconds {
        /// The interval in seconds (at least 1).
        seconds: NonZeroU32,
    },
}

/// A minute past the hour, 0-59.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minute(u8);

impl Minute {
    /// The minute `minute`; an error unless it is 0-59.
    pub fn new(minute: u32) -> Result<Self, ScheduleError> {
        match u8::try_from(minute) {
            Ok(m) if m <= 59 => Ok(Minute(m)),
            _ => Err(ScheduleError::Invalid(format!("minute {minute} is out of range 0-59"))),
        }
    }

    /// The minute, 0-59.
    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

/// A wall-clock time of day with minute precision, written `HH:MM` (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    /// `hour:minute` on a 24-hour clock; an error unless the hour is 0-23 and the minute 0-59.
    pub fn new(hour: u32, minute: u32) -> Result<Self, ScheduleError> {
        let hour = u8::try_from(hour)
            .ok()
            .filter(|h| *h <= 23)
            .ok_or_else(|| ScheduleError::Invalid(format!("hour {hour} is out of range 0-23")))?;
        let minute = Minute::new(minute)?.0;
        Ok(TimeOfDay { hour, minute })
    }

    /// The hour, 0-23.
    pub fn hour(self) -> u32 {
        u32::from(self.hour)
    }

    /// The minute, 0-59.
    pub fn minute(self) -> u32 {
        u32::from(self.minute)
    }

    pub(crate) fn naive(self) -> NaiveTime {
        // Both fields are validated on construction, so midnight is never actually used.
        NaiveTime::from_hms_opt(self.hour(), self.minute(), 0).unwrap_or(NaiveTime::MIN)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl FromStr for TimeOfDay {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        phrase::parse_time(s)
    }
}

/// The day of the month a monthly schedule runs on: 1-28 (days every month has) or the last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthDay(Option<u8>);

impl MonthDay {
    /// The last day of each month (28, 29, 30 or 31).
    pub const LAST: MonthDay = MonthDay(None);

    /// Days 29-31 are refused because some months lack them and a skipped month is a surprise;
    /// [`MonthDay::LAST`] is the way to say "end of the month".
    pub fn day(day: u32) -> Result<Self, ScheduleError> {
        match day {
            1..=28 => Ok(MonthDay(u8::try_from(day).ok())),
            29..=31 => Err(ScheduleError::Invalid(format!(
                "day {day} does not exist in every month; use 1-28 or \"last\""
            ))),
            _ => Err(ScheduleError::Invalid(format!("day {day} is out of range 1-28 (or \"last\")"))),
        }
    }

    /// The day number, or `None` for the last day of the month.
    pub fn number(self) -> Option<u32> {
        self.0.map(u32::from)
    }

    /// Whether this is the last day of the month rather than a fixed day.
    pub fn is_last(self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, "{d}"),
            None => f.write_str("last"),
        }
    }
}

impl Schedule {
    /// Reads a cron expression (`"0 2 * * *"`, `"@daily"`) or a phrase: `"hourly"`,
    /// `"hourly :15"`, `"daily 02:00"`, `"weekly mon 02:00"`, `"monthly 1 02:00"`,
    /// `"monthly last 02:00"`. The error says what is wrong in words a person can act on.
    pub fn parse(input: &str) -> Result<Schedule, ScheduleError> {
        phrase::parse(input)
    }

    /// Every hour at `minute` past; an error unless it is 0-59.
    pub fn hourly(minute: u32) -> Result<Schedule, ScheduleError> {
        Ok(Schedule::Hourly { minute: Minute::new(minute)? })
    }

    /// Every day at `time`, local time.
    pub fn daily(time: TimeOfDay) -> Schedule {
        Schedule::Daily { time }
    }

    /// Every week on `weekday` at `time`, local time.
    pub fn weekly(weekday: Weekday, time: TimeOfDay) -> Schedule {
        Schedule::Weekly { weekday, time }
    }

    /// Every month on `day` at `time`, local time.
    pub fn monthly(day: MonthDay, time: TimeOfDay) -> Schedule {
        Schedule::Monthly { day, time }
    }

    /// A standard five-field cron expression (minute hour day month weekday).
    pub fn cron(expr: &str) -> Result<Schedule, ScheduleError> {
        Ok(Schedule::Cron(CronExpr::parse(expr)?))
    }

    /// For tests only: a schedule that fires every `seconds` seconds.
    pub fn every_seconds(seconds: u32) -> Result<Schedule, ScheduleError> {
        NonZeroU32::new(seconds)
            .map(|seconds| Schedule::EverySeconds { seconds })
            .ok_or_else(|| ScheduleError::Invalid("every_seconds needs at least 1 second".into()))
    }

    /// Plain English for the app: "Every day at 02:00", "Every Monday at 02:00".
    pub fn describe(&self) -> String {
        match self {
            Schedule::Hourly { minute } => format!("Every hour at :{:02}", minute.get()),
            Schedule::Daily { time } => format!("Every day at {time}"),
            Schedule::Weekly { weekday, time } => {
                format!("Every {} at {time}", weekday_name(*weekday))
            }
            Schedule::Monthly { day, time } => match day.number() {
                Some(d) => format!("On day {d} of every month at {time}"),
                None => format!("On the last day of every month at {time}"),
            },
            Schedule::Cron(expr) => expr.describe(),
            Schedule::EverySeconds { seconds } if seconds.get() == 1 => "Every second".into(),
            Schedule::EverySeconds { seconds } => format!("Every {seconds} seconds"),
        }
    }

    /// The longest wall-clock gap between two consecutive runs (ignoring the hour daylight
    /// saving adds or removes). Overdue warnings and the on-time grace are measured from it.
    pub fn max_interval(&self) -> TimeDelta {
        match self {
            Schedule::Hourly { .. } => TimeDelta::hours(1),
            Schedule::Daily { .. } => TimeDelta::days(1),
            Schedule::Weekly { .. } => TimeDelta::days(7),
            Schedule::Monthly { .. } => TimeDelta::days(31),
            Schedule::Cron(expr) => expr.max_interval(),
            Schedule::EverySeconds { seconds } => TimeDelta::seconds(i64::from(seconds.get())),
        }
    }
}

/// The canonical phrase, which [`Schedule::parse`] reads back (except `every N seconds`).
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Hourly { minute } => write!(f, "hourly :{:02}", minute.get()),
            Schedule::Daily { time } => write!(f, "daily {time}"),
            Schedule::Weekly { weekday, time } => {
                write!(f, "weekly {} {time}", weekday_abbrev(*weekday))
            }
            Schedule::Monthly { day, time } => write!(f, "monthly {day} {time}"),
            Schedule::Cron(expr) => write!(f, "{expr}"),
            Schedule::EverySeconds { seconds } => write!(f, "every {seconds} seconds"),
        }
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s)
    }
}

pub(crate) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

pub(crate) fn weekday_abbrev(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// The config-file shape. Raw types here, so every value is validated by the same code (and
/// gets the same error message) as [`Schedule::parse`].
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Repr {
    Hourly {
        #[serde(default)]
        minute: u32,
    },
    Daily {
        time: String,
    },
    Weekly {
        weekday: String,
        time: String,
    },
    Monthly {
        day: DayRepr,
        time: String,
    },
    Cron {
        expr: String,
    },
    EverySeconds {
        seconds: u32,
    },
}

/// `day = 1` or `day = "last"` (a numeric string is accepted too, as people write `"1"`).
enum DayRepr {
    Number(u64),
    Word(String),
}

impl From<&Schedule> for Repr {
    fn from(schedule: &Schedule) -> Repr {
        match schedule {
            Schedule::Hourly { minute } => Repr::Hourly { minute: minute.get() },
            Schedule::Daily { time } => Repr::Daily { time: time.to_string() },
            Schedule::Weekly { weekday, time } => {
                Repr::Weekly { weekday: weekday_name(*weekday).to_ascii_lowercase(), time: time.to_string() }
            }
            Schedule::Monthly { day, time } => Repr::Monthly {
                day: match day.number() {
                    Some(d) => DayRepr::Number(u64::from(d)),
                    None => DayRepr::Word("last".into()),
                },
                time: time.to_string(),
            },
            Schedule::Cron(expr) => Repr::Cron { expr: expr.as_str().to_owned() },
            Schedule::EverySeconds { seconds } => Repr::EverySeconds { seconds: seconds.get() },
        }
    }
}

impl TryFrom<Repr> for Schedule {
    type Error = ScheduleError;

    fn try_from(repr: Repr) -> Result<Schedule, ScheduleError> {
        match repr {
            Repr::Hourly { minute } => Schedule::hourly(minute),
            Repr::Daily { time } => Ok(Schedule::daily(phrase::parse_time(&time)?)),
            Repr::Weekly { weekday, time } => {
                Ok(Schedule::weekly(phrase::parse_weekday(&weekday)?, phrase::parse_time(&time)?))
            }
            Repr::Monthly { day, time } => {
                let day = match day {
                    DayRepr::Number(n) => MonthDay::day(u32::try_from(n).unwrap_or(u32::MAX))?,
                    DayRepr::Word(w) => phrase::parse_month_day(&w)?,
                };
                Ok(Schedule::monthly(day, phrase::parse_time(&time)?))
            }
            Repr::Cron { expr } => Schedule::cron(&expr),
            Repr::EverySeconds { seconds } => Schedule::every_seconds(seconds),
        }
    }
}

impl Serialize for DayRepr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DayRepr::Number(n) => serializer.serialize_u64(*n),
            DayRepr::Word(w) => serializer.serialize_str(w),
        }
    }
}

impl<'de> Deserialize<'de> for DayRepr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DayVisitor;
        impl Visitor<'_> for DayVisitor {
            type Value = DayRepr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a day of the month (1-28) or \"last\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DayRepr, E> {
                Ok(DayRepr::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DayRepr, E> {
                // Negative days become 0, which the range check then rejects with its message.
                Ok(DayRepr::Number(u64::try_from(v).unwrap_or(0)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DayRepr, E> {
                Ok(DayRepr::Word(v.to_owned()))
            }
        }
        deserializer.deserialize_any(DayVisitor)
    }
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Repr::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScheduleVisitor;
        impl<'de> Visitor<'de> for ScheduleVisitor {
            type Value = Schedule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a schedule: a string such as \"daily 02:00\" or \"0 2 * * *\", or a table \
                     such as { kind = \"daily\", time = \"02:00\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Schedule, E> {
                Schedule::parse(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Schedule, A::Error> {
                let repr = Repr::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Schedule::try_from(repr).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(ScheduleVisitor)
    }
}

/// The TypeScript of [`Schedule`]'s JSON form (the config file's tables), for the window's
/// generated contract: it crosses as this structured data, never as a phrase to parse again.
#[cfg(feature = "ts")]
impl ts_rs::TS for Schedule {
    type WithoutGenerics = Schedule;
    type OptionInnerType = Schedule;

    fn docs() -> Option<String> {
        Some("/**\n * When a source's scheduled backups run (times are local, `HH:MM`).\n */".into())
    }

    fn name(_: &ts_rs::Config) -> String {
        "Schedule".into()
    }

    fn inline(_: &ts_rs::Config) -> String {
        [
            r#"{ "kind": "hourly", "minute": number }"#,
            r#"{ "kind": "daily", "time": string }"#,
            r#"{ "kind": "weekly", "weekday": "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday", "time": string }"#,
            r#"{ "kind": "monthly", "day": number | "last", "time": string }"#,
            r#"{ "kind": "cron", "expr": string }"#,
            r#"{ "kind": "every_seconds", "seconds": number }"#,
        ]
        .join(" | ")
    }

    fn decl(cfg: &ts_rs::Config) -> String {
        format!("type Schedule = {};", Self::inline(cfg))
    }

    fn decl_concrete(cfg: &ts_rs::Config) -> String {
        Self::decl(cfg)
    }

    fn output_path() -> Option<std::path::PathBuf> {
        Some("Schedule.ts".into())
    }
}
