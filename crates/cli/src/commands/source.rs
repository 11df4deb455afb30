//! `keepsake source ...`: show and edit the sources file, and show a source's job.
//!
//! Edits read the file alone (not the environment's overrides), change it, and save it
//! atomically; a refused value leaves the file as it was. The checks are the engine's
//! (`Source::set`, `Sources::validate`), so the messages name the field the same way everywhere.

use std::path::PathBuf;

use chrono::{Local, Utc};
use clap::{Args, Subcommand};
use keepsake_engine::Engine;
use keepsake_engine::model::{RunStatus, SourceHistory};
use keepsake_engine::schedule::Health;
use keepsake_engine::scheduler::{JobInfo, RunReason, job_info};
use keepsake_engine::sources::{DEFAULT_SOURCE, Source, Sources, parse_database_url};

use super::Verb;
use crate::args::{CalendarKeep, GlobalArgs};
use crate::config::{Config, SCHEDULE_HINT, absolute, unknown_source};
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::{Output, Style, Table, local_time, relative_time};
use crate::sources::SourcesFile;

/// Manage the sources: the databases backed up on a schedule, with their settings
#[derive(Debug, Args)]
#[command(after_help = "Sources live in <OS config dir>/keepsake/sources.toml (or \
    --sources FILE, or KEEPSAKE_SOURCES). DATABASE_URL and the BACKUP_* variables define or \
    override the source named `default`.\n\n\
    Examples:\n  keepsake source add astro --db astro.db --schedule 'daily 02:00'\n  \
    keepsake source list\n  keepsake source info astro")]
pub struct SourceVerb {
    #[command(subcommand)]
    action: SourceAction,
}

#[derive(Debug, Subcommand)]
enum SourceAction {
    /// Add a source: a database, its backup folder, schedule, retention and options
    #[command(after_help = "The database is --db PATH; the backup folder is --backup-dir DIR \
        (default: <database folder>/backups), and each source needs its own. Backups are \
        encrypted, compressed and verified unless told otherwise.\n\n\
        With --app ID (see `keepsake find`), an app's important files are one source, backed up and \
        restored together.\n\n\
        Examples:\n  keepsake source add astro --db ~/astro/astro.db --schedule 'daily 02:00' --keep-last 30\n  \
        keepsake source add notes --db notes.db --backup-dir /mnt/b/notes --schedule '0 */6 * * *' --no-encrypt\n  \
        keepsake source add --app firefox --schedule 'daily 12:00'")]
    Add(AddArgs),

    /// List the sources
    #[command(after_help = "Examples:\n  keepsake source list\n  keepsake source list --json")]
    List,

    /// Remove a source from the sources file (its backups are kept)
    #[command(after_help = "Examples:\n  keepsake source remove astro")]
    Remove {
        /// Name of the source
        name: String,
    },

    /// Change one setting of a source
    #[command(after_help = "Fields: name, database, backup_dir, enabled, paused, schedule, keep_last, \
        keep_within_days, keep_daily, keep_weekly, keep_monthly, encrypt, compress, level, \
        verify_after_backup, overdue_after_days, incremental, row_loss_alert_percent, copies_to \
        (destinations, separated by commas; see `keepsake dest`). `none` \
        clears an optional field.\n\n\
        Examples:\n  keepsake source set astro schedule 'weekly sun 03:00'\n  \
        keepsake source set astro keep_last 10\n  keepsake source set astro keep_last none")]
    Set {
        /// Name of the source
        name: String,
        /// The setting to change
        field: String,
        /// Its new value
        #[arg(allow_hyphen_values = true)]
        value: String,
    },

    /// Pause a source's scheduled backups (a running daemon notices within 30 s)
    #[command(after_help = "Examples:\n  keepsake source pause astro")]
    Pause {
        /// Name of the source
        name: String,
    },

    /// Resume a paused source; missed runs are caught up with one backup
    #[command(after_help = "Examples:\n  keepsake source resume astro")]
    Resume {
        /// Name of the source
        name: String,
    },

    /// Show a source's job: schedule, next run, last run and its result, health
    #[command(after_help = "Examples:\n  keepsake source info astro\n  keepsake source info astro --json")]
    Info {
        /// Name of the source
        name: String,
    },
}

