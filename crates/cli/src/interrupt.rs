//! Ctrl-C: the first one asks the running operation to stop cleanly (the engine then removes
//! its partial files and exits with `cancelled`); a second one, or one while the CLI waits for
//! a person to type, quits at once, because a blocked read would never notice the request. The
//! daemon has its own handler (`watch_stop`): the first signal stops it cleanly.
//!
//! The first signal also ends every call to a server in flight, and gives any call after it
//! a second at most (`keepsake_remote::interrupt::shut_down`):
//! a thread waiting for an answer, a timeout or a retry's back-off would otherwise see the
//! cancel only when that wait ends, minutes later. Whatever the command waits on, it stops
//! within a moment of the signal, woken rather than polled.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use keepsake_engine::seams::CancelToken;

use crate::error::EXIT_CANCELLED;

static PROMPTING: AtomicBool = AtomicBool::new(false);

/// Marks a prompt in progress for as long as it lives.
#[derive(Debug)]
pub struct Prompting(());

impl Prompting {
    pub fn start() -> Prompting {
        PROMPTING.store(true, Ordering::SeqCst);
        Prompting(())
    }
}

impl Drop for Prompting {
    fn drop(&mut self) {
        PROMPTING.store(false, Ordering::SeqCst);
    }
}

/// Routes Ctrl-C (and SIGTERM) to `cancel`.
pub fn watch(cancel: CancelToken) {
    let result = ctrlc::set_handler(move || {
        if PROMPTING.load(Ordering::SeqCst) || cancel.is_cancelled() {
            let _ = writeln!(std::io::stderr());
            std::process::exit(i32::from(EXIT_CANCELLED));
        }
        // The flag first: a remote call that ends now sees it set when its error comes back.
        cancel.cancel();
        keepsake_remote::interrupt::shut_down();
        let _ = writeln!(std::io::stderr(), "\nCancelling... (press Ctrl-C again to quit at once)");
    });
    // Without the handler Ctrl-C still stops the program, only less tidily: not worth failing.
    drop(result);
}

/// For the daemon: SIGTERM or Ctrl-C asks it to stop, which cancels a running backup through
/// `stop`, ends the copier's call to a server in flight, and wakes each of the daemon's waiting
/// threads through `wake`; a second signal quits at once (the next operation on the folder
/// removes what a cut-short backup left).
pub fn watch_stop(stop: CancelToken, wake: Vec<std::sync::mpsc::Sender<()>>) -> bool {
    ctrlc::set_handler(move || {
        if stop.is_cancelled() {
            std::process::exit(i32::from(EXIT_CANCELLED));
        }
        stop.cancel();
        keepsake_remote::interrupt::shut_down();
        for w in &wake {
            let _ = w.send(());
        }
    })
    .is_ok()
}
