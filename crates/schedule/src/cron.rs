//! Standard five-field cron expressions (minute hour day month weekday): reading them with
//! precise error messages, describing them in English, and finding their slots.
//!
//! The `cron` crate does the slot search, but the text is not handed to it as typed, because
//! version 0.15 differs from standard cron in ways that would silently run backups on the wrong
//! days: it wants a seconds field, it numbers weekdays 1-7 from Sunday (so "1-5" would mean
//! Sunday-Thursday) and rejects 0 for Sunday, and it ANDs day-of-month with weekday where cron
//! ORs them when both are restricted ("0 2 1 * mon" is "the 1st, and every Monday"). Its
//! error messages are parser internals. So the expression is parsed here into sets, and the
//! crate gets canonical expressions built from them (weekdays by name, one expression per side
//! of an OR). The crate only ever sees naive local wall-clock time, carried as `Utc` (which has
//! no daylight saving); placing slots in a real time zone is `slots.rs`'s job, because the
//! crate drops slots that fall in a DST gap.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};

use super::error::{CronField, ScheduleError};
use super::phrase::weekday_from_name;

const MONTH_NAMES: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAY_CRATE: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const WEEKDAY_FULL: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// A validated five-field cron expression. Compares and serializes by its text.
#[derive(Clone)]
pub struct CronExpr {
    /// As typed, with runs of whitespace collapsed.
    source: String,
    sets: Sets,
    /// One crate schedule, or two when day-of-month and weekday are ORed.
    engines: Vec<::cron::Schedule>,
    max_interval: TimeDelta,
}

/// Bit `n` set means value `n` matches. Weekday uses 0-6 from Sunday (7 is folded into 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sets {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Standard cron ORs day and weekday only when neither field starts with '*'.
    day_or_weekday: bool,
}

const ALL_MINUTES: u64 = (1 << 60) - 1;
const ALL_HOURS: u64 = (1 << 24) - 1;
const ALL_DAYS: u64 = ((1 << 32) - 1) & !1;
const ALL_MONTHS: u64 = ((1 << 13) - 1) & !1;
const ALL_WEEKDAYS: u64 = (1 << 7) - 1;

impl CronExpr {
    /// Reads a standard five-field expression (names such as `mon` and `jan` allowed); the error
    /// names the field that is wrong and why. The `@daily` shorthands are `Schedule::parse`'s.
    pub fn parse(expr: &str) -> Result<CronExpr, ScheduleError> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.is_empty() {
            return Err(ScheduleError::Empty);
        }
        if fields.len() != 5 {
            return Err(ScheduleError::FieldCount { got: fields.len() });
        }
        let mut masks = [0u64; 5];
        for ((mask, field), text) in masks.iter_mut().zip(CronField::ALL).zip(&fields) {
            *mask = parse_field(field, text)?;
        }
        let [minutes, hours, days, months, mut weekdays] = masks;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays & !(1 << 7)) | 1;
        }
        let sets = Sets {
            minutes,
            hours,
            days,
            months,
            weekdays,
            day_or_weekday: !fields[2].starts_with('*') && !fields[4].starts_with('*'),
        };
        let max_interval = sets.max_interval().ok_or_else(|| {
            ScheduleError::Invalid(format!(
                "\"{}\" never runs: the day and month fields never meet on a real date",
                fields.join(" ")
            ))
        })?;
        Ok(CronExpr { source: fields.join(" "), engines: sets.engines()?, sets, max_interval })
    }

    /// The expression as typed, with runs of whitespace collapsed: what is saved and shown.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub(crate) fn max_interval(&self) -> TimeDelta {
        self.max_interval
    }

    /// The first slot at or after `from`, in naive wall-clock time.
    pub(crate) fn next_slot(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        // The crate searches strictly after its argument; a slot a fraction of a second before
        // `from` may come back, which the caller's "after" filter discards.
        let start = Utc.from_utc_datetime(&(from - TimeDelta::seconds(1)));
        self.engines.iter().filter_map(|e| e.after(&start).next()).map(|t| t.naive_utc()).min()
    }

    /// English for the common shapes, e.g. "At 02:30 on weekdays"; otherwise
    /// `Custom schedule: EXPR` rather than a clumsy literal reading.
    pub fn describe(&self) -> String {
        self.sets.describe().unwrap_or_else(|| format!("Custom schedule: {}", self.source))
    }
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronExpr").field(&self.source).finish()
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq for CronExpr {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for CronExpr {}

impl FromStr for CronExpr {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CronExpr::parse(s)
    }
}

