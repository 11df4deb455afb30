//! One operation at a time per store, across this installation's processes.
//!
//! An advisory lock (`flock`) on a file in the installation's private folder (one per store,
//! named after its location). The kernel drops it when the holder exits, however it exits, so a
//! crashed process never leaves a store stuck. It lives outside the backup folder: a folder that
//! others write to cannot hold it open, replace it with a link, or make it unwritable.

use std::fs::{File, TryLockError};
use std::path::Path;

use crate::error::{Error, ErrorCode, Result};

/// Held while an operation that changes the store runs.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Takes the lock at `path` for the store shown as `store` in messages.
    pub fn acquire(path: &Path, store: &str) -> Result<FolderLock> {
        let file = crate::durable::open_or_create_private(path)?;
        match file.try_lock() {
            Ok(()) => Ok(FolderLock { _file: file }),
            Err(TryLockError::WouldBlock) => {
                Err(Error::new(ErrorCode::Busy, format!("another Keepsake operation is running on {store}")))
            }
            Err(TryLockError::Error(e)) => Err(Error::write(path, e)),
        }
    }
}
