//! Turning a backup file back into a database file, checking everything on the way: the file's
//! SHA-256, every chunk's authentication tag, every gzip member's CRC-32, the end marker, and
//! then SQLite's `PRAGMA integrity_check` and the recorded schema. Shared by verify, restore and
//! decrypt; the outcome is a list of checks, each passed, failed or skipped.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OpenFlags};

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Result};
use crate::format::Header;
use crate::format::file::{self, OpenBackup};
use crate::format::gzip::{self, MemberKind};
use crate::model::{BackupMetadata, Check, CheckStatus};
use crate::seams::{Job, Phase};

/// What decoding found.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub checks: Vec<Check>,
    /// The first failure, if any.
    pub error: Option<Error>,
}

impl Decoded {
    pub(crate) fn ok(&self) -> bool {
        self.error.is_none()
    }
}

fn check(name: &str, status: CheckStatus, message: impl Into<String>) -> Check {
    Check { name: name.into(), status, message: message.into() }
}

impl Engine {
    /// Decodes the backup `meta` into `out` (created here, 0600), running every check that
    /// `integrity` asks for. Operational problems (wrong password, cancel, unwritable `out`)
    /// are `Err`; problems of the backup itself are in the returned checks.
    pub(crate) fn decode(
        &self,
        meta: &BackupMetadata,
        out: &Path,
        integrity: bool,
        job: &Job,
        phase: Phase,
    ) -> Result<Decoded> {
        let path = self.backup_path(meta);
        let mut checks = Vec::new();
        if !path.is_file() {
            let e = Error::new(ErrorCode::BackupNotFound, format!("backup file missing: {}", path.display()));
            checks.push(check("exists", CheckStatus::Failed, e.message()));
            return Ok(Decoded { checks, error: Some(e) });
        }
        checks.push(check("exists", CheckStatus::Passed, format!("{} is present", meta.file_name)));

        let opened = match file::open(&path, self.secrets.as_ref()) {
            Ok(o) => o,
            Err(e) if e.code() == ErrorCode::WrongPassword || is_backup_problem(&e) => {
                // A damaged or cut header can look like a wrong password or a foreign file:
                // the recorded size and checksum tell.
                let e = self.classify_early(&path, meta, e)?;
                if e.code() == ErrorCode::WrongPassword {
                    return Err(e);
                }
                return Ok(self.fail_early(checks, e));
            }
            Err(e) => return Err(e),
        };
        let encrypted = opened.header.encryption.is_some();
        let header = opened.header.clone();
        let hash = std::sync::Arc::clone(&opened.hash);
        let crypto_failed = std::sync::Arc::clone(&opened.crypto_failed);

        let sink_file = crate::commands::backup::create_private(out)?;
        let stream = self.inflate_into(opened, sink_file, out, job, phase);
        let (sha, _) = file::finish_hash(&path, &hash)?;
        let checksum_ok = meta.sha256.is_empty() || sha == meta.sha256;
        let checksum = if meta.sha256.is_empty() {
            check("checksum", CheckStatus::Skipped, "no checksum recorded")
        } else if checksum_ok {
            check("checksum", CheckStatus::Passed, "SHA-256 matches")
        } else {
            check("checksum", CheckStatus::Failed, format!("SHA-256 is {sha}, expected {}", meta.sha256))
        };
        checks.push(checksum);

        let error = match stream {
            Err(e) if !is_backup_problem(&e) => return Err(e),
            Err(e) => {
                let in_crypto = crypto_failed.load(Ordering::SeqCst);
                if encrypted {
                    checks.push(check(
                        "decrypt",
                        if in_crypto { CheckStatus::Failed } else { CheckStatus::Passed },
                        if in_crypto {
                            e.message().to_owned()
                        } else {
                            "every chunk authenticated".to_owned()
                        },
                    ));
                } else {
                    checks.push(check("decrypt", CheckStatus::Skipped, "not encrypted"));
                }
                if in_crypto {
                    checks.push(check("decompress", CheckStatus::Skipped, "not reached"));
                } else {
                    checks.push(check("decompress", CheckStatus::Failed, e.message()));
                }
                checks.push(check("integrity", CheckStatus::Skipped, "not reached"));
                Some(e)
            }
            Ok(()) => {
                checks.push(if encrypted {
                    check("decrypt", CheckStatus::Passed, "every chunk authenticated")
                } else {
                    check("decrypt", CheckStatus::Skipped, "not encrypted")
                });
                checks.push(check(
                    "decompress",
                    CheckStatus::Passed,
                    format!("{} bytes, every CRC-32 matches", header.original_size),
                ));
                if integrity {
                    job.progress.update(Phase::IntegrityCheck, 0, header.original_size);
                    let r = integrity_check(out, &header);
                    job.progress.update(Phase::IntegrityCheck, header.original_size, header.original_size);
                    match r {
                        Ok(()) => {
                            checks.push(check(
                                "integrity",
                                CheckStatus::Passed,
                                "PRAGMA integrity_check: ok; schema and user_version match",
                            ));
                            None
                        }
                        Err(e) => {
                            checks.push(check("integrity", CheckStatus::Failed, e.message()));
                            Some(e)
                        }
                    }
                } else {
                    checks.push(check("integrity", CheckStatus::Skipped, "not asked for"));
                    None
                }
            }
        };
        let error = error.or_else(|| {
            (!checksum_ok).then(|| {
                Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{} is damaged: its checksum does not match", path.display()),
                )
            })
        });
        Ok(Decoded { checks, error })
    }

    fn classify_early(&self, path: &Path, meta: &BackupMetadata, e: Error) -> Result<Error> {
        if meta.sha256.is_empty()
            || matches!(e.code(), ErrorCode::UnsupportedVersion) && e.message().contains("format version")
        {
            return Ok(e);
        }
        let len = std::fs::metadata(path).map_err(|err| Error::read(path, err))?.len();
        let shown = path.display();
        if len < meta.stored_size {
            return Ok(Error::new(
                ErrorCode::BackupTruncated,
                format!("{shown} is incomplete: {len} of {} bytes", meta.stored_size),
            ));
        }
        if file::sha256_file(path)? != meta.sha256 {
            return Ok(Error::new(
                ErrorCode::BackupDamaged,
                format!("{shown} is damaged: its checksum does not match"),
            ));
        }
        Ok(e)
    }

    fn fail_early(&self, mut checks: Vec<Check>, e: Error) -> Decoded {
        for name in ["checksum", "decrypt", "decompress", "integrity"] {
            checks.push(check(name, CheckStatus::Skipped, "not reached"));
        }
        if let Some(c) = checks.iter_mut().find(|c| c.name == "decrypt" || c.name == "decompress") {
            c.status = CheckStatus::Failed;
            c.message = e.message().to_owned();
        }
        Decoded { checks, error: Some(e) }
    }

    /// Inflates every member on the worker threads and writes the database image to `out`.
    fn inflate_into(
        &self,
        opened: OpenBackup,
        mut out: File,
        out_path: &Path,
        job: &Job,
        phase: Phase,
    ) -> Result<()> {
        let OpenBackup { header, mut members, label, .. } = opened;
        let total = header.original_size;
        let mut end: Option<(u64, u64)> = None;
        let mut sent = 0u64;
        let mut done = 0u64;
        job.progress.update(phase, 0, total);
        {
            let end = &mut end;
            let sent = &mut sent;
            let label = label.as_str();
            crate::pipeline::run(
                self.workers,
                self.workers * 2 + 2,
                &job.cancel,
                move |feed| {
                    while let Some((member, kind)) = members.next_member()? {
                        match kind {
                            MemberKind::Data => {
                                feed.send(member)?;
                                *sent += 1;
                            }
                            MemberKind::End { total, members: count } => {
                                *end = Some((total, count));
                                if members.next_member()?.is_some() {
                                    return Err(Error::new(
                                        ErrorCode::BackupDamaged,
                                        format!("{label} is damaged: data after the end marker"),
                                    ));
                                }
                                return Ok(());
                            }
                            MemberKind::Header(_) => {
                                return Err(Error::new(
                                    ErrorCode::BackupDamaged,
                                    format!("{label} is damaged: a second header"),
                                ));
                            }
                        }
                    }
                    Err(Error::new(
                        ErrorCode::BackupTruncated,
                        format!("{label} is incomplete: it ends before the end marker"),
                    ))
                },
                |member: Vec<u8>| gzip::inflate_member(&member, label),
                |data: Vec<u8>| {
                    done += data.len() as u64;
                    if done > total {
                        return Err(Error::new(
                            ErrorCode::BackupDamaged,
                            format!("{label} is damaged: more data than recorded"),
                        ));
                    }
                    out.write_all(&data).map_err(|e| Error::write(out_path, e))?;
                    job.progress.update(phase, done, total);
                    Ok(())
                },
            )?;
        }
        match end {
            Some((t, m)) if t == done && m == sent && done == total => {}
            _ => {
                return Err(Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{label} is damaged: sizes do not match its end marker"),
                ));
            }
        }
        Ok(())
    }
}

