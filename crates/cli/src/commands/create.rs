//! `keepsake create`: back up the database and print the new backup's id.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use keepsake_engine::model::{
    BackupKind, BackupMetadata, BackupOptions, BackupType, DEFAULT_LEVEL, FullReason, VerificationStatus,
};
use keepsake_engine::{MAX_CHAIN_LENGTH, MAX_CHAIN_SHARE, MAX_INCREMENT_SHARE};

use super::{Ctx, Open, Verb};
use crate::args::switch;
use crate::config::Config;
use crate::error::{CliResult, EXIT_OK, EXIT_PROBLEM};
use crate::output::{human_duration, human_size};

/// Back up the database; prints the new backup's id
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake --db app.db create\n  \
    keepsake create --no-encrypt --description 'before migration' --tags prod deploy --verify\n  \
    id=$(keepsake create) && keepsake verify \"$id\"")]
pub struct Create {
    /// Encrypt the backup (AES-256-GCM) [default: BACKUP_ENCRYPTION_ENABLED, else on]
    #[arg(long, overrides_with = "no_encrypt")]
    pub encrypt: bool,
    /// Do not encrypt the backup
    #[arg(long, overrides_with = "encrypt")]
    pub no_encrypt: bool,

    /// Compress the backup (gzip) [default: BACKUP_COMPRESSION_ENABLED, else on]
    #[arg(long, overrides_with = "no_compress")]
    pub compress: bool,
    /// Do not compress the backup
    #[arg(long, overrides_with = "compress")]
    pub no_compress: bool,

    /// gzip level, 1 (fastest) to 9 (smallest) [default: the config file, else 6]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    pub level: Option<u32>,

    /// A note stored with the backup
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// Tags stored with the backup
    #[arg(long, value_name = "TAG", num_args = 1..)]
    pub tags: Vec<String>,

    /// Verify the backup right after writing it [default: BACKUP_VERIFY_AFTER_CREATE, else off]
    #[arg(long, overrides_with = "no_verify")]
    pub verify: bool,
    /// Do not verify after writing
    #[arg(long, overrides_with = "verify")]
    pub no_verify: bool,

    /// Why the backup is made, as recorded in the catalog
    #[arg(long = "type", value_enum, value_name = "TYPE", default_value_t = TypeArg::Manual)]
    pub backup_type: TypeArg,

    /// Make a full backup, even where an increment (only the pages changed since the previous
    /// backup) could be made [default: the source's `incremental`, else increments for
    /// databases of 64 MiB and more]. The next --incremental builds on it.
    #[arg(long, overrides_with = "incremental")]
    pub full: bool,
    /// Make an increment (only the pages changed since this database's newest backup here,
    /// full or increment). A full backup is made instead, and the output says why, when there
    /// is no earlier backup to build on (or it is missing, damaged, encrypted differently, or
    /// made with another password), when more than half of the pages changed, or to start a
    /// new chain once its increments add up to more than 60 % of its full backup or number 24
    #[arg(long, overrides_with = "full")]
    pub incremental: bool,
}

/// The backup types a person may ask for; `safety` is reserved to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    Manual,
    Scheduled,
    Auto,
}

/// What `create` does, resolved.
#[derive(Debug)]
struct Plan {
    backup_dir: PathBuf,
    database: PathBuf,
    opts: BackupOptions,
}

