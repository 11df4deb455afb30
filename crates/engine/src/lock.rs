//! One operation at a time per backup folder, across processes.
//!
//! An advisory lock (`flock`) on `.keepsake.lock` in the folder. The kernel drops it when the
//! holder exits, however it exits, so a crashed process never leaves the folder stuck.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{Error, ErrorCode, Result, shown};

/// Held while an operation that changes the folder runs.
#[derive(Debug)]
pub(crate) struct FolderLock {
    _file: File,
}

impl FolderLock {
    pub(crate) fn acquire(dir: &Path) -> Result<FolderLock> {
        let path = dir.join(".keepsake.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::write(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(FolderLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorCode::Busy,
                format!("another Keepsake operation is running on {}", shown(dir)),
            )),
            Err(TryLockError::Error(e)) => Err(Error::write(&path, e)),
        }
    }
}
