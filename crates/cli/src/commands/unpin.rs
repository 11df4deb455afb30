//! `keepsake unpin ID`: retention rules apply to the backup again.

use clap::Args;

use super::pin::pin;
use super::{Ctx, Verb};
use crate::config::Config;
use crate::error::CliResult;

/// Unpin a backup: retention rules apply to it again
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  keepsake unpin backup_20250101_020000")]
pub struct Unpin {
    /// Id of the backup (see `keepsake list`)
    id: String,
}

impl Verb for Unpin {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        pin(&Ctx::of_folder(cfg)?, &self.id, false)
    }
}