impl Create {
    /// Flags, then the `--source`'s settings, then the environment, then the config file.
    fn plan(self, cfg: &Config) -> CliResult<Plan> {
        let picked = cfg.picked_source()?;
        let picked = picked.as_ref();
        let (d, f) = (&cfg.defaults, cfg.file());
        let backup_dir = cfg.backup_dir(picked)?;
        let opts = BackupOptions {
            encrypt: switch(self.encrypt, self.no_encrypt).unwrap_or_else(|| cfg.encrypts(picked)),
            compress: switch(self.compress, self.no_compress)
                .or(picked.map(|s| s.compress))
                .or(d.compress)
                .or(f.compress)
                .unwrap_or(true),
            level: self.level.or(picked.map(|s| s.level)).or(f.level).unwrap_or(DEFAULT_LEVEL),
            description: self.description.filter(|d| !d.trim().is_empty()),
            tags: self.tags,
            backup_type: match self.backup_type {
                TypeArg::Manual => BackupType::Manual,
                TypeArg::Scheduled => BackupType::Scheduled,
                TypeArg::Auto => BackupType::Auto,
            },
            verify: switch(self.verify, self.no_verify)
                .or(picked.map(|s| s.verify_after_backup))
                .or(d.verify)
                .or(f.verify_after_create)
                .unwrap_or(false),
            incremental: switch(self.incremental, self.full).or(picked.and_then(|s| s.incremental)),
            watch: keepsake_engine::WatchRules {
                row_loss_percent: picked.map_or(keepsake_engine::watch::DEFAULT_ROW_LOSS_PERCENT, |s| {
                    s.row_loss_alert_percent
                }),
            },
            with: None,
            opaque: false,
        };
        let database = cfg.database_needed(picked, "to back up")?;
        // A file its app encrypts is kept as bytes, as the source says (`keepsake source add --app`).
        let opts = keepsake_engine::BackupOptions {
            opaque: picked.is_some_and(|s| s.is_opaque(&database)),
            ..opts
        };
        Ok(Plan { backup_dir, database, opts })
    }
}

impl Verb for Create {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let plan = self.plan(cfg)?;
        let open = Open { confirm_password: plan.opts.encrypt, make_folder: true, ..Open::default() };
        let ctx = Ctx::folder(cfg, plan.backup_dir, open)?;
        run(&ctx, &plan.database, &plan.opts)
    }
}

pub fn run(ctx: &Ctx, source: &Path, opts: &BackupOptions) -> CliResult<u8> {
    super::space::warn_if_low(ctx, source, &keepsake_engine::SpaceMargin::default(), opts.verify);
    let meta = ctx.work(|job| ctx.engine.backup(source, opts, job))?;
    let failed = meta.verification == VerificationStatus::Failed;
    if ctx.out.json_mode() {
        ctx.out.json(&meta)?;
    } else {
        // The id alone on stdout, so `id=$(keepsake create)` works; the details go to stderr.
        ctx.out.text(&meta.id)?;
        let kind = kind_words(&meta);
        let mut how = vec![kind.as_str()];
        how.push(if meta.encrypted { "encrypted" } else { "not encrypted" });
        how.push(if meta.compressed { "compressed" } else { "not compressed" });
        match meta.verification {
            VerificationStatus::Passed => how.push("verified"),
            VerificationStatus::Failed => how.push("VERIFICATION FAILED"),
            VerificationStatus::Unverified => {}
        }
        ctx.out.note(&format!(
            "Backed up {} ({}) to {} ({}, {}) in {}",
            source.display(),
            human_size(meta.original_size),
            ctx.engine
                .backup_path(&meta)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| meta.file_name.clone()),
            human_size(meta.stored_size),
            how.join(", "),
            human_duration(meta.duration_ms),
        ));
        if let Some(why) = meta.full_reason {
            ctx.out.note(&format!("Full backup, not an increment: {}.", full_reason_words(why)));
        }
    }
    if !ctx.out.json_mode() {
        super::alerts::tell(ctx, &ctx.engine.alerts_of(&meta.id)?);
    }
    if failed {
        ctx.out.problem(
            &format!("backup {} was written but failed its verification", meta.id),
            &format!(
                "Run `keepsake verify {}` to see which check failed; do not rely on this backup.",
                meta.id
            ),
        );
        return Ok(EXIT_PROBLEM);
    }
    // The backup is made (and kept: it is the database as it is now), but the database itself
    // failed the check of its snapshot: a problem found, as for a failed verification, so that
    // a script or a cron job notices (the alert above says what is pinned).
    if meta.source_integrity == Some(false) {
        ctx.out.problem(
            &format!("the database {} failed its integrity check", source.display()),
            "Keep the backups from before (the newest sound one is pinned);              `keepsake alerts` shows them, `keepsake list` says which are sound.",
        );
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}

/// `full`, or `increment +N on BASE`.
pub fn kind_words(meta: &BackupMetadata) -> String {
    match (&meta.kind, &meta.chain) {
        (BackupKind::Increment, Some(c)) => format!("increment +{} on {}", c.seq, c.base),
        (BackupKind::Increment, None) => "increment".to_owned(),
        (BackupKind::Full, _) => "full".to_owned(),
    }
}

