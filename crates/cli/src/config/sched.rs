//! Resolving what is about sources and schedules: the `source` subcommands, `schedule preview`,
//! `daemon`, `run NAME` and `--source NAME`. Values are checked here with the engine's own
//! parsers, so a bad schedule or setting is refused with the engine's message (naming the field)
//! before the sources file is touched.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use keepsake_engine::schedule::Schedule;
use keepsake_engine::sources::{Source, parse_database_url};

use crate::args::{GlobalArgs, ScheduleCommand, SourceAddArgs, SourceCommand};
use crate::env::Env;
use crate::error::{CliError, CliResult};
use crate::sources::SourcesFile;
use crate::task::{SourceAction, Task, absolute};

/// How to write a schedule, for hints.
pub const SCHEDULE_HINT: &str = "Write a phrase (hourly, hourly :15, daily 02:00, weekly mon 02:00, \
    monthly 1 02:00, monthly last 02:00) or a cron expression: minute hour day month weekday, \
    e.g. \"0 2 * * *\". `keepsake schedule preview EXPR` shows what a schedule means.";

const SET_HINT: &str = "Nothing was changed; fix the value and try again (`keepsake source set --help` \
    lists the fields).";

pub(super) fn source_task(g: &GlobalArgs, env: &Env, c: SourceCommand) -> CliResult<Task> {
    if !g.source.is_empty() {
        return Err(CliError::invalid(
            "--source does not apply to `keepsake source`",
            "Give the source's name as an argument: `keepsake source info NAME`.",
        ));
    }
    let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
    let action = match c {
        SourceCommand::Add(a) => SourceAction::Add(Box::new(new_source(g, a)?)),
        SourceCommand::List => SourceAction::List,
        SourceCommand::Remove { name } => SourceAction::Remove(name),
        SourceCommand::Set { name, field, value } => {
            let value = path_value(&field, value);
            SourceAction::Set { name, field, value }
        }
        SourceCommand::Pause { name } => SourceAction::Pause(name),
        SourceCommand::Resume { name } => SourceAction::Resume(name),
        SourceCommand::Info { name } => SourceAction::Info(name),
    };
    Ok(Task::Sources { file, action })
}

/// `source add`: the database and folder are the global `--db` and `--backup-dir`, made
/// absolute so the file means the same thing whichever folder the daemon starts in.
fn new_source(g: &GlobalArgs, a: SourceAddArgs) -> CliResult<Source> {
    let Some(db) = g.db.clone() else {
        return Err(CliError::invalid(
            format!("source {:?}: database: no database given", a.name),
            format!("Pass the database: `keepsake source add {} --db PATH`.", a.name),
        ));
    };
    let db = absolute(db);
    let dir = match &g.backup_dir {
        Some(d) => absolute(d.clone()),
        None => db.parent().map(|p| p.join("backups")).unwrap_or_else(|| PathBuf::from("backups")),
    };
    let mut s = Source::new(a.name.clone(), db, dir);
    let invalid = |e: keepsake_engine::Error| CliError::invalid(e.message().to_owned(), SET_HINT);
    s.set("name", &a.name).map_err(invalid)?;
    if let Some(expr) = &a.schedule {
        s.set("schedule", expr).map_err(|e| CliError::invalid(e.message().to_owned(), SCHEDULE_HINT))?;
    }
    s.retention.keep_last = a.keep_last;
    s.retention.keep_within_days = a.keep_days;
    s.retention.keep_daily = a.calendar.keep_daily;
    s.retention.keep_weekly = a.calendar.keep_weekly;
    s.retention.keep_monthly = a.calendar.keep_monthly;
    s.encrypt = !a.no_encrypt;
    s.compress = !a.no_compress;
    s.verify_after_backup = !a.no_verify;
    if let Some(level) = a.level {
        s.set("level", &level.to_string()).map_err(invalid)?;
    }
    Ok(s)
}

/// Paths given to `source set` are made absolute, as `source add` does.
fn path_value(field: &str, value: String) -> String {
    let v = value.trim();
    match field {
        "database" => match parse_database_url(v) {
            Ok(p) if !v.is_empty() => absolute(p).to_string_lossy().into_owned(),
            _ => value,
        },
        "backup_dir" if !v.is_empty() => absolute(PathBuf::from(v)).to_string_lossy().into_owned(),
        _ => value,
    }
}

