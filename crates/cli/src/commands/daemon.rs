//! `keepsake daemon`: the scheduler in the foreground, for servers, systemd and tests. The loop
//! body is the engine's scheduler host (`scheduler::host`, shared with the desktop app): each
//! tick re-reads the sources file and each source's history, runs what is due one at a time
//! through `Engine::run_scheduled` (the verb of `keepsake run`), and says what it does here, as
//! log lines; then the loop sleeps until the next run time, but at most 30 s, so an edited
//! sources file, a changed clock or a sleep of the machine is noticed (a wall-clock jump
//! against `Instant` is logged).
//!
//! One line per event on stdout, starting with the local time (JSON Lines under `--json`);
//! only a failure to start goes to stderr, as `error:`/`hint:`. SIGTERM or Ctrl-C cancels a
//! running backup (the engine removes its partial file; the cancelled run is caught up at the
//! next start), ends a copy's call to a server in flight, and exits 0: the signal wakes every
//! waiting thread (the scheduler's sleep, the copier's wait, a remote call), none is polled.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::{Local, Utc};
use keepsake_engine::CopyState;
use keepsake_engine::Engines;
use keepsake_engine::schedule::{SchedulerState, sleep_for};
use keepsake_engine::scheduler::RunReason;
use keepsake_engine::scheduler::copies::{Copier, CopyEvent};
use keepsake_engine::scheduler::copy_host::{self, CopyHooks, PassEnd};
use keepsake_engine::scheduler::host::{Host, HostEvent, HostHooks};
use keepsake_engine::seams::{CancelToken, Job, NoProgress};
use keepsake_engine::sources::{EmailSettings, Source, Sources};
use keepsake_engine::space::SpaceTold;

mod log;
use serde_json::json;

use self::log::{Log, jumped, log_result, stamp};
use crate::error::{CliResult, EXIT_OK};
use crate::output::Output;
use crate::secret::CliSecret;
use crate::sources::SourcesFile;
use crate::secret::SecretSettings;
use super::Verb;
use crate::config::{Config, unknown_source};
use crate::error::CliError;
use clap::Args;

/// The longest sleep between two ticks.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// The shortest, so a plan that keeps saying "now" cannot spin.
const MIN_WAIT: Duration = Duration::from_millis(50);

/// Run the sources' schedules in the foreground, logging one line per event
#[derive(Debug, Args)]
#[command(after_help = "Runs every enabled, unpaused source with a schedule (or only those \
    given with --source), one backup at a time, and catches up missed runs once. Re-reads \
    the sources file, so `keepsake source set/pause/resume` take effect while it runs. \
    Stops cleanly on SIGTERM or Ctrl-C (a running backup is cancelled; nothing partial is \
    kept) and exits 0. The password comes from BACKUP_ENCRYPTION_PASSWORD or \
    --password-file; the daemon never prompts.\n\n\
    Examples:\n  keepsake daemon\n  keepsake daemon --source astro --json")]
pub struct Daemon {}

impl Verb for Daemon {
    /// The names given with `--source` must exist now (a typo should not wait silently). Never
    /// a prompt: nobody is there to answer it at 02:00.
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let g = &cfg.global;
        if g.db.is_some() || g.backup_dir.is_some() {
            return Err(CliError::invalid(
                "the daemon runs sources, not --db/--backup-dir",
                "Add the database as a source (`keepsake source add NAME --db PATH --schedule ...`), \
                 or set DATABASE_URL and BACKUP_SCHEDULE for the `default` source.",
            ));
        }
        let file = cfg.sources_file()?;
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
        run(file, g.source.clone(), cfg.secret(false, false), &cfg.out)
    }
}