#[derive(Debug, Args)]
struct AddArgs {
    /// Name of the new source (with --app, the app's name unless given)
    #[arg(required_unless_present = "app")]
    name: Option<String>,

    /// Protect an app's databases as one source (an id `keepsake find` shows: firefox,
    /// zotero, anki, ...): its important files, backed up together and restored together
    #[arg(long, value_name = "ID", conflicts_with = "db")]
    app: Option<String>,

    /// With --app: the app's folder to protect (a profile), when it has several
    #[arg(long, value_name = "DIR", requires = "app")]
    place: Option<PathBuf>,

    /// With --app: also the files the app can rebuild itself (caches, icons)
    #[arg(long, requires = "app")]
    rebuildable: bool,

    /// When to back up: a phrase (hourly, daily 02:00, weekly mon 02:00, monthly 1 02:00) or a
    /// cron expression (minute hour day month weekday), in local time
    #[arg(long, value_name = "SCHEDULE")]
    schedule: Option<String>,

    /// Keep the N newest backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    keep_last: Option<u32>,

    /// Keep the backups made in the last DAYS days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    keep_days: Option<u32>,

    #[command(flatten)]
    calendar: CalendarKeep,

    /// Do not encrypt this source's backups
    #[arg(long)]
    no_encrypt: bool,

    /// Do not compress this source's backups
    #[arg(long)]
    no_compress: bool,

    /// gzip level, 1 (fastest) to 9 (smallest) [default: 6]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    level: Option<u32>,

    /// Do not verify each backup after writing it
    #[arg(long)]
    no_verify: bool,
}

const SET_HINT: &str = "Nothing was changed; fix the value and try again (`keepsake source set --help` \
    lists the fields).";

impl Verb for SourceVerb {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        cfg.no_source_flag("source", "Give the source's name as an argument: `keepsake source info NAME`.")?;
        let file = &cfg.sources_file()?;
        let out = &cfg.out;
        match self.action {
        SourceAction::Add(a) => add(file, new_source(&cfg.global, a)?, out),
        SourceAction::List => list(file, out),
        SourceAction::Remove { name } => remove(file, &name, out),
        SourceAction::Set { name, field, value } => {
            let value = path_value(&field, value);
            let s = edit(file, &name, |s| s.set(&field, &value), &field)?;
            let shown = match (field.as_str(), &s.schedule) {
                ("schedule", Some(x)) => format!("{x} ({})", x.describe()),
                _ => value.trim().to_owned(),
            };
            show_source(out, &s, &format!("{}: {field} = {shown}", s.name))
        }
        SourceAction::Pause { name } => {
            let s = edit(file, &name, |s| s.set("paused", "true"), "paused")?;
            show_source(
                out,
                &s,
                &format!("Paused {}; `keepsake source resume {}` resumes it.", s.name, s.name),
            )
        }
        SourceAction::Resume { name } => {
            let s = edit(file, &name, |s| s.set("paused", "false"), "paused")?;
            show_source(out, &s, &format!("Resumed {}; missed runs are caught up with one backup.", s.name))
        }
        SourceAction::Info { name } => info(file, &name, out),
    }
    }
}

