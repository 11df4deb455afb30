//! Copies elsewhere in the background, shared by `keepsake daemon` and the desktop app: each
//! pass sends every backup of each source that is not yet at one of its destinations, oldest
//! first (so a destination that was offline for a week catches up in order), and remembers per
//! source and destination since when it fails and when to try again: a failure for a while (no
//! connection, a server error) is retried after 1, 2, 4 ... minutes up to an hour; a refusal
//! that only a person can fix (a wrong key, no such bucket, an untrusted certificate) every six
//! hours. A pass runs on its host's own thread, apart from the scheduler: a copy never delays
//! the next local backup, and it reads the local file without the folder's lock.
//!
//! Once everything is sent, a pass applies the destination's retention to the copies it
//! recorded there (the destination's own rules, else the source's), and reads every copy back
//! whole when the destination's check is due (monthly by default), reporting any copy found
//! changed or missing; such a copy no longer counts: a missing one is sent again, a changed
//! one is left there (reported at each pass) for a person to look at. Backups the
//! destination's rules would delete at once are not sent.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::commands::copy::{CopiesChecked, CopyCheck, CopyRecord};
use crate::destinations::Destination;
use crate::engines::Engines;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result};
use crate::retention::{CleanupPlan, RetentionPolicy};
use crate::seams::Job;
use crate::sources::Sources;
use crate::store::Store;

pub use crate::store::DestinationOpener;

/// How copying to one destination of one source stands, for the window and the log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyStatus {
    /// The source.
    pub source: String,
    /// The destination.
    pub destination: String,
    /// What kind of place it is.
    pub kind: crate::destinations::DestinationKind,
    /// When the newest copy there was made; `None` when none was.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_copied_at: Option<DateTime<Utc>>,
    /// Backups of the source not there yet (after the last pass).
    pub waiting: u32,
    /// Since when every attempt failed; `None` while it works.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub failing_since: Option<DateTime<Utc>>,
    /// The last failure's code, message and reason (`facts.reason`).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub error: Option<CopyProblem>,
    /// When the copies there were last read back whole, and how many were not.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub checked: Option<CopiesChecked>,
}

/// Why copying failed, as data.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyProblem {
    /// The error's code.
    pub code: ErrorCode,
    /// Its message.
    pub message: String,
    /// What to fix (`credentials`, `unreachable` ...), when known.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<Reason>,
}

/// What a pass did, as it happened.
#[derive(Debug)]
pub enum CopyEvent<'a> {
    /// A backup is whole at a destination.
    Copied {
        /// The source.
        source: &'a str,
        /// The record of the copy.
        record: &'a CopyRecord,
    },
    /// Copying to a destination failed; tried again later.
    Failed {
        /// The source.
        source: &'a str,
        /// The destination.
        destination: &'a str,
        /// Why.
        error: &'a Error,
        /// Since when it fails.
        since: DateTime<Utc>,
        /// When it is tried again.
        retry_at: DateTime<Utc>,
    },
    /// A backup was not sent: the destination holds a different file under its name (left alone).
    Skipped {
        /// The source.
        source: &'a str,
        /// The destination.
        destination: &'a str,
        /// Why (`backup_damaged`, `facts.reason` `name_taken`).
        error: &'a Error,
    },
    /// Copies the destination's retention no longer keeps were deleted there.
    Removed {
        /// The source.
        source: &'a str,
        /// The destination.
        destination: &'a str,
        /// What was kept and deleted.
        plan: &'a CleanupPlan,
    },
    /// Every copy at a destination was read back.
    Checked {
        /// The source.
        source: &'a str,
        /// The destination.
        destination: &'a str,
        /// What each copy was found to be.
        checks: &'a [CopyCheck],
    },
}

enum Tended<'a> {
    Removed(&'a CleanupPlan),
    Checked(&'a [CopyCheck]),
}

#[derive(Debug, Default, Clone)]
struct Pair {
    failing_since: Option<DateTime<Utc>>,
    failures: u32,
    next_try: Option<DateTime<Utc>>,
    error: Option<CopyProblem>,
    waiting: u32,
    location: Option<String>,
    /// Backups not sent because the destination holds another file under their name.
    skipped: std::collections::HashSet<String>,
}

/// Copies in the background; see the module's documentation.
pub struct Copier {
    engines: Arc<Engines>,
    opener: Arc<dyn DestinationOpener>,
    pairs: HashMap<(String, String), Pair>,
    /// The key (by when it was made) whose record each destination was given this run.
    published: std::sync::Mutex<HashMap<String, DateTime<Utc>>>,
}

impl std::fmt::Debug for Copier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copier").field("pairs", &self.pairs.len()).finish_non_exhaustive()
    }
}

