//! Logs: `tracing` to a file in the app's log folder, rolled daily and kept for two weeks, and
//! to stderr. `KEEPSAKE_LOG` sets the filter (default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Starts logging; keep the guard alive for the app's lifetime (dropping it flushes the file).
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_from_env("KEEPSAKE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs name databases and folders: the folder is the owner's alone.
    let _ = keepsake_engine::durable::create_private_dir(dir);
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("keepsake")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir);
    let (file_layer, guard, problem) = match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (Some(fmt::layer().with_ansi(false).with_writer(writer).with_filter(filter())), Some(guard), None)
        }
        Err(e) => (None, None, Some(e)),
    };
    let stderr = fmt::layer().with_writer(std::io::stderr).with_filter(filter());
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr).try_init();
    if let Some(e) = problem {
        tracing::warn!("no log file in {}: {e}", dir.display());
    }
    guard
}
