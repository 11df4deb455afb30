// No console window on Windows in release builds (there the command keeps its own binary).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! One binary for the app and the command line: the package installs `keepsake-app` and
//! `/usr/bin/keepsake` as a link to it. Called by the name `keepsake` it is the `keepsake`
//! command (`keepsake_cli::main`, exactly what the CLI crate's own binary runs); by any other
//! name it is the desktop app. Both carry the same engine, storage and TLS code, which one binary
//! holds once.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    if called_as_command(std::env::args_os().next().as_deref().map(Path::new)) {
        return keepsake_cli::main();
    }
    keepsake_app::run();
    ExitCode::SUCCESS
}

/// Whether the program was started by the name `keepsake` (`keepsake`, `/usr/bin/keepsake`,
/// `keepsake.exe`), as a link or a copy of this binary is.
fn called_as_command(argv0: Option<&Path>) -> bool {
    argv0.and_then(Path::file_stem).is_some_and(|stem| stem == "keepsake")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_keepsake_makes_it_the_command() {
        for name in ["keepsake", "/usr/bin/keepsake", "./keepsake", "keepsake.exe"] {
            assert!(called_as_command(Some(Path::new(name))), "{name}");
        }
        for name in ["keepsake-app", "/usr/bin/keepsake-app", "keepsake_app", "", "keep"] {
            assert!(!called_as_command(Some(Path::new(name))), "{name}");
        }
        assert!(!called_as_command(None));
    }
}
