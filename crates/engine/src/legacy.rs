//! Taking over from an older Keepsake, which kept its catalog inside the backup folder
//! (`keepsake-catalog.sqlite`). The first time this installation opens a folder it has no
//! record of, the old catalog's backups become recorded here, each only if its file is present
//! under the name its id gives, has the size and SHA-256 the old catalog noted, and its header
//! names the same id; the old run history is copied so schedules carry on. This happens once
//! per folder (never for a folder this installation already knows), and the old file is only
//! read, never written or followed through a link.

use rusqlite::{Connection, OpenFlags};

use crate::catalog::RecordOrigin;
use crate::engine::Engine;
use crate::error::Result;
use crate::format::file::{self, Object};
use crate::model::{BackupMetadata, Origin, RunRecord};
use crate::names;

/// Name of the older Keepsake's catalog in a backup folder.
const LEGACY_CATALOG: &str = "keepsake-catalog.sqlite";

/// Takes over the folder's old catalog, if this is the first look at it.
impl Engine {
    /// Takes over an older Keepsake's in-folder catalog, once (from [`Engine::open`]).
    pub(crate) fn take_over_legacy(&self) -> Result<()> {
        take_over(self)
    }
}

fn take_over(engine: &Engine) -> Result<()> {
    let catalog = engine.catalog()?;
    if catalog.legacy_checked()? {
        return Ok(());
    }
    let new = catalog.is_new()?;
    catalog.set_legacy_checked()?;
    drop(catalog);
    let Some(dir) = engine.store().local_dir() else { return Ok(()) };
    let path = dir.join(LEGACY_CATALOG);
    if !new || !crate::durable::is_regular(&path) {
        return Ok(());
    }
    // Read-only, no link followed, and `immutable` so that SQLite neither creates nor replays
    // a `-wal` beside it: what is in the main file is what counts.
    let uri = format!("file:{}?mode=ro&immutable=1", path.display());
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let Ok(old) = Connection::open_with_flags(&uri, flags) else { return Ok(()) };
    let rows: Vec<String> = old
        .prepare("SELECT metadata FROM backups")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    for raw in rows {
        let Ok(meta) = serde_json::from_str::<BackupMetadata>(&raw) else { continue };
        if let Some(meta) = checked(engine, meta)? {
            engine.catalog()?.record(&meta, RecordOrigin::Imported)?;
        }
    }
    let runs: Vec<RunRecord> = old
        .prepare(
            "SELECT operation, backup_type, backup_id, source_path, started_at, duration_ms, status, error_code, message
             FROM runs ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                let text = |i: usize| r.get::<_, Option<String>>(i);
                Ok(RunRecord {
                    id: 0,
                    operation: enum_of(text(0)?).unwrap_or(crate::model::Operation::Backup),
                    backup_type: text(1)?.and_then(|s| s.parse().ok()),
                    backup_id: text(2)?,
                    source_path: text(3)?.map(Into::into),
                    started_at: text(4)?
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
                        .map(|d| d.to_utc())
                        .unwrap_or_default(),
                    duration_ms: r.get::<_, i64>(5)?.max(0) as u64,
                    status: enum_of(text(6)?).unwrap_or(crate::model::RunStatus::Failed),
                    error_code: enum_of(text(7)?),
                    message: text(8)?,
                    safety_backup_id: None,
                })
            })?
            .collect()
        })
        .unwrap_or_default();
    let catalog = engine.catalog()?;
    for run in runs {
        catalog.record_run(&run)?;
    }
    Ok(())
}

/// The old row, if its file backs it up.
fn checked(engine: &Engine, mut meta: BackupMetadata) -> Result<Option<BackupMetadata>> {
    if !names::is_valid_id(&meta.id) || meta.sha256.is_empty() {
        return Ok(None);
    }
    let name = names::file_name(&meta.id, meta.encrypted);
    let store = engine.store().as_ref();
    let Some(entry) = store.stat(&name)? else { return Ok(None) };
    if entry.size != meta.stored_size {
        return Ok(None);
    }
    let obj = Object::new(store, &name);
    match file::read_header(&obj, engine.secrets.as_ref(), &engine.home.keys, None) {
        Ok((h, _)) if h.id == meta.id => {}
        _ => return Ok(None),
    }
    let (sha, _) = file::sha256_of(&obj)?;
    if sha != meta.sha256 {
        return Ok(None);
    }
    meta.file_name = name;
    meta.origin = Origin::Recorded;
    meta.concern = None;
    Ok(Some(meta))
}

fn enum_of<T: serde::de::DeserializeOwned>(v: Option<String>) -> Option<T> {
    v.and_then(|s| serde_json::from_str(&format!("\"{s}\"")).ok())
}
