// Generates an `allow-<command>` permission for each of the app's commands and the capability
// file that grants the window exactly those (app commands are otherwise all allowed), from the
// one list of commands in src/commands/list.rs.

macro_rules! contract {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty;)*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("src/commands/list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    write_capability();
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        println!("cargo:warning=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}

/// capabilities/default.json: listening to the app's events and its own commands, nothing else.
fn write_capability() {
    let mut permissions = vec!["core:event:allow-listen".to_owned(), "core:event:allow-unlisten".to_owned()];
    permissions.extend(COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))));
    let list = permissions.iter().map(|p| format!("    \"{p}\"")).collect::<Vec<_>>().join(",\n");
    let text = format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"default\",\n  \
         \"description\": \"The main window: Keepsake's own commands (generated from src/commands/list.rs by build.rs) \
         and listening to its events, nothing else (no file system, shell or network plugins).\",\n  \
         \"windows\": [\n    \"main\"\n  ],\n  \"permissions\": [\n{list}\n  ]\n}}\n"
    );
    let path = std::path::Path::new("capabilities/default.json");
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str())
        && let Err(e) = std::fs::write(path, text)
    {
        println!("cargo:warning=cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
