//! `keepsake restore`: replace the database (or write `--to PATH`) with a backup, after asking.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Args;
use keepsake_engine::model::RestoreOptions;

use super::{Ctx, Open, Verb};
use crate::args::switch;
use crate::config::{Config, absolute};
use crate::error::{CliResult, EXIT_OK};
use crate::output::{human_duration, relative_time, safe};

/// Replace the database (or write --to PATH) with a backup
#[derive(Debug, Args)]
#[command(after_help = "Without --yes, restore asks for confirmation on a terminal and refuses \
    to run without one. With --table, only that table's rows go back (a safety backup of the \
    whole database first: restoring that safety backup undoes it, as for a full restore).\n\n\
    Examples:\n  keepsake restore backup_20250101_020000\n  \
    keepsake restore backup_20250101_020000 --to /tmp/check.db --yes\n  \
    keepsake restore backup_20250101_020000 --table invoices --yes")]
pub struct Restore {
    /// Id of the backup (see `keepsake list`)
    id: String,

    /// Restore from a destination's copy (see `keepsake dest list`), as on a new computer
    #[arg(long, value_name = "DEST")]
    from: Option<String>,

    /// Write the database to PATH instead of the configured database
    #[arg(long, value_name = "PATH")]
    to: Option<PathBuf>,

    /// Verify the backup before touching the database (the default)
    #[arg(long, overrides_with = "no_verify")]
    verify: bool,
    /// Skip the verification before restoring
    #[arg(long, overrides_with = "verify")]
    no_verify: bool,

    /// Do not back up the current database before replacing it
    #[arg(long)]
    no_safety_backup: bool,

    /// Restore a foreign backup: one this installation did not make (`keepsake list` shows
    /// them apart). Its content comes from a file anyone with access to the folder could have
    /// put there
    #[arg(long)]
    allow_foreign: bool,

    /// Restore an unencrypted backup into a database whose backups are encrypted
    #[arg(long)]
    allow_unencrypted: bool,

    /// Take back only this table (repeat for several): its rows replace the table's rows in
    /// the database, in one transaction, after a safety backup; every other table stays as it is
    #[arg(long, short = 't', value_name = "TABLE", conflicts_with = "to")]
    table: Vec<String>,

    /// With --table: go ahead although rows of other tables would then refer to rows that are
    /// not there (foreign keys)
    #[arg(long, requires = "table")]
    allow_broken_references: bool,

    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    yes: bool,
}

/// What `restore` does, resolved.
#[derive(Debug)]
struct Plan {
    id: String,
    target: PathBuf,
    opts: RestoreOptions,
    confirmed: bool,
    /// Where from: the backup folder, or a destination (with the local folder for the safety
    /// backup).
    from: From,
    /// An app's source restored whole (its database and its other files, from the same run).
    app: Option<keepsake_engine::sources::Source>,
}

#[derive(Debug)]
enum From {
    Folder(PathBuf),
    Destination { dest: Box<keepsake_engine::Destination>, local_dir: Option<PathBuf> },
}

impl Restore {
    fn plan(self, cfg: &Config) -> CliResult<Plan> {
        let picked = cfg.picked_source()?;
        let picked = picked.as_ref();
        // A restore from a destination needs a target, not a backup folder.
        let place = match self.from.as_deref() {
            Some(name) => Err(Box::new(cfg.destination(name)?)),
            None => Ok(cfg.backup_dir(picked)?),
        };
        let self_to_is_none = self.to.is_none();
        let target = match self.to {
            Some(p) => absolute(p),
            None => cfg.database_needed(picked, "to restore to")?,
        };
        let opts = RestoreOptions {
            verify_first: switch(self.verify, self.no_verify).unwrap_or(true),
            safety_backup: !self.no_safety_backup,
            // The source's (or the configuration's) encryption: the safety backup follows it,
            // and an unencrypted backup needs --allow-unencrypted.
            source_encrypts: cfg.encrypts(picked),
            allow_foreign: self.allow_foreign,
            allow_unencrypted: self.allow_unencrypted,
            tables: self.table,
            allow_broken_references: self.allow_broken_references,
            new_file: false,
        };
        let from = match place {
            Ok(dir) => From::Folder(dir),
            Err(dest) => {
                // The safety backup of the database it replaces stays on this computer: in the
                // backup folder that is set (flag, source, environment, file), else beside the
                // target as `backups/`, as for a local backup.
                let local_dir = cfg
                    .backup_dir_set(picked)
                    .or_else(|| Some(target.parent().unwrap_or(Path::new(".")).join("backups")));
                From::Destination { dest, local_dir }
            }
        };
        // An app's files go back together, to where they belong (not with --to or --table).
        let app = picked
            .filter(|s| s.app.is_some() && self_to_is_none && opts.tables.is_empty() && matches!(from, From::Folder(_)))
            .cloned();
        Ok(Plan { id: self.id, target, opts, confirmed: self.yes, from, app })
    }
}

impl Verb for Restore {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let plan = self.plan(cfg)?;
        // A backup made with another key derivation setting is opened only when the person
        // asked for foreign backups.
        let foreign = plan.opts.allow_foreign;
        let ctx = match plan.from {
            From::Folder(dir) => Ctx::folder(cfg, dir, Open { foreign, ..Open::default() })?,
            From::Destination { dest, local_dir } => {
                // Encrypted as the source's are, and plain when the source does not encrypt.
                let safety = local_dir.filter(|_| plan.opts.safety_backup && plan.target.is_file());
                Ctx::remote(cfg, &dest, foreign, safety)?
            }
        };
        match &plan.app {
            Some(source) => run_app(&ctx, &plan.id, source, &plan.opts, plan.confirmed),
            None => run(&ctx, &plan.id, &plan.target, &plan.opts, plan.confirmed),
        }
    }
}

