//! The `keepsake` binary: everything is in the library (`keepsake_cli::main`).

fn main() -> std::process::ExitCode {
    keepsake_cli::main()
}