fn run(file: SourcesFile, only: Vec<String>, secret: SecretSettings, out: &Output) -> CliResult<u8> {
    let no_password = secret.file.is_none() && secret.env.is_none();
    let stop = CancelToken::new();
    let (wake, woken) = mpsc::channel();
    // The copier is woken after each backup, and by the stop signal like the scheduler.
    let (copy_wake, copy_woken) = mpsc::channel::<()>();
    let handled = crate::interrupt::watch_stop(stop.clone(), vec![wake, copy_wake.clone()]);
    let log = Log { out };
    let sources = file.load()?;
    let engines = Arc::new(Engines::new(crate::commands::installation()?, Arc::new(CliSecret::new(secret))));
    let mut d = Running { sources: selected(sources, &only), file, only, load_error: None };
    d.started(&log, no_password, handled);

    let hooks =
        Hooks { log: &log, stop: &stop, copy_wake, file: &d.file.clone(), space_told: Default::default() };
    let mut host = Host::new(engines.clone());
    let reporting = engines.clone();
    std::thread::scope(|scope| {
        // Copies elsewhere on their own thread: an upload never delays the next backup.
        let copier_log = Log { out };
        let (copier_stop, copier_file, copier_only) = (stop.clone(), d.file.clone(), d.only.clone());
        scope.spawn(move || {
            let mut copier = Copier::new(engines, Arc::new(keepsake_remote::SavedSecrets));
            let hooks = DaemonCopies {
                log: &copier_log,
                file: &copier_file,
                only: &copier_only,
                stop: &copier_stop,
                woken: &copy_woken,
            };
            copy_host::run(&mut copier, &hooks);
        });
        schedule_loop(&mut d, &mut host, &hooks, &reporting, &woken);
    });
    log.event(None, "stopped", "stopped", json!({}));
    Ok(EXIT_OK)
}

/// The daemon's side of the copier's loop: log lines, and the sources file read again at
/// each pass.
struct DaemonCopies<'a> {
    log: &'a Log<'a>,
    file: &'a SourcesFile,
    only: &'a [String],
    stop: &'a CancelToken,
    woken: &'a mpsc::Receiver<()>,
}

impl CopyHooks for DaemonCopies<'_> {
    fn sources(&self) -> Option<Sources> {
        let mut sources = self.file.load().ok()?;
        sources.sources.retain(|s| self.only.is_empty() || self.only.contains(&s.name));
        Some(sources)
    }

    fn next_pass(&self) -> Option<Job> {
        (!self.stop.is_cancelled()).then(|| Job::new(Arc::new(NoProgress), self.stop.clone()))
    }

    fn event(&self, e: CopyEvent<'_>) {
        copy_event(self.log, e);
    }

    fn passed(&self, pass: &PassEnd) {
        for f in &pass.failing_long {
            self.log.event(
                Some(&f.source),
                "copy_failing_long",
                &format!("warning: copying to {} has failed since {}", f.destination, stamp(f.since)),
                json!({ "destination": f.destination, "since": f.since }),
            );
        }
    }

    /// Woken after a backup, by the stop signal, or after `timeout`.
    fn wait(&self, timeout: Duration) -> bool {
        !matches!(self.woken.recv_timeout(timeout), Err(RecvTimeoutError::Disconnected))
            && !self.stop.is_cancelled()
    }
}

