//! `keepsake schedule preview`: a schedule in plain English and its next run times, in local
//! time (the time zone of the machine, or `TZ`).

use chrono::{DateTime, Local, SecondsFormat, Utc};
use clap::{Args, Subcommand};
use keepsake_engine::schedule::Schedule as Parsed;

use super::Verb;
use crate::config::{Config, SCHEDULE_HINT};
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::Output;

/// Describe a schedule and show its next run times
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake schedule preview '0 2 * * *' -n 5")]
pub struct Schedule {
    #[command(subcommand)]
    action: ScheduleAction,
}

#[derive(Debug, Subcommand)]
enum ScheduleAction {
    /// Describe a schedule in plain English and list its next run times (local time)
    #[command(after_help = "Examples:\n  keepsake schedule preview '0 2 * * *' -n 5\n  \
        keepsake schedule preview 'weekly mon 02:00'\n  \
        keepsake schedule preview 'monthly last 23:30' --after 2026-12-01T00:00:00Z --json")]
    Preview {
        /// A phrase (hourly, hourly :15, daily 02:00, weekly mon 02:00, monthly 1 02:00, monthly
        /// last 02:00) or a cron expression (minute hour day month weekday)
        #[arg(allow_hyphen_values = true)]
        schedule: String,
        /// How many run times to show
        #[arg(long = "count", short = 'n', value_name = "N", default_value_t = 5,
              value_parser = clap::value_parser!(u16).range(1..=1000))]
        count: u16,
        /// Start from this time instead of now (RFC 3339, e.g. 2026-03-01T00:00:00Z)
        #[arg(long, value_name = "TIME")]
        after: Option<String>,
    },
}

/// What `schedule preview` shows, resolved.
#[derive(Debug)]
struct Plan {
    schedule: Parsed,
    count: usize,
    after: Option<DateTime<Utc>>,
}

impl Schedule {
    fn plan(self, cfg: &Config) -> CliResult<Plan> {
        cfg.no_source_flag("schedule preview", "Preview a source's schedule with `keepsake source info NAME`.")?;
        let ScheduleAction::Preview { schedule, count, after } = self.action;
        let parsed = Parsed::parse(&schedule)
            .map_err(|e| CliError::invalid(format!("schedule {schedule:?}: {e}"), SCHEDULE_HINT))?;
        let after = match after {
            None => None,
            Some(t) => Some(DateTime::parse_from_rfc3339(t.trim()).map(|d| d.with_timezone(&Utc)).map_err(|e| {
                CliError::invalid(
                    format!("--after {t:?} is not a time: {e}"),
                    "Write it in RFC 3339: 2026-03-01T00:00:00Z, or 2026-03-01T02:00:00+01:00.",
                )
            })?),
        };
        Ok(Plan { schedule: parsed, count: usize::from(count), after })
    }
}

impl Verb for Schedule {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let plan = self.plan(cfg)?;
        preview(&plan.schedule, plan.count, plan.after, &cfg.out)
    }
}

fn preview(
    schedule: &Parsed,
    count: usize,
    after: Option<DateTime<Utc>>,
    out: &Output,
) -> CliResult<u8> {
    let from = after.unwrap_or_else(Utc::now).with_timezone(&Local);
    let runs = schedule.next_runs(from, count);
    if out.json_mode() {
        out.json(&serde_json::json!({
            "schedule": schedule.to_string(),
            "description": schedule.describe(),
            "after": from.to_rfc3339_opts(SecondsFormat::Secs, false),
            "next_runs": runs.iter().map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false)).collect::<Vec<_>>(),
        }))?;
        return Ok(EXIT_OK);
    }
    out.text(&schedule.describe())?;
    for t in &runs {
        out.text(&format!("  {}", t.format("%a %Y-%m-%d %H:%M %:z")))?;
    }
    if runs.len() < count {
        out.note(&format!("The schedule runs only {} more time(s).", runs.len()));
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;

    fn plan(args: &[&str]) -> CliResult<Plan> {
        let (cfg, command) = parse(args, &[])?;
        let Command::Schedule(schedule) = command else { panic!("not schedule") };
        schedule.plan(&cfg)
    }

    #[test]
    fn a_bad_schedule_preview_says_what_is_wrong() {
        let e = plan(&["schedule", "preview", "0 2 * *"]).expect_err("4 fields");
        assert_eq!(e.message, "schedule \"0 2 * *\": expected 5 fields (minute hour day month weekday), got 4");
        let p = plan(&["schedule", "preview", "daily 02:00", "-n", "3"]).expect("plan");
        assert_eq!((p.count, p.after), (3, None));
    }
}
