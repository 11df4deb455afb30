//! `keepsake`: Keepsake's backup engine on the command line.
//!
//! A library with one entry, [`main`], so that the same code runs as the `keepsake` binary of
//! this crate and as the desktop app's binary when it is called by the name `keepsake` (the
//! package installs one binary for both: `/usr/bin/keepsake` is a link to `keepsake-app`).
//!
//! The binary is glue: parse the flags (the verbs' own in `commands/<verb>.rs`, the shared
//! ones in `args`), read the environment and the config file once (`config`), and run one
//! verb, which resolves what it needs and runs it on the engine (with the password from
//! `secret` and Ctrl-C from `interrupt`), and print (`output`, `progress`). Exit codes are decided in `error`. The engine never prints; this
//! binary is the one place that does.
#![warn(missing_docs)]

mod args;
mod commands;
mod config;
mod env;
mod error;
mod hints;
mod interrupt;
mod mail;
mod output;
mod progress;
mod secret;
mod sources;
mod words;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Cli;
use crate::config::Config;
use crate::env::{Env, Terminal};
use crate::error::{CliError, EXIT_ERROR};
use crate::output::Output;
use crate::output::OutputMode;

/// The `keepsake` command: reads the process's arguments and environment, runs one command,
/// and returns its exit code.
pub fn main() -> ExitCode {
    // First, before any password is read from a file, the environment or the terminal.
    keepsake_engine::hardening::no_core_dumps();
    let env = Env::from_process();
    let term = Terminal::detect();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let out = Output::new(OutputMode::new(&cli.global, &env, term));
    let mode = OutputMode::new(&cli.global, &env, term);
    match Config::load(cli.global, env, term, Output::new(mode)).and_then(|config| cli.command.run(&config)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            out.error(&e);
            e.exit_code()
        }
    }
}

/// Help and version exit 0; a usage error exits 2 (clap's own code) and, under `--json`, also
/// prints the error document, so a script always gets one.
fn usage_error(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    if !e.use_stderr() {
        return ExitCode::SUCCESS;
    }
    if std::env::args_os().any(|a| a == "--json") {
        let text = e.render().to_string();
        let first = text.lines().next().unwrap_or("invalid usage");
        let message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
        let err = CliError::invalid(message, "Run `keepsake --help` (or `keepsake COMMAND --help`).");
        let out = Output::new(OutputMode { json: true, color: false, err_color: false, progress: false });
        let _ = out.json(&err.to_json());
    }
    ExitCode::from(EXIT_ERROR)
}
