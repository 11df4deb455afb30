//! A cancel token wakes a thread that waits on it: a host's loop between copy passes, or a
//! back-off before trying a destination again, ends as soon as Stop, Ctrl-C or SIGTERM cancels
//! it, not when its wait runs out or at its next poll.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use keepsake_engine::seams::CancelToken;

#[test]
fn a_wait_on_a_cancel_token_ends_when_a_clone_is_cancelled() {
    let token = CancelToken::new();
    let waiter = token.clone();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        // As long as the copier's wait before a failing destination is tried again.
        let cancelled = waiter.wait_timeout(Duration::from_secs(6 * 3600));
        let _ = done.send(cancelled);
    });
    std::thread::sleep(Duration::from_millis(200));
    token.cancel();
    let cancelled =
        finished.recv_timeout(Duration::from_secs(10)).expect("the wait ended within 10 s of cancel");
    assert!(cancelled, "the wait says it was cancelled");
}

#[test]
fn a_wait_on_a_token_nobody_cancels_lasts_its_timeout_and_an_early_cancel_is_not_missed() {
    let token = CancelToken::new();
    let started = Instant::now();
    assert!(!token.wait_timeout(Duration::from_millis(150)), "not cancelled");
    assert!(started.elapsed() >= Duration::from_millis(150), "it waited its whole timeout");
    assert!(!token.wait_timeout(Duration::ZERO));
    // Cancelled before anyone waits: the wait does not start at all.
    token.cancel();
    let (done, finished) = mpsc::channel();
    let waiter = token.clone();
    std::thread::spawn(move || {
        let _ = done.send(waiter.wait_timeout(Duration::MAX));
    });
    assert_eq!(finished.recv_timeout(Duration::from_secs(10)), Ok(true));
}
