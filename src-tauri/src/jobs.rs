//! Running operations (backups, verifications, restores), each under an id chosen by the window
//! (or `scheduled:<source>` for the scheduler's runs): their cancel tokens, their progress
//! streamed to the window as `job-progress` events, and a wait for all of them at quit.
//!
//! Stop also ends the calls to a server in flight (`keepsake_remote::interrupt`): a job reading
//! a copy elsewhere may wait inside one for minutes (a server that does not answer, a retry's
//! back-off) and would see its cancel only after. The interrupt is for every call at that
//! moment, so another job's or the copier's call fails too; the copier takes that as a
//! cancelled pass (nothing counts as failing) and tries again at its next pass.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use keepsake_engine::{CancelToken, Job, Phase, Progress};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::error::{IpcError, IpcResult};

/// Event with the progress of a job.
pub const JOB_PROGRESS: &str = "job-progress";
/// At most this many progress events per second per job (plus the first and last of a phase).
const EVENT_INTERVAL: Duration = Duration::from_millis(100);

/// The `job-progress` payload.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct JobProgress {
    /// The job.
    pub job_id: String,
    /// What it is doing now.
    pub phase: Phase,
    /// Units done so far.
    pub done: u64,
    /// Units in all (0 when not known yet).
    pub total: u64,
}

#[derive(Debug, Default)]
struct Inner {
    running: HashMap<String, CancelToken>,
    closing: bool,
}

/// The running jobs.
#[derive(Debug, Default)]
pub struct Jobs {
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl Jobs {
    /// Registers job `id`; the job ends when the guard is dropped.
    pub fn start(self: &Arc<Self>, id: &str, progress: Arc<dyn Progress>) -> IpcResult<JobGuard> {
        let mut inner = self.lock();
        if inner.closing {
            return Err(IpcError::from(keepsake_engine::Error::new(
                keepsake_engine::ErrorCode::Cancelled,
                "Keepsake is quitting",
            )));
        }
        if id.is_empty() || inner.running.contains_key(id) {
            return Err(IpcError::invalid(format!("job id {id:?} is empty or already running")));
        }
        let cancel = CancelToken::new();
        inner.running.insert(id.to_owned(), cancel.clone());
        Ok(JobGuard { jobs: Arc::clone(self), id: id.to_owned(), job: Job::new(progress, cancel) })
    }

    /// Asks job `id` to stop, waking it out of a call to a server; `false` when no such job
    /// runs.
    pub fn cancel(&self, id: &str) -> bool {
        let found = self.lock().running.get(id).map(CancelToken::cancel).is_some();
        if found {
            // After the flag: the call that ends sees its job cancelled.
            keepsake_remote::interrupt();
        }
        found
    }

    /// Whether job `id` is running.
    pub fn is_running(&self, id: &str) -> bool {
        self.lock().running.contains_key(id)
    }

    /// Whether any job is running (the tray shows it busy).
    pub fn any_running(&self) -> bool {
        !self.lock().running.is_empty()
    }

    /// Refuses new jobs, cancels the running ones (ending their calls to a server) and waits (at
    /// most `timeout`) until they end.
    pub fn close(&self, timeout: Duration) -> bool {
        let mut inner = self.lock();
        inner.closing = true;
        inner.running.values().for_each(CancelToken::cancel);
        keepsake_remote::interrupt();
        let deadline = Instant::now() + timeout;
        while !inner.running.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            inner = match self.changed.wait_timeout(inner, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A registered job; unregisters it when dropped.
#[derive(Debug)]
pub struct JobGuard {
    jobs: Arc<Jobs>,
    id: String,
    /// The job's progress and cancel, for the engine.
    pub job: Job,
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        self.jobs.lock().running.remove(&self.id);
        self.jobs.changed.notify_all();
    }
}

/// Progress sent to the window as `job-progress` events, throttled.
pub struct EventProgress<R: Runtime> {
    app: AppHandle<R>,
    job_id: String,
    last: Mutex<Option<(Phase, Instant)>>,
}

impl<R: Runtime> std::fmt::Debug for EventProgress<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventProgress").field("job_id", &self.job_id).finish_non_exhaustive()
    }
}

impl<R: Runtime> EventProgress<R> {
    /// Progress of job `job_id`, sent to the window as events.
    pub fn new(app: AppHandle<R>, job_id: &str) -> Arc<Self> {
        Arc::new(EventProgress { app, job_id: job_id.to_owned(), last: Mutex::new(None) })
    }
}

impl<R: Runtime> Progress for EventProgress<R> {
    fn update(&self, phase: Phase, done: u64, total: u64) {
        {
            let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let due = match *last {
                Some((p, at)) => p != phase || done >= total || at.elapsed() >= EVENT_INTERVAL,
                None => true,
            };
            if !due {
                return;
            }
            *last = Some((phase, Instant::now()));
        }
        let payload = JobProgress { job_id: self.job_id.clone(), phase, done, total };
        if let Err(e) = self.app.emit(JOB_PROGRESS, payload) {
            tracing::debug!("cannot emit progress: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_engine::{ErrorCode, NoProgress};

    #[test]
    fn a_job_id_runs_once_and_close_cancels_and_waits() {
        let jobs = Arc::new(Jobs::default());
        let g = jobs.start("a", Arc::new(NoProgress)).unwrap();
        assert_eq!(
            jobs.start("a", Arc::new(NoProgress)).unwrap_err().engine_code(),
            Some(ErrorCode::InvalidInput)
        );
        assert!(jobs.cancel("a") && !jobs.cancel("b"));
        assert!(g.job.cancel.is_cancelled());
        let g2 = jobs.start("b", Arc::new(NoProgress)).unwrap();
        let cancel = g2.job.cancel.clone();
        let t = std::thread::spawn(move || {
            while !cancel.is_cancelled() {
                std::thread::sleep(Duration::from_millis(5));
            }
            drop(g2);
        });
        drop(g);
        assert!(jobs.close(Duration::from_secs(5)));
        t.join().unwrap();
        assert!(!jobs.any_running());
        assert_eq!(
            jobs.start("c", Arc::new(NoProgress)).unwrap_err().engine_code(),
            Some(ErrorCode::Cancelled)
        );
    }
}
