//! Files that survive a crash and that nobody else can read or redirect: the only helpers for
//! creating, syncing, renaming and opening files. Everything the engine writes goes through here
//! (and the hosts' own files, such as the app's settings), so the rules live in one place:
//!
//! - new files are 0600 and new folders 0700 (backups and catalogs hold the user's data);
//! - a file becomes visible under its final name only once it is complete and synced (written
//!   under a hidden temporary name, `fsync`ed, renamed, and the folder `fsync`ed);
//! - opening never follows a symbolic link and never blocks on something that is not a regular
//!   file (a FIFO planted under a backup's name would otherwise hang every command).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorCode, Result, shown};

/// Creates `dir` (and its parents) readable by its owner only, or leaves it as it is.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| Error::write(dir, e))
}

/// A new file, readable and writable by its owner only; fails if anything (a file, a link, a
/// FIFO) is already there.
pub fn create_private(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    o.open(path).map_err(|e| Error::write(path, e))
}

/// Opens a regular file for reading without following a symbolic link and without blocking on
/// a FIFO or a device. `Ok(None)` when nothing is there.
pub fn open_regular(path: &Path) -> Result<Option<File>> {
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_symlink_refusal(&e) => return Err(not_regular(path)),
        Err(e) => return Err(Error::read(path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path));
    }
    #[cfg(unix)]
    clear_nonblock(&file);
    Ok(Some(file))
}

/// Opens an existing regular file for writing (a catalog, a lock) on the same terms as
/// [`open_regular`], creating it (0600) when missing.
pub fn open_or_create_private(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = o
        .open(path)
        .map_err(|e| if is_symlink_refusal(&e) { not_regular(path) } else { Error::write(path, e) })?;
    let meta = file.metadata().map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path));
    }
    #[cfg(unix)]
    clear_nonblock(&file);
    Ok(file)
}

fn not_regular(path: &Path) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!(
            "{} is not a regular file (a link, a folder or a device); Keepsake leaves it alone",
            shown(path)
        ),
    )
    .with_path(path)
}

fn is_symlink_refusal(e: &io::Error) -> bool {
    // O_NOFOLLOW on a symbolic link fails with ELOOP.
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn clear_nonblock(file: &File) {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this `File` owns, with integer arguments only.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
}

/// Whether `path` is a regular file (not following a link).
pub fn is_regular(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// Flushes a written file to disk.
pub fn sync_file(path: &Path) -> Result<()> {
    File::open(path).and_then(|f| f.sync_all()).map_err(|e| Error::write(path, e))
}

/// Makes a rename or a removal in `dir` durable (best effort: some file systems refuse).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Renames `from` to `to` only if nothing is at `to`: a file created there meanwhile (by
/// someone else) is never replaced. Fails with `invalid_input` when `to` exists.
pub fn rename_noreplace(from: &Path, to: &Path) -> Result<()> {
    let exists = || {
        Error::new(
            ErrorCode::InvalidInput,
            format!("{} already exists; Keepsake will not replace it", shown(to)),
        )
        .with_path(to)
    };
    #[cfg(target_os = "linux")]
    {
        match renameat2_noreplace(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(exists()),
            // Not supported by this file system: fall back to link + unlink below.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP)) => {}
            Err(e) => return Err(Error::write(to, e)),
        }
    }
    match fs::hard_link(from, to) {
        Ok(()) => {
            let _ = fs::remove_file(from);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) if !to.exists() && fs::symlink_metadata(to).is_err() => {
            // No hard links here (some network and FAT file systems): a plain rename, checked
            // just before. The window between the check and the rename is the best these
            // file systems allow.
            fs::rename(from, to).map_err(|e| Error::write(to, e))
        }
        Err(e) => Err(Error::write(to, e)),
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn renameat2_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let from = CString::new(from.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let to = CString::new(to.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: two valid NUL-terminated paths, relative to the current folder.
    let r = unsafe {
        libc::renameat2(libc::AT_FDCWD, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), libc::RENAME_NOREPLACE)
    };
    if r == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Removes a file when dropped, unless disarmed: what a failed or cancelled write leaves.
#[derive(Debug)]
pub struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    /// Removes `path` when dropped.
    pub fn new(path: PathBuf) -> Self {
        RemoveOnDrop(Some(path))
    }

    /// Keeps the file: the write succeeded.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Writes `bytes` to `path` atomically (a hidden temporary file beside it, synced, renamed,
/// the folder synced), readable by its owner only.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut b = tempfile::Builder::new();
    b.prefix(".keepsake-").suffix(".tmp");
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut tmp = b.tempfile_in(dir).map_err(|e| Error::write(dir, e))?;
    tmp.write_all(bytes).and_then(|_| tmp.as_file().sync_all()).map_err(|e| Error::write(path, e))?;
    tmp.persist(path).map_err(|e| Error::write(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Free bytes (for an unprivileged user) and the size of the file system that holds the folder
/// `dir`. (The casts are no-ops on 64-bit Linux only: the field types differ elsewhere.)
#[allow(clippy::unnecessary_cast)]
pub fn disk_space(dir: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c = CString::new(dir.as_os_str().as_bytes()).ok()?;
        statvfs(&c).map(|st| {
            let unit = st.f_frsize as u64;
            ((st.f_bavail as u64).saturating_mul(unit), (st.f_blocks as u64).saturating_mul(unit))
        })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn statvfs(path: &std::ffi::CStr) -> Option<libc::statvfs> {
    // SAFETY: statvfs fills the zeroed struct we own; the path is NUL-terminated.
    unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(path.as_ptr(), &mut st) != 0 {
            return None;
        }
        Some(st)
    }
}
