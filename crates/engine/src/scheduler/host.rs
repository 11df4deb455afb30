//! The one scheduler host loop body, shared by `keepsake daemon` and the desktop app: each tick
//! it reads every scheduled source's history, adds what the host remembers, asks [`plan_tick`]
//! what to do, and does it (one run at a time, through [`crate::Engine::run_scheduled`]),
//! telling the host what happened through [`HostHooks`]. The hosts keep only their own
//! concerns: the daemon its log lines and signals, the app its thread, notifications and tray.
//!
//! What the host remembers between ticks matters when the history cannot: a run that could not
//! be recorded (a full disk, a catalog that refuses writes) still counts as this slot's attempt,
//! so the source is tried once per slot, not at every tick; a problem reading the history is
//! reported once a day, not at every tick; an overdue warning at most once a day.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Local, TimeDelta, Utc};

use super::{Action, RunReason, SourceState, next_wake, plan_tick};
use crate::engines::Engines;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{BackupType, Operation, ScheduledRun};
use crate::seams::Job;
use crate::sources::Source;

/// A persisting problem (an unreadable history) is reported again after this long.
const REPEAT_PROBLEM: TimeDelta = TimeDelta::hours(24);

/// What happened at a tick, for the host to log or show.
#[derive(Debug)]
pub enum HostEvent<'a> {
    /// A scheduled run of `source` starts, for `reason`.
    Starting {
        /// The source.
        source: &'a Source,
        /// Why it runs.
        reason: &'a RunReason,
    },
    /// It ended: the run, or why no backup could be made.
    Finished {
        /// The source.
        source: &'a Source,
        /// The run (possibly failed or skipped), or `Err` when no backup could be made.
        result: &'a Result<ScheduledRun>,
    },
    /// It was due while a backup of it was still running: recorded as skipped.
    Skipped {
        /// The source.
        source: &'a Source,
    },
    /// No successful backup for `days` days, since `since`.
    Overdue {
        /// The source.
        source: &'a Source,
        /// Its last success, or its first run when it never succeeded.
        since: DateTime<Utc>,
        /// Whole days since `since`.
        days: u32,
        /// No backup of the source ever succeeded.
        never_succeeded: bool,
    },
    /// Its history could not be read (reported once a day while it lasts).
    HistoryUnreadable {
        /// The source.
        source: &'a Source,
        /// Why the history could not be read.
        error: &'a Error,
    },
}

/// What a host supplies to the loop body.
pub trait HostHooks {
    /// Whether a backup of `source` (by name) is running now, outside this loop.
    fn is_running(&self, _source: &str) -> bool {
        false
    }

    /// Runs `work` as the job of a scheduled run of `source`: with the host's progress and
    /// cancel (the app registers it, so the window shows it and can stop it). `false` when it
    /// could not start (the host is quitting, or the same job already runs).
    fn run_job(&self, source: &Source, work: &mut dyn FnMut(&Job)) -> bool;

    /// Something happened.
    fn report(&self, event: HostEvent<'_>);

    /// The host is stopping: start nothing more.
    fn stopping(&self) -> bool {
        false
    }
}

/// What one tick did, and when to look again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tick {
    /// Some run was attempted (the history changed: look again soon).
    pub ran: bool,
    /// The next time something is due, if anything is scheduled.
    pub next: Option<DateTime<Local>>,
}

#[derive(Debug, Default)]
struct Memory {
    /// When this host last started a run of the source.
    last_attempt: Option<DateTime<Utc>>,
    last_warned: Option<DateTime<Utc>>,
    /// The last problem reported about the source, and when.
    problem: Option<(String, DateTime<Utc>)>,
}

/// The scheduler host: its engines and its memory of each source.
#[derive(Debug)]
pub struct Host {
    engines: Arc<Engines>,
    memory: HashMap<String, Memory>,
}

impl Host {
    /// A host working on the engines of `engines` (shared with the host's other uses).
    pub fn new(engines: Arc<Engines>) -> Host {
        Host { engines, memory: HashMap::new() }
    }

    /// One look at the schedule at `now`: runs what is due (and what `run_now` names), records
    /// skips, raises overdue warnings; returns when to look again.
    pub fn tick(
        &mut self,
        sources: &[Source],
        run_now: &HashSet<String>,
        now: DateTime<Local>,
        hooks: &dyn HostHooks,
    ) -> Tick {
        let scheduled: Vec<&Source> =
            sources.iter().filter(|s| s.is_scheduled() || run_now.contains(&s.name)).collect();
        let states: Vec<SourceState> = scheduled.iter().map(|s| self.state(s, run_now, hooks)).collect();
        let actions = plan_tick(scheduled.iter().copied().zip(&states), &now);
        let mut ran = false;
        for action in actions {
            if hooks.stopping() {
                break;
            }
            match action {
                Action::Run { source, reason } => {
                    if let Some(s) = scheduled.iter().find(|s| s.name == source) {
                        self.run(s, &reason, hooks);
                        ran = true;
                    }
                }
                Action::Skip { source, .. } => {
                    if let Some(s) = scheduled.iter().find(|s| s.name == source) {
                        if let Ok(engine) = self.engines.get(&s.backup_dir) {
                            let why =
                                Error::new(ErrorCode::Busy, "a backup of this database was still running");
                            engine.record_skipped(
                                Operation::Backup,
                                Some(BackupType::Scheduled),
                                Some(&s.database),
                                &why,
                            );
                        }
                        hooks.report(HostEvent::Skipped { source: s });
                    }
                }
                Action::Warn { source, since, days, never_succeeded } => {
                    self.memory.entry(source.clone()).or_default().last_warned = Some(Utc::now());
                    if let Some(s) = scheduled.iter().find(|s| s.name == source) {
                        hooks.report(HostEvent::Overdue { source: s, since, days, never_succeeded });
                    }
                }
            }
        }
        Tick { ran, next: next_wake(scheduled.iter().copied().zip(&states), &now) }
    }

