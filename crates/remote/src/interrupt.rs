//! Stopping what waits on a server. A remote call blocks its thread on the runtime, and inside
//! it OpenDAL may wait for an answer, a timeout or a retry's back-off for minutes. Stop in the
//! window, Ctrl-C and SIGTERM must end such a wait at once, by waking it, not by a timed poll:
//! [`interrupt`] ends every remote call in flight at that moment (calls started after it are
//! not affected), and each call also has an overall deadline, whatever its retries do.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

static GENERATION: AtomicU64 = AtomicU64::new(0);

fn notify() -> &'static Notify {
    static N: OnceLock<Notify> = OnceLock::new();
    N.get_or_init(Notify::new)
}

/// Ends every remote call waiting now (each fails with `cancelled`). Safe to call from a signal
/// handler's thread (ctrlc runs handlers on a thread of its own) and from any other thread.
pub fn interrupt() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    notify().notify_waiters();
    wake_blocked();
}

/// Threads blocked outside the runtime ([`block_until`]) wait on this.
fn blocked() -> &'static (Mutex<()>, Condvar) {
    static B: OnceLock<(Mutex<()>, Condvar)> = OnceLock::new();
    B.get_or_init(|| (Mutex::new(()), Condvar::new()))
}

/// Wakes every [`block_until`]: its condition may hold now. A producer calls this after making
/// the condition true (an [`interrupt`] calls it too).
pub fn wake_blocked() {
    let (lock, woken) = blocked();
    let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
    woken.notify_all();
}

/// Blocks this thread until `ready` gives a value, [`interrupt`] is called, or `deadline`
/// passes (at most [`AFTER_SHUT_DOWN`] once the process is shutting down). Whoever makes
/// `ready` true calls [`wake_blocked`] after: the wait is woken, never polled.
pub fn block_until<T>(deadline: Duration, mut ready: impl FnMut() -> Option<T>) -> Result<T, Stopped> {
    let started = GENERATION.load(Ordering::SeqCst);
    let deadline = if SHUT_DOWN.load(Ordering::SeqCst) { deadline.min(AFTER_SHUT_DOWN) } else { deadline };
    let end = Instant::now().checked_add(deadline);
    let (lock, woken) = blocked();
    // Checked while holding the lock that a wake takes: a wake between the check and the wait
    // cannot be missed.
    let mut held = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(value) = ready() {
            return Ok(value);
        }
        if GENERATION.load(Ordering::SeqCst) != started {
            return Err(Stopped::Interrupted);
        }
        let left = match end {
            Some(end) => end.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(u64::from(u32::MAX)),
        };
        if left.is_zero() {
            return Err(Stopped::Deadline);
        }
        held = woken.wait_timeout(held, left).unwrap_or_else(PoisonError::into_inner).0;
    }
}

static SHUT_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Most a call may take once the process is shutting down ([`shut_down`]): a call that starts
/// after the signal (it raced the cancel check before it) ends within this, and so does the
/// clean-up of a cut-short upload.
pub const AFTER_SHUT_DOWN: Duration = Duration::from_secs(1);

/// [`interrupt`], for good: the process is stopping (Ctrl-C, SIGTERM), so every call from now
/// on also gets at most [`AFTER_SHUT_DOWN`]. The CLI and the daemon call this; the app, which
/// goes on after a Stop, calls [`interrupt`].
pub fn shut_down() {
    SHUT_DOWN.store(true, Ordering::SeqCst);
    interrupt();
}

/// How many times [`interrupt`] was called so far: work that sees it change since it started
/// was stopped meanwhile (an upload then cleans up in a moment, not at the usual deadline).
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Why a call did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// [`interrupt`] was called while it waited.
    Interrupted,
    /// It ran past its overall deadline.
    Deadline,
}

/// Runs `fut` until it is done, [`interrupt`] is called, or `deadline` passes.
pub async fn interruptible<F: Future>(fut: F, deadline: Duration) -> Result<F::Output, Stopped> {
    let started = GENERATION.load(Ordering::SeqCst);
    let deadline = if SHUT_DOWN.load(Ordering::SeqCst) { deadline.min(AFTER_SHUT_DOWN) } else { deadline };
    let n = notify();
    let interrupted = async {
        loop {
            let woken = n.notified();
            tokio::pin!(woken);
            // Registered before the check, so an interrupt between the two is not missed.
            woken.as_mut().enable();
            if GENERATION.load(Ordering::SeqCst) != started {
                return;
            }
            woken.await;
        }
    };
    tokio::select! {
        out = fut => Ok(out),
        () = interrupted => Err(Stopped::Interrupted),
        () = tokio::time::sleep(deadline) => Err(Stopped::Deadline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests interrupt the whole process: one at a time.
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static ONE: Mutex<()> = Mutex::new(());
        ONE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[test]
    fn a_blocked_thread_is_woken_by_what_it_waits_for_and_by_an_interrupt() {
        let _one = serial();
        // Ready later, from another thread: the wait ends with its value, not at the deadline.
        let slot = std::sync::Arc::new(Mutex::new(None));
        let put = std::sync::Arc::clone(&slot);
        let producer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            *put.lock().unwrap() = Some(7);
            wake_blocked();
        });
        assert_eq!(block_until(Duration::from_secs(600), || slot.lock().unwrap().take()), Ok(7));
        producer.join().unwrap();
        // Never ready: an interrupt from another thread ends the wait (the deadline is far off).
        let interrupter = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            interrupt();
        });
        assert_eq!(block_until(Duration::from_secs(600), || None::<()>), Err(Stopped::Interrupted));
        interrupter.join().unwrap();
        // And with nothing to wake it, the deadline.
        assert_eq!(block_until(Duration::from_millis(50), || None::<()>), Err(Stopped::Deadline));
    }

    #[test]
    fn an_interrupt_ends_a_call_that_waits_and_not_the_next_one() {
        let _one = serial();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let waiting = std::thread::spawn(move || {
            rt.block_on(interruptible(std::future::pending::<()>(), Duration::from_secs(600)))
        });
        std::thread::sleep(Duration::from_millis(200));
        interrupt();
        assert_eq!(waiting.join().unwrap(), Err(Stopped::Interrupted));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        assert_eq!(rt.block_on(interruptible(async { 7 }, Duration::from_secs(5))), Ok(7));
        assert_eq!(
            rt.block_on(interruptible(std::future::pending::<()>(), Duration::from_millis(50))),
            Err(Stopped::Deadline)
        );
    }
}
