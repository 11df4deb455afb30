//! `keepsake run NAME`: a source's scheduled run, now, through the same engine verb as the
//! daemon (`Engine::run_scheduled`): back up with the source's settings, verify, apply its
//! retention. It is recorded as a scheduled backup, so it covers the current slot.

use clap::Args;
use keepsake_engine::error::ErrorCode;
use keepsake_engine::model::RunStatus;
use keepsake_engine::sources::Source;

use super::{Ctx, Open, Verb};
use crate::config::{Config, absolute};
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{human_duration, human_size};

/// Run a source's scheduled backup now: back up, verify, apply its retention
#[derive(Debug, Args)]
#[command(after_help = "The run is recorded as a scheduled backup, so it counts for the \
    source's current slot. Exits 1 when the new backup fails its verification, 3 when the \
    backup folder is busy (the run is recorded as skipped).\n\n\
    Examples:\n  keepsake run astro\n  keepsake run astro --json")]
pub struct Run {
    /// Name of the source (see `keepsake source list`)
    name: String,
}

impl Run {
    /// The source, which brings its own database and folder.
    fn source(&self, cfg: &Config) -> CliResult<Source> {
        let name = &self.name;
        if cfg.global.db.is_some() || cfg.global.backup_dir.is_some() {
            return Err(CliError::invalid(
                "`run` uses the source's own database and backup folder, not --db/--backup-dir",
                format!("Change them with `keepsake source set {name} database PATH` (or backup_dir)."),
            ));
        }
        if cfg.global.source.iter().any(|s| s != name) {
            return Err(CliError::invalid(
                "`run` takes the source's name as its argument, not --source",
                format!("Run `keepsake run {name}`."),
            ));
        }
        cfg.source(name)
    }
}

impl Verb for Run {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let source = self.source(cfg)?;
        let open = Open { confirm_password: source.encrypt, make_folder: true, ..Open::default() };
        let ctx = Ctx::folder(cfg, absolute(source.backup_dir.clone()), open)?;
        run(&ctx, &source)
    }
}

fn run(ctx: &Ctx, source: &Source) -> CliResult<u8> {
    super::space::warn_if_low(ctx, &source.database, &source.low_space, source.verify_after_backup);
    let run = ctx.work(|job| ctx.engine.run_scheduled(source, job))?;
    if run.status == RunStatus::Skipped {
        return Err(CliError {
            code: ErrorCode::Busy,
            message: format!(
                "{}; the run of {} was recorded as skipped",
                run.message.as_deref().unwrap_or("the backup folder is busy"),
                source.name
            ),
            hint: crate::hints::hint(ErrorCode::Busy).into(),
            silent: false,
        });
    }
    if ctx.out.json_mode() {
        ctx.out.json(&run)?;
    } else if let Some(meta) = &run.backup {
        // The id alone on stdout, as `create` does; the details go to stderr.
        ctx.out.text(&meta.id)?;
        let verified = match &run.verify {
            Some(r) if r.ok => ", verified",
            Some(_) => ", VERIFICATION FAILED",
            None => "",
        };
        ctx.out.note(&format!(
            "Backed up {} ({}) to {} ({}, {}{verified}) in {}",
            source.name,
            human_size(meta.original_size),
            ctx.engine
                .backup_path(meta)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| meta.file_name.clone()),
            human_size(meta.stored_size),
            super::create::kind_words(meta),
            human_duration(run.duration_ms),
        ));
        // An app's source: its other files, backed up in the same run.
        if !run.also.is_empty() {
            let names: Vec<String> = run
                .also
                .iter()
                .map(|b| b.source_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
                .collect();
            ctx.out.note(&format!("With it, {} more of its files: {}.", names.len(), names.join(", ")));
        }
        if meta.copied_while_held || run.also.iter().any(|b| b.copied_while_held) {
            ctx.out.note(
                "Its app had the files open: they were copied as they were on disk, checked unchanged while copied and sound.",
            );
        }
        if meta.opaque.is_some() || run.also.iter().any(|b| b.opaque.is_some()) {
            ctx.out.note(
                "Kept whole: its app encrypts the file itself, so Keepsake checked the copy but cannot check inside it.",
            );
        }
        if let Some(why) = meta.full_reason {
            ctx.out
                .note(&format!("Full backup, not an increment: {}.", super::create::full_reason_words(why)));
        }
        if let Some(plan) = run.cleanup.as_ref().filter(|p| !p.delete.is_empty()) {
            ctx.out.note(&format!(
                "Retention: deleted {} old backup(s) ({} freed), kept {}.",
                plan.delete.len(),
                human_size(plan.freed_bytes()),
                plan.keep.len()
            ));
        }
    }
    if !ctx.out.json_mode() {
        super::alerts::tell(ctx, &run.alerts);
    }
    if let Some(p) = &run.cleanup_error {
        ctx.out.problem(
            &format!("the backup is fine, but the retention cleanup failed: {}", p.message),
            crate::hints::hint(p.code),
        );
    }
    if run.status == RunStatus::Failed {
        let id = run.backup.as_ref().map_or("", |b| b.id.as_str());
        ctx.out.problem(
            run.message.as_deref().unwrap_or("the new backup failed its verification"),
            &format!("Run `keepsake --source {} verify {id}` to see which check failed; do not rely on this backup.", source.name),
        );
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;
    use crate::config::testing::with_sources;

    fn source(args: &[&str]) -> CliResult<Source> {
        let (cfg, command) = parse(args, &[])?;
        let Command::Run(run) = command else { panic!("not run") };
        run.source(&cfg)
    }

    #[test]
    fn run_takes_the_sources_own_database_and_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let s = source(&["--sources", &file, "run", "astro"]).expect("source");
        assert_eq!((s.name.as_str(), s.backup_dir), ("astro", PathBuf::from("/b/astro")));
        let e = source(&["--sources", &file, "--db", "x.db", "run", "astro"]).expect_err("db");
        assert!(e.message.contains("--db"), "{}", e.message);
        let e = source(&["--sources", &file, "--source", "other", "run", "astro"]).expect_err("--source");
        assert!(e.message.contains("--source"), "{}", e.message);
        let e = source(&["--sources", &file, "run", "nope"]).expect_err("unknown");
        assert!(e.message.contains("\"nope\""), "{}", e.message);
    }
}