/// One field: comma-separated items, each `*`, `N`, `A-B`, with an optional `/STEP`.
fn parse_field(field: CronField, text: &str) -> Result<u64, ScheduleError> {
    let (min, max) = field.bounds();
    let bad = |message: String| ScheduleError::BadField { field, message };
    let mut mask = 0u64;
    for item in text.split(',') {
        if item.is_empty() {
            return Err(bad(format!("\"{text}\" has an empty list item")));
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(parse_step(field, step)?)),
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            // 7 is only an alias for Sunday; including it would be harmless but misleading.
            (min, if field == CronField::Weekday { 6 } else { max })
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, mut b) = (parse_value(field, a)?, parse_value(field, b)?);
            if field == CronField::Weekday && b == 0 {
                // "fri-sun": Sunday as the end of a range is the 7 alias.
                b = 7;
            }
            if a > b {
                return Err(bad(format!("range {range} goes backwards; write the smaller value first")));
            }
            (a, b)
        } else {
            let value = parse_value(field, range)?;
            // "5/15" is common shorthand for "5-59/15".
            (value, if step.is_some() { max } else { value })
        };
        let step = step.unwrap_or(1);
        let mut value = lo;
        while value <= hi {
            mask |= 1 << value;
            value += step;
        }
    }
    Ok(mask)
}

fn parse_step(field: CronField, step: &str) -> Result<u32, ScheduleError> {
    let bad = |message: String| ScheduleError::BadField { field, message };
    if step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("step \"/{step}\" is not a number")));
    }
    match step.parse::<u32>() {
        Ok(0) => Err(bad("step /0 must be at least 1".into())),
        Ok(n) => Ok(n),
        Err(_) => Err(bad(format!("step /{step} is too large"))),
    }
}

fn parse_value(field: CronField, text: &str) -> Result<u32, ScheduleError> {
    let (min, max) = field.bounds();
    let bad = |message: String| ScheduleError::BadField { field, message };
    if text.is_empty() {
        return Err(bad("a range is missing a number".into()));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let value: u64 = text.parse().unwrap_or(u64::MAX);
        return match u32::try_from(value) {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(ScheduleError::OutOfRange { field, value, min, max }),
        };
    }
    let named = match field {
        CronField::Month => MONTH_NAMES
            .iter()
            .position(|m| m.eq_ignore_ascii_case(text))
            .and_then(|i| u32::try_from(i + 1).ok()),
        CronField::Weekday => weekday_from_name(text).map(|d| d.num_days_from_sunday()),
        _ => None,
    };
    if let Some(value) = named {
        return Ok(value);
    }
    let upper = text.to_ascii_uppercase();
    Err(bad(if upper.contains('L') && field == CronField::Day {
        "\"L\" (last day) is not supported; use the \"monthly last HH:MM\" schedule".into()
    } else if upper.contains(['L', 'W', '#', '?']) {
        format!("\"{text}\" uses Quartz syntax, which standard cron does not support")
    } else if field == CronField::Month {
        format!("\"{text}\" is not a number 1-12 or a month name like jan")
    } else if field == CronField::Weekday {
        format!("\"{text}\" is not a number 0-7 or a weekday name like mon")
    } else {
        format!("\"{text}\" is not a number")
    }))
}

fn bits(mask: u64, max: u32) -> Vec<u32> {
    (0..=max).filter(|v| mask & (1 << v) != 0).collect()
}

fn list(mask: u64, all: u64, max: u32, name: impl Fn(u32) -> String) -> String {
    if mask == all { "*".into() } else { bits(mask, max).into_iter().map(name).collect::<Vec<_>>().join(",") }
}

