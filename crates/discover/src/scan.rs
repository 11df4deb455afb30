//! The scan: a bounded walk of the places apps keep data, reading only the first 100 bytes of
//! each regular file big enough to be a database. Symbolic links are never followed, other file
//! systems never entered, FIFOs and devices never opened; it stops at its time or count budget
//! or when cancelled, and says so.

use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use keepsake_model::seams::CancelToken;
use walkdir::WalkDir;

use crate::catalogue::{Catalogue, Folders, Installed};
use crate::{Found, FoundApp, FoundFile, ScanCounts, Stopped};

/// The first 16 bytes of every SQLite database file.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The smallest SQLite page: a database with anything in it is at least this big.
const MIN_DATABASE: u64 = 512;

/// How deep below a place apps keep data the scan goes.
const DEEP: usize = 14;

/// How much a scan may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Folders and files looked at, at most.
    pub max_entries: u64,
    /// Time, at most.
    pub max_time: Duration,
}

impl Default for Budget {
    /// 500,000 entries or 30 seconds, whichever comes first.
    fn default() -> Self {
        Budget { max_entries: 500_000, max_time: Duration::from_secs(30) }
    }
}

/// What to scan and what to leave alone.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    /// Where `~`, `{data}`, `{config}` and `{cache}` are.
    pub folders: Folders,
    /// Folders never entered and files never opened (Keepsake's own, and databases it already
    /// protects: closing a file this process has open drops SQLite's locks on it).
    pub skip: Vec<PathBuf>,
    /// The spending limits.
    pub budget: Budget,
}

/// One pattern of the catalogue, resolved: which app, place and file it stands for, and the
/// pattern itself, one item per folder name (`*` any characters and `?` one, within a name).
struct Pattern {
    app: usize,
    place: usize,
    file: usize,
    names: Vec<Vec<char>>,
}

impl Pattern {
    /// Whether `rel` (a path relative to the pattern's base folder) matches it.
    fn matches(&self, rel: &Path) -> bool {
        let mut names = self.names.iter();
        for part in rel.components() {
            let (Some(pattern), std::path::Component::Normal(name)) = (names.next(), part) else {
                return false;
            };
            let Some(name) = name.to_str() else { return false };
            if !wildcard(pattern, &name.chars().collect::<Vec<_>>()) {
                return false;
            }
        }
        names.next().is_none()
    }
}

/// A shell wildcard over one name: `*` any run of characters, `?` one, anything else itself.
/// (Greedy with one backtrack point: linear in practice, never exponential.)
fn wildcard(pattern: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(c) if *c == '?' || *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// The catalogue's patterns, by base folder (matched against paths relative to it, so the home
/// folder's own name is never read as a pattern). A small matcher of its own rather than a glob
/// library: the catalogue needs only `*` and `?` within a name, and the package has a size
/// budget (docs/ARCHITECTURE.md).
struct Matcher<'c> {
    catalogue: &'c Catalogue,
    sets: Vec<PatternSet>,
    /// The files apps encrypt themselves only: looked for among files without a SQLite header.
    encrypted: Vec<PatternSet>,
}

/// A base folder and the patterns under it.
type PatternSet = (PathBuf, Vec<Pattern>);

