//! Any bytes given to the backup file reader: it must return an error or a header, never
//! panic, hang or allocate without bound. The format crate alone (no engine). Seeds: crates/engine/tests/fixtures/golden-v*/backups.
#![no_main]

use keepsake_model::seams::StaticSecret;
use keepsake_store::store::MemoryStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let store = MemoryStore::new("fuzz");
    for name in ["backup_20260101_000000_00000000.keepsake", "backup_20260101_000000_00000000.db.gz"] {
        store.insert(name, data.to_vec());
        let secret = StaticSecret::new("keepsake golden v2");
        let _ = keepsake_format::format::read_backup(&store, name, &secret, &mut std::io::sink());
    }
});
