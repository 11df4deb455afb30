//! Why a schedule could not be read. Messages are shown to people as they are, so each one names
//! the part that is wrong and the allowed values.

use std::fmt;

/// A field of a five-field cron expression, named the way the messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// The first field, 0-59.
    Minute,
    /// The second field, 0-23.
    Hour,
    /// The third field, the day of the month, 1-31.
    Day,
    /// The fourth field, 1-12 or `jan`-`dec`.
    Month,
    /// The fifth field, 0-7 from Sunday (7 is Sunday again) or `sun`-`sat`.
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

/// Why a schedule could not be read; its message is shown to people as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// Nothing was written (or only spaces).
    #[error(
        "the schedule is empty; write a cron expression such as \"0 2 * * *\" or a phrase such as \"daily 02:00\""
    )]
    Empty,
    /// A cron expression without exactly five fields (six usually means a seconds field).
    #[error("{}", field_count_message(*got))]
    FieldCount {
        /// How many fields it had.
        got: usize,
    },
    /// A number outside the range of its cron field.
    #[error("{field} field: {value} is out of range {min}-{max}")]
    OutOfRange {
        /// The field it is in.
        field: CronField,
        /// The number as written.
        value: u64,
        /// The smallest value the field allows.
        min: u32,
        /// The largest value the field allows.
        max: u32,
    },
    /// A cron field that cannot be read: an empty list item, a backwards range, a bad step or name.
    #[error("{field} field: {message}")]
    BadField {
        /// The field that is wrong.
        field: CronField,
        /// What is wrong with it, in words.
        message: String,
    },
    /// Anything else (phrases, times, weekdays); the message is complete on its own.
    #[error("{0}")]
    Invalid(String),
}

fn field_count_message(got: usize) -> String {
    let base = format!("expected 5 fields (minute hour day month weekday), got {got}");
    // Six fields is almost always a Quartz/Spring expression with seconds first.
    if got == 6 { format!("{base}; a seconds field is not supported") } else { base }
}