impl<'c> Matcher<'c> {
    fn new(catalogue: &'c Catalogue, folders: &Folders) -> Matcher<'c> {
        Matcher {
            catalogue,
            sets: Self::sets(catalogue, folders, |_| true),
            encrypted: Self::sets(catalogue, folders, |f| f.encrypted),
        }
    }

    fn sets(
        catalogue: &Catalogue,
        folders: &Folders,
        keep: impl Fn(&crate::AppFile) -> bool,
    ) -> Vec<PatternSet> {
        let mut by_base: BTreeMap<PathBuf, Vec<Pattern>> = BTreeMap::new();
        for (a, app) in catalogue.apps.iter().enumerate() {
            for (p, place) in app.places.iter().enumerate() {
                let Some((base, rest)) = folders.split(&place.path) else { continue };
                for (f, file) in app.files.iter().enumerate().filter(|(_, f)| keep(f)) {
                    let names = rest
                        .split('/')
                        .filter(|c| !c.is_empty())
                        .chain(std::iter::once(file.name.as_str()))
                        .map(|c| c.chars().collect())
                        .collect();
                    by_base.entry(base.to_path_buf()).or_default().push(Pattern {
                        app: a,
                        place: p,
                        file: f,
                        names,
                    });
                }
            }
        }
        by_base.into_iter().collect()
    }

    /// The first pattern `path` matches.
    fn find(&self, path: &Path) -> Option<&Pattern> {
        Self::find_in(&self.sets, path)
    }

    fn find_in<'s>(sets: &'s [PatternSet], path: &Path) -> Option<&'s Pattern> {
        for (base, pats) in sets {
            let Ok(rel) = path.strip_prefix(base) else { continue };
            if let Some(p) = pats.iter().find(|p| p.matches(rel)) {
                return Some(p);
            }
        }
        None
    }

    /// Where the scan goes deep (the XDG folders, the browsers' folders, Flatpak's and Snap's,
    /// and the literal start of each place with a pattern in it), and the places without a
    /// pattern, whose own files are looked at but not their subfolders (`~/Documents`).
    fn roots(&self, folders: &Folders) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut deep = vec![
            folders.data.clone(),
            folders.config.clone(),
            folders.cache.clone(),
            // The XDG defaults too: apps that ignore a moved XDG folder still use them.
            folders.home.join(".local/share"),
            folders.home.join(".config"),
            folders.home.join(".cache"),
            folders.home.join(".mozilla"),
            folders.home.join(".thunderbird"),
            folders.home.join(".var/app"),
            folders.home.join("snap"),
        ];
        let mut exact = Vec::new();
        for app in &self.catalogue.apps {
            for place in &app.places {
                let Some((base, rest)) = folders.split(&place.path) else { continue };
                let parts: Vec<&str> = rest.split('/').filter(|c| !c.is_empty()).collect();
                let literal = parts.iter().take_while(|c| !c.contains(['*', '?', '[', '{'])).count();
                let root = parts[..literal].iter().fold(base.to_path_buf(), |p, c| p.join(c));
                if literal == parts.len() { exact.push(root) } else { deep.push(root) }
            }
        }
        deep.sort();
        deep.dedup();
        // A root inside another is walked with it.
        let mut kept: Vec<PathBuf> = Vec::new();
        for r in deep {
            if !kept.iter().any(|k| r.starts_with(k)) {
                kept.push(r);
            }
        }
        exact.retain(|e| !kept.iter().any(|k| e.starts_with(k)));
        exact.sort();
        exact.dedup();
        (kept, exact)
    }
}

/// Scans for SQLite databases and names them from `catalogue`. `progress` hears the counts now
/// and then (every few thousand entries).
pub fn scan(
    plan: &ScanPlan,
    catalogue: &Catalogue,
    cancel: &CancelToken,
    progress: &dyn Fn(&ScanCounts),
) -> Found {
    let t0 = Instant::now();
    let matcher = Matcher::new(catalogue, &plan.folders);
    let (deep, exact) = matcher.roots(&plan.folders);
    let home = &plan.folders.home;
    let mut walk = Walk {
        plan,
        matcher: &matcher,
        cancel,
        progress,
        t0,
        counts: ScanCounts::default(),
        stopped: None,
        apps: BTreeMap::new(),
        unknown: Vec::new(),
        uid: effective_uid(),
    };
    // The home folder: its top levels, and deep where apps keep data.
    walk.walk(home, |p: &Path, depth: usize| {
        depth <= 1
            || deep.iter().any(|r| p.starts_with(r) || r.starts_with(p))
            || exact.iter().any(|r| r.starts_with(p))
    });
    // Places outside the home folder (an XDG variable pointing elsewhere), whole.
    for root in deep.iter().filter(|r| !r.starts_with(home)) {
        walk.walk(root, |_: &Path, _| true);
    }
    for root in exact.iter().filter(|r| !r.starts_with(home)) {
        walk.walk(root, |_: &Path, _| false);
    }
    let Walk { counts, stopped, apps, mut unknown, .. } = walk;
    let mut apps: Vec<FoundApp> = apps.into_values().collect();
    // A database in an app's own folder that the catalogue does not name (Firefox keeps a dozen
    // more) is that app's, not a stranger's: offered with it, not recommended. A place directly
    // in the home folder (`~/Documents`) is the person's, not an app's: nothing is claimed there.
    unknown.retain(|f| {
        let own = apps.iter_mut().find(|a| {
            f.path.starts_with(&a.place)
                && a.place.strip_prefix(home).is_ok_and(|r| r.components().count() >= 2)
        });
        let Some(app) = own else { return true };
        app.files.push(FoundFile {
            holds: Some(format!("More {} data that Keepsake does not know", app.name)),
            important: false,
            ..f.clone()
        });
        false
    });
    for app in &mut apps {
        // The important files first, each kind in the catalogue's order (its first file is the
        // app's main database: Firefox's places.sqlite).
        app.files.sort_by_cached_key(|f| {
            (!f.important, matcher.find(&f.path).map_or(usize::MAX, |p| p.file), f.path.clone())
        });
    }
    apps.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.place.cmp(&b.place)));
    unknown.sort_by(|a, b| a.path.cmp(&b.path));
    Found { apps, unknown, counts, stopped, took_ms: t0.elapsed().as_millis() as u64 }
}

