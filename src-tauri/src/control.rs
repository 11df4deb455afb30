//! How the rest of the app talks to a background thread of its own (the scheduler's, and the
//! copier's run the same way): wake it to look again now, ask it to stop, join it.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, Default)]
struct Flags {
    woken: bool,
    stop: bool,
}

/// How the rest of the app talks to the scheduler thread.
#[derive(Debug, Default)]
pub struct SchedulerControl {
    flags: Mutex<Flags>,
    changed: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SchedulerControl {
    fn flags(&self) -> MutexGuard<'_, Flags> {
        self.flags.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Looks at the schedule again now (the sources or settings changed).
    pub fn wake(&self) {
        self.flags().woken = true;
        self.changed.notify_all();
    }

    /// Waits until woken, stopped or `timeout`; `false` when stopping.
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        let mut flags = self.flags();
        if !flags.woken && !flags.stop {
            flags = match self.changed.wait_timeout(flags, timeout) {
                Ok((f, _)) => f,
                Err(p) => p.into_inner().0,
            };
        }
        flags.woken = false;
        !flags.stop
    }

    pub(crate) fn stopping(&self) -> bool {
        self.flags().stop
    }

    /// Asks the thread to stop after what it is doing (cancel the running job separately).
    pub fn request_stop(&self) {
        self.flags().stop = true;
        self.changed.notify_all();
    }

    /// Waits until woken, stopped or `timeout` (for other threads run the same way, the
    /// copier's); `false` when stopping.
    pub fn wait_for(&self, timeout: Duration) -> bool {
        self.wait(timeout)
    }

    /// The thread to join when stopping.
    pub fn set_thread(&self, h: JoinHandle<()>) {
        *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(h);
    }

    /// Waits for the thread to end.
    pub fn join(&self) {
        let handle = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(h) = handle
            && h.join().is_err()
        {
            tracing::error!("the scheduler thread panicked");
        }
    }
}
