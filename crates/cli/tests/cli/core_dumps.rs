//! Secrets stay out of core dumps: `keepsake` turns core dumps off before it reads a password,
//! whatever limit it was started with. Checked on the real binary from outside, through
//! `/proc/PID/limits`, while `keepsake daemon` runs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// The "Max core file size" line of `/proc/PID/limits` (soft and hard limits).
#[cfg(target_os = "linux")]
fn core_limit(pid: u32) -> Option<String> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off_while_keepsake_runs() {
    let w = Work::new();
    w.app_db();
    std::fs::write(
        w.path("sources.toml"),
        "[[source]]\nname = \"astro\"\ndatabase = \"app.db\"\nbackup_dir = \"backups\"\nencrypt = false\n\
         schedule = { kind = \"every_seconds\", seconds = 3600 }\n",
    )
    .expect("write sources");
    // Started with core dumps allowed (as far as the hard limit lets this test raise them), so
    // a limit of 0 is keepsake's own doing. `exec` keeps the shell's process id.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -c unlimited 2>/dev/null || ulimit -c \"$(ulimit -H -c)\"; exec \"$0\" daemon")
        .arg(env!("CARGO_BIN_EXE_keepsake"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", w.path("home"))
        .env("XDG_CONFIG_HOME", w.path("home/config"))
        .env("KEEPSAKE_SOURCES", w.path("sources.toml"))
        .env("BACKUP_ENCRYPTION_PASSWORD", PASSWORD)
        .env("TZ", "UTC")
        .current_dir(w.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the daemon");
    let pid = child.id();
    // Polled until keepsake itself runs (after `exec`, its first act is the limit).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = None;
    while Instant::now() < deadline {
        // `comm`, not `exe`: a process that is not dumpable hides its `exe` from other users.
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "keepsake" {
            last = core_limit(pid);
            if last.as_deref() == Some("Max core file size 0 0 bytes") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = child.wait();
    assert_eq!(last.as_deref(), Some("Max core file size 0 0 bytes"), "core dumps are on in keepsake");
}
