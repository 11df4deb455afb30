//! `keepsake schedule preview`: a schedule in plain English and its next run times, in local
//! time (the time zone of the machine, or `TZ`).

use chrono::{DateTime, Local, SecondsFormat, Utc};
use keepsake_engine::schedule::Schedule;

use crate::error::{CliResult, EXIT_OK};
use crate::output::Output;

pub fn preview(
    schedule: &Schedule,
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
