//! `keepsake-bench generate PATH SIZE_MB [SEED]`: writes the deterministic demo
//! database (an astrology app's data) for `make bench` and `make run`.
//! `keepsake-bench check PATH`: runs the soundness check every backup runs on its snapshot
//! (the engine's own `check_soundness`), alone, and prints its answer and seconds, which
//! `make bench` compares with a full backup's time. Everything else the benchmark does goes
//! through the real `keepsake` binary (scripts/bench.sh), except `keepsake-bench scale`
//! (`scale.rs`): a folder of 10,000 backups timed through the engine's calls.
#![allow(clippy::print_stdout)] // a command-line tool: printing is its job

use std::path::PathBuf;
use std::process::ExitCode;

mod scale;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, path, mb, rest @ ..] if cmd == "generate" && rest.len() <= 1 => {
            let Ok(mb) = mb.parse::<u64>() else {
                eprintln!("error: SIZE_MB must be a whole number of megabytes, got {mb:?}");
                return ExitCode::from(2);
            };
            let seed = rest.first().and_then(|s| s.parse().ok()).unwrap_or(2026);
            match keepsake_demo::generate(&PathBuf::from(path), mb << 20, seed) {
                Ok(stats) => {
                    println!(
                        "{path}: {} bytes, {} users, {} charts, {} positions",
                        stats.bytes, stats.users, stats.charts, stats.positions
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        [cmd, path] if cmd == "check" => match keepsake_engine::check_soundness(&PathBuf::from(path)) {
            Ok((soundness, took)) => {
                println!("{} {:.2}", soundness.as_str(), took.as_secs_f64());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        [cmd, dir, rest @ ..] if cmd == "scale" && rest.len() <= 3 => {
            let n = |i: usize, default: usize| rest.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
            match scale::run(&PathBuf::from(dir), n(0, 10_000), n(1, 1_000), n(2, 50).max(1)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        _ => {
            eprintln!(
                "usage: keepsake-bench generate PATH SIZE_MB [SEED] | keepsake-bench check PATH | \
                 keepsake-bench scale DIR [BACKUPS] [FOREIGN] [SOURCES]"
            );
            ExitCode::from(2)
        }
    }
}
