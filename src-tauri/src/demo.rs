//! The demo source: a realistic database (an astrology app's data, from
//! `keepsake-demo`) in the app's data folder, offered on first launch so a newcomer sees a working app
//! at once. `make run` sets `KEEPSAKE_DEMO=1`, which adds it (with a daily schedule, so the first
//! backup runs right away) when no source is set up.

use keepsake_engine::sources::Source;

use crate::error::IpcResult;
use crate::state::AppState;

/// The demo source's name.
pub const DEMO_NAME: &str = "Astrology demo";
/// The demo database's file, in `<data dir>/demo`.
const DEMO_FILE: &str = "astrology.db";
/// Size of the demo database.
const DEMO_BYTES: u64 = 16 << 20;
/// Seed of the generator: the same demo data everywhere.
const DEMO_SEED: u64 = 2026;

/// The environment variable that adds the demo source at start when there is none.
pub const DEMO_ENV: &str = "KEEPSAKE_DEMO";

/// Whether `source` is the demo: the demo database in the app's data folder (sample data, never
/// the person's own).
pub fn is_demo(state: &AppState, source: &Source) -> bool {
    source.database == state.paths.data_dir.join("demo").join(DEMO_FILE)
}

/// The demo source, created (database and source) if it does not exist yet. It is not
/// encrypted: the data is made up, and the newcomer has not chosen a password yet.
pub fn ensure_demo_source(state: &AppState, schedule: Option<&str>) -> IpcResult<Source> {
    if let Ok(existing) = state.source(DEMO_NAME) {
        return Ok(existing);
    }
    let dir = state.paths.data_dir.join("demo");
    let database = dir.join(DEMO_FILE);
    if !database.is_file() {
        std::fs::create_dir_all(&dir).map_err(|e| {
            keepsake_engine::Error::new(
                keepsake_engine::ErrorCode::DestinationReadOnly,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let stats = keepsake_demo::generate(&database, DEMO_BYTES, DEMO_SEED).map_err(|e| {
            keepsake_engine::Error::new(
                keepsake_engine::ErrorCode::Io,
                format!("cannot create the demo database: {e}"),
            )
        })?;
        tracing::info!(bytes = stats.bytes, "created the demo database {}", database.display());
    }
    let mut source = Source::new(DEMO_NAME, database, state.paths.default_backup_dir(DEMO_NAME));
    source.encrypt = false;
    source.retention.keep_last = Some(10);
    if let Some(expr) = schedule {
        source.set("schedule", expr)?;
    }
    state.edit_sources(|all| Ok(all.add(source.clone())?))?;
    Ok(source)
}

/// With `KEEPSAKE_DEMO=1` and no source set up, adds the demo source (scheduled daily at 02:00).
pub fn add_demo_if_asked(state: &AppState) {
    let asked = std::env::var(DEMO_ENV).is_ok_and(|v| keepsake_engine::sources::parse_bool(&v) == Some(true));
    if !asked || !state.sources().is_empty() {
        return;
    }
    match ensure_demo_source(state, Some("daily 02:00")) {
        Ok(s) => tracing::info!("added the demo source {:?}", s.name),
        Err(e) => tracing::error!("cannot add the demo source: {e}"),
    }
}
