//! How often one operation reads the backup folder, counted by a store that counts: a
//! scheduled backup must not look at the folder again and again (with thousands of backups,
//! each look is thousands of file lookups).
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use keepsake_engine::sources::Source;
use keepsake_engine::store::{LocalFolder, Store, StoreEntry, StoreWrite};
use keepsake_engine::{Engine, StaticSecret};

mod common;
use common::*;

/// A local folder that counts its listings and its lookups of one object.
#[derive(Debug)]
struct Counting {
    inner: LocalFolder,
    lists: AtomicUsize,
    stats: AtomicUsize,
}

impl Counting {
    fn looks(&self) -> (usize, usize) {
        (self.lists.load(Ordering::SeqCst), self.stats.load(Ordering::SeqCst))
    }
}

impl Store for Counting {
    fn location(&self) -> &str {
        self.inner.location()
    }
    fn list(&self) -> keepsake_engine::Result<Vec<StoreEntry>> {
        self.lists.fetch_add(1, Ordering::SeqCst);
        self.inner.list()
    }
    fn stat(&self, name: &str) -> keepsake_engine::Result<Option<StoreEntry>> {
        self.stats.fetch_add(1, Ordering::SeqCst);
        self.inner.stat(name)
    }
    fn open(&self, name: &str) -> keepsake_engine::Result<Box<dyn Read + Send>> {
        self.inner.open(name)
    }
    fn read_range(&self, name: &str, offset: u64, len: usize) -> keepsake_engine::Result<Vec<u8>> {
        self.inner.read_range(name, offset, len)
    }
    fn create(&self, name: &str) -> keepsake_engine::Result<Box<dyn StoreWrite>> {
        self.inner.create(name)
    }
    fn delete(&self, name: &str) -> keepsake_engine::Result<()> {
        self.inner.delete(name)
    }
    fn tidy(&self) {
        self.inner.tidy();
    }
    fn local_dir(&self) -> Option<&Path> {
        self.inner.local_dir()
    }
}

#[test]
fn one_scheduled_backup_looks_at_the_folder_a_bounded_number_of_times_whatever_it_holds() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 40);
    let store = Arc::new(Counting {
        inner: LocalFolder::new(&env.backups).unwrap(),
        lists: AtomicUsize::new(0),
        stats: AtomicUsize::new(0),
    });
    let engine =
        Engine::open(&env.home, store.clone()).unwrap().with_secrets(Arc::new(StaticSecret::new(PASSWORD)));
    let mut source = Source::new("astro", &env.db, &env.backups);
    source.encrypt = false;
    source.verify_after_backup = true;
    let run = |source: &Source| {
        let before = store.looks();
        engine.run_scheduled(source, &job()).unwrap();
        let after = store.looks();
        (after.0 - before.0, after.1 - before.1)
    };
    // Keeping everything: the 2nd run and the 30th (29 backups in the folder) cost the same.
    let looks: Vec<(usize, usize)> = (0..30).map(|_| run(&source)).collect();
    eprintln!("(listings, lookups) per scheduled run, keeping all: {looks:?}");
    assert!(
        looks[1..].iter().all(|l| *l == looks[1]),
        "lookups do not grow with the backups kept: {looks:?}"
    );
    assert!(looks.iter().all(|l| l.0 <= 1 && l.1 <= 10), "a few lookups, the folder listed once: {looks:?}");
    // With a cleanup after each run (keep the last 6): one listing, a few lookups more for
    // what it deletes.
    source.retention = keepsake_engine::RetentionPolicy { keep_last: Some(6), ..Default::default() };
    let looks: Vec<(usize, usize)> = (0..3).map(|_| run(&source)).collect();
    eprintln!("(listings, lookups) per scheduled run with a cleanup: {looks:?}");
    assert!(looks.iter().all(|l| l.0 <= 1), "the folder listed once: {looks:?}");
    assert!(looks[1..].iter().all(|l| *l == looks[1]), "{looks:?}");
}

/// Opens every destination as one shared memory store, counting the openings (for a remote
/// destination each is a keyring read and a new client).
struct CountingOpener {
    store: Arc<keepsake_engine::MemoryStore>,
    opened: AtomicUsize,
}

impl keepsake_engine::scheduler::copies::DestinationOpener for CountingOpener {
    fn open(&self, _dest: &keepsake_engine::Destination) -> keepsake_engine::Result<Arc<dyn Store>> {
        self.opened.fetch_add(1, Ordering::SeqCst);
        Ok(self.store.clone())
    }
}

#[test]
fn a_copy_pass_opens_each_destination_once() {
    use keepsake_engine::scheduler::copies::{Copier, CopyEvent};
    let env = Env::new();
    make_db(&env.db, true, 4096, 40);
    let mut dest = keepsake_engine::Destination::new("offsite", keepsake_engine::DestinationKind::Folder);
    dest.path = Some(env.dir.path().join("elsewhere"));
    // Its own retention and a check every day: the pass also cleans up and checks there.
    dest.set("keep_last", "2").unwrap();
    dest.set("verify_every_days", "1").unwrap();
    let mut source = Source::new("astro", &env.db, &env.backups);
    source.encrypt = false;
    source.copies_to = vec![dest.name.clone()];
    let sources =
        keepsake_engine::sources::Sources { sources: vec![source], destinations: vec![dest], email: None };
    let engines =
        Arc::new(keepsake_engine::Engines::new(env.home.clone(), Arc::new(StaticSecret::new(PASSWORD))));
    let engine = engines.get(&env.backups).unwrap();
    for _ in 0..3 {
        engine.backup(&env.db, &opts(false, true), &job()).unwrap();
    }
    let opener = Arc::new(CountingOpener {
        store: Arc::new(keepsake_engine::MemoryStore::new("offsite")),
        opened: AtomicUsize::new(0),
    });
    let mut copier = Copier::new(engines, opener.clone());
    let mut copied = 0;
    copier.pass(&sources, chrono::Utc::now(), &job(), &mut |e| {
        if let CopyEvent::Copied { .. } = e {
            copied += 1;
        }
        if let CopyEvent::Failed { error, .. } = e {
            panic!("{error}");
        }
    });
    assert_eq!(copied, 2, "the two the destination keeps");
    assert_eq!(opener.opened.load(Ordering::SeqCst), 1, "one pass, one destination, opened once");
    assert_eq!(copier.status(&sources)[0].waiting, 0);
}
