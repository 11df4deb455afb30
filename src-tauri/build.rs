// Generates an `allow-<command>` permission for each of the app's commands, so the capability
// file can grant the window exactly those (app commands are otherwise all allowed).
include!("src/commands/names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        println!("cargo:warning=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