/// Why a backup came out full when an increment was asked for, in a few words.
pub fn full_reason_words(why: FullReason) -> String {
    let pct = |share: f64| (share * 100.0).round() as u32;
    match why {
        FullReason::NoEarlierBackup => "no earlier backup of this database here to build on".to_owned(),
        FullReason::EarlierBackupUnusable => {
            "the newest earlier backup is missing, changed or failed its check".to_owned()
        }
        FullReason::EncryptionChanged => {
            "the newest earlier backup is encrypted differently (a chain is all encrypted or all not)"
                .to_owned()
        }
        FullReason::EarlierBackupOldFormat => {
            "the newest earlier backup is in an older format, which an increment cannot build on".to_owned()
        }
        FullReason::NoPageList => "the newest earlier backup's list of pages is not in this installation's \
            folder (made by an older Keepsake or elsewhere, or lost)"
            .to_owned(),
        FullReason::PageSizeChanged => "the database's page size changed".to_owned(),
        FullReason::PasswordChanged => {
            "the password changed (every backup of a chain opens with one password)".to_owned()
        }
        FullReason::ChainLongest => {
            format!("the chain reached its longest ({MAX_CHAIN_LENGTH} increments); a new chain starts here")
        }
        FullReason::ChainLarge => format!(
            "the chain's increments add up to more than {} % of its full backup; a new chain starts here",
            pct(MAX_CHAIN_SHARE)
        ),
        FullReason::ChainBroken => "a backup the chain builds on is missing or changed".to_owned(),
        FullReason::ManyPagesChanged => format!(
            "more than {} % of the database's pages changed, so an increment would cost as much",
            pct(MAX_INCREMENT_SHARE)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Command;
    use crate::commands::testing::parse;
    use crate::config::testing::with_sources;

    fn plan(args: &[&str], env: &[(&str, &str)]) -> CliResult<Plan> {
        let (cfg, command) = parse(args, env)?;
        let Command::Create(create) = command else { panic!("not create") };
        create.plan(&cfg)
    }

    #[test]
    fn flags_beat_env_and_env_beats_defaults() {
        let env = [("DATABASE_URL", "sqlite:////tmp/x.db"), ("BACKUP_ENCRYPTION_ENABLED", "false")];
        let p = plan(&["create"], &env).expect("plan");
        assert_eq!(p.database, PathBuf::from("/tmp/x.db"));
        assert!(!p.opts.encrypt);
        assert!(p.opts.compress);
        assert_eq!(p.backup_dir, PathBuf::from("/tmp/backups"));
        let p = plan(&["create", "--encrypt", "--db", "/y/z.db"], &env).expect("plan");
        assert_eq!(p.database, PathBuf::from("/y/z.db"));
        assert!(p.opts.encrypt);
    }

    #[test]
    fn the_last_switch_typed_wins() {
        let env = [("DATABASE_URL", "sqlite:////tmp/x.db")];
        assert!(!plan(&["create", "--encrypt", "--no-encrypt"], &env).expect("plan").opts.encrypt);
        assert!(plan(&["create", "--no-encrypt", "--encrypt"], &env).expect("plan").opts.encrypt);
    }

    #[test]
    fn a_source_gives_database_folder_and_options_before_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = with_sources(dir.path());
        let env = [("DATABASE_URL", "/env/app.db"), ("BACKUP_ENCRYPTION_ENABLED", "true")];
        let p = plan(&["--sources", &file, "--source", "astro", "create"], &env).expect("plan");
        assert_eq!(p.backup_dir, PathBuf::from("/b/astro"));
        assert_eq!(p.database, PathBuf::from("/data/astro.db"));
        assert!(!p.opts.encrypt);
        assert_eq!(p.opts.level, 9);
        // Flags still come first.
        let p = plan(&["--sources", &file, "--source", "astro", "--backup-dir", "/x", "create", "--encrypt"], &env)
            .expect("plan");
        assert_eq!(p.backup_dir, PathBuf::from("/x"));
        assert!(p.opts.encrypt);
    }
}
