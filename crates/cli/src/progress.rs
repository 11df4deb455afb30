//! Progress bars on stderr, as the engine's `Progress`.
//!
//! One bar per phase (back up, verify, restore...), with bytes, rate and time left. A bar shows
//! only on a terminal, and only once a phase has run for a moment, so quick operations do not
//! flash a bar that is gone before it can be read. The engine may report from several threads;
//! indicatif's bars are thread-safe, the phase bookkeeping sits behind a mutex.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use keepsake_engine::seams::{Phase, Progress};

/// How long a phase runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(400);

#[derive(Debug)]
pub struct TermProgress {
    enabled: bool,
    current: Mutex<Option<Current>>,
}

#[derive(Debug)]
struct Current {
    phase: Phase,
    bar: ProgressBar,
    started: Instant,
    shown: bool,
}

impl TermProgress {
    pub fn new(enabled: bool) -> TermProgress {
        TermProgress { enabled, current: Mutex::new(None) }
    }

    /// Removes the bar, before the result is printed.
    pub fn finish(&self) {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = current.take() {
            c.bar.finish_and_clear();
        }
    }
}

fn label(phase: Phase) -> &'static str {
    match phase {
        Phase::Backup => "Backing up",
        Phase::Verify => "Verifying",
        Phase::Restore => "Restoring",
        Phase::SafetyBackup => "Safety backup",
        Phase::IntegrityCheck => "Checking",
        Phase::Copy => "Copying",
        Phase::Find => "Looking",
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{msg:>13} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec:>11}, {eta} left",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

impl Progress for TermProgress {
    fn update(&self, phase: Phase, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_ref().is_none_or(|c| c.phase != phase) {
            if let Some(old) = current.take() {
                old.bar.finish_and_clear();
            }
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            bar.set_style(style());
            bar.set_message(label(phase));
            *current = Some(Current { phase, bar, started: Instant::now(), shown: false });
        }
        let Some(c) = current.as_mut() else { return };
        c.bar.set_length(total);
        c.bar.set_position(done);
        if !c.shown && c.started.elapsed() >= SHOW_AFTER && done < total {
            c.bar.set_draw_target(ProgressDrawTarget::stderr());
            c.shown = true;
        }
    }
}