    /// A source's state: its history, and what this host remembers.
    fn state(&mut self, source: &Source, run_now: &HashSet<String>, hooks: &dyn HostHooks) -> SourceState {
        let history = self.engines.get(&source.backup_dir).and_then(|e| e.source_history(&source.database));
        let mem = self.memory.entry(source.name.clone()).or_default();
        let mut state = match history {
            Ok(h) => {
                mem.problem = None;
                SourceState::from_history(&h)
            }
            Err(e) => {
                let now = Utc::now();
                let seen = mem
                    .problem
                    .as_ref()
                    .is_some_and(|(m, at)| m == e.message() && now - *at < REPEAT_PROBLEM);
                if !seen {
                    mem.problem = Some((e.message().to_owned(), now));
                    hooks.report(HostEvent::HistoryUnreadable { source, error: &e });
                }
                SourceState::default()
            }
        };
        let mem = self.memory.entry(source.name.clone()).or_default();
        state.last_attempt = state.last_attempt.max(mem.last_attempt);
        state.last_warned = mem.last_warned;
        state.running = hooks.is_running(&source.name);
        state.run_now = run_now.contains(&source.name);
        state
    }

    fn run(&mut self, source: &Source, reason: &RunReason, hooks: &dyn HostHooks) {
        // Remembered before the run: if it cannot even be recorded, this slot still counts.
        self.memory.entry(source.name.clone()).or_default().last_attempt = Some(Utc::now());
        hooks.report(HostEvent::Starting { source, reason });
        let mut result = None;
        let started = hooks.run_job(source, &mut |job| {
            result = Some(
                self.engines.get(&source.backup_dir).and_then(|engine| engine.run_scheduled(source, job)),
            );
        });
        if !started {
            return;
        }
        let result = result
            .unwrap_or_else(|| Err(Error::new(ErrorCode::Cancelled, "the scheduled run did not start")));
        hooks.report(HostEvent::Finished { source, result: &result });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Mutex;

    use super::*;
    use crate::installation::Installation;
    use crate::seams::NoSecret;

    #[derive(Default)]
    struct Recorder {
        events: Mutex<Vec<String>>,
    }

    impl HostHooks for Recorder {
        fn run_job(&self, _source: &Source, work: &mut dyn FnMut(&Job)) -> bool {
            work(&Job::default());
            true
        }

        fn report(&self, event: HostEvent<'_>) {
            let line = match event {
                HostEvent::Starting { .. } => "starting".to_owned(),
                HostEvent::Finished { result, .. } => match result {
                    Ok(run) => format!("finished {:?}", run.status),
                    Err(e) => format!("failed {}", e.code()),
                },
                HostEvent::Skipped { .. } => "skipped".to_owned(),
                HostEvent::Overdue { .. } => "overdue".to_owned(),
                HostEvent::HistoryUnreadable { .. } => "unreadable".to_owned(),
            };
            self.events.lock().unwrap().push(line);
        }
    }

    /// A catalog that refuses every write (as on a full disk): the source is tried once in its
    /// slot, not at every tick, and the failure is reported once.
    #[test]
    fn a_catalog_that_refuses_writes_gives_one_attempt_per_slot() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let home = Installation::open(dir.path().join("home")).unwrap();
        let engines = Arc::new(Engines::new(home.clone(), Arc::new(NoSecret)));
        let mut source = Source::new("app", &db, dir.path().join("backups"));
        source.encrypt = false;
        source.schedule = Some(crate::schedule::Schedule::parse("daily 02:00").unwrap());
        // Open the folder once, then make the catalog refuse writes: another connection holds
        // its write lock, so every insert waits out its busy timeout and fails.
        engines.get(&source.backup_dir).unwrap();
        let holder = rusqlite::Connection::open(home.catalog_path()).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        let hooks = Recorder::default();
        let mut host = Host::new(engines);
        let now = Local::now();
        for i in 0..3 {
            let tick = host.tick(
                std::slice::from_ref(&source),
                &HashSet::new(),
                now + TimeDelta::seconds(i),
                &hooks,
            );
            assert!(tick.next.is_some());
        }
        drop(holder);
        let events = hooks.events.lock().unwrap().clone();
        assert_eq!(events.iter().filter(|e| *e == "starting").count(), 1, "{events:?}");
        assert_eq!(events.iter().filter(|e| e.starts_with("failed")).count(), 1, "{events:?}");
    }
}
