//! `keepsake daemon`: the scheduler's host loop in the foreground, for servers, systemd and
//! tests. It decides nothing itself: each tick it re-reads the sources file and each source's
//! history, asks the engine what to do (`scheduler::plan_tick`), runs due sources one at a time
//! through `Engine::run_scheduled` (the same verb as `keepsake run`), and sleeps until the next
//! run time, but at most 30 s, so an edited sources file, a changed clock or a sleep of the
//! machine is noticed (a wall-clock jump against `Instant` is logged).
//!
//! One line per event on stdout, starting with the local time (JSON Lines under `--json`);
//! only a failure to start goes to stderr, as `error:`/`hint:`. SIGTERM or Ctrl-C cancels a
//! running backup (the engine removes its partial file; the cancelled run is caught up at the
//! next start) and exits 0.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, TimeDelta, Utc};
use keepsake_engine::Engine;
use keepsake_engine::error::{ErrorCode, Result as EngineResult};
use keepsake_engine::model::{BackupType, Operation};
use keepsake_engine::schedule::{SchedulerState, sleep_for};
use keepsake_engine::scheduler::{Action, RunReason, SourceState, next_wake, plan_tick};
use keepsake_engine::seams::{CancelToken, Job, NoProgress};
use keepsake_engine::sources::{Source, Sources};

mod log;
use serde_json::json;

use self::log::{Log, jumped, log_result, stamp};
use crate::config::SecretSettings;
use crate::error::{CliResult, EXIT_OK};
use crate::output::Output;
use crate::secret::CliSecret;
use crate::sources::SourcesFile;

/// The longest sleep between two ticks.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// The shortest, so a plan that keeps saying "now" cannot spin.
const MIN_WAIT: Duration = Duration::from_millis(50);
/// A problem that persists (an unreadable folder) is logged again after this long.
const REPEAT_PROBLEM: TimeDelta = TimeDelta::hours(24);

pub fn run(file: SourcesFile, only: Vec<String>, secret: SecretSettings, out: &Output) -> CliResult<u8> {
    let no_password = secret.file.is_none() && secret.env.is_none();
    let stop = CancelToken::new();
    let (wake, woken) = mpsc::channel();
    let handled = crate::interrupt::watch_stop(stop.clone(), wake);
    let log = Log { out };
    let sources = file.load()?;
    let mut d = Daemon {
        sources: selected(sources, &only),
        file,
        only,
        secrets: Arc::new(CliSecret::new(secret)),
        engines: HashMap::new(),
        memory: HashMap::new(),
        load_error: None,
    };
    d.started(&log, no_password, handled);

    let mut clock = SchedulerState::new(Utc::now());
    let mut last_tick = Instant::now();
    while !stop.is_cancelled() {
        let now = Local::now();
        if let Some(jump) = clock.tick(now.with_timezone(&Utc), last_tick.elapsed()) {
            jumped(&log, jump);
        }
        last_tick = Instant::now();
        d.reload(&log);
        let jobs = d.states(&log);
        let mut ran = false;
        for action in plan_tick(jobs.iter().map(|(s, st)| (s, st)), &now) {
            if stop.is_cancelled() {
                break;
            }
            ran |= d.act(&log, action, &stop);
        }
        if ran {
            // Runs take time and change the history: decide again before sleeping.
            continue;
        }
        let next = next_wake(jobs.iter().map(|(s, st)| (s, st)), &now);
        let wait = sleep_for(next.as_ref(), &Local::now(), MAX_WAIT).max(MIN_WAIT);
        if let Err(RecvTimeoutError::Disconnected) = woken.recv_timeout(wait) {
            // No signal handler (it could not be installed): sleep plainly.
            std::thread::sleep(wait);
        }
    }
    log.event(None, "stopped", "stopped", json!({}));
    Ok(EXIT_OK)
}

struct Daemon {
    file: SourcesFile,
    /// `--source` names; empty for every source.
    only: Vec<String>,
    /// The sources this daemon runs, as last read.
    sources: Vec<Source>,
    secrets: Arc<CliSecret>,
    /// One engine per backup folder, kept open between ticks.
    engines: HashMap<PathBuf, Engine>,
    /// What the loop remembers per source name.
    memory: HashMap<String, Memory>,
    /// The last error reading the sources file, to log each one once.
    load_error: Option<String>,
}