/// "a", "a and b", "a, b and c".
fn english_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Sets {
    fn engines(&self) -> Result<Vec<::cron::Schedule>, ScheduleError> {
        let number = |v: u32| v.to_string();
        let minutes = list(self.minutes, ALL_MINUTES, 59, number);
        let hours = list(self.hours, ALL_HOURS, 23, number);
        let months = list(self.months, ALL_MONTHS, 12, number);
        let days = list(self.days, ALL_DAYS, 31, number);
        let weekdays = list(self.weekdays, ALL_WEEKDAYS, 6, |v| {
            WEEKDAY_CRATE.get(v as usize).copied().unwrap_or("SUN").to_owned()
        });
        let day_pairs = if self.day_or_weekday {
            vec![(days, "*".to_owned()), ("*".to_owned(), weekdays)]
        } else {
            vec![(days, weekdays)]
        };
        day_pairs
            .into_iter()
            .map(|(days, weekdays)| {
                let expr = format!("0 {minutes} {hours} {days} {months} {weekdays}");
                ::cron::Schedule::from_str(&expr).map_err(|e| {
                    ScheduleError::Invalid(format!("internal error: cron rejected \"{expr}\": {e}"))
                })
            })
            .collect()
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        let month = self.months & (1 << date.month()) != 0;
        let day = self.days & (1 << date.day()) != 0;
        let weekday = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        month && if self.day_or_weekday { day || weekday } else { day && weekday }
    }

    /// The longest gap between consecutive slots, by walking nine years of days (two leap
    /// years, so "Feb 29" schedules have a gap to measure). `None` when nothing ever matches.
    fn max_interval(&self) -> Option<TimeDelta> {
        let times: Vec<i64> = bits(self.hours, 23)
            .into_iter()
            .flat_map(|h| bits(self.minutes, 59).into_iter().map(move |m| i64::from(h * 60 + m)))
            .collect();
        let (&first, &last) = (times.first()?, times.last()?);
        let mut widest = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let start = NaiveDate::from_ymd_opt(2024, 1, 1)?;
        let mut previous: Option<i64> = None;
        let mut matched = 0;
        for offset in 0..(9 * 366) {
            let date = start + TimeDelta::days(offset);
            if !self.day_matches(date) {
                continue;
            }
            if let Some(prev) = previous {
                widest = widest.max((offset - prev) * 1440 - last + first);
            }
            previous = Some(offset);
            matched += 1;
        }
        match matched {
            0 => None,
            // Only possible for rare-date schedules; a four-year gap is the honest upper bound.
            1 => Some(TimeDelta::days(4 * 366)),
            _ => Some(TimeDelta::minutes(widest.max(1))),
        }
    }

    fn describe(&self) -> Option<String> {
        let minutes = bits(self.minutes, 59);
        let hours = bits(self.hours, 23);
        let all_hours = self.hours == ALL_HOURS;
        enum When {
            At(String),
            HourlyAt(u32),
            EveryMinutes(u32),
        }
        let when = match minutes.as_slice() {
            [m] if all_hours => When::HourlyAt(*m),
            [m] if hours.len() <= 4 => {
                When::At(english_list(&hours.iter().map(|h| format!("{h:02}:{m:02}")).collect::<Vec<_>>()))
            }
            _ if all_hours && self.minutes == ALL_MINUTES => When::EveryMinutes(1),
            [0, step, ..] if all_hours && 60 % step == 0 => {
                let expected: Vec<u32> = (0..60).step_by(*step as usize).collect();
                if minutes != expected {
                    return None;
                }
                When::EveryMinutes(*step)
            }
            _ => return None,
        };

        let every_day = self.days == ALL_DAYS && self.weekdays == ALL_WEEKDAYS;
        let weekdays = bits(self.weekdays, 6);
        let days = bits(self.days, 31);
        let all_months = self.months == ALL_MONTHS;
        let of_month = if all_months { " of every month" } else { "" };
        let weekday_phrase = || -> String {
            match weekdays.as_slice() {
                [1, 2, 3, 4, 5] => "on weekdays".into(),
                [0, 6] => "on weekends".into(),
                _ => format!(
                    "on {}",
                    english_list(
                        &weekdays
                            .iter()
                            .map(|d| format!("{}s", WEEKDAY_FULL[*d as usize]))
                            .collect::<Vec<_>>()
                    )
                ),
            }
        };
        let day_phrase = || -> String {
            let numbers: Vec<String> = days.iter().map(u32::to_string).collect();
            let noun = if days.len() == 1 { "day" } else { "days" };
            format!("on {noun} {}{of_month}", english_list(&numbers))
        };
        let listed_days_fit = days.len() <= 4 || self.days == ALL_DAYS;
        let on_days = if every_day {
            None
        } else if !listed_days_fit {
            // "on days 1, 3, 5, ... 31" helps nobody; the expression itself is clearer.
            return None;
        } else if self.day_or_weekday {
            Some(format!("{} or {}", day_phrase(), weekday_phrase()))
        } else if self.days == ALL_DAYS {
            Some(weekday_phrase())
        } else if self.weekdays == ALL_WEEKDAYS {
            Some(day_phrase())
        } else {
            return None;
        };
        let in_months = if all_months {
            String::new()
        } else {
            let names: Vec<String> =
                bits(self.months, 12).iter().map(|m| MONTH_FULL[*m as usize - 1].to_owned()).collect();
            format!(" in {}", english_list(&names))
        };

        let sentence = match (when, on_days) {
            // The same wording as the presets, so "0 2 * * *" and "daily 02:00" read alike.
            (When::At(t), None) if all_months => format!("Every day at {t}"),
            (When::At(t), Some(_))
                if all_months && !self.day_or_weekday && weekdays.len() == 1 && self.days == ALL_DAYS =>
            {
                format!("Every {} at {t}", WEEKDAY_FULL[weekdays[0] as usize])
            }
            (When::At(t), Some(_))
                if all_months && !self.day_or_weekday && days.len() == 1 && self.weekdays == ALL_WEEKDAYS =>
            {
                format!("On day {} of every month at {t}", days[0])
            }
            (When::At(t), on) => join(format!("At {t}"), on),
            (When::HourlyAt(m), on) => join(format!("Every hour at :{m:02}"), on),
            (When::EveryMinutes(1), on) => join("Every minute".into(), on),
            (When::EveryMinutes(n), on) => join(format!("Every {n} minutes"), on),
        };
        Some(format!("{sentence}{in_months}"))
    }
}

fn join(head: String, on: Option<String>) -> String {
    match on {
        Some(on) => format!("{head} {on}"),
        None => head,
    }
}
