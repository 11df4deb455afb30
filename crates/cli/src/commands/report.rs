//! `keepsake report`: the last seven days of every source, in words (or `--json`), printed or
//! e-mailed. The daemon sends the same words each week and on
//! each failed backup (`weekly` and `failure` below).

use std::sync::Arc;

use chrono::Utc;
use keepsake_engine::sources::{EmailSettings, Sources};
use keepsake_engine::{Engines, Report as Week};
use serde_json::json;
use clap::Args;

use super::Verb;
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::{Output, human_size};
use crate::secret::CliSecret;
use crate::sources::SourcesFile;

/// The week of each source, by name (a folder that cannot be opened is left out, and said).
pub fn reports(sources: &Sources, engines: &Engines) -> Vec<(String, Result<Week, String>)> {
    let now = Utc::now();
    sources
        .sources
        .iter()
        .map(|s| {
            let r = engines
                .get(&s.backup_dir)
                .and_then(|e| e.report(&s.database, now))
                .map_err(|e| e.message().to_owned());
            (s.name.clone(), r)
        })
        .collect()
}

/// The subject of the weekly e-mail: whether anything needs the person.
pub fn subject(reports: &[(String, Result<Week, String>)]) -> String {
    let trouble = reports.iter().filter(|(_, r)| r.as_ref().map_or(true, Week::needs_attention)).count();
    match trouble {
        0 => "Keepsake weekly summary: all backups fine".to_owned(),
        n => format!("Keepsake weekly summary: {n} database(s) need your attention"),
    }
}

/// The summary in words, one paragraph per source.
pub fn text(reports: &[(String, Result<Week, String>)]) -> String {
    let mut out = String::from("Keepsake: the last 7 days of your backups.\n");
    for (name, r) in reports {
        out.push('\n');
        let r = match r {
            Ok(r) => r,
            Err(why) => {
                out.push_str(&format!("{name}: its backups cannot be read: {why}\n"));
                continue;
            }
        };
        out.push_str(&format!("{name} ({})\n", r.database.display()));
        out.push_str(&format!(
            "  Backups made: {}; failed: {}; verified: {}{}\n",
            r.made,
            r.failed,
            r.verified,
            if r.verify_failed > 0 {
                format!("; FAILED THEIR CHECK: {}", r.verify_failed)
            } else {
                String::new()
            }
        ));
        out.push_str(&format!(
            "  Space used: {} in {} backup(s)\n",
            human_size(r.space_used),
            r.backups_kept
        ));
        if let Some(at) = r.last_backup_at {
            out.push_str(&format!(
                "  Last backup: {}\n",
                at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            ));
        }
        if r.copies.is_empty() {
            out.push_str("  Copies elsewhere: none this week\n");
        } else {
            let copies: Vec<String> = r.copies.iter().map(|(d, n)| format!("{n} to {d}")).collect();
            out.push_str(&format!("  Copies elsewhere: {}\n", copies.join(", ")));
        }
        for a in &r.alerts {
            let seen = if a.dismissed_at.is_some() { " (dismissed)" } else { "" };
            out.push_str(&format!("  Alert{seen}: {}\n", crate::output::safe(&super::alerts::words(a))));
        }
    }
    out
}

fn engines(file: &SourcesFile) -> CliResult<(Sources, Engines)> {
    let sources = file.load()?;
    let none =
        crate::secret::SecretSettings { file: None, env: None, prompt: false, confirm: false, recovery: None };
    let secrets = Arc::new(CliSecret::new(none));
    Ok((sources, Engines::new(super::installation()?, secrets)))
}

pub(super) fn settings(sources: &Sources, file: &SourcesFile) -> CliResult<EmailSettings> {
    sources.email.clone().ok_or_else(|| {
        CliError::invalid(
            format!("no [email] settings in {}", file.path.display()),
            "Add an [email] table to the sources file (see `keepsake email --help`).",
        )
    })
}

