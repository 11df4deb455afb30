//! `keepsake list`: the backups this installation made, newest first; then, apart, what else
//! lies in the folder: foreign backups (made elsewhere, copied in, or planted), and files with a
//! backup's name that cannot be read (locked by another password, or damaged).

use chrono::Utc;
use clap::Args;
use keepsake_engine::model::{BackupMetadata, Concern, Soundness, VerificationStatus};
use keepsake_engine::{FileState, FolderFile};

use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK};
use crate::output::{Style, Table, human_size, relative_time, safe};

/// List backups, newest first
#[derive(Debug, Args)]
#[command(after_help = "With --from DEST, the backups are read from the destination's objects \
    alone (no local record is needed: the computer they were made on may be gone); they list \
    as foreign.\n\n\
    Examples:\n  keepsake list\n  keepsake list --limit 5 --json\n  keepsake list --from b2")]
pub struct List {
    /// Show at most N backups
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
    /// List the backups at a destination (see `keepsake dest list`) instead of the folder
    #[arg(long, value_name = "DEST")]
    from: Option<String>,
}

impl Verb for List {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let ctx = match &self.from {
            // A listing alone never spends minutes on a planted file: no foreign key derivation.
            Some(from) => Ctx::remote(cfg, &cfg.destination(from)?, false, None)?,
            None => Ctx::of_folder(cfg)?,
        };
        run(&ctx, self.limit)
    }
}

pub fn run(ctx: &Ctx, limit: Option<usize>) -> CliResult<u8> {
    let mut report = ctx.engine.scan()?;
    if let Some(n) = limit {
        report.backups.truncate(n);
    }
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({
            "backups": report.backups,
            "foreign": report.foreign,
            "files": report.files,
        }))?;
        return Ok(EXIT_OK);
    }
    if ctx.remote {
        // Read from a destination: every backup there is foreign to this installation's records
        // (the lost-computer case), listed below.
        if report.foreign.is_empty() && report.backups.is_empty() {
            ctx.out.note(&format!("No backups at {}.", ctx.backup_dir.display()));
        }
    } else if report.backups.is_empty() {
        ctx.out.note(&format!(
            "No backups made here in {} yet; make one with `keepsake create`.",
            ctx.backup_dir.display()
        ));
    } else {
        ctx.out.text(&table(&report.backups).render(ctx.out.mode.color))?;
    }
    if !report.foreign.is_empty() {
        let heading = if ctx.remote {
            format!(
                "Backups at {} ({}): restore one with `keepsake restore --from DEST ID --allow-foreign`.",
                ctx.backup_dir.display(),
                report.foreign.len()
            )
        } else {
            format!(
                "\nNot made here ({}): restoring one needs --allow-foreign; check where it comes from first.",
                report.foreign.len()
            )
        };
        ctx.out.text(&heading)?;
        ctx.out.text(&table(&report.foreign).render(ctx.out.mode.color))?;
    }
    if !report.files.is_empty() {
        ctx.out.text(&format!("\nOther files with a backup's name ({}):", report.files.len()))?;
        ctx.out.text(&files(&report.files).render(ctx.out.mode.color))?;
    }
    Ok(EXIT_OK)
}

pub fn verification_cell(v: VerificationStatus) -> (String, Style) {
    match v {
        VerificationStatus::Passed => ("passed".to_owned(), Style::Good),
        VerificationStatus::Failed => ("FAILED".to_owned(), Style::Bad),
        VerificationStatus::Unverified => ("-".to_owned(), Style::Dim),
    }
}

/// Whether the database in a backup passed SQLite's check: `yes`, `?` (not known: made before
/// every backup was checked, or foreign) or `DAMAGED`.
pub fn soundness_cell(s: Soundness) -> (String, Style) {
    match s {
        Soundness::Sound => ("yes".to_owned(), Style::Good),
        Soundness::Unknown => ("?".to_owned(), Style::Dim),
        Soundness::Damaged => ("DAMAGED".to_owned(), Style::Bad),
    }
}