/// Problems of the backup file itself (as opposed to the machine or the user).
pub(crate) fn is_backup_problem(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::BackupDamaged
            | ErrorCode::BackupTruncated
            | ErrorCode::UnsupportedVersion
            | ErrorCode::IntegrityFailed
            | ErrorCode::BackupNotFound
    )
}

/// `PRAGMA integrity_check` on a decoded database, and its schema against the header.
pub(crate) fn integrity_check(db: &Path, header: &Header) -> Result<()> {
    let fail = |m: String| Error::new(ErrorCode::IntegrityFailed, m);
    // Read-write: a WAL-mode image needs its -shm; the file is ours and nothing writes to it.
    let conn =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| fail(format!("the database in the backup cannot be opened: {e}")))?;
    let mut stmt =
        conn.prepare("PRAGMA integrity_check").map_err(|e| fail(format!("integrity check failed: {e}")))?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| fail(format!("integrity check failed: {e}")))?;
    if lines != ["ok"] {
        return Err(fail(format!(
            "integrity check failed: {}",
            lines.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )));
    }
    let schema = crate::snapshot::read_schema(&conn).map_err(|e| fail(format!("schema unreadable: {e}")))?;
    if schema.schema_hash != header.schema.schema_hash || schema.user_version != header.schema.user_version {
        return Err(fail("the schema in the backup differs from the one recorded when it was made".into()));
    }
    Ok(())
}