/// `source add`: the database and folder are the global `--db` and `--backup-dir`, made
/// absolute so the file means the same thing whichever folder the daemon starts in.
fn new_source(g: &GlobalArgs, a: AddArgs) -> CliResult<Source> {
    let invalid = |e: keepsake_engine::Error| CliError::invalid(e.message().to_owned(), SET_HINT);
    let mut s = match &a.app {
        Some(app) => app_source(g, &a, app)?,
        None => {
            let name = a.name.clone().unwrap_or_default();
            let Some(db) = g.db.clone() else {
                return Err(CliError::invalid(
                    format!("source {name:?}: database: no database given"),
                    format!("Pass the database: `keepsake source add {name} --db PATH`, or an app: `--app ID`."),
                ));
            };
            let db = absolute(db);
            let dir = match &g.backup_dir {
                Some(d) => absolute(d.clone()),
                None => db.parent().map(|p| p.join("backups")).unwrap_or_else(|| PathBuf::from("backups")),
            };
            Source::new(name, db, dir)
        }
    };
    let name = s.name.clone();
    s.set("name", &name).map_err(invalid)?;
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

/// `source add --app ID`: the app's files as discovery finds them in this home folder (in the
/// one place `--place` names when there are several), as one source.
fn app_source(g: &GlobalArgs, a: &AddArgs, app: &str) -> CliResult<Source> {
    use keepsake_engine::discover::{Catalogue, Folders, ScanPlan, scan};
    let catalogue = Catalogue::shipped();
    let Some(entry) = catalogue.app(app) else {
        let ids: Vec<&str> = catalogue.apps.iter().map(|a| a.id.as_str()).collect();
        return Err(CliError::invalid(
            format!("no app {app:?} in Keepsake's catalogue"),
            format!("`keepsake find` shows the apps found here; known ids: {}.", ids.join(", ")),
        ));
    };
    let folders = Folders::of_user()
        .ok_or_else(|| CliError::invalid("no home folder is known", "Set HOME and try again."))?;
    let plan = ScanPlan { folders, skip: Vec::new(), budget: Default::default() };
    let found = scan(&plan, &catalogue, &keepsake_engine::seams::CancelToken::new(), &|_| {});
    let mut places: Vec<_> = found.apps.into_iter().filter(|f| f.app == app).collect();
    if let Some(place) = &a.place {
        let place = absolute(place.clone());
        places.retain(|f| f.place == place);
    }
    let found = match places.len() {
        1 => places.remove(0),
        0 => {
            return Err(CliError::invalid(
                format!("{}'s files were not found{}", entry.name, a.place.as_ref().map_or(String::new(), |p| format!(" in {}", p.display()))),
                format!("`keepsake find` lists what was found; is {} used by this user on this computer?", entry.name),
            ));
        }
        _ => {
            let list: Vec<String> = places.iter().map(|f| f.place.display().to_string()).collect();
            return Err(CliError::invalid(
                format!("{} keeps files in {} places: {}", entry.name, places.len(), list.join(", ")),
                "Nothing was changed; choose one with --place DIR (one source for each).",
            ));
        }
    };
    let name = a.name.clone().unwrap_or_else(|| entry.name.clone());
    let dir = match &g.backup_dir {
        Some(d) => absolute(d.clone()),
        None => keepsake_engine::Installation::default_dir()
            .map(|d| d.join("backups").join(app))
            .unwrap_or_else(|| PathBuf::from("backups").join(app)),
    };
    Source::for_app(&found, &name, dir, a.rebuildable).map_err(|e| CliError::invalid(e.message().to_owned(), SET_HINT))
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

fn add(file: &SourcesFile, source: Source, out: &Output) -> CliResult<u8> {
    let mut sources = file.load_file()?;
    let name = source.name.clone();
    // The engine refuses this too; checked first for a hint that names the flag to use.
    if let Some(other) = sources.sources.iter().find(|o| o.backup_dir == source.backup_dir) {
        return Err(CliError::invalid(
            format!(
                "source {:?}: backup_dir: {} already holds the backups of {:?}; each source needs its own folder",
                source.name,
                source.backup_dir.display(),
                other.name
            ),
            "Nothing was changed; pass --backup-dir DIR to give the new source its own folder.",
        ));
    }
    sources.add(source).map_err(|e| refused(e, "name"))?;
    file.save(&sources)?;
    let s = sources.get(&name).map_err(|e| unknown_source(file, &name, &e))?.clone();
    let when = s.schedule.as_ref().map_or_else(|| "no schedule".to_owned(), |x| x.describe());
    show_source(
        out,
        &s,
        &format!(
            "Added source {}: {} -> {} ({when}) to {}.",
            s.name,
            s.database.display(),
            s.backup_dir.display(),
            file.path.display()
        ),
    )
}

fn remove(file: &SourcesFile, name: &str, out: &Output) -> CliResult<u8> {
    let mut sources = file.load_file()?;
    let removed = sources.remove(name).map_err(|e| not_in_file(file, name, &e))?;
    file.save(&sources)?;
    if out.json_mode() {
        out.json(&serde_json::json!({ "removed": removed }))?;
    } else {
        out.note(&format!(
            "Removed source {name} from {}; its backups in {} are kept.",
            file.path.display(),
            removed.backup_dir.display()
        ));
    }
    Ok(EXIT_OK)
}

/// Changes one source in the file; nothing is written unless the change and the whole file
/// are valid.
fn edit(
    file: &SourcesFile,
    name: &str,
    change: impl FnOnce(&mut Source) -> keepsake_engine::Result<()>,
    field: &str,
) -> CliResult<Source> {
    let mut sources = file.load_file()?;
    let source = sources.get_mut(name).map_err(|e| not_in_file(file, name, &e))?;
    change(source).map_err(|e| refused(e, field))?;
    let changed = source.clone();
    sources.validate().map_err(|e| refused(e, field))?;
    file.save(&sources)?;
    Ok(changed)
}

fn refused(e: keepsake_engine::Error, field: &str) -> CliError {
    let hint = if field == "schedule" {
        format!("Nothing was changed. {SCHEDULE_HINT}")
    } else {
        "Nothing was changed; fix the value and try again (`keepsake source set --help` lists the fields)."
            .to_owned()
    };
    CliError::invalid(e.message().to_owned(), hint)
}

/// A name that is not in the file, which may still be the environment's `default`.
fn not_in_file(file: &SourcesFile, name: &str, e: &keepsake_engine::Error) -> CliError {
    if name == DEFAULT_SOURCE && file.env_vars().next().is_some() {
        return CliError::invalid(
            format!(
                "source \"default\" comes from environment variables ({}), not from {}",
                file.env_vars().collect::<Vec<_>>().join(", "),
                file.path.display()
            ),
            "Change the variables, or add it to the file with `keepsake source add default --db PATH` \
             (the variables still override it).",
        );
    }
    unknown_source(file, name, e)
}

fn show_source(out: &Output, s: &Source, note: &str) -> CliResult<u8> {
    if out.json_mode() {
        out.json(s)?;
    } else {
        out.note(note);
    }
    Ok(EXIT_OK)
}

fn state(s: &Source) -> (&'static str, Style) {
    match (s.enabled, s.paused, s.schedule.is_some()) {
        (false, _, _) => ("disabled", Style::Dim),
        (true, true, _) => ("paused", Style::Warn),
        (true, false, true) => ("scheduled", Style::Good),
        (true, false, false) => ("manual only", Style::Dim),
    }
}

fn list(file: &SourcesFile, out: &Output) -> CliResult<u8> {
    let sources: Sources = file.load()?;
    if out.json_mode() {
        out.json(&serde_json::json!({ "file": file.path, "sources": sources.sources }))?;
        return Ok(EXIT_OK);
    }
    if sources.sources.is_empty() {
        out.note(&format!(
            "No sources in {} yet; add one with `keepsake source add NAME --db PATH --schedule 'daily 02:00'`.",
            file.path.display()
        ));
        return Ok(EXIT_OK);
    }
    let mut t = Table::new(&[
        ("NAME", false),
        ("SCHEDULE", false),
        ("STATE", false),
        ("DATABASE", false),
        ("BACKUP FOLDER", false),
    ]);
    for s in &sources.sources {
        let (state, style) = state(s);
        t.row(vec![
            (s.name.clone(), Style::Bold),
            (s.schedule.as_ref().map_or_else(|| "-".to_owned(), |x| x.describe()), Style::Plain),
            (state.to_owned(), style),
            (s.database.display().to_string(), Style::Plain),
            (s.backup_dir.display().to_string(), Style::Dim),
        ]);
    }
    out.text(&t.render(out.mode.color))?;
    let vars: Vec<&str> = file.env_vars().collect();
    if !vars.is_empty() && sources.get(DEFAULT_SOURCE).is_ok() {
        out.note(&format!("The source \"default\" is set or overridden by {}.", vars.join(", ")));
    }
    Ok(EXIT_OK)
}

fn info(file: &SourcesFile, name: &str, out: &Output) -> CliResult<u8> {
    let sources = file.load()?;
    let source = sources.get(name).map_err(|e| unknown_source(file, name, &e))?;
    // No folder yet means no history yet; opening would create it.
    let history = if source.backup_dir.is_dir() {
        Engine::open_folder(&crate::commands::installation()?, &source.backup_dir)?
            .source_history(&source.database)?
    } else {
        SourceHistory::default()
    };
    let info = job_info(source, &history, &Local::now());
    if out.json_mode() {
        out.json(&info)?;
        return Ok(EXIT_OK);
    }
    let (state, style) = state(source);
    let rows = [
        ("Source", source.name.clone(), Style::Bold),
        ("Database", source.database.display().to_string(), Style::Plain),
        ("Backups", source.backup_dir.display().to_string(), Style::Plain),
        ("Schedule", schedule_text(&info), Style::Plain),
        ("State", state.to_owned(), style),
        ("Next run", next_text(&info), Style::Plain),
        ("Last run", last_text(&info).0, last_text(&info).1),
        ("Health", health_text(&info).0, health_text(&info).1),
    ];
    for (label, value, style) in rows {
        out.text(&format!("{label:<9} {}", out.paint(&value, style)))?;
    }
    Ok(EXIT_OK)
}

fn schedule_text(info: &JobInfo) -> String {
    match (&info.description, &info.schedule) {
        (Some(d), Some(s)) => format!("{d} ({s})"),
        _ => "none (backups only when run by hand: `keepsake run NAME`)".to_owned(),
    }
}

fn next_text(info: &JobInfo) -> String {
    let at = |t: &chrono::DateTime<chrono::FixedOffset>| t.format("%a %Y-%m-%d %H:%M").to_string();
    match (&info.next_run, &info.due) {
        (_, Some(RunReason::CatchUp { missed, .. })) => {
            format!("now, when the daemon runs: catch-up of {missed} missed run(s)")
        }
        (_, Some(RunReason::FirstRun)) => "now, when the daemon runs: first run".to_owned(),
        (_, Some(_)) => "now, when the daemon runs".to_owned(),
        (Some(t), None) => at(t),
        (None, None) => "-".to_owned(),
    }
}

fn last_text(info: &JobInfo) -> (String, Style) {
    let Some(r) = &info.last_run else {
        return ("never".to_owned(), Style::Dim);
    };
    let when = format!("{} ({})", local_time(r.started_at), relative_time(r.started_at, Utc::now()));
    let detail = |s: &str| match (&r.error_code, &r.message) {
        (Some(code), Some(m)) => format!("{when}: {s} {code}: {m}"),
        _ => format!("{when}: {s}"),
    };
    match r.status {
        RunStatus::Success => (
            format!("{when}: ok {}", r.backup_id.as_deref().unwrap_or_default()).trim_end().to_owned(),
            Style::Good,
        ),
        RunStatus::Failed => (detail("FAILED"), Style::Bad),
        RunStatus::Skipped => (detail("skipped"), Style::Warn),
        RunStatus::Cancelled => (detail("cancelled"), Style::Warn),
    }
}

fn health_text(info: &JobInfo) -> (String, Style) {
    match &info.health {
        Health::Ok => ("ok".to_owned(), Style::Good),
        Health::NeverSucceeded => ("no successful backup yet".to_owned(), Style::Warn),
        Health::Overdue { since, days } => {
            (format!("no successful backup for {days} day(s) (since {})", local_time(*since)), Style::Bad)
        }
    }
}

#[cfg(test)]
mod verb_tests {
    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;

    fn added(args: &[&str]) -> CliResult<Source> {
        let (cfg, command) = parse(args, &[])?;
        let Command::Source(SourceVerb { action: SourceAction::Add(a) }) = command else { panic!("not add") };
        new_source(&cfg.global, a)
    }

    #[test]
    fn source_add_names_the_bad_field_and_makes_paths_absolute() {
        let e = added(&["source", "add", "a", "--db", "a.db", "--schedule", "0 25 * * *"]).expect_err("bad schedule");
        assert!(e.message.contains("schedule") && e.message.contains("hour"), "{}", e.message);
        let e = added(&["source", "add", "a"]).expect_err("no db");
        assert!(e.message.contains("database"), "{}", e.message);
        let s = added(&["source", "add", "a", "--db", "a.db", "--keep-days", "30"]).expect("source");
        assert!(s.database.is_absolute() && s.backup_dir.is_absolute());
        assert_eq!(s.backup_dir.file_name().and_then(|n| n.to_str()), Some("backups"));
        assert_eq!(s.retention.keep_within_days, Some(30));
    }
}
