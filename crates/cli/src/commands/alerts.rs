//! `keepsake alerts`, `alerts dismiss ID`: the content alerts the engine raised (a table
//! emptied or gone, many rows lost, the schema changed, a damaged database). The backup before
//! a change is pinned (`pin.rs`, `unpin.rs`).

use chrono::Utc;
use clap::{Args, Subcommand};
use keepsake_engine::{Alert, AlertKind};

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{Style, Table, relative_time, safe};

/// Content alerts: tables emptied, gone or losing many rows between backups, schema changes,
/// a damaged database
#[derive(Debug, Args)]
#[command(after_help = "Each backup is compared with the source's previous one; the last \
    backup before a change is pinned (kept by every retention rule). Exits 1 while an alert \
    stands. `keepsake source set NAME row_loss_alert_percent N` sets the share of lost rows \
    that raises one (default 20, 0 turns alerts off).\n\nExamples:\n  keepsake alerts\n  \
    keepsake alerts --all --json\n  keepsake alerts dismiss 3")]
pub struct Alerts {
    #[command(subcommand)]
    action: Option<AlertsAction>,
    /// Dismissed alerts too
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Subcommand)]
enum AlertsAction {
    /// Dismiss an alert ("this was me"); the backup it pinned stays pinned
    Dismiss {
        /// Number of the alert (see `keepsake alerts`)
        id: i64,
    },
}

impl Verb for Alerts {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = Ctx::of_folder(cfg)?;
        match self.action {
            None => list(&ctx, self.all),
            Some(AlertsAction::Dismiss { id }) => dismiss(&ctx, id),
        }
    }
}

/// Lists the standing alerts (all with `all`); exits 1 while any stands, as a check would.
fn list(ctx: &Ctx, all: bool) -> CliResult<u8> {
    let alerts = ctx.engine.alerts(all)?;
    let standing = alerts.iter().any(|a| a.dismissed_at.is_none());
    if ctx.out.json_mode() {
        ctx.out.json(&alerts)?;
    } else if alerts.is_empty() {
        ctx.out.note("No content alerts: no table lost rows between backups, and nothing failed its check.");
    } else {
        let now = Utc::now();
        let mut t = Table::new(&[("ALERT", true), ("RAISED", false), ("WHAT", false), ("KEPT", false)]);
        for a in &alerts {
            let style = if a.dismissed_at.is_some() { Style::Dim } else { Style::Bad };
            let mut what = words(a);
            if a.dismissed_at.is_some() {
                what = format!("{what} (dismissed)");
            }
            t.row(vec![
                (a.id.to_string(), Style::Bold),
                (relative_time(a.raised_at, now), Style::Plain),
                (safe(&what), style),
                (a.pinned.as_deref().map_or_else(|| "-".to_owned(), safe), Style::Plain),
            ]);
        }
        ctx.out.text(&t.render(ctx.out.mode.color))?;
        if standing {
            ctx.out.note(
                "KEPT is the last backup before the change, pinned so retention keeps it. If the \
                 change was yours: `keepsake alerts dismiss ID` (and `keepsake unpin BACKUP`).",
            );
        }
    }
    Ok(if standing { EXIT_PROBLEM } else { EXIT_OK })
}

fn dismiss(ctx: &Ctx, id: i64) -> CliResult<u8> {
    ctx.engine.dismiss_alert(id)?;
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({ "dismissed": id }))?;
    } else {
        ctx.out.note(&format!("Alert {id} dismissed. The backup it pinned stays pinned until you unpin it."));
    }
    Ok(EXIT_OK)
}

/// An alert in one line.
pub fn words(a: &Alert) -> String {
    let table = a.table.as_deref().unwrap_or("?");
    let n = |v: Option<i64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
    let since = a.previous_id.as_deref().map(|p| format!(" since {p}")).unwrap_or_default();
    match a.kind {
        AlertKind::TableEmptied => format!("{table}: emptied ({} rows before){since}", n(a.before)),
        AlertKind::RowsLost => {
            let (b, f) = (a.before.unwrap_or(0), a.after.unwrap_or(0));
            let share = if b > 0 { (b - f) * 100 / b } else { 0 };
            format!("{table}: {} rows gone ({} to {}, {share}%){since}", b - f, b, f)
        }
        AlertKind::TableGone => format!("{table}: table gone ({} rows before){since}", n(a.before)),
        AlertKind::SchemaChanged => {
            format!("the database's tables or columns changed{since} (an app upgrade?)")
        }
        AlertKind::UserVersionChanged => {
            format!("the app's data version changed from {} to {}{since}", n(a.before), n(a.after))
        }
        AlertKind::IntegrityFailed => "the database is damaged: it fails SQLite's integrity check".to_owned(),
    }
}

/// Tells about the alerts a new backup raised (on stderr, after the backup's own lines).
pub fn tell(ctx: &Ctx, alerts: &[Alert]) {
    for a in alerts {
        let kept = a.pinned.as_deref().map(|p| format!("; backup {p} is pinned")).unwrap_or_default();
        ctx.out.note(&format!(
            "warning: content alert {}: {}{kept}. If this was you: `keepsake alerts dismiss {}`; if \
             not, `keepsake diff` shows what changed and `keepsake restore ID --table T` takes a table back.",
            a.id,
            safe(&words(a)),
            a.id
        ));
    }
}