#[derive(Debug, Default)]
struct Memory {
    /// When this daemon last started a run, in case the history could not record it: without
    /// it, a catalog that refuses writes would make the loop run the source at every tick.
    last_attempt: Option<DateTime<Utc>>,
    last_warned: Option<DateTime<Utc>>,
    /// The last problem logged about the source, and when.
    problem: Option<(String, DateTime<Utc>)>,
}

fn selected(sources: Sources, only: &[String]) -> Vec<Source> {
    sources.sources.into_iter().filter(|s| only.is_empty() || only.contains(&s.name)).collect()
}

impl Daemon {
    fn started(&self, log: &Log, no_password: bool, handled: bool) {
        log.event(
            None,
            "started",
            &format!(
                "keepsake daemon started: {} (sources from {})",
                summary(&self.sources),
                self.file.path.display()
            ),
            json!({ "sources_file": self.file.path, "pid": std::process::id() }),
        );
        for s in &self.sources {
            let (state, text) = match (&s.schedule, s.is_scheduled()) {
                (Some(x), true) => ("scheduled", format!("scheduled: {}", x.describe())),
                (_, _) if !s.enabled => ("disabled", "disabled: not run".to_owned()),
                (_, _) if s.paused => ("paused", "paused: not run until resumed".to_owned()),
                _ => ("unscheduled", "no schedule: not run".to_owned()),
            };
            let schedule = s.schedule.as_ref().map(ToString::to_string);
            log.event(Some(&s.name), state, &text, json!({ "schedule": schedule }));
            if no_password && s.encrypt && s.is_scheduled() {
                log.event(
                    Some(&s.name),
                    "warning",
                    "warning: its backups are encrypted and no password is set (BACKUP_ENCRYPTION_PASSWORD \
                     or --password-file); its runs will fail",
                    json!({ "warning": "no_password" }),
                );
            }
        }
        if !handled {
            log.event(
                None,
                "warning",
                "warning: cannot catch SIGTERM/Ctrl-C; stopping will not be clean",
                json!({}),
            );
        }
    }

    /// Re-reads the sources file, so `keepsake source set/pause/resume` apply while running. A
    /// file that became invalid is reported once and the previous sources are kept.
    fn reload(&mut self, log: &Log) {
        match self.file.load() {
            Ok(all) => {
                self.load_error = None;
                let now = selected(all, &self.only);
                if now != self.sources {
                    self.sources = now;
                    log.event(
                        None,
                        "sources_changed",
                        &format!("sources changed: {}", summary(&self.sources)),
                        json!({ "scheduled": scheduled_names(&self.sources) }),
                    );
                }
            }
            Err(e) if self.load_error.as_deref() != Some(e.message.as_str()) => {
                log.event(
                    None,
                    "sources_error",
                    &format!("cannot read the sources: {}; keeping them as they were", e.message),
                    json!({ "message": e.message, "hint": e.hint }),
                );
                self.load_error = Some(e.message);
            }
            Err(_) => {}
        }
    }

    /// The state of every scheduled source, from its history and this loop's memory.
    fn states(&mut self, log: &Log) -> Vec<(Source, SourceState)> {
        let mut jobs = Vec::new();
        for source in self.sources.iter().filter(|s| s.is_scheduled()) {
            let history = engine_for(&mut self.engines, &self.secrets, &source.backup_dir)
                .and_then(|e| e.source_history(&source.database));
            let mem = self.memory.entry(source.name.clone()).or_default();
            match history {
                Ok(h) => {
                    mem.problem = None;
                    let mut state = SourceState::from_history(&h);
                    state.last_attempt = state.last_attempt.max(mem.last_attempt);
                    state.last_warned = mem.last_warned;
                    jobs.push((source.clone(), state));
                }
                Err(e) => {
                    let now = Utc::now();
                    let seen = mem
                        .problem
                        .as_ref()
                        .is_some_and(|(m, at)| m == e.message() && now - *at < REPEAT_PROBLEM);
                    if !seen {
                        log.event(
                            Some(&source.name),
                            "error",
                            &format!(
                                "cannot read its history in {}: {}: {} (hint: {})",
                                source.backup_dir.display(),
                                e.code(),
                                e.message(),
                                crate::hints::hint(e.code())
                            ),
                            json!({ "error_code": e.code(), "message": e.message(), "hint": crate::hints::hint(e.code()) }),
                        );
                        mem.problem = Some((e.message().to_owned(), now));
                    }
                }
            }
        }
        jobs
    }

