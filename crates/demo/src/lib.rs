//! A deterministic generator of a realistic application database, for tests, benchmarks and
//! demos.
//!
//! Backups are only as fast and as small as the data they carry, so measuring Keepsake on an
//! empty or synthetic-looking file says little. This module writes the kind of database a real
//! desktop app keeps (here: an astrology app) — typed rows with full-precision floats, prose
//! with a full-text index, a few already-compressed images, secondary indexes, a WITHOUT ROWID
//! table, a non-zero `user_version` and WAL mode — so that compression ratios, page layouts and
//! timings resemble what people will back up.
//!
//! Determinism: every row is derived from the seed and the row's own number with a tiny
//! built-in PRNG (`SplitMix64`) and plain arithmetic only (no transcendental functions, whose
//! last bits may differ between platforms), so the same seed and size give the same content,
//! and a larger database with the same seed starts with the same users as a smaller one.
#![warn(missing_docs)]

use std::path::Path;

use rusqlite::{Connection, params};

/// What went wrong generating a demo database: the file and the step are in the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed (a full disk included).
    #[error("demo database {path}: {what}: {source}")]
    Sqlite {
        /// The database being generated.
        path: std::path::PathBuf,
        /// The step that failed.
        what: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file could not be read, written or removed.
    #[error("demo database {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database could not be put in WAL mode.
    #[error("demo database {path}: could not switch to WAL (journal mode is {mode})")]
    NotWal {
        /// The database being generated.
        path: std::path::PathBuf,
        /// The journal mode SQLite reported instead.
        mode: String,
    },
}

/// The result of generating.
pub type Result<T> = std::result::Result<T, Error>;

/// What was generated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoStats {
    /// Size of the database file when done.
    pub bytes: u64,
    /// Rows of the `users` table.
    pub users: u64,
    /// Rows of the `charts` table.
    pub charts: u64,
    /// Rows of the `positions` table.
    pub positions: u64,
    /// Rows of the `notes` table.
    pub notes: u64,
    /// Rows of the `images` table.
    pub images: u64,
}