/// An app's source: every file of it put back from the run of backup `id`, after one question.
fn run_app(
    ctx: &Ctx,
    id: &str,
    source: &keepsake_engine::sources::Source,
    opts: &RestoreOptions,
    confirmed: bool,
) -> CliResult<u8> {
    let meta = ctx.engine.get(id)?;
    let made = relative_time(meta.created_at, Utc::now());
    let question = format!(
        "Put back {} ({} files) as it was at {id} (made {made})? {}",
        source.name,
        source.files().count(),
        if opts.safety_backup { "A safety backup of each file is made first." } else { "NO safety backup will be made (--no-safety-backup)." }
    );
    ctx.confirm(confirmed, &question, "restore")?;
    let outcomes = ctx.work(|job| ctx.engine.restore_app(id, source, opts, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&outcomes)?;
        return Ok(EXIT_OK);
    }
    for o in &outcomes {
        let undo = o.safety_backup_id.as_ref().map_or(String::new(), |s| format!("; before: {s}"));
        ctx.out.text(&format!("Restored backup {} to {}{undo}.", o.backup_id, o.target.display()))?;
    }
    ctx.out.text(&format!(
        "{} is back as it was {made}; each file's safety backup (named above) undoes it.",
        source.name
    ))?;
    Ok(EXIT_OK)
}

fn run(ctx: &Ctx, id: &str, target: &Path, opts: &RestoreOptions, confirmed: bool) -> CliResult<u8> {
    // Look the backup up first: an unknown id should fail before anyone is asked anything.
    let meta = ctx.engine.get(id)?;
    let made = relative_time(meta.created_at, Utc::now());
    let question = if !opts.tables.is_empty() {
        let what = safe(&opts.tables.join(", "));
        let safety = if opts.safety_backup {
            "A safety backup of the whole database is made first."
        } else {
            "NO safety backup will be made (--no-safety-backup)."
        };
        format!(
            "Replace the rows of {what} in {} with those in {id} (made {made})? Every other table stays as it is. {safety}",
            target.display()
        )
    } else if target.exists() {
        let safety = if opts.safety_backup {
            "A safety backup of it is made first."
        } else {
            "NO safety backup will be made (--no-safety-backup)."
        };
        format!("Restore {id} (made {made}) over {}? {safety}", target.display())
    } else {
        format!("Restore {id} (made {made}) to the new file {}?", target.display())
    };
    // A layout changed since (the owning app was updated?) is said before anything happens.
    // (Best effort: a target that cannot be read is the restore's own refusal to word.)
    if opts.tables.is_empty()
        && let Ok(Some(c)) = ctx.engine.layout_change(id, target)
    {
        let mut what = Vec::new();
        if c.user_version_then != c.user_version_now {
            what.push(format!(
                "data version {} now, {} in the backup",
                c.user_version_now, c.user_version_then
            ));
        }
        if !c.tables_added.is_empty() {
            what.push(format!("tables added since: {}", safe(&c.tables_added.join(", "))));
        }
        if !c.tables_gone.is_empty() {
            what.push(format!("tables gone since: {}", safe(&c.tables_gone.join(", "))));
        }
        if what.is_empty() {
            what.push("tables, columns or indexes changed".to_owned());
        }
        ctx.out.note(&format!(
            "warning: the layout of {} changed since this backup ({}): the app that uses it was probably \
             updated. Restoring puts the old layout back; `keepsake restore {id} --table T` takes back one \
             table instead.",
            target.display(),
            what.join("; ")
        ));
    }
    ctx.confirm(confirmed, &question, "restore")?;
    let outcome = ctx.work(|job| ctx.engine.restore(id, target, opts, job))?;
    if ctx.out.json_mode() {
        ctx.out.json(&outcome)?;
        return Ok(EXIT_OK);
    }
    if !outcome.tables.is_empty() {
        for t in &outcome.tables {
            let before =
                t.rows_before.map_or_else(|| "it was gone".to_owned(), |n| format!("{n} rows before"));
            ctx.out.text(&format!("Restored {}: {} rows ({before}).", safe(&t.table), t.rows_after))?;
        }
        if !outcome.referenced_by.is_empty() {
            ctx.out.note(&format!(
                "Tables that refer to it were left as they are: {}.",
                safe(&outcome.referenced_by.join(", "))
            ));
        }
        if !outcome.triggers.is_empty() {
            ctx.out.note(&format!(
                "The database's own triggers ran as rows were replaced: {}.",
                safe(&outcome.triggers.join(", "))
            ));
        }
    } else {
        ctx.out.text(&format!(
            "Restored backup {} to {} in {}{}.",
            outcome.backup_id,
            outcome.target.display(),
            human_duration(outcome.duration_ms),
            if outcome.verified { " (verified first)" } else { "" },
        ))?;
    }
    if let Some(safety) = &outcome.safety_backup_id {
        // From a destination, the safety backup is in the local folder: the command names it.
        let command = match &ctx.safety_dir {
            Some(dir) => format!("keepsake --backup-dir {} restore {safety}", crate::hints::shell_word(dir)),
            None => format!("keepsake restore {safety}"),
        };
        ctx.out.text(&format!(
            "The database as it was before is in backup {safety}; `{command}` undoes this."
        ))?;
    }
    Ok(EXIT_OK)
}