    /// Carries out one action; true when a backup was attempted.
    fn act(&mut self, log: &Log, action: Action, stop: &CancelToken) -> bool {
        match action {
            Action::Run { source, reason } => {
                self.run_one(log, &source, &reason, stop);
                true
            }
            Action::Skip { source, .. } => {
                // This loop runs one backup at a time and plans only between them, so it never
                // sees a source running; a host with parallel runs records the trigger here.
                if let Some(s) = self.sources.iter().find(|s| s.name == source)
                    && let Ok(engine) = engine_for(&mut self.engines, &self.secrets, &s.backup_dir)
                {
                    let why =
                        keepsake_engine::Error::new(ErrorCode::Busy, "a backup of this source is running");
                    engine.record_skipped(
                        Operation::Backup,
                        Some(BackupType::Scheduled),
                        Some(&s.database),
                        &why,
                    );
                }
                log.event(Some(&source), "skipped", "skipped: a backup of it is still running", json!({}));
                false
            }
            Action::Warn { source, since, days, never_succeeded } => {
                let text = if never_succeeded {
                    format!(
                        "warning: no successful backup for {days} day(s): none since its first run on {}",
                        stamp(since)
                    )
                } else {
                    format!("warning: no successful backup for {days} day(s), since {}", stamp(since))
                };
                log.event(
                    Some(&source),
                    "warning",
                    &text,
                    json!({ "warning": "overdue", "days": days, "since": since, "never_succeeded": never_succeeded }),
                );
                self.memory.entry(source).or_default().last_warned = Some(Utc::now());
                false
            }
        }
    }

    fn run_one(&mut self, log: &Log, name: &str, reason: &RunReason, stop: &CancelToken) {
        let Some(source) = self.sources.iter().find(|s| s.name == name).cloned() else {
            return;
        };
        match reason {
            RunReason::CatchUp { missed, first, latest } => log.event(
                Some(name),
                "catch_up",
                &format!(
                    "catch-up: {missed} missed run{} ({}{}); running once",
                    if *missed == 1 { "" } else { "s" },
                    stamp(*first),
                    if first == latest { String::new() } else { format!(" to {}", stamp(*latest)) },
                ),
                json!({ "missed": missed, "first": first, "latest": latest }),
            ),
            RunReason::FirstRun => log.event(Some(name), "first_run", "first run", json!({})),
            RunReason::ClockWasWrong { last_run } => log.event(
                Some(name),
                "clock_was_wrong",
                &format!(
                    "its last run is recorded in the future ({}): the clock was wrong; running once to start afresh",
                    stamp(*last_run)
                ),
                json!({ "last_run": last_run }),
            ),
            RunReason::OnTime { .. } | RunReason::RunNow => {}
        }
        self.memory.entry(name.to_owned()).or_default().last_attempt = Some(Utc::now());
        let job = Job::new(Arc::new(NoProgress), stop.clone());
        let result = engine_for(&mut self.engines, &self.secrets, &source.backup_dir)
            .and_then(|engine| engine.run_scheduled(&source, &job));
        log_result(log, name, result);
    }
}

/// The engine of a backup folder, opened on first use.
fn engine_for<'e>(
    engines: &'e mut HashMap<PathBuf, Engine>,
    secrets: &Arc<CliSecret>,
    dir: &Path,
) -> EngineResult<&'e Engine> {
    if !engines.contains_key(dir) {
        let home =
            crate::commands::installation().map_err(|e| keepsake_engine::Error::new(e.code, e.message))?;
        let engine = Engine::open_folder(&home, dir)?.with_secrets(secrets.clone());
        engines.insert(dir.to_path_buf(), engine);
    }
    engines.get(dir).ok_or_else(|| keepsake_engine::Error::new(ErrorCode::Io, "engine cache"))
}

fn scheduled_names(sources: &[Source]) -> Vec<&str> {
    sources.iter().filter(|s| s.is_scheduled()).map(|s| s.name.as_str()).collect()
}

fn summary(sources: &[Source]) -> String {
    let names = scheduled_names(sources);
    let idle = sources.len() - names.len();
    let mut text = match names.len() {
        0 => "nothing scheduled".to_owned(),
        n => format!("{n} source{} scheduled ({})", if n == 1 { "" } else { "s" }, names.join(", ")),
    };
    if idle > 0 {
        text.push_str(&format!(", {idle} paused, disabled or unscheduled"));
    }
    text
}