/// Creates (or overwrites) a SQLite database at `path` of roughly `target_bytes` (within ~5%),
/// deterministic for a given `seed` (same seed and size => byte-identical content of every
/// table).
///
/// Every table gets rows however small the target, so targets below a few hundred kilobytes
/// come out larger than asked. Meant for targets up to about 100 GB (FTS5 allows 2000 index
/// segments, and the last rounds each add one). Takes about 8 s per GB in a release build.
///
/// # Errors
///
/// [`Error::Sqlite`] when SQLite fails (a full disk included); [`Error::Io`] when an existing
/// file at `path` cannot be removed.
pub fn generate(path: &Path, target_bytes: u64, seed: u64) -> Result<DemoStats> {
    remove_old(path)?;
    let conn = Connection::open(path).map_err(sql(path, "opening"))?;
    // Durability is pointless for a file we would simply regenerate; journal and syncs would
    // otherwise dominate the run time.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA cache_size = -131072;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(sql(path, "setting pragmas"))?;
    conn.execute_batch(SCHEMA).map_err(sql(path, "creating the schema"))?;
    conn.pragma_update(None, "user_version", USER_VERSION)
        .map_err(sql(path, "setting the schema version"))?;
    conn.execute_batch(FTS_GENERATING).map_err(sql(path, "configuring the full-text index"))?;
    insert_settings(&conn, path, seed)?;

    let mut state = State {
        path,
        seed,
        image_base: (target_bytes / 64).clamp(4 << 10, 256 << 10),
        last_user: 0,
        last_chart: 0,
        last_note: 0,
        image_bytes: 0,
        stats: DemoStats { bytes: 0, users: 0, charts: 0, positions: 0, notes: 0, images: 0 },
    };
    let page_size: u64 = pragma_u64(&conn, path, "page_size")?;
    // The file size, and the part of it that holds data: pages freed by the full-text index's
    // segment merges are reused by later rows, so planning goes by the second.
    let sizes = |c: &Connection| -> Result<(u64, u64)> {
        let pages = pragma_u64(c, path, "page_count")?;
        let free = pragma_u64(c, path, "freelist_count")?;
        Ok((pages * page_size, pages.saturating_sub(free) * page_size))
    };
    let (_, empty_size) = sizes(&conn)?;
    let target = target_bytes as f64;
    // Aim a little below the target: the last round and page granularity only ever add.
    let goal = target * 0.995;
    let mut user_cost = INITIAL_USER_COST;
    loop {
        let (size, used) = sizes(&conn)?;
        if state.stats.users > 0 && size as f64 >= target * STOP_AT {
            break;
        }
        let remaining = (goal - used as f64).max(0.0) * (1.0 - IMAGE_SHARE);
        // Cover most of what remains each round, so rounds shrink as the file nears the target.
        let users = ((remaining * 0.8 / user_cost).ceil() as u64).clamp(1, MAX_USERS_PER_ROUND);
        let without_images = used.saturating_sub(empty_size + state.image_bytes) as f64;
        let image_goal = (without_images + users as f64 * user_cost) * IMAGE_SHARE / (1.0 - IMAGE_SHARE);

        conn.execute_batch("BEGIN").map_err(sql(path, "starting a transaction"))?;
        insert_users(&conn, &mut state, users)?;
        while state.stats.images == 0 || (state.image_bytes as f64) < image_goal {
            insert_image(&conn, &mut state)?;
        }
        conn.execute_batch("COMMIT").map_err(sql(path, "committing"))?;

        let (_, used) = sizes(&conn)?;
        // Each round adds a segment to the full-text index. Merging them all into one, while
        // the file still has room for the merged copy (written before the old segments are
        // freed; later rows fill the freed pages), keeps their number in check. Merging later,
        // or letting FTS5 merge on its own, could grow the file past the target in one step.
        if used as f64 * (1.0 + FTS_SHARE_BOUND) <= goal && fts_segments(&conn, path)? >= MAX_FTS_SEGMENTS {
            conn.execute_batch("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')")
                .map_err(sql(path, "merging the full-text index"))?;
        }
        let grown = used.saturating_sub(empty_size + state.image_bytes);
        user_cost = (grown as f64 / state.stats.users as f64).max(256.0);
    }

    conn.execute_batch(TRIGGERS).map_err(sql(path, "creating triggers"))?;
    conn.execute_batch(FTS_DEFAULTS).map_err(sql(path, "configuring the full-text index"))?;
    // Apps ship in WAL mode; switching now rather than at the start keeps generation fast and
    // leaves the file self-contained (closing the connection checkpoints and removes the WAL).
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(sql(path, "switching to WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::NotWal { path: path.to_path_buf(), mode });
    }
    conn.close().map_err(|(_, e)| sql(path, "closing")(e))?;
    let mut stats = state.stats;
    stats.bytes =
        std::fs::metadata(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?.len();
    Ok(stats)
}

/// Share of the file taken by images: photos are incompressible, and a realistic dose of them
/// keeps the overall compression ratio honest.
const IMAGE_SHARE: f64 = 0.07;
/// Segments of the full-text index that trigger a merge, room permitting.
const MAX_FTS_SEGMENTS: u64 = 32;
/// More than the full-text index's share of the data (about 12%), to be sure a merge fits.
const FTS_SHARE_BOUND: f64 = 0.2;
/// While generating, FTS5 keeps each round's terms in memory and writes one segment per
/// round, and never merges segments on its own: see the merges in [`generate`].
const FTS_GENERATING: &str = "
INSERT INTO notes_fts(notes_fts, rank) VALUES ('automerge', 0);
INSERT INTO notes_fts(notes_fts, rank) VALUES ('crisismerge', 2000);
INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', 67108864);
";
/// FTS5's defaults, for the app that opens the database afterwards.
const FTS_DEFAULTS: &str = "
INSERT INTO notes_fts(notes_fts, rank) VALUES ('automerge', 4);
INSERT INTO notes_fts(notes_fts, rank) VALUES ('crisismerge', 16);
INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', 1048576);
";
/// Stop once the file reaches this fraction of the target.
const STOP_AT: f64 = 0.99;
/// About 45 rows per user, so a round is one transaction of roughly 50k rows.
const MAX_USERS_PER_ROUND: u64 = 1_100;
/// Bytes one user with charts and notes adds, before the first round measures it.
const INITIAL_USER_COST: f64 = 16_000.0;
/// Schema version the imaginary app is at: a restore must carry it over.
const USER_VERSION: u32 = 7;

const SCHEMA: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    birth_time TEXT,
    birth_place TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_users_email ON users(email);
CREATE TABLE birth_charts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    house_system TEXT NOT NULL,
    ascendant REAL NOT NULL,
    mc REAL NOT NULL,
    computed_at TEXT NOT NULL,
    settings TEXT NOT NULL
);
CREATE INDEX idx_charts_user ON birth_charts(user_id);
CREATE TABLE planetary_positions (
    chart_id INTEGER NOT NULL REFERENCES birth_charts(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    longitude REAL NOT NULL,
    latitude REAL NOT NULL,
    speed REAL NOT NULL,
    house INTEGER NOT NULL,
    sign TEXT NOT NULL,
    retrograde INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_positions_chart ON planetary_positions(chart_id, body);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_notes_user ON notes(user_id, created_at);
CREATE VIRTUAL TABLE notes_fts USING fts5(
    title, body, content = 'notes', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value
) WITHOUT ROWID;
";

/// The triggers that keep the full-text index in step with `notes`, created once the rows are
/// in: a statement that fires a trigger runs in a savepoint, and FTS5 writes a new index
/// segment at every savepoint, so generation indexes notes itself, one segment per round.
const TRIGGERS: &str = "
CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN
    INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
";

struct State<'a> {
    path: &'a Path,
    seed: u64,
    /// Typical image size for this target: small databases get small images so that one image
    /// cannot overshoot the target.
    image_base: u64,
    last_user: u64,
    last_chart: u64,
    last_note: u64,
    image_bytes: u64,
    stats: DemoStats,
}

/// Maps a SQLite error to an engine error that names the file and the step.
fn sql<'a>(path: &'a Path, what: &'a str) -> impl Fn(rusqlite::Error) -> Error + 'a {
    move |e| Error::Sqlite { path: path.to_path_buf(), what: what.to_owned(), source: e }
}

fn pragma_u64(conn: &Connection, path: &Path, name: &str) -> Result<u64> {
    let v: i64 =
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).map_err(sql(path, "reading a pragma"))?;
    Ok(v.max(0) as u64)
}

fn fts_segments(conn: &Connection, path: &Path) -> Result<u64> {
    let n: i64 = conn
        .query_row("SELECT count(DISTINCT segid) FROM notes_fts_idx", [], |r| r.get(0))
        .map_err(sql(path, "counting full-text index segments"))?;
    Ok(n.max(0) as u64)
}

/// Removes a previous database and its side files, so that stale WAL content cannot be replayed
/// into the new file.
fn remove_old(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { path: std::path::PathBuf::from(&p), source }),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// `SplitMix64`: tiny, fast, and fully specified, so the data cannot change under us when a
/// dependency updates.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator for row `index` of `stream`, independent of how rows are batched.
    fn for_row(seed: u64, stream: u64, index: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA24B_AED4_963E_E407));
        let a = r.next_u64();
        Rng::new(a ^ index.wrapping_mul(0x9FB2_1C65_1E98_DF25))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index skewed towards the start of a list, like word frequencies in prose.
    fn skewed(&mut self, len: usize) -> usize {
        let u = self.unit();
        ((u * u * len as f64) as usize).min(len - 1)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

const STREAM_USER: u64 = 1;
const STREAM_IMAGE: u64 = 2;
const STREAM_SETTINGS: u64 = 3;

// ---------------------------------------------------------------------------------------------
// Rows

fn insert_settings(conn: &Connection, path: &Path, seed: u64) -> Result<()> {
    use rusqlite::types::Value as V;
    let mut rng = Rng::for_row(seed, STREAM_SETTINGS, 0);
    let install_id = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
    let mut layout = vec![0u8; 48];
    rng.fill(&mut layout);
    let mut stmt = conn
        .prepare("INSERT INTO settings (key, value) VALUES (?1, ?2)")
        .map_err(sql(path, "preparing settings"))?;
    let rows: Vec<(&str, V)> = vec![
        ("app.version", V::Text("3.4.1".into())),
        ("app.install_id", V::Text(install_id)),
        ("app.locale", V::Text((*rng.pick(&["en_GB", "en_US", "de_DE", "fr_FR", "es_ES"])).into())),
        ("app.theme", V::Text((*rng.pick(&["dark", "light", "system"])).into())),
        ("app.schema_version", V::Integer(i64::from(USER_VERSION))),
        ("charts.default_house_system", V::Text("placidus".into())),
        ("charts.zodiac", V::Text("tropical".into())),
        ("charts.show_minor_aspects", V::Integer(0)),
        ("ephemeris.source", V::Text("swisseph".into())),
        ("ephemeris.version", V::Text("2.10.03".into())),
        ("notifications.daily_horoscope", V::Integer(1)),
        ("notifications.hour", V::Integer(8)),
        ("onboarding.completed", V::Integer(1)),
        ("privacy.analytics", V::Integer(0)),
        ("sync.enabled", V::Integer(rng.below(2) as i64)),
        ("sync.last_success", V::Text(timestamp(BASE_TIME + 400 * DAY + rng.below(DAY as u64) as i64))),
        ("ui.font_scale", V::Real(1.1)),
        ("ui.window_layout", V::Blob(layout)),
        ("backup.last_reminder", V::Null),
    ];
    for (key, value) in rows {
        stmt.execute(params![key, value]).map_err(sql(path, "inserting settings"))?;
    }
    Ok(())
}

fn insert_users(conn: &Connection, st: &mut State<'_>, count: u64) -> Result<()> {
    let path = st.path;
    let mut ins_user = conn
        .prepare_cached(
            "INSERT INTO users (id, name, email, birth_date, birth_time, birth_place, latitude,
                                longitude, timezone, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql(path, "preparing users"))?;
    let mut ins_chart = conn
        .prepare_cached(
            "INSERT INTO birth_charts (id, user_id, kind, house_system, ascendant, mc, computed_at,
                                       settings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(sql(path, "preparing charts"))?;
    let mut ins_pos = conn
        .prepare_cached(
            "INSERT INTO planetary_positions (chart_id, body, longitude, latitude, speed, house,
                                              sign, retrograde)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(sql(path, "preparing positions"))?;
    let mut ins_note = conn
        .prepare_cached(
            "INSERT INTO notes (id, user_id, title, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(sql(path, "preparing notes"))?;
    let mut ins_fts = conn
        .prepare_cached("INSERT INTO notes_fts (rowid, title, body) VALUES (?1, ?2, ?3)")
        .map_err(sql(path, "preparing the full-text index"))?;

    let mut body = String::with_capacity(8 << 10);
    let mut title = String::with_capacity(64);
    for _ in 0..count {
        st.last_user += 1;
        let id = st.last_user;
        let mut rng = Rng::for_row(st.seed, STREAM_USER, id);

        // The user.
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(LAST_NAMES);
        let name = format!("{first} {last}");
        let domain = *rng.pick(DOMAINS);
        // The row number keeps emails unique, as the app's unique index demands.
        let email = match rng.below(3) {
            0 => format!("{}.{}{id}@{domain}", first.to_lowercase(), last.to_lowercase()),
            1 => format!("{}{}{id}@{domain}", &first[..1].to_lowercase(), last.to_lowercase()),
            _ => format!("{}_{id}@{domain}", first.to_lowercase()),
        };
        let birth_day = BIRTH_FIRST_DAY + rng.below(BIRTH_DAYS) as i64;
        let minute_of_day = rng.below(24 * 60) as i64;
        let birth_time =
            (!rng.chance(0.12)).then(|| format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60));
        let city = rng.pick(CITIES);
        let created = BASE_TIME + id as i64 * 97 + rng.below(97) as i64;
        ins_user
            .execute(params![
                id as i64,
                name,
                email,
                date(birth_day),
                birth_time,
                format!("{}, {}", city.name, city.country),
                city.lat,
                city.lon,
                city.tz,
                timestamp(created),
            ])
            .map_err(sql(path, "inserting users"))?;
        st.stats.users += 1;

        // Their charts: a natal chart, and whatever else they asked the app for.
        let charts = 1 + rng.below(5);
        for c in 0..charts {
            st.last_chart += 1;
            let chart_id = st.last_chart as i64;
            let kind = if c == 0 { "natal" } else { *rng.pick(CHART_KINDS) };
            let computed = created + rng.below(400 * DAY as u64) as i64;
            // The date the chart is cast for decides where the Sun is.
            let chart_day = if c == 0 { birth_day } else { computed.div_euclid(DAY) };
            let house_system = if rng.chance(0.6) { "placidus" } else { *rng.pick(HOUSE_SYSTEMS) };
            let asc = rng.range(0.0, 360.0);
            let mc = (asc + 270.0 + rng.range(-35.0, 35.0)).rem_euclid(360.0);
            ins_chart
                .execute(params![
                    chart_id,
                    id as i64,
                    kind,
                    house_system,
                    asc,
                    mc,
                    timestamp(computed),
                    chart_settings(&mut rng, kind),
                ])
                .map_err(sql(path, "inserting charts"))?;
            st.stats.charts += 1;

            let sun =
                ((chart_day - EQUINOX_2000) as f64 * 0.985_647_36 + rng.range(-1.0, 1.0)).rem_euclid(360.0);
            st.stats.positions += insert_positions(&mut ins_pos, path, &mut rng, chart_id, asc, sun)?;
        }

        // Their journal. The first user always writes, so even a tiny database has notes.
        let notes = if id == 1 { 1 + rng.below(3) } else { rng.below(4) };
        for _ in 0..notes {
            st.last_note += 1;
            title.clear();
            let words = 2 + rng.below(5);
            write_words(&mut rng, &mut title, words as usize);
            body.clear();
            let words = 120 + rng.below(480);
            write_prose(&mut rng, &mut body, words as usize);
            let written = created + rng.below(600 * DAY as u64) as i64;
            ins_note
                .execute(params![st.last_note as i64, id as i64, title, body, timestamp(written)])
                .map_err(sql(path, "inserting notes"))?;
            ins_fts
                .execute(params![st.last_note as i64, title, body])
                .map_err(sql(path, "indexing notes"))?;
            st.stats.notes += 1;
        }
    }
    Ok(())
}

/// One row per body for a chart whose ascendant and Sun are at `asc` and `sun` degrees.
fn insert_positions(
    ins_pos: &mut rusqlite::Statement<'_>,
    path: &Path,
    rng: &mut Rng,
    chart_id: i64,
    asc: f64,
    sun: f64,
) -> Result<u64> {
    for body_def in BODIES {
        let lon = match body_def.name {
            "Sun" => sun,
            // The inner planets never stray far from the Sun.
            "Mercury" => (sun + rng.range(-28.0, 28.0)).rem_euclid(360.0),
            "Venus" => (sun + rng.range(-47.0, 47.0)).rem_euclid(360.0),
            _ => rng.range(0.0, 360.0),
        };
        let lat = rng.range(-body_def.max_lat, body_def.max_lat);
        let retro = rng.chance(body_def.retro);
        let speed = if retro {
            -rng.range(0.0, body_def.max_retro)
        } else {
            rng.range(body_def.min_speed, body_def.max_speed)
        };
        // Equal houses from the ascendant: close enough to the real thing for a data set.
        let house = (((lon - asc).rem_euclid(360.0) / 30.0) as i64).min(11) + 1;
        let sign = SIGNS[((lon / 30.0) as usize).min(11)];
        ins_pos
            .execute(params![chart_id, body_def.name, lon, lat, speed, house, sign, retro])
            .map_err(sql(path, "inserting positions"))?;
    }
    Ok(BODIES.len() as u64)
}

/// The chart's rendering and calculation settings, as the app stores them: a JSON document
/// that repeats from chart to chart with small changes, which is what makes such columns
/// compress well.
fn chart_settings(rng: &mut Rng, kind: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2048);
    let sidereal = rng.chance(0.15);
    let orb = 6.0 + rng.below(5) as f64;
    // Writing to a String cannot fail, hence the ignored results.
    let _ = write!(
        out,
        r#"{{"kind":"{kind}","zodiac":"{}","ayanamsa":{},"node":"{}","lilith":"mean","#,
        if sidereal { "sidereal" } else { "tropical" },
        if sidereal { r#""lahiri""# } else { "null" },
        if rng.chance(0.7) { "true" } else { "mean" },
    );
    out.push_str(r#""aspects":["#);
    for (i, (name, angle, scale)) in ASPECTS.iter().enumerate() {
        let enabled = i < 5 || rng.chance(0.2);
        let _ = write!(
            out,
            r#"{}{{"name":"{name}","angle":{angle:.1},"orb":{:.1},"enabled":{enabled}}}"#,
            if i == 0 { "" } else { "," },
            (orb * scale).round()
        );
    }
    out.push_str(r#"],"bodies":["#);
    for (i, (b, (glyph, colour))) in BODIES.iter().zip(BODY_STYLE).enumerate() {
        let _ = write!(
            out,
            r##"{}{{"id":"{}","glyph":"{glyph}","color":"#{colour}","visible":{}}}"##,
            if i == 0 { "" } else { "," },
            b.name.to_lowercase().replace(' ', "_"),
            i < 10 || rng.chance(0.6),
        );
    }
    let _ = write!(
        out,
        concat!(
            r#"],"display":{{"theme":"{}","wheel":"{}","show_degrees":true,"show_minutes":{},"#,
            r#""show_retrograde":true,"aspect_lines":"{}","font_scale":{:.1}}},"#,
            r#""app_version":"3.{}.{}"}}"#
        ),
        rng.pick(&["classic", "dark", "pastel", "mono"]),
        rng.pick(&["european", "american", "huber"]),
        rng.chance(0.5),
        rng.pick(&["major", "all", "none"]),
        0.9 + rng.below(4) as f64 * 0.1,
        rng.below(5),
        rng.below(10),
    );
    out
}

/// Aspect name, angle and orb relative to the chart's base orb.
const ASPECTS: [(&str, f64, f64); 9] = [
    ("conjunction", 0.0, 1.25),
    ("opposition", 180.0, 1.25),
    ("trine", 120.0, 1.0),
    ("square", 90.0, 1.0),
    ("sextile", 60.0, 0.75),
    ("quincunx", 150.0, 0.4),
    ("semisextile", 30.0, 0.3),
    ("semisquare", 45.0, 0.3),
    ("sesquiquadrate", 135.0, 0.3),
];

/// Glyph and colour of each of `BODIES`.
const BODY_STYLE: [(&str, &str); 13] = [
    (r"\u2609", "f5b700"),
    (r"\u263d", "c0c0c0"),
    (r"\u263f", "8bc34a"),
    (r"\u2640", "e91e63"),
    (r"\u2642", "f44336"),
    (r"\u2643", "ff9800"),
    (r"\u2644", "795548"),
    (r"\u2645", "00bcd4"),
    (r"\u2646", "3f51b5"),
    (r"\u2647", "9c27b0"),
    (r"\u260a", "607d8b"),
    (r"\u26b7", "009688"),
    (r"\u26b8", "212121"),
];

/// A run of words, the first capitalised, for titles.
fn write_words(rng: &mut Rng, out: &mut String, count: usize) {
    for i in 0..count {
        let w = WORDS[rng.skewed(WORDS.len())];
        if i == 0 {
            push_capitalised(out, w);
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
}

/// Sentences and paragraphs of roughly `words` words.
fn write_prose(rng: &mut Rng, out: &mut String, words: usize) {
    let mut written = 0;
    let mut sentences_in_paragraph = 0;
    while written < words {
        if sentences_in_paragraph > 0 {
            if sentences_in_paragraph >= 3 && rng.chance(0.25) {
                out.push_str("\n\n");
                sentences_in_paragraph = 0;
            } else {
                out.push(' ');
            }
        }
        let len = 5 + rng.below(14) as usize;
        for i in 0..len {
            let w = WORDS[rng.skewed(WORDS.len())];
            if i == 0 {
                push_capitalised(out, w);
            } else {
                out.push_str(if rng.chance(0.06) { ", " } else { " " });
                out.push_str(w);
            }
        }
        out.push(match rng.below(20) {
            0 => '?',
            1 => '!',
            _ => '.',
        });
        written += len;
        sentences_in_paragraph += 1;
    }
}

fn push_capitalised(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// An incompressible picture: a valid-looking PNG or JPEG wrapper around noise, like the
/// already-compressed photos and chart renderings users attach.
fn insert_image(conn: &Connection, st: &mut State<'_>) -> Result<()> {
    let index = st.stats.images + 1;
    let mut rng = Rng::for_row(st.seed, STREAM_IMAGE, index);
    let len = (st.image_base / 2 + rng.below(st.image_base)) as usize;
    let user = 1 + rng.below(st.last_user.max(1));
    let width = *rng.pick(&[640i64, 800, 1024, 1280, 1600]);
    let height = width * 3 / 4;
    let (mime, data) = if rng.chance(0.7) {
        ("image/jpeg", fake_jpeg(&mut rng, len))
    } else {
        ("image/png", fake_png(&mut rng, len, width as u32, height as u32))
    };
    let created = BASE_TIME + st.last_user as i64 * 97 + rng.below(DAY as u64) as i64;
    conn.prepare_cached(
        "INSERT INTO images (id, user_id, mime, width, height, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![index as i64, user as i64, mime, width, height, data, timestamp(created)])
    })
    .map_err(sql(st.path, "inserting images"))?;
    st.stats.images += 1;
    st.image_bytes += data.len() as u64;
    Ok(())
}

fn fake_jpeg(rng: &mut Rng, len: usize) -> Vec<u8> {
    const HEAD: [u8; 20] = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00,
        0x48, 0x00, 0x00,
    ];
    let mut out = Vec::with_capacity(len.max(HEAD.len() + 2));
    out.extend_from_slice(&HEAD);
    let start = out.len();
    out.resize(len.max(start + 2) - 2, 0);
    rng.fill(&mut out[start..]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn fake_png(rng: &mut Rng, len: usize, width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&kind);
        crc.update(data);
        out.extend_from_slice(&kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = Vec::with_capacity(len + 64);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, *b"IHDR", &ihdr);
    // 57 bytes of framing around the pixel data.
    let mut idat = vec![0u8; len.saturating_sub(57).max(2)];
    idat[0] = 0x78;
    idat[1] = 0x9C;
    rng.fill(&mut idat[2..]);
    chunk(&mut out, *b"IDAT", &idat);
    chunk(&mut out, *b"IEND", &[]);
    out
}

// ---------------------------------------------------------------------------------------------
// Dates

const DAY: i64 = 86_400;
/// 2021-01-01 00:00:00 UTC: when the imaginary app launched.
const BASE_TIME: i64 = 1_609_459_200;
/// 1950-01-01, in days since 1970-01-01.
const BIRTH_FIRST_DAY: i64 = -7_305;
/// Birth dates span 1950 to 2007.
const BIRTH_DAYS: u64 = 21_184;
/// The March equinox of 2000, in days since 1970-01-01: the Sun is at 0° Aries.
const EQUINOX_2000: i64 = 11_036;

/// Year, month, day of a day number since 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, i64, i64) {
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS`, the form SQLite's date functions use.
fn timestamp(unix: i64) -> String {
    let (y, m, d) = civil(unix.div_euclid(DAY));
    let s = unix.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

struct Body {
    name: &'static str,
    max_lat: f64,
    min_speed: f64,
    max_speed: f64,
    /// How often the body is found retrograde, and how fast it then moves back.
    retro: f64,
    max_retro: f64,
}

const fn body(
    name: &'static str,
    max_lat: f64,
    min_speed: f64,
    max_speed: f64,
    retro: f64,
    max_retro: f64,
) -> Body {
    Body { name, max_lat, min_speed, max_speed, retro, max_retro }
}

/// Degrees and degrees per day, roughly as an ephemeris gives them.
const BODIES: [Body; 13] = [
    body("Sun", 0.0002, 0.9528, 1.0191, 0.0, 0.0),
    body("Moon", 5.3, 11.8, 15.4, 0.0, 0.0),
    body("Mercury", 7.0, 0.1, 2.2, 0.19, 1.4),
    body("Venus", 8.0, 0.1, 1.26, 0.07, 0.63),
    body("Mars", 6.5, 0.05, 0.8, 0.09, 0.41),
    body("Jupiter", 1.6, 0.01, 0.25, 0.3, 0.14),
    body("Saturn", 2.6, 0.005, 0.13, 0.36, 0.08),
    body("Uranus", 0.8, 0.002, 0.062, 0.4, 0.042),
    body("Neptune", 1.8, 0.001, 0.039, 0.43, 0.028),
    body("Pluto", 17.5, 0.001, 0.041, 0.44, 0.028),
    body("True Node", 0.0, 0.001, 0.05, 0.8, 0.25),
    body("Chiron", 7.0, 0.005, 0.15, 0.4, 0.07),
    body("Lilith", 5.3, 0.1105, 0.1115, 0.0, 0.0),
];

const SIGNS: [&str; 12] = [
    "Aries",
    "Taurus",
    "Gemini",
    "Cancer",
    "Leo",
    "Virgo",
    "Libra",
    "Scorpio",
    "Sagittarius",
    "Capricorn",
    "Aquarius",
    "Pisces",
];

const CHART_KINDS: &[&str] = &["transit", "progressed", "solar_return", "synastry", "composite"];

const HOUSE_SYSTEMS: &[&str] =
    &["placidus", "whole_sign", "koch", "equal", "porphyry", "regiomontanus", "campanus"];

const DOMAINS: &[&str] =
    &["example.com", "example.org", "example.net", "mail.example.com", "inbox.test", "post.test"];

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Emma", "Olivia", "Ava", "Sophia", "Mia", "Amelia", "Isabella", "Charlotte", "Harper", "Luna",
    "Chloé", "Léa", "Zoë", "Noah", "Liam", "Oliver", "Elijah", "James", "Lucas", "Mateo", "Ethan",
    "Hugo", "Jonas", "Lukas", "Finn", "Aarav", "Priya", "Ananya", "Wei", "Mei", "Haruto", "Yuki",
    "Sakura", "Omar", "Fatima", "Layla", "Youssef", "Amara", "Kwame", "Zainab", "Sofía",
    "Valentina", "Camila", "Diego", "Santiago", "João", "Ana", "Björn", "Astrid", "Freya", "Nils",
    "Ingrid", "Marta", "Piotr", "Zofia", "Dmitri", "Irina", "Nikolai", "Elena", "Giulia", "Marco",
    "Francesca", "Luca", "Aoife", "Cian", "Siobhan", "Rhys", "Eilidh", "Maya", "Noor", "Ravi",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Lefèvre", "Moreau", "Rossi",
    "Russo", "Ferrari", "Esposito", "Kowalski", "Nowak", "Ivanov", "Petrova", "Nielsen", "Hansen",
    "Johansson", "Larsson", "Andersson", "O'Brien", "Murphy", "Kelly", "Silva", "Santos",
    "Oliveira", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Nguyen", "Tran", "Patel", "Sharma",
    "Singh", "Chen", "Wang", "Li", "Zhang", "Haddad", "Mensah", "Okafor", "Abdullah", "Cohen",
];

struct City {
    name: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    tz: &'static str,
}

const fn city(name: &'static str, country: &'static str, lat: f64, lon: f64, tz: &'static str) -> City {
    City { name, country, lat, lon, tz }
}

const CITIES: &[City] = &[
    city("London", "United Kingdom", 51.5072, -0.1276, "Europe/London"),
    city("Manchester", "United Kingdom", 53.4808, -2.2426, "Europe/London"),
    city("Dublin", "Ireland", 53.3498, -6.2603, "Europe/Dublin"),
    city("Paris", "France", 48.8566, 2.3522, "Europe/Paris"),
    city("Lyon", "France", 45.764, 4.8357, "Europe/Paris"),
    city("Berlin", "Germany", 52.52, 13.405, "Europe/Berlin"),
    city("München", "Germany", 48.1351, 11.582, "Europe/Berlin"),
    city("Madrid", "Spain", 40.4168, -3.7038, "Europe/Madrid"),
    city("Barcelona", "Spain", 41.3874, 2.1686, "Europe/Madrid"),
    city("Roma", "Italy", 41.9028, 12.4964, "Europe/Rome"),
    city("Milano", "Italy", 45.4642, 9.19, "Europe/Rome"),
    city("Amsterdam", "Netherlands", 52.3676, 4.9041, "Europe/Amsterdam"),
    city("Stockholm", "Sweden", 59.3293, 18.0686, "Europe/Stockholm"),
    city("Oslo", "Norway", 59.9139, 10.7522, "Europe/Oslo"),
    city("Warszawa", "Poland", 52.2297, 21.0122, "Europe/Warsaw"),
    city("Lisboa", "Portugal", 38.7223, -9.1393, "Europe/Lisbon"),
    city("Athens", "Greece", 37.9838, 23.7275, "Europe/Athens"),
    city("Istanbul", "Türkiye", 41.0082, 28.9784, "Europe/Istanbul"),
    city("New York", "United States", 40.7128, -74.006, "America/New_York"),
    city("Los Angeles", "United States", 34.0522, -118.2437, "America/Los_Angeles"),
    city("Chicago", "United States", 41.8781, -87.6298, "America/Chicago"),
    city("Austin", "United States", 30.2672, -97.7431, "America/Chicago"),
    city("Seattle", "United States", 47.6062, -122.3321, "America/Los_Angeles"),
    city("Toronto", "Canada", 43.6532, -79.3832, "America/Toronto"),
    city("Montréal", "Canada", 45.5019, -73.5674, "America/Toronto"),
    city("Ciudad de México", "Mexico", 19.4326, -99.1332, "America/Mexico_City"),
    city("São Paulo", "Brazil", -23.5558, -46.6396, "America/Sao_Paulo"),
    city("Buenos Aires", "Argentina", -34.6037, -58.3816, "America/Argentina/Buenos_Aires"),
    city("Bogotá", "Colombia", 4.711, -74.0721, "America/Bogota"),
    city("Lagos", "Nigeria", 6.5244, 3.3792, "Africa/Lagos"),
    city("Nairobi", "Kenya", -1.2921, 36.8219, "Africa/Nairobi"),
    city("Cairo", "Egypt", 30.0444, 31.2357, "Africa/Cairo"),
    city("Cape Town", "South Africa", -33.9249, 18.4241, "Africa/Johannesburg"),
    city("Mumbai", "India", 19.076, 72.8777, "Asia/Kolkata"),
    city("Delhi", "India", 28.7041, 77.1025, "Asia/Kolkata"),
    city("Bangalore", "India", 12.9716, 77.5946, "Asia/Kolkata"),
    city("Tokyo", "Japan", 35.6762, 139.6503, "Asia/Tokyo"),
    city("Seoul", "South Korea", 37.5665, 126.978, "Asia/Seoul"),
    city("Shanghai", "China", 31.2304, 121.4737, "Asia/Shanghai"),
    city("Singapore", "Singapore", 1.3521, 103.8198, "Asia/Singapore"),
    city("Sydney", "Australia", -33.8688, 151.2093, "Australia/Sydney"),
    city("Melbourne", "Australia", -37.8136, 144.9631, "Australia/Melbourne"),
    city("Auckland", "New Zealand", -36.8485, 174.7633, "Pacific/Auckland"),
];

/// Journal vocabulary, most frequent first: `Rng::skewed` makes early words common, as in
/// real prose, which matters for how well notes and their index compress.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "and", "I", "to", "a", "of", "my", "it", "in", "is", "that", "was", "me", "with", "for",
    "this", "but", "so", "on", "feel", "today", "moon", "about", "be", "have", "not", "at", "as",
    "like", "really", "just", "all", "when", "what", "more", "time", "been", "energy", "day",
    "from", "sun", "felt", "week", "chart", "transit", "some", "how", "there", "work", "mercury",
    "retrograde", "again", "up", "out", "maybe", "venus", "mars", "think", "people", "new", "know",
    "house", "rising", "much", "very", "still", "morning", "evening", "night", "after", "before",
    "one", "would", "could", "should", "because", "into", "even", "than", "then", "now", "also",
    "full", "eclipse", "saturn", "return", "jupiter", "square", "trine", "opposition",
    "conjunction", "sextile", "aspect", "natal", "ascendant", "midheaven", "descendant", "nodes",
    "north", "south", "node", "chiron", "pluto", "neptune", "uranus", "lilith", "sign", "degree",
    "orb", "cusp", "element", "fire", "earth", "air", "water", "cardinal", "fixed", "mutable",
    "aries", "taurus", "gemini", "cancer", "leo", "virgo", "libra", "scorpio", "sagittarius",
    "capricorn", "aquarius", "pisces", "horoscope", "reading", "intention", "journal", "dream",
    "dreams", "mood", "tired", "calm", "anxious", "restless", "grateful", "focused", "scattered",
    "emotional", "quiet", "loud", "friend", "friends", "family", "mother", "father", "sister",
    "brother", "partner", "boss", "colleague", "meeting", "email", "project", "deadline", "coffee",
    "tea", "walk", "run", "yoga", "meditation", "sleep", "dinner", "lunch", "breakfast", "rain",
    "sunshine", "garden", "city", "train", "car", "home", "kitchen", "book", "music", "song",
    "movie", "phone", "message", "call", "conversation", "argument", "hug", "laugh", "cry",
    "decision", "plan", "change", "growth", "lesson", "pattern", "cycle", "phase", "waxing",
    "waning", "crescent", "gibbous", "quarter", "new moon", "full moon", "void", "course",
    "ingress", "station", "direct", "shadow", "period", "season", "spring", "summer", "autumn",
    "winter", "birthday", "solar", "lunar", "return", "progressed", "synastry", "composite",
    "relationship", "career", "money", "health", "body", "mind", "heart", "soul", "spirit",
    "creative", "creativity", "writing", "painting", "cooking", "cleaning", "shopping", "travel",
    "trip", "flight", "weekend", "holiday", "office", "school", "class", "teacher", "student",
    "exam", "interview", "job", "salary", "rent", "bills", "budget", "savings", "gift", "letter",
    "notice", "noticed", "remember", "remembered", "forgot", "wondering", "hoping", "waiting",
    "trying", "started", "finished", "stopped", "keep", "kept", "let", "go", "went", "came", "come",
    "got", "get", "made", "make", "said", "told", "asked", "wanted", "need", "needed", "good",
    "bad", "better", "worse", "strange", "heavy", "light", "bright", "dark", "soft", "sharp",
    "slow", "fast", "early", "late", "long", "short", "big", "small", "old", "young", "first",
    "last", "next", "other", "same", "different", "whole", "half", "every", "each", "tomorrow",
    "yesterday", "tonight", "finally", "suddenly", "slowly", "probably", "definitely", "honestly",
    "actually", "somehow", "together", "alone", "outside", "inside", "around", "through", "between",
    "under", "over", "against", "toward", "without", "within", "during", "universe", "cosmic",
    "planetary", "alignment", "manifest", "release", "ritual", "candle", "crystal", "tarot", "card",
    "intuition", "synchronicity", "sign", "message", "boundary", "healing", "shadow", "work",
    "self", "care", "balance", "harmony", "tension", "friction", "breakthrough", "clarity",
    "confusion", "doubt", "trust", "faith", "fear", "joy", "grief", "anger", "love", "peace",
    "hope", "courage", "patience", "discipline", "freedom", "structure",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    const TABLES: [(&str, &str); 7] = [
        ("users", "id"),
        ("birth_charts", "id"),
        ("planetary_positions", "rowid"),
        ("notes", "id"),
        ("images", "id"),
        ("settings", "key"),
        ("notes_fts_data", "id"),
    ];

    fn table_hash(conn: &Connection, table: &str, order: &str) -> [u8; 32] {
        use rusqlite::types::ValueRef;
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut h = Sha256::new();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    ValueRef::Null => h.update([0]),
                    ValueRef::Integer(v) => {
                        h.update([1]);
                        h.update(v.to_le_bytes());
                    }
                    ValueRef::Real(v) => {
                        h.update([2]);
                        h.update(v.to_bits().to_le_bytes());
                    }
                    ValueRef::Text(v) | ValueRef::Blob(v) => {
                        h.update([3]);
                        h.update((v.len() as u64).to_le_bytes());
                        h.update(v);
                    }
                }
            }
        }
        h.finalize().into()
    }

    fn hashes(path: &Path) -> Vec<[u8; 32]> {
        let conn = Connection::open(path).unwrap();
        TABLES.iter().map(|(t, o)| table_hash(&conn, t, o)).collect()
    }

    #[test]
    fn small_database_has_every_table_and_the_right_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let target = 1 << 20;
        let stats = generate(&path, target, 42).unwrap();

        let size = std::fs::metadata(&path).unwrap().len();
        assert_eq!(stats.bytes, size);
        let off = (size as f64 - target as f64).abs() / target as f64;
        assert!(off < 0.05, "size {size} is {:.1}% off the target", off * 100.0);
        assert!(!dir.path().join("demo.db-wal").exists());

        let conn = Connection::open(&path).unwrap();
        let count = |t: &str| -> u64 {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()
        };
        assert_eq!(count("users"), stats.users);
        assert_eq!(count("birth_charts"), stats.charts);
        assert_eq!(count("planetary_positions"), stats.positions);
        assert_eq!(count("notes"), stats.notes);
        assert_eq!(count("images"), stats.images);
        for t in ["users", "birth_charts", "planetary_positions", "notes", "images", "settings"] {
            assert!(count(t) > 0, "{t} is empty");
        }
        assert!(stats.positions > stats.charts && stats.charts >= stats.users);

        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        // The full-text index agrees with the notes it indexes, and answers queries.
        conn.execute("INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')", []).unwrap();
        let hits: u64 = conn
            .query_row("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'moon'", [], |r| r.get(0))
            .unwrap();
        assert!(hits > 0);
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, USER_VERSION);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");

        // The app's triggers are in place: a new note is found by the index.
        conn.execute(
            "INSERT INTO notes (user_id, title, body, created_at)
             VALUES (1, 'Zanzibar', 'A zanzibar note', '2024-01-01 00:00:00')",
            [],
        )
        .unwrap();
        let found: u64 = conn
            .query_row("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'zanzibar'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(found, 1);
    }

    #[test]
    fn same_seed_gives_same_content_and_other_seeds_differ() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        let c = dir.path().join("c.db");
        generate(&a, 400 << 10, 7).unwrap();
        // Overwriting an existing file must give the same result as a fresh one.
        std::fs::write(&b, b"not a database").unwrap();
        generate(&b, 400 << 10, 7).unwrap();
        generate(&c, 400 << 10, 8).unwrap();
        let (ha, hb, hc) = (hashes(&a), hashes(&b), hashes(&c));
        assert_eq!(ha, hb);
        for (i, (t, _)) in TABLES.iter().enumerate() {
            assert_ne!(ha[i], hc[i], "{t} did not change with the seed");
        }
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(BIRTH_FIRST_DAY), "1950-01-01");
        assert_eq!(date(BIRTH_FIRST_DAY + BIRTH_DAYS as i64 - 1), "2007-12-31");
        assert_eq!(date(EQUINOX_2000), "2000-03-20");
        assert_eq!(timestamp(BASE_TIME + DAY + 3661), "2021-01-02 01:01:01");
    }
}
