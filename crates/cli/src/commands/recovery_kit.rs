//! `keepsake recovery-kit`: makes a recovery key and the emergency kit to print or keep (a PDF
//! and the same page as a PNG), asks the person to type back part of the key, and only then
//! makes it the key that opens every backup without the password. Keepsake never keeps the key.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::Local;
use clap::Args;
use keepsake_engine::format::vault::RecoveryKey;
use keepsake_engine::{Engine, KeyStatus};
use serde::Serialize;

use super::{Ctx, Open, Verb, installation};
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK};

/// Make a recovery key and an emergency kit, so a forgotten password loses nothing
#[derive(Debug, Args)]
#[command(after_help = "The kit is a one-page PDF (and the same page as a PNG) with the recovery key in large \
type and as a QR code, what Keepsake protects, where the backups are and how to restore on a new \
computer. To confirm you have the key, you type back its last group. A new kit replaces the old one: \
the old key still opens the backups made until now, and none made after.

Examples:
  keepsake recovery-kit
  keepsake recovery-kit --out ~/Documents")]
pub struct RecoveryKit {
    /// Folder to write the kit into [default: the current folder]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Serialize)]
struct Made<'a> {
    recovery_key: &'a str,
    pdf: &'a Path,
    png: &'a Path,
    key: &'a KeyStatus,
}

impl Verb for RecoveryKit {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let picked = cfg.picked_source()?;
        let dir = cfg.backup_dir(picked.as_ref())?;
        let ctx = Ctx::folder(cfg, dir, Open { make_folder: true, ..Open::default() })?;
        let out_dir = self.out.unwrap_or_else(|| PathBuf::from("."));
        let rk = RecoveryKey::generate()?;
        let key = rk.display();
        let kit = keepsake_kit::Kit {
            key: key.to_string(),
            made_on: Local::now().format("%-d %B %Y").to_string(),
            computer: hostname(),
            protects: protects(cfg),
            places: places(cfg, &ctx),
        };
        let (pdf, png) = keepsake_kit::write(&kit, &out_dir, "keepsake-emergency-kit")
            .map_err(|e| CliError::invalid(e.to_string(), "Check that the folder exists and can be written."))?;
        let groups: Vec<&str> = key.split('-').collect();
        let half = groups.len() / 2;
        if !ctx.out.json_mode() {
            ctx.out.text(&format!(
                "Your recovery key:\n\n    {}\n    {}\n\nThe kit: {} (and the same page as {}).\nPrint it, \
                 or keep it somewhere safe away from this computer. Keepsake does not keep the key.\n",
                groups[..half].join("-"),
                groups[half..].join("-"),
                pdf.display(),
                png.display(),
            ))?;
        }
        // Typed back: the last group, read from the terminal (or what stdin gives a script).
        let confirmed = ask("To confirm you have it, type the last group of the key: ")
            .and_then(|typed| {
                let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
                groups.last().map(|last| typed == *last)
            })
            .unwrap_or(false);
        if !confirmed {
            let _ = std::fs::remove_file(&pdf);
            let _ = std::fs::remove_file(&png);
            return Err(CliError::invalid(
                "the key was not typed back as the kit shows it; nothing changed, and the kit was removed",
                "Run `keepsake recovery-kit` again and type the last group of the new key.",
            ));
        }
        let status = ctx.work(|job| ctx.engine.adopt_recovery_key(&rk, job))?;
        publish_everywhere(cfg, &ctx);
        if ctx.out.json_mode() {
            ctx.out.json(&Made { recovery_key: &key, pdf: &pdf, png: &png, key: &status })?;
        } else {
            ctx.out.note(
                "Done. This recovery key opens every backup made so far and from now on, without the \
                 password. The key of an older kit opens only what was made before now.",
            );
        }
        Ok(EXIT_OK)
    }
}

/// One line from the terminal or stdin, after `prompt` on stderr.
fn ask(prompt: &str) -> Option<String> {
    let _prompting = crate::interrupt::Prompting::start();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(line)
}

fn hostname() -> Option<String> {
    std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty())
}

/// What is protected: each source's database (or the one database of this run).
fn protects(cfg: &Config) -> Vec<String> {
    let sources = cfg.sources_file().and_then(|f| f.load()).map(|s| s.sources).unwrap_or_default();
    if sources.is_empty() {
        return cfg.database(None).ok().flatten().map(|d| vec![d.display().to_string()]).unwrap_or_default();
    }
    sources.iter().map(|s| format!("{}: {}", s.name, s.database.display())).collect()
}

/// Where the backups are: every backup folder, then every destination (never a secret).
fn places(cfg: &Config, ctx: &Ctx) -> Vec<String> {
    let sources = cfg.sources_file().and_then(|f| f.load()).unwrap_or_default();
    let mut folders: Vec<String> = vec![format!("The folder {}", ctx.backup_dir.display())];
    for s in &sources.sources {
        let f = format!("The folder {}", s.backup_dir.display());
        if !folders.contains(&f) {
            folders.push(f);
        }
    }
    folders.extend(sources.destinations.iter().map(|d| format!("{} ({})", d.name, d.describe())));
    folders
}

/// Writes the new key's record into every source's backup folder and every destination, so
/// backups there open with the new key on another computer too; a destination that cannot be
/// reached now gets it with its next copy (said).
pub(crate) fn publish_everywhere(cfg: &Config, ctx: &Ctx) {
    let Ok(home) = installation() else { return };
    let sources = cfg.sources_file().and_then(|f| f.load()).unwrap_or_default();
    for s in sources.sources.iter().filter(|s| s.backup_dir != ctx.backup_dir && s.backup_dir.is_dir()) {
        if let Ok(engine) = Engine::open_folder(&home, &s.backup_dir) {
            let _ = engine.publish_key(engine.store().as_ref());
        }
    }
    for d in &sources.destinations {
        let sent = keepsake_remote::open_saved(d).map_err(|e| e.message().to_owned()).and_then(|store| {
            ctx.engine.publish_key(store.as_ref()).map_err(|e| e.message().to_owned())
        });
        if let Err(why) = sent {
            ctx.out.note(&format!("{} was not reached ({why}); it gets the new key with its next copy.", d.name));
        }
    }
}