struct Walk<'a> {
    plan: &'a ScanPlan,
    matcher: &'a Matcher<'a>,
    cancel: &'a CancelToken,
    progress: &'a dyn Fn(&ScanCounts),
    t0: Instant,
    counts: ScanCounts,
    stopped: Option<Stopped>,
    apps: BTreeMap<(String, PathBuf), FoundApp>,
    unknown: Vec<FoundFile>,
    uid: u32,
}

impl Walk<'_> {
    /// Walks `root`, entering a folder at `depth` below it only when `enter` says so.
    fn walk(&mut self, root: &Path, enter: impl Fn(&Path, usize) -> bool) {
        if self.stopped.is_some() {
            return;
        }
        let Ok(root_meta) = std::fs::symlink_metadata(root) else { return };
        if !root_meta.is_dir() {
            return;
        }
        let device = root_meta.dev();
        let mut it = WalkDir::new(root).follow_links(false).max_depth(DEEP).into_iter();
        loop {
            let entry = match it.next() {
                None => break,
                Some(Err(e)) => {
                    // An unreadable folder (or one gone meanwhile): counted, the walk goes on.
                    if e.io_error().is_some() {
                        self.counts.unreadable += 1;
                    }
                    continue;
                }
                Some(Ok(e)) => e,
            };
            self.counts.entries += 1;
            // The count at every entry; the clock and the cancel every 256 (cheap either way).
            if (self.counts.entries >= self.plan.budget.max_entries
                || self.counts.entries.is_multiple_of(256))
                && self.over_budget()
            {
                return;
            }
            if self.counts.entries.is_multiple_of(4096) {
                (self.progress)(&self.counts);
            }
            let path = entry.path();
            let ft = entry.file_type();
            if ft.is_symlink() {
                self.counts.links += 1;
                continue;
            }
            if self.plan.skip.iter().any(|s| path.starts_with(s)) {
                if ft.is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
            if ft.is_dir() {
                if entry.depth() == 0 {
                    continue;
                }
                let Ok(meta) = entry.metadata() else {
                    self.counts.unreadable += 1;
                    it.skip_current_dir();
                    continue;
                };
                if meta.dev() != device {
                    self.counts.other_file_systems += 1;
                    it.skip_current_dir();
                } else if !enter(path, entry.depth()) {
                    it.skip_current_dir();
                } else {
                    self.counts.folders += 1;
                }
                continue;
            }
            if !ft.is_file() {
                // A FIFO, socket or device: never opened.
                self.counts.special += 1;
                continue;
            }
            self.counts.files += 1;
            self.look_at(path);
        }
    }

    fn over_budget(&mut self) -> bool {
        if self.stopped.is_none() {
            if self.cancel.is_cancelled() {
                self.stopped = Some(Stopped::Cancelled);
            } else if self.counts.entries >= self.plan.budget.max_entries {
                self.stopped = Some(Stopped::CountBudget);
            } else if self.t0.elapsed() >= self.plan.budget.max_time {
                self.stopped = Some(Stopped::TimeBudget);
            }
        }
        self.stopped.is_some()
    }

    /// Reads the header of one regular file and files it under its app or as unknown.
    ///
    /// One open and one read per file; the file's own metadata (`fstat`) and the catalogue's
    /// patterns only for a database (or a file where an app keeps an encrypted one).
    fn look_at(&mut self, path: &Path) {
        let Some((opened, header)) = read_header(path) else {
            self.counts.unreadable += 1;
            return;
        };
        let is_sqlite = header.starts_with(SQLITE_HEADER);
        let pattern = if is_sqlite {
            self.matcher.find(path)
        } else {
            match Matcher::find_in(&self.matcher.encrypted, path) {
                Some(p) => Some(p),
                None => return,
            }
        };
        let Ok(meta) = opened.metadata() else {
            self.counts.unreadable += 1;
            return;
        };
        if !meta.is_file() || meta.len() < MIN_DATABASE {
            return;
        }
        let meta = &meta;
        self.counts.databases += 1;
        let parent_meta = path.parent().and_then(|p| std::fs::symlink_metadata(p).ok());
        let world_writable = |m: &Metadata| m.mode() & 0o002 != 0;
        let shared = meta.uid() != self.uid
            || world_writable(meta)
            || parent_meta.as_ref().is_some_and(|m| m.uid() != self.uid || world_writable(m));
        let mut file = FoundFile {
            path: path.to_path_buf(),
            size: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64),
            holds: None,
            important: false,
            encrypted: !is_sqlite,
            wal: is_sqlite && header.len() >= 20 && header[18] == 2 && header[19] == 2,
            in_use: is_sqlite && held(&opened),
            shared,
        };
        let Some(p) = pattern else {
            self.unknown.push(file);
            return;
        };
        let app = &self.matcher.catalogue.apps[p.app];
        let spec = &app.files[p.file];
        file.holds = Some(spec.holds.clone());
        file.important = spec.important;
        let place = path.parent().unwrap_or(path).to_path_buf();
        let installed: Installed = app.places[p.place].installed;
        self.apps
            .entry((app.id.clone(), place.clone()))
            .or_insert_with(|| FoundApp {
                app: app.id.clone(),
                name: app.name.clone(),
                kind: app.kind.clone(),
                installed,
                place,
                close_to_restore: app.close_to_restore,
                files: Vec::new(),
            })
            .files
            .push(file);
    }
}

