//! The window's contract (`ui/src/bindings.ts`) is generated from the Rust types: this test
//! regenerates it and fails when the committed file differs. `make bindings` writes it.

use std::path::PathBuf;

#[test]
fn the_committed_bindings_are_what_the_rust_types_generate() {
    let generated = keepsake_app::commands::typescript();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    if std::env::var_os("KEEPSAKE_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write the bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is not what the Rust types generate: run `make bindings` and commit it"
    );
}