/// The longest wait after a failure that may pass by itself.
const MAX_BACKOFF: TimeDelta = TimeDelta::hours(1);
/// The wait after a refusal only a person can fix.
const FIX_WAIT: TimeDelta = TimeDelta::hours(6);

fn needs_a_person(e: &Error) -> bool {
    e.code() == ErrorCode::RemoteFailed
        && matches!(
            e.facts().reason,
            Some(Reason::Credentials | Reason::NoBucket | Reason::Certificate | Reason::ClockSkew)
        )
        || e.code() == ErrorCode::InvalidInput
}

/// A destination and its store, opened once for a pass.
#[derive(Clone, Copy)]
struct Target<'a> {
    dest: &'a Destination,
    store: &'a dyn Store,
}

impl Copier {
    /// A copier over the hosts' engines, opening destinations with `opener`.
    pub fn new(engines: Arc<Engines>, opener: Arc<dyn DestinationOpener>) -> Copier {
        Copier { engines, opener, pairs: HashMap::new(), published: std::sync::Mutex::default() }
    }

    /// One pass at `now`: every source with destinations, every destination due. Returns
    /// whether anything was copied. Stops early when `job` is cancelled.
    pub fn pass(
        &mut self,
        sources: &Sources,
        now: DateTime<Utc>,
        job: &Job,
        report: &mut dyn FnMut(CopyEvent<'_>),
    ) -> bool {
        let mut copied_any = false;
        for source in &sources.sources {
            for name in &source.copies_to {
                if job.cancel.is_cancelled() {
                    return copied_any;
                }
                let key = (source.name.clone(), name.clone());
                let pair = self.pairs.entry(key.clone()).or_default();
                if pair.next_try.is_some_and(|t| t > now) {
                    continue;
                }
                let Ok(dest) = sources.destination(name) else { continue };
                let mut copied: Vec<CopyRecord> = Vec::new();
                let rules = dest.retention_for(&source.retention);
                let told_skips = pair.skipped.clone();
                let mut skipped = std::collections::HashSet::new();
                // The destination is opened once for the whole pass (a keyring read and a new
                // client each time for a remote one): the copies, its retention, its check and
                // the count of what waits all go through it.
                let opened = self.opener.open(dest);
                let outcome =
                    opened.as_ref().map(|s| s.as_ref()).map_err(crate::engine::copy).and_then(|store| {
                        let target = Target { dest, store };
                        self.copy_missing(&source.backup_dir, target, rules, job, &mut copied, &mut |r| {
                            match r {
                                Ok(record) => report(CopyEvent::Copied { source: &source.name, record }),
                                Err(error) => {
                                    // Said once, not at every pass.
                                    let id = error.facts().backup_id.clone().unwrap_or_default();
                                    if !told_skips.contains(&id) {
                                        report(CopyEvent::Skipped {
                                            source: &source.name,
                                            destination: name,
                                            error,
                                        });
                                    }
                                    skipped.insert(id);
                                }
                            }
                        })
                        .and_then(|()| {
                            self.tend(&source.backup_dir, target, &source.retention, now, job, &mut |e| {
                                match e {
                                    Tended::Removed(plan) => report(CopyEvent::Removed {
                                        source: &source.name,
                                        destination: name,
                                        plan,
                                    }),
                                    Tended::Checked(checks) => report(CopyEvent::Checked {
                                        source: &source.name,
                                        destination: name,
                                        checks,
                                    }),
                                }
                            })
                        })
                    });
                copied_any |= !copied.is_empty();
                let pair = self.pairs.entry(key).or_default();
                match outcome {
                    Ok(()) => *pair = Pair { skipped, ..Pair::default() },
                    Err(e) if e.code() == ErrorCode::Cancelled => return copied_any,
                    Err(e) => {
                        pair.failures += 1;
                        let since = *pair.failing_since.get_or_insert(now);
                        let wait = if needs_a_person(&e) {
                            FIX_WAIT
                        } else {
                            TimeDelta::minutes(1 << pair.failures.min(6)).min(MAX_BACKOFF)
                        };
                        pair.next_try = Some(now + wait);
                        pair.error = Some(CopyProblem {
                            code: e.code(),
                            message: e.message().to_owned(),
                            reason: e.facts().reason,
                        });
                        report(CopyEvent::Failed {
                            source: &source.name,
                            destination: name,
                            error: &e,
                            since,
                            retry_at: now + wait,
                        });
                    }
                }
                if let Ok(engine) = self.engines.get(&source.backup_dir)
                    && let Ok(store) = &opened
                    && let Ok(m) = engine.copies_wanted(store.location(), rules)
                {
                    let pair = self.pairs.entry((source.name.clone(), name.clone())).or_default();
                    pair.waiting = m.len() as u32;
                    pair.location = Some(store.location().to_owned());
                }
            }
        }
        copied_any
    }

    /// Sends `store` (destination `dest`) the backups of `dir` it should hold and does not.
    fn copy_missing(
        &self,
        dir: &std::path::Path,
        Target { dest, store }: Target<'_>,
        rules: &RetentionPolicy,
        job: &Job,
        copied: &mut Vec<CopyRecord>,
        each: &mut dyn FnMut(std::result::Result<&CopyRecord, &Error>),
    ) -> Result<()> {
        let engine = self.engines.get(dir)?;
        // The current key's record, once per key and destination, also when nothing is to be
        // copied: after a password change or a new kit, what is there opens with the new ones.
        if let Some(made) = self.engines.home().key_status().ok().and_then(|k| k.made_at) {
            let mut published = self.published.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if published.get(store.location()) != Some(&made) && engine.publish_key(store).is_ok() {
                published.insert(store.location().to_owned(), made);
            }
        }
        // An increment's copy brings the records of its chain along: those there before this
        // pass are not said again.
        let before: Vec<CopyRecord> =
            engine.copies()?.into_iter().filter(|c| c.location == store.location()).collect();
        for m in engine.copies_wanted(store.location(), rules)? {
            if copied.iter().any(|c| c.backup_id == m.id) {
                continue;
            }
            match engine.copy_to(&m.id, &dest.name, store, job) {
                Ok(records) => {
                    for r in records {
                        if !before.contains(&r) && !copied.iter().any(|c| c.backup_id == r.backup_id) {
                            each(Ok(&r));
                            copied.push(r);
                        }
                    }
                }
                // Somebody else's file under the backup's name (or a copy changed there): left
                // alone, said, and the other backups still sent.
                Err(e) if e.facts().reason == Some(Reason::NameTaken) => each(Err(&e)),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// After the copies: the destination's retention, then its check when due.
    fn tend(
        &self,
        dir: &std::path::Path,
        Target { dest, store }: Target<'_>,
        source_rules: &RetentionPolicy,
        now: DateTime<Utc>,
        job: &Job,
        each: &mut dyn FnMut(Tended<'_>),
    ) -> Result<()> {
        let engine = self.engines.get(dir)?;
        let rules = dest.retention_for(source_rules);
        if !rules.is_empty() {
            let plan = engine.cleanup_copies(store, rules, job)?;
            if !plan.delete.is_empty() {
                each(Tended::Removed(&plan));
            }
        }
        if let Some(days) = dest.verify_every()
            && engine.copies_due_check(store.location(), days, now)?
        {
            let checks = engine.verify_copies_at(store, job, now)?;
            each(Tended::Checked(&checks));
        }
        Ok(())
    }

    /// Tries every destination at the next pass, whatever its wait (a person pressed "Try
    /// again", or fixed the settings).
    pub fn retry_now(&mut self) {
        for p in self.pairs.values_mut() {
            p.next_try = None;
        }
    }

    /// How each destination of each source stands.
    pub fn status(&self, sources: &Sources) -> Vec<CopyStatus> {
        let mut out = Vec::new();
        for source in &sources.sources {
            let copies = self.engines.get(&source.backup_dir).and_then(|e| e.copies()).unwrap_or_default();
            for name in &source.copies_to {
                let Ok(dest) = sources.destination(name) else { continue };
                let pair = self.pairs.get(&(source.name.clone(), name.clone())).cloned().unwrap_or_default();
                let last = copies.iter().filter(|c| &c.destination == name).map(|c| c.copied_at).max();
                let location = pair
                    .location
                    .clone()
                    .or_else(|| copies.iter().find(|c| &c.destination == name).map(|c| c.location.clone()));
                let checked = location.and_then(|l| {
                    self.engines.get(&source.backup_dir).and_then(|e| e.copies_checked(&l)).ok().flatten()
                });
                out.push(CopyStatus {
                    source: source.name.clone(),
                    destination: name.clone(),
                    kind: dest.kind,
                    last_copied_at: last,
                    waiting: pair.waiting,
                    failing_since: pair.failing_since,
                    error: pair.error,
                    checked,
                });
            }
        }
        out
    }
}
