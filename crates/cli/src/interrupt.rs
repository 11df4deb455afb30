//! Ctrl-C: the first one asks the running operation to stop cleanly (the engine then removes
//! its partial files and exits with `cancelled`); a second one, or one while the CLI waits for
//! a person to type, quits at once, because a blocked read would never notice the request.

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
        cancel.cancel();
        let _ = writeln!(std::io::stderr(), "\nCancelling... (press Ctrl-C again to quit at once)");
    });
    // Without the handler Ctrl-C still stops the program, only less tidily: not worth failing.
    drop(result);
}
