//! Any bytes given to the backup file reader: it must return an error or a header, never
//! panic, hang or allocate without bound. Seeds: crates/engine/tests/fixtures/golden-v1/backups.
#![no_main]

use std::io::Write;

use keepsake_engine::StaticSecret;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(data).expect("write");
    let secret = StaticSecret::new("keepsake golden v1");
    let _ = keepsake_engine::format::read_backup(f.path(), &secret, &mut std::io::sink());
});
