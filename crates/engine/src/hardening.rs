//! What every Keepsake process does to itself before it holds a secret. The CLI, the daemon and
//! the desktop app call [`no_core_dumps`] first thing; the engine only offers it, since it is
//! the one crate they all share.

/// Keeps the passwords a process holds (backup, destination and SMTP secrets) out of core
/// dumps: the core size limit goes to 0 (child processes, such as the window's web processes,
/// inherit it), and on Linux the process is marked not dumpable, which also keeps other
/// processes of the same user from reading its memory through `/proc` or ptrace. Best effort:
/// a system that refuses leaves things as they were, and the program runs.
#[cfg(unix)]
#[allow(unsafe_code)]
pub fn no_core_dumps() {
    let zero = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: setrlimit only reads the struct passed by reference, which lives across the call.
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) };
    // SAFETY: PR_SET_DUMPABLE takes plain integers and touches no memory of ours.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0)
    };
}

/// Core dumps are a Unix matter here (Windows writes none unless configured to).
#[cfg(not(unix))]
pub fn no_core_dumps() {}