fn copy_event(log: &Log, e: CopyEvent<'_>) {
    match e {
        CopyEvent::Copied { source, record } => log.event(
            Some(source),
            "copied",
            &format!(
                "copied {} to {} ({} bytes, checked)",
                record.backup_id, record.destination, record.size
            ),
            json!({ "backup_id": record.backup_id, "destination": record.destination, "size": record.size }),
        ),
        CopyEvent::Failed { source, destination, error, since, retry_at } => log.event(
            Some(source),
            "copy_failed",
            &format!(
                "warning: cannot copy to {destination} (failing since {}): {}: {}; trying again at {}",
                stamp(since),
                error.code(),
                error.message(),
                stamp(retry_at)
            ),
            json!({
                "destination": destination,
                "error_code": error.code(),
                "reason": error.facts().reason,
                "message": error.message(),
                "since": since,
                "retry_at": retry_at,
            }),
        ),
        CopyEvent::Skipped { source, destination, error } => log.event(
            Some(source),
            "copy_skipped",
            &format!("warning: not copied to {destination}: {}", error.message()),
            json!({
                "destination": destination,
                "backup_id": error.facts().backup_id,
                "error_code": error.code(),
                "reason": error.facts().reason,
                "message": error.message(),
            }),
        ),
        CopyEvent::Removed { source, destination, plan } => {
            let ids: Vec<&str> = plan.delete.iter().map(|e| e.id.as_str()).collect();
            log.event(
                Some(source),
                "copies_removed",
                &format!(
                    "deleted {} cop{} at {destination} by its retention ({} kept): {}",
                    ids.len(),
                    if ids.len() == 1 { "y" } else { "ies" },
                    plan.keep.len(),
                    ids.join(", ")
                ),
                json!({ "destination": destination, "deleted": ids, "kept": plan.keep.len() }),
            )
        }
        CopyEvent::Checked { source, destination, checks } => {
            let bad: Vec<_> = checks.iter().filter(|c| c.state != CopyState::Whole).collect();
            let text = if bad.is_empty() {
                format!("read back all {} copies at {destination}: whole", checks.len())
            } else {
                format!(
                    "warning: {} of {} copies at {destination} are missing or changed: {}",
                    bad.len(),
                    checks.len(),
                    bad.iter()
                        .map(|c| format!("{} {:?}", c.backup_id, c.state))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            log.event(
                Some(source),
                "copies_checked",
                &text,
                json!({ "destination": destination, "checks": checks }),
            )
        }
    }
}

/// Ticks the scheduler host until the stop (`hooks.stop`), sleeping until the next run is due
/// or a signal wakes it; sends the weekly summary when a week has passed.
fn schedule_loop(
    d: &mut Running,
    host: &mut Host,
    hooks: &Hooks<'_>,
    engines: &Engines,
    woken: &mpsc::Receiver<()>,
) {
    let (log, stop) = (hooks.log, hooks.stop);
    let mut clock = SchedulerState::new(Utc::now());
    let mut last_tick = Instant::now();
    while !stop.is_cancelled() {
        let now = Local::now();
        if let Some(jump) = clock.tick(now.with_timezone(&Utc), last_tick.elapsed()) {
            jumped(log, jump);
        }
        last_tick = Instant::now();
        d.reload(log);
        // The weekly summary by e-mail, when set up and a week has passed.
        if let Ok(all) = d.file.load()
            && let Some((subject, body)) = super::report::weekly_due(&all, engines)
        {
            let sent = hooks.mail(None, |e| e.weekly, &subject, &body);
            super::report::weekly_sent(engines, sent);
        }
        let tick = host.tick(&d.sources, &HashSet::new(), now, hooks);
        if tick.ran {
            // Runs take time and change the history: decide again before sleeping.
            continue;
        }
        let wait = sleep_for(tick.next.as_ref(), &Local::now(), MAX_WAIT).max(MIN_WAIT);
        if let Err(RecvTimeoutError::Disconnected) = woken.recv_timeout(wait) {
            // No signal handler (it could not be installed): wait on the stop token alone.
            stop.wait_timeout(wait);
        }
    }
}

/// The daemon's side of the scheduler host: log lines, e-mail, and the stop signal as the
/// jobs' cancel.
struct Hooks<'a> {
    log: &'a Log<'a>,
    stop: &'a CancelToken,
    /// Wakes the copier after a backup.
    copy_wake: mpsc::Sender<()>,
    /// The sources file, for its `[email]` settings.
    file: &'a SourcesFile,
    /// What the log already said about each source's backup disk (said again only when worse).
    space_told: std::sync::Mutex<SpaceTold>,
}

impl Hooks<'_> {
    /// Sends a message to the `[email]` address, when set up and `wanted`; says so in the log.
    fn mail(
        &self,
        source: Option<&str>,
        wanted: fn(&EmailSettings) -> bool,
        subject: &str,
        body: &str,
    ) -> bool {
        let Some(settings) = self.file.load().ok().and_then(|s| s.email).filter(wanted) else { return false };
        match crate::mail::send(&settings, subject, body) {
            Ok(()) => {
                self.log.event(
                    source,
                    "emailed",
                    &format!("e-mailed {:?} to {}", subject, settings.to),
                    json!({ "subject": subject, "to": settings.to }),
                );
                true
            }
            Err(why) => {
                self.log.event(
                    source,
                    "email_failed",
                    &format!("warning: the e-mail {subject:?} was not sent: {why}"),
                    json!({ "subject": subject, "error": why }),
                );
                false
            }
        }
    }
}