/// The first 100 bytes of a regular file (fewer if it is shorter), opened without following a
/// link and without waiting on a FIFO swapped in since it was looked at.
fn read_header(path: &Path) -> Option<(File, Vec<u8>)> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    // A FIFO swapped in since the walk looked is not waited on (O_NONBLOCK): a read gives nothing.
    let mut buf = Vec::with_capacity(100);
    (&mut f).take(100).read_to_end(&mut buf).ok()?;
    Some((f, buf))
}

/// SQLite's lock bytes (the pending byte, the reserved byte and the shared range, at 1 GiB).
const LOCK_BYTES: (i64, i64) = (0x4000_0000, 512);

/// Whether another program holds a SQLite lock on the open file `f` right now (asked with
/// `F_GETLK`, which takes no lock). An app that keeps its database open in exclusive mode
/// (Firefox, Chromium) always does.
#[allow(unsafe_code)]
fn held(f: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: `flock` is plain data; F_GETLK only fills it in.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = LOCK_BYTES.0;
    lock.l_len = LOCK_BYTES.1;
    // SAFETY: a valid descriptor and a valid `flock` for the call's lifetime.
    let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lock) };
    rc == 0 && lock.l_type != libc::F_UNLCK as libc::c_short
}

/// This process's effective user id: files owned by another user are flagged.
#[allow(unsafe_code)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes nothing and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    fn w(p: &str, n: &str) -> bool {
        wildcard(&p.chars().collect::<Vec<_>>(), &n.chars().collect::<Vec<_>>())
    }

    #[test]
    fn wildcards_match_within_a_name() {
        assert!(w("places.sqlite", "places.sqlite"));
        assert!(!w("places.sqlite", "places.sqlite-wal"));
        assert!(w("*", "x1y2.default-esr"));
        assert!(w("*.anki2", "collection.anki2"));
        assert!(!w("*.anki2", "collection.anki21"));
        assert!(w("MyVideos*.db", "MyVideos131.db"));
        assert!(w("abook*.sqlite", "abook.sqlite"));
        assert!(w("a?c", "abc") && !w("a?c", "ac"));
        assert!(w("*a*b*", "xxaxxbxx") && !w("*a*b*", "xxbxxaxx"));
        assert!(w("", "") && !w("", "x"));
        // Long names with many stars finish at once (no exponential backtracking).
        assert!(!w(&"*a".repeat(20), &"a".repeat(19)));
    }
}