pub(super) fn preview_task(g: &GlobalArgs, c: ScheduleCommand) -> CliResult<Task> {
    if !g.source.is_empty() {
        return Err(CliError::invalid(
            "--source does not apply to `keepsake schedule preview`",
            "Preview a source's schedule with `keepsake source info NAME`.",
        ));
    }
    let ScheduleCommand::Preview { schedule, count, after } = c;
    let parsed = Schedule::parse(&schedule)
        .map_err(|e| CliError::invalid(format!("schedule {schedule:?}: {e}"), SCHEDULE_HINT))?;
    let after = match after {
        None => None,
        Some(t) => {
            Some(DateTime::parse_from_rfc3339(t.trim()).map(|d| d.with_timezone(&Utc)).map_err(|e| {
                CliError::invalid(
                    format!("--after {t:?} is not a time: {e}"),
                    "Write it in RFC 3339: 2026-03-01T00:00:00Z, or 2026-03-01T02:00:00+01:00.",
                )
            })?)
        }
    };
    Ok(Task::Preview { schedule: parsed, count: usize::from(count), after })
}

/// `daemon`: the names given with `--source` must exist now (a typo should not wait silently).
pub(super) fn daemon_task(g: &GlobalArgs, env: &Env) -> CliResult<Task> {
    if g.db.is_some() || g.backup_dir.is_some() {
        return Err(CliError::invalid(
            "the daemon runs sources, not --db/--backup-dir",
            "Add the database as a source (`keepsake source add NAME --db PATH --schedule ...`), \
             or set DATABASE_URL and BACKUP_SCHEDULE for the `default` source.",
        ));
    }
    let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
    let sources = file.load()?;
    for name in &g.source {
        sources.get(name).map_err(|e| unknown_source(&file, name, &e))?;
    }
    if sources.sources.is_empty() {
        return Err(CliError::invalid(
            format!("no sources to run: {} has none", file.path.display()),
            "Add one with `keepsake source add NAME --db PATH --schedule 'daily 02:00'`, or set \
             DATABASE_URL and BACKUP_SCHEDULE for the `default` source.",
        ));
    }
    Ok(Task::Daemon { file, only: g.source.clone() })
}

/// The source named with `--source`, if any.
pub(super) fn pick_source(g: &GlobalArgs, env: &Env) -> CliResult<Option<Source>> {
    match g.source.as_slice() {
        [] => Ok(None),
        [name] => load_source(g, env, name).map(Some),
        _ => Err(CliError::invalid(
            "this command works on one source, and --source was given several times",
            "Give --source NAME once.",
        )),
    }
}

/// `run NAME`: the source, which brings its own database and folder.
pub(super) fn run_source(g: &GlobalArgs, env: &Env, name: &str) -> CliResult<Source> {
    if g.db.is_some() || g.backup_dir.is_some() {
        return Err(CliError::invalid(
            "`run` uses the source's own database and backup folder, not --db/--backup-dir",
            format!("Change them with `keepsake source set {name} database PATH` (or backup_dir)."),
        ));
    }
    if g.source.iter().any(|s| s != name) {
        return Err(CliError::invalid(
            "`run` takes the source's name as its argument, not --source",
            format!("Run `keepsake run {name}`."),
        ));
    }
    load_source(g, env, name)
}

fn load_source(g: &GlobalArgs, env: &Env, name: &str) -> CliResult<Source> {
    let file = SourcesFile::resolve(g.sources.as_deref(), env)?;
    let sources = file.load()?;
    sources.get(name).cloned().map_err(|e| unknown_source(&file, name, &e))
}

pub fn unknown_source(file: &SourcesFile, name: &str, e: &keepsake_engine::Error) -> CliError {
    CliError::invalid(
        format!("{} (in {})", e.message(), file.path.display()),
        format!(
            "Check the name with `keepsake source list`, or add it: `keepsake source add {name} --db PATH`."
        ),
    )
}
