//! The copier's loop, one for every host (`keepsake daemon`, the desktop app): a pass after
//! each backup (the host wakes it) and every minute, each destination at its own pace after a
//! failure ([`super::copies`]); after each pass, how each destination stands and which have
//! failed for longer than their alert time, each told once until it works again. The host
//! supplies the sources, the waiting and where the events go ([`CopyHooks`]), and decides how
//! to tell (a log line, a notification).

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::copies::{Copier, CopyEvent, CopyStatus};
use crate::seams::Job;
use crate::sources::Sources;

/// How often the copier looks for backups to send when nothing wakes it.
pub const COPY_EVERY: Duration = Duration::from_secs(60);

/// What a host gives the copier's loop.
pub trait CopyHooks {
    /// The sources to copy now; `None` when they cannot be read (no pass this time).
    fn sources(&self) -> Option<Sources>;
    /// The job of the next pass (its progress and its cancel), or `None` to stop the loop.
    fn next_pass(&self) -> Option<Job>;
    /// Copying is held ("Stop copying"): the pass is skipped, the status still published.
    fn held(&self) -> bool {
        false
    }
    /// A person asked to try every destination again now.
    fn retry_asked(&self) -> bool {
        false
    }
    /// One thing a pass did.
    fn event(&self, event: CopyEvent<'_>);
    /// After each pass.
    fn passed(&self, pass: &PassEnd);
    /// Waits until woken or `timeout`; `false` when stopping.
    fn wait(&self, timeout: Duration) -> bool;
}

/// What a pass ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassEnd {
    /// How each destination of each source stands.
    pub status: Vec<CopyStatus>,
    /// Whether anything was copied.
    pub copied: bool,
    /// The destinations failing for longer than their alert time, not told before.
    pub failing_long: Vec<FailingLong>,
}

/// Copying a source to a destination has failed for longer than the destination's alert time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingLong {
    /// The source.
    pub source: String,
    /// The destination.
    pub destination: String,
    /// Since when every attempt failed.
    pub since: DateTime<Utc>,
}

/// Runs passes until the host stops the loop.
pub fn run(copier: &mut Copier, hooks: &dyn CopyHooks) {
    let mut told = FailingTold::default();
    loop {
        if hooks.retry_asked() {
            copier.retry_now();
        }
        let Some(job) = hooks.next_pass() else { break };
        if let Some(sources) = hooks.sources() {
            let copied = !hooks.held() && copier.pass(&sources, Utc::now(), &job, &mut |e| hooks.event(e));
            let status = copier.status(&sources);
            let after = |name: &str| sources.destination(name).ok().and_then(|d| d.alert_after());
            let failing_long = told.due(&status, Utc::now(), &after);
            hooks.passed(&PassEnd { status, copied, failing_long });
        }
        if !hooks.wait(COPY_EVERY) {
            break;
        }
    }
}

/// The destinations told as failing for long, each until it works again.
#[derive(Debug, Default)]
pub struct FailingTold(HashSet<(String, String)>);

impl FailingTold {
    /// The destinations failing at `now` for longer than their `after` hours (`None`: never
    /// told) that were not told yet (each once, until it works again).
    pub fn due(
        &mut self,
        status: &[CopyStatus],
        now: DateTime<Utc>,
        after: &dyn Fn(&str) -> Option<u32>,
    ) -> Vec<FailingLong> {
        let mut due = Vec::new();
        for s in status {
            let key = (s.source.clone(), s.destination.clone());
            let long = |since: DateTime<Utc>| {
                after(&s.destination).is_some_and(|h| now - since >= TimeDelta::hours(i64::from(h)))
            };
            match s.failing_since {
                Some(since) if long(since) && self.0.insert(key.clone()) => {
                    due.push(FailingLong { source: key.0, destination: key.1, since });
                }
                None => {
                    self.0.remove(&key);
                }
                _ => {}
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destinations::DestinationKind;

    fn failing(since: Option<DateTime<Utc>>) -> CopyStatus {
        CopyStatus {
            source: "notes".into(),
            destination: "b2".into(),
            kind: DestinationKind::S3,
            last_copied_at: None,
            waiting: 1,
            failing_since: since,
            error: None,
            checked: None,
        }
    }

    #[test]
    fn a_destination_failing_for_a_day_is_told_once_until_it_works_again() {
        let now = Utc::now();
        let mut told = FailingTold::default();
        let day = |_: &str| Some(24);
        let fresh = [failing(Some(now - TimeDelta::hours(23)))];
        assert!(told.due(&fresh, now, &day).is_empty(), "under 24 hours: not yet");
        let long = [failing(Some(now - TimeDelta::hours(25)))];
        assert_eq!(told.due(&long, now, &day).len(), 1);
        assert!(told.due(&long, now, &day).is_empty(), "told once");
        assert!(told.due(&[failing(None)], now, &day).is_empty(), "it works again");
        assert_eq!(told.due(&long, now, &day).len(), 1, "failing again: told again");
        // The destination's own time, and never when it says 0.
        let mut told = FailingTold::default();
        assert_eq!(told.due(&fresh, now, &|_| Some(2)).len(), 1, "after 2 hours");
        let mut told = FailingTold::default();
        assert!(told.due(&long, now, &|_| None).is_empty(), "never");
    }
}