pub(super) fn mail_error(why: String) -> CliError {
    CliError::invalid(
        format!("the e-mail was not sent: {why}"),
        "Check [email] in the sources file and the password (`keepsake email password`), then `keepsake email test`.",
    )
}

/// The last seven days of every source: backups made, failed and checked, the room they take,
/// copies elsewhere, alerts
#[derive(Debug, Args)]
#[command(after_help = "With --email it is sent to the address of [email] in the sources file, as \
    `keepsake daemon` sends it each week.\n\nExamples:\n  keepsake report\n  keepsake report --json\n  \
    keepsake report --email")]
pub struct Report {
    /// Send it by e-mail instead of printing it
    #[arg(long)]
    email: bool,
}

impl Verb for Report {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        run(&cfg.sources_file()?, self.email, &cfg.out)
    }
}

fn run(file: &SourcesFile, email: bool, out: &Output) -> CliResult<u8> {
    let (sources, engines) = engines(file)?;
    let all = reports(&sources, &engines);
    if email {
        let settings = settings(&sources, file)?;
        crate::mail::send(&settings, &subject(&all), &text(&all)).map_err(mail_error)?;
        out.note(&format!("The weekly summary was sent to {}.", settings.to));
    } else if out.json_mode() {
        let docs: Vec<_> = all
            .iter()
            .map(|(name, r)| match r {
                Ok(r) => json!({ "source": name, "report": r }),
                Err(why) => json!({ "source": name, "error": why }),
            })
            .collect();
        out.json(&json!({ "reports": docs }))?;
    } else {
        out.text(text(&all).trim_end())?;
    }
    Ok(EXIT_OK)
}

/// What a failed scheduled backup of `source` says by e-mail; `None` when it did not fail.
pub fn failure(
    source: &keepsake_engine::sources::Source,
    result: &keepsake_engine::Result<keepsake_engine::model::ScheduledRun>,
) -> Option<(String, String)> {
    use keepsake_engine::ErrorCode;
    use keepsake_engine::model::RunStatus;
    let (code, message) = match result {
        Err(e) if e.code() == ErrorCode::Cancelled => return None,
        Err(e) => (e.code(), e.message().to_owned()),
        Ok(run) if run.status == RunStatus::Failed => (
            run.error_code.unwrap_or(ErrorCode::BackupDamaged),
            run.message.clone().unwrap_or_else(|| "the backup failed".to_owned()),
        ),
        Ok(_) => return None,
    };
    let subject = format!("Keepsake: the backup of {} failed", source.name);
    let body = format!(
        "The scheduled backup of {} ({}) failed at {}.\n\nWhat happened: {message} ({code})\nWhat to do: {}\n\n\
         Your earlier backups are kept. `keepsake run {}` tries again now; `keepsake history` shows the runs.\n",
        source.name,
        source.database.display(),
        chrono::Local::now().format("%Y-%m-%d %H:%M"),
        crate::hints::hint(code),
        source.name,
    );
    Some((subject, body))
}

/// The weekly summary by e-mail, when set up and [`keepsake_engine::REPORT_DAYS`] days have
/// passed since the last one (the first a week after the daemon first ran with it set up): its
/// subject and body. The caller sends them, then calls [`weekly_sent`].
pub fn weekly_due(sources: &Sources, engines: &Engines) -> Option<(String, String)> {
    sources.email.as_ref().filter(|e| e.weekly)?;
    if !keepsake_engine::report::weekly_due(engines.home(), "email", Utc::now()) {
        return None;
    }
    let all = reports(sources, engines);
    Some((subject(&all), text(&all)))
}

/// Records that the weekly summary was e-mailed now; when it could not be, it is tried again
/// in an hour.
pub fn weekly_sent(engines: &Engines, sent: bool) {
    let now = Utc::now();
    if sent {
        keepsake_engine::report::weekly_done(engines.home(), "email", now);
    } else {
        keepsake_engine::report::weekly_retry(engines.home(), "email", now, chrono::Duration::hours(1));
    }
}