/// A concern in a few words.
pub fn concern_text(c: Concern) -> &'static str {
    match c {
        Concern::Missing => "FILE MISSING",
        Concern::Changed => "FILE CHANGED since it was made",
        Concern::OtherInstallation => "made on another computer",
        Concern::NotRecorded => "not recorded here",
        Concern::CopyOfOwn => "a copy of a backup made here",
        Concern::NameMismatch => "header names another backup",
        Concern::IdTaken => "claims the id of a backup made here",
        Concern::FutureDated => "dated in the future",
        Concern::BrokenChain => "CANNOT BE RESTORED: a backup it builds on is missing or changed",
    }
}

fn table(backups: &[BackupMetadata]) -> Table {
    let now = Utc::now();
    let mut t = Table::new(&[
        ("ID", false),
        ("CREATED", false),
        ("TYPE", false),
        ("KIND", false),
        ("SIZE", true),
        ("ORIGINAL", true),
        ("ENC", false),
        ("VERIFIED", false),
        ("SOUND", false),
        ("DESCRIPTION", false),
    ]);
    for b in backups {
        let mut description = b.description.clone().unwrap_or_default();
        if !b.tags.is_empty() {
            let tags = b.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ");
            description = if description.is_empty() { tags } else { format!("{description} {tags}") };
        }
        if b.pinned.is_some() {
            description = if description.is_empty() {
                "[pinned]".to_owned()
            } else {
                format!("[pinned] {description}")
            };
        }
        // An app's other file: which file, and the backup of its run it is restored with.
        if let Some(main) = &b.with {
            let file = b.source_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let note = format!("{file}, with {main}");
            description = if description.is_empty() { note } else { format!("{note} {description}") };
        }
        if b.opaque.is_some() {
            description = if description.is_empty() {
                "[kept whole: encrypted by its app]".to_owned()
            } else {
                format!("[kept whole: encrypted by its app] {description}")
            };
        }
        if b.copied_while_held {
            description = if description.is_empty() {
                "[copied while its app ran]".to_owned()
            } else {
                format!("[copied while its app ran] {description}")
            };
        }
        if let Some(c) = b.concern {
            let note = concern_text(c);
            description =
                if description.is_empty() { format!("[{note}]") } else { format!("[{note}] {description}") };
        }
        t.row(vec![
            (safe(&b.id), Style::Bold),
            (relative_time(b.created_at, now), Style::Plain),
            (b.backup_type.as_str().to_owned(), Style::Plain),
            kind_cell(b),
            (human_size(b.stored_size), Style::Plain),
            (human_size(b.original_size), Style::Dim),
            (if b.encrypted { "yes" } else { "no" }.to_owned(), Style::Plain),
            verification_cell(b.verification),
            soundness_cell(b.soundness),
            (safe(&description), if b.concern.is_some() { Style::Bad } else { Style::Plain }),
        ]);
    }
    t
}

/// `full`, or `+3` for the third increment of a chain.
fn kind_cell(b: &BackupMetadata) -> (String, Style) {
    match &b.chain {
        None => ("full".to_owned(), Style::Plain),
        Some(c) => (format!("+{}", c.seq), Style::Dim),
    }
}

fn files(files: &[FolderFile]) -> Table {
    let now = Utc::now();
    let mut t = Table::new(&[("FILE", false), ("NAMED DATE", false), ("SIZE", true), ("STATE", false)]);
    for f in files {
        let (state, style) = match f.state {
            FileState::Locked => ("locked: another password, or none given".to_owned(), Style::Dim),
            FileState::Damaged => (format!("DAMAGED: {}", f.message), Style::Bad),
        };
        t.row(vec![
            (safe(&f.file_name), Style::Plain),
            (f.named_date.map(|d| relative_time(d, now)).unwrap_or_else(|| "-".into()), Style::Plain),
            (human_size(f.size), Style::Plain),
            (safe(&state), style),
        ]);
    }
    t
}
