//! `keepsake-bench scale DIR [BACKUPS] [FOREIGN] [SOURCES]`: a folder at scale (default 10,000
//! backups of 50 databases, plus 1,000 files nobody here recorded) and what the window and the
//! scheduler do with it, timed through the engine's own calls: opening History (the list, the
//! folder's scan, the statistics, the run history), the window's state refresh (for every
//! source: its history, its newest backup, the room on the disk), and a scheduled run's
//! overhead beyond its backup (the same run on the same database in an empty folder is the
//! baseline, in the same run of the bench).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use keepsake_engine::sources::Source;
use keepsake_engine::{BackupOptions, Engine, Installation, Job, SpaceMargin, StaticSecret};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The median of `n` timings of `f`.
fn median(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<Duration> {
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        f()?;
        t.push(t0.elapsed());
    }
    t.sort();
    Ok(t[n / 2])
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A small database of its own for source `i`.
fn database(path: &Path, i: usize) -> Result<()> {
    let c = rusqlite::Connection::open(path)?;
    c.execute_batch("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)")?;
    c.execute("INSERT INTO notes (body) VALUES (?1)", [format!("note of source {i}")])?;
    Ok(())
}

fn engine(home: &Installation, folder: &Path) -> Result<Engine> {
    Ok(Engine::open_folder(home, folder)?.with_secrets(Arc::new(StaticSecret::new("bench"))))
}

/// Runs the scale bench in `dir` (made when missing; a folder already filled is reused).
pub fn run(dir: &Path, backups: usize, foreign: usize, sources: usize) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let home = Installation::open(dir.join("home"))?;
    let folder = dir.join("backups");
    let big = engine(&home, &folder)?;
    let dbs: Vec<_> = (0..sources).map(|i| dir.join(format!("db-{i}.db"))).collect();
    for (i, db) in dbs.iter().enumerate() {
        if !db.exists() {
            database(db, i)?;
        }
    }
    let opts =
        BackupOptions { encrypt: false, verify: false, incremental: Some(false), ..BackupOptions::default() };
    let have = big.list(None)?.len();
    if have < backups {
        let t0 = Instant::now();
        for n in have..backups {
            big.backup(&dbs[n % sources], &opts, &Job::default())?;
        }
        println!("made {} backups in {:.1} s", backups - have, t0.elapsed().as_secs_f64());
    }
    // Files nobody here recorded: copies of one backup under names of their own.
    let sample = big.list(Some(1))?.remove(0);
    let bytes = std::fs::read(folder.join(&sample.file_name))?;
    for i in 0..foreign {
        let name = format!("backup_20200101_000000_{i:08x}.db.gz");
        let path = folder.join(name);
        if !path.exists() {
            std::fs::write(path, &bytes)?;
        }
    }
    println!(
        "folder: {} backups recorded, {foreign} foreign files, {sources} sources",
        big.list(None)?.len()
    );

    let list = median(5, || big.list(None).map(|_| ()).map_err(Into::into))?;
    let scan = median(3, || big.scan().map(|_| ()).map_err(Into::into))?;
    let stats = median(5, || big.stats().map(|_| ()).map_err(Into::into))?;
    let history = median(5, || big.history(Some(200)).map(|_| ()).map_err(Into::into))?;
    println!(
        "History: list {} + scan {} + stats {} + run history {} = {}",
        ms(list),
        ms(scan),
        ms(stats),
        ms(history),
        ms(list + scan + stats + history)
    );
    let margin = SpaceMargin::default();
    let refresh = median(5, || {
        for db in &dbs {
            big.source_history(db)?;
            big.last_backup_of(db)?;
            big.space_check(db, &margin)?;
        }
        Ok(())
    })?;
    println!("state refresh ({sources} sources: history, newest backup, room on the disk): {}", ms(refresh));

    // A scheduled run of source 0 here, against the same run in an empty folder.
    let scheduled = |engine: &Engine, folder: &Path| -> Result<Duration> {
        let mut source = Source::new("bench", &dbs[0], folder);
        source.encrypt = false;
        source.verify_after_backup = false;
        median(5, || engine.run_scheduled(&source, &Job::default()).map(|_| ()).map_err(Into::into))
    };
    let empty_dir = dir.join("empty");
    let _ = std::fs::remove_dir_all(&empty_dir);
    let empty = engine(&Installation::open(dir.join("home-empty"))?, &empty_dir)?;
    let baseline = scheduled(&empty, &empty_dir)?;
    let at_scale = scheduled(&big, &folder)?;
    println!(
        "scheduled run: {} in a folder of {} backups, {} in an empty one: overhead {}",
        ms(at_scale),
        big.list(None)?.len(),
        ms(baseline),
        ms(at_scale.saturating_sub(baseline))
    );
    Ok(())
}
