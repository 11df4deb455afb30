//! Why a schedule could not be read. Messages are shown to people as they are, so each one names
//! the part that is wrong and the allowed values.

use std::fmt;

/// A field of a five-field cron expression, named the way the messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    Minute,
    Hour,
    Day,
    Month,
    Weekday,
}

impl CronField {
    pub(crate) const ALL: [CronField; 5] =
        [CronField::Minute, CronField::Hour, CronField::Day, CronField::Month, CronField::Weekday];

    /// Inclusive bounds. Weekday allows 7 as a second Sunday, as standard cron does.
    pub(crate) fn bounds(self) -> (u32, u32) {
        match self {
            CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::Day => (1, 31),
            CronField::Month => (1, 12),
            CronField::Weekday => (0, 7),
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::Day => "day",
            CronField::Month => "month",
            CronField::Weekday => "weekday",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    #[error(
        "the schedule is empty; write a cron expression such as \"0 2 * * *\" or a phrase such as \"daily 02:00\""
    )]
    Empty,
    #[error("{}", field_count_message(*got))]
    FieldCount { got: usize },
    #[error("{field} field: {value} is out of range {min}-{max}")]
    OutOfRange { field: CronField, value: u64, min: u32, max: u32 },
    #[error("{field} field: {message}")]
    BadField { field: CronField, message: String },
    /// Anything else (phrases, times, weekdays); the message is complete on its own.
    #[error("{0}")]
    Invalid(String),
}

fn field_count_message(got: usize) -> String {
    let base = format!("expected 5 fields (minute hour day month weekday), got {got}");
    // Six fields is almost always a Quartz/Spring expression with seconds first.
    if got == 6 { format!("{base}; a seconds field is not supported") } else { base }
}
