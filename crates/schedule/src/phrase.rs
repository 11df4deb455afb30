//! Reading the schedule text people type: cron expressions, cron's `@daily` shorthands and the
//! short phrases the app shows ("daily 02:00", "weekly mon 02:00", "monthly last 02:00").

use chrono::Weekday;

use super::{CronExpr, MonthDay, Schedule, ScheduleError, TimeOfDay};

const PHRASES: &str = "hourly, daily HH:MM, weekly DAY HH:MM or monthly DAY HH:MM";

pub(super) fn parse(input: &str) -> Result<Schedule, ScheduleError> {
    let input = input.trim();
    let Some(first) = input.chars().next() else {
        return Err(ScheduleError::Empty);
    };
    // A cron minute field always starts with a digit or '*', and no phrase does.
    if first.is_ascii_digit() || first == '*' {
        return Ok(Schedule::Cron(CronExpr::parse(input)?));
    }
    if first == '@' {
        return shorthand(input);
    }

    let lower = input.to_ascii_lowercase();
    // "daily at 02:00" and "weekly on monday at 02:00" read naturally; the fillers carry nothing.
    let words: Vec<&str> = lower.split_whitespace().filter(|w| !matches!(*w, "at" | "on")).collect();
    let (&kind, args) = words.split_first().ok_or(ScheduleError::Empty)?;
    match kind {
        "hourly" => match args {
            [] => Schedule::hourly(0),
            [minute] => {
                let digits = minute.strip_prefix(':').unwrap_or(minute);
                let value = parse_number(digits).ok_or_else(|| {
                    ScheduleError::Invalid(format!("\"{minute}\" is not a minute; write e.g. \"hourly :15\""))
                })?;
                Schedule::hourly(value)
            }
            _ => Err(usage(input, "hourly :MM", "hourly :15")),
        },
        "daily" => match args {
            [time] => Ok(Schedule::daily(parse_time(time)?)),
            [] => Err(ScheduleError::Invalid("daily needs a time, e.g. \"daily 02:00\"".into())),
            _ => Err(usage(input, "daily HH:MM", "daily 02:00")),
        },
        "weekly" => match args {
            [day, time] => Ok(Schedule::weekly(parse_weekday(day)?, parse_time(time)?)),
            [] | [_] => Err(ScheduleError::Invalid(
                "weekly needs a weekday and a time, e.g. \"weekly mon 02:00\"".into(),
            )),
            _ => Err(usage(input, "weekly DAY HH:MM", "weekly mon 02:00")),
        },
        "monthly" => {
            // "monthly day 1 02:00" is a natural way to say it too.
            let args = match args {
                ["day", rest @ ..] => rest,
                _ => args,
            };
            match args {
                [day, time] => Ok(Schedule::monthly(parse_month_day(day)?, parse_time(time)?)),
                [] | [_] => Err(ScheduleError::Invalid(
                    "monthly needs a day (1-28 or \"last\") and a time, e.g. \"monthly 1 02:00\"".into(),
                )),
                _ => Err(usage(input, "monthly DAY HH:MM", "monthly 1 02:00")),
            }
        }
        _ => Err(ScheduleError::Invalid(format!(
            "\"{input}\" is not a schedule; write a cron expression such as \"0 2 * * *\" or one \
             of: {PHRASES}"
        ))),
    }
}

/// Cron's shorthands, mapped to the presets with the same meaning so they describe nicely.
fn shorthand(input: &str) -> Result<Schedule, ScheduleError> {
    let midnight = TimeOfDay { hour: 0, minute: 0 };
    match input.to_ascii_lowercase().as_str() {
        "@hourly" => Schedule::hourly(0),
        "@daily" | "@midnight" => Ok(Schedule::daily(midnight)),
        "@weekly" => Ok(Schedule::weekly(Weekday::Sun, midnight)),
        "@monthly" => Ok(Schedule::monthly(MonthDay(Some(1)), midnight)),
        "@yearly" | "@annually" => Schedule::cron("0 0 1 1 *"),
        _ => Err(ScheduleError::Invalid(format!(
            "\"{input}\" is not a known shorthand; use @hourly, @daily, @weekly, @monthly or @yearly"
        ))),
    }
}

fn usage(input: &str, form: &str, example: &str) -> ScheduleError {
    ScheduleError::Invalid(format!("\"{input}\": expected \"{form}\", e.g. \"{example}\""))
}

fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Absurdly long digit strings saturate so the range check reports them.
    Some(s.parse().unwrap_or(u32::MAX))
}

/// `HH:MM` or `H:MM`, 24-hour.
pub(super) fn parse_time(s: &str) -> Result<TimeOfDay, ScheduleError> {
    let s = s.trim();
    let shape_error =
        || ScheduleError::Invalid(format!("time \"{s}\": expected HH:MM (24-hour), e.g. 02:00"));
    let (h, m) = s.split_once(':').ok_or_else(shape_error)?;
    if m.len() != 2 || h.len() > 2 {
        return Err(shape_error());
    }
    let hour = parse_number(h).ok_or_else(shape_error)?;
    let minute = parse_number(m).ok_or_else(shape_error)?;
    if hour > 23 {
        return Err(ScheduleError::Invalid(format!("time \"{s}\": hour {hour} is out of range 0-23")));
    }
    if minute > 59 {
        return Err(ScheduleError::Invalid(format!("time \"{s}\": minute {minute} is out of range 0-59")));
    }
    TimeOfDay::new(hour, minute)
}

/// English weekday names, abbreviated or full, any case.
pub(super) fn parse_weekday(s: &str) -> Result<Weekday, ScheduleError> {
    weekday_from_name(s).ok_or_else(|| {
        ScheduleError::Invalid(format!("\"{s}\" is not a weekday; use mon, tue, wed, thu, fri, sat or sun"))
    })
}

pub(super) fn weekday_from_name(s: &str) -> Option<Weekday> {
    let lower = s.trim().to_ascii_lowercase();
    const NAMES: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    NAMES.iter().find(|(short, long, _)| lower == *short || lower == *long).map(|(_, _, d)| *d)
}

/// `1`-`28` or `last`.
pub(super) fn parse_month_day(s: &str) -> Result<MonthDay, ScheduleError> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("last") {
        return Ok(MonthDay::LAST);
    }
    match parse_number(s) {
        Some(day) => MonthDay::day(day),
        None => {
            Err(ScheduleError::Invalid(format!("\"{s}\" is not a day of the month; use 1-28 or \"last\"")))
        }
    }
}