impl HostHooks for Hooks<'_> {
    fn run_job(&self, _source: &Source, work: &mut dyn FnMut(&Job)) -> bool {
        work(&Job::new(Arc::new(NoProgress), self.stop.clone()));
        true
    }

    fn stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    fn report(&self, event: HostEvent<'_>) {
        let log = self.log;
        match event {
            HostEvent::Starting { source, reason } => starting(log, &source.name, reason),
            HostEvent::Finished { source, result } => {
                log_result(log, &source.name, result);
                if let Some((subject, body)) = super::report::failure(source, result) {
                    self.mail(Some(&source.name), |e| e.failures, &subject, &body);
                }
                // The room for the next backup, from the run's own answer: a warning line when
                // the disk is low or full, once each time it gets worse.
                if let Ok(run) = result
                    && let Some(check) = &run.space
                    && self.space_told.lock().unwrap_or_else(std::sync::PoisonError::into_inner).worse(&source.name, check.state)
                {
                    log.event(
                        Some(&source.name),
                        "warning",
                        &format!("warning: {}", super::space::words(check, "the next backup")),
                        json!({ "warning": "low_space", "space": check }),
                    );
                }
                if !source.copies_to.is_empty() {
                    let _ = self.copy_wake.send(());
                }
            }
            HostEvent::Skipped { source } => {
                log.event(Some(&source.name), "skipped", "skipped: a backup of it is still running", json!({}))
            }
            HostEvent::Overdue { source, since, days, never_succeeded } => {
                let text = if never_succeeded {
                    format!(
                        "warning: no successful backup for {days} day(s): none since its first run on {}",
                        stamp(since)
                    )
                } else {
                    format!("warning: no successful backup for {days} day(s), since {}", stamp(since))
                };
                log.event(
                    Some(&source.name),
                    "warning",
                    &text,
                    json!({ "warning": "overdue", "days": days, "since": since, "never_succeeded": never_succeeded }),
                );
            }
            HostEvent::HistoryUnreadable { source, error: e } => log.event(
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
            ),
        }
    }
}

/// Why a run starts, when that is worth a line (a catch-up, a first run, a wrong clock).
fn starting(log: &Log, name: &str, reason: &RunReason) {
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
}

struct Running {
    file: SourcesFile,
    /// `--source` names; empty for every source.
    only: Vec<String>,
    /// The sources this daemon runs, as last read.
    sources: Vec<Source>,
    /// The last error reading the sources file, to log each one once.
    load_error: Option<String>,
}

fn selected(sources: Sources, only: &[String]) -> Vec<Source> {
    sources.sources.into_iter().filter(|s| only.is_empty() || only.contains(&s.name)).collect()
}

impl Running {
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

#[cfg(test)]
mod verb_tests {
    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;
    use crate::config::testing::with_sources;

    #[test]
    fn the_daemon_checks_its_source_names_before_it_starts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let (cfg, command) = parse(&["--sources", &file, "daemon", "--source", "nope"], &[]).expect("parses");
        let Command::Daemon(daemon) = command else { panic!("not daemon") };
        let e = daemon.run(&cfg).expect_err("unknown source");
        assert!(e.message.contains("\"nope\""), "{}", e.message);
    }
}
