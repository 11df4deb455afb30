//! `keepsake find`: the SQLite databases of this person's apps, found by a bounded scan of the
//! places apps keep data and named from the catalogue of apps. Reads only; adds nothing.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use keepsake_engine::discover::{Budget, Catalogue, Folders, Found, ScanPlan, Stopped, scan};
use keepsake_engine::seams::CancelToken;

use super::Verb;
use crate::config::Config;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::{Output, Style, human_size, safe};

/// Find the SQLite databases of your apps (Firefox, Zotero, Anki, ...) and say what they hold
#[derive(Debug, Args)]
#[command(after_help = "Looks in the places apps keep data (~/.local/share, ~/.config, ~/.cache, \
    ~/.mozilla, ~/.thunderbird, Flatpak's ~/.var/app, Snap's ~/snap) and the top levels of the home \
    folder. Databases are known by their first bytes, not their names; links are not followed and \
    other disks are not entered. Nothing is added: `keepsake source add --app ID` protects an app.\n\n\
    Examples:\n  keepsake find\n  keepsake find --json\n  keepsake source add --app firefox --schedule 'daily 12:00'")]
pub struct Find {
    /// Look in this home folder instead of yours (its XDG folders are the defaults under it)
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,

    /// Stop after this many seconds [default: 30]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    max_seconds: Option<u64>,

    /// Stop after looking at this many folders and files [default: 500000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_entries: Option<u64>,
}

impl Verb for Find {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let plan = self.plan(cfg)?;
        let cancel = CancelToken::new();
        crate::interrupt::watch(cancel.clone());
        let quiet = cfg.out.json_mode();
        let found = scan(&plan, &Catalogue::shipped(), &cancel, &|c| {
            if !quiet && cfg.term.stderr {
                eprint!("\rLooked at {} files in {} folders...", c.files, c.folders);
            }
        });
        if !quiet && cfg.term.stderr && found.counts.entries >= 4096 {
            eprint!("\r\x1b[2K");
        }
        if cfg.out.json_mode() {
            cfg.out.json(&found)?;
        } else {
            show(&cfg.out, &found)?;
        }
        Ok(EXIT_OK)
    }
}

impl Find {
    fn plan(&self, cfg: &Config) -> CliResult<ScanPlan> {
        let folders = match &self.home {
            Some(home) => Folders::under(&crate::config::absolute(home.clone())),
            None => Folders::of_user().ok_or_else(|| {
                CliError::invalid("no home folder is known", "Pass the folder to look in: `keepsake find --home DIR`.")
            })?,
        };
        // Keepsake's own files and the folders of its backups are not among the finds.
        let mut skip: Vec<PathBuf> = keepsake_engine::Installation::default_dir().into_iter().collect();
        if let Ok(file) = cfg.sources_file()
            && let Ok(sources) = file.load_file()
        {
            skip.extend(sources.sources.iter().map(|s| s.backup_dir.clone()));
        }
        let defaults = Budget::default();
        let budget = Budget {
            max_entries: self.max_entries.unwrap_or(defaults.max_entries),
            max_time: self.max_seconds.map_or(defaults.max_time, Duration::from_secs),
        };
        Ok(ScanPlan { folders, skip, budget })
    }
}

fn show(out: &Output, found: &Found) -> CliResult<()> {
    let mut text = String::new();
    for app in &found.apps {
        let how = match app.installed {
            keepsake_engine::discover::Installed::Native => "",
            keepsake_engine::discover::Installed::Flatpak => ", Flatpak",
            keepsake_engine::discover::Installed::Snap => ", Snap",
        };
        text.push_str(&format!(
            "{} ({}{how}, `--app {}`)\n  {}\n",
            out.paint(&app.name, Style::Bold),
            app.kind,
            app.app,
            safe(&app.place.display().to_string())
        ));
        for f in &app.files {
            // File and folder names come from the disk: nothing in them acts on the terminal.
            let name = safe(&f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            let mut notes = Vec::new();
            if !f.important {
                notes.push("the app can rebuild it");
            }
            if f.encrypted {
                notes.push("encrypted by the app: Keepsake can keep copies of this file but cannot check inside it");
            }
            if f.in_use {
                notes.push("in use");
            }
            if f.shared {
                notes.push("others can write here");
            }
            let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
            text.push_str(&format!(
                "    {name:<28} {:>9}  {}{notes}\n",
                human_size(f.size),
                f.holds.as_deref().unwrap_or("")
            ));
        }
    }
    if !found.unknown.is_empty() {
        text.push_str(&format!("{}\n", out.paint("Other SQLite databases", Style::Bold)));
        for f in &found.unknown {
            let shared = if f.shared { "  (others can write here)" } else { "" };
            text.push_str(&format!("    {:>9}  {}{shared}\n", human_size(f.size), safe(&f.path.display().to_string())));
        }
    }
    if found.apps.is_empty() && found.unknown.is_empty() {
        text.push_str("No SQLite databases were found.\n");
    }
    let c = &found.counts;
    let n = |count: u64, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
    let mut tail = format!(
        "Looked at {} in {} in {:.1} s: {} of {}, {} more.",
        n(c.files, "file", "files"),
        n(c.folders, "folder", "folders"),
        found.took_ms as f64 / 1000.0,
        n(found.apps.iter().map(|a| a.files.len() as u64).sum(), "database", "databases"),
        n(found.apps.len() as u64, "app", "apps"),
        found.unknown.len(),
    );
    match found.stopped {
        Some(Stopped::TimeBudget) => tail.push_str(" Stopped at the time limit (--max-seconds): some places were not looked at."),
        Some(Stopped::CountBudget) => tail.push_str(" Stopped at the count limit (--max-entries): some places were not looked at."),
        Some(Stopped::Cancelled) => tail.push_str(" Stopped when asked."),
        None => {}
    }
    text.push_str(&tail);
    out.text(&text)
}
