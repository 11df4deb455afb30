//! Turning a backup file back into a database file, checking everything on the way: the file's
//! SHA-256, every chunk's authentication tag, every gzip member's CRC-32, the end marker, and
//! then SQLite's `PRAGMA integrity_check` and the recorded schema. Shared by verify, restore and
//! decrypt; the outcome is a list of checks, each passed, failed or skipped.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OpenFlags};

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Result, escaped};
use crate::format::Header;
use crate::format::file::{self, Object, OpenBackup};
use crate::format::gzip::MemberKind;
use crate::format::sequence::{Inflated, Inflater, Sequence};
use crate::model::{BackupKind, BackupMetadata, Check, CheckStatus, Origin};
use crate::seams::{Job, Phase};

/// What `decode` does beyond decoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DecodeOptions {
    /// Run `PRAGMA integrity_check` and compare the schema with the header.
    pub integrity: bool,
    /// Make the output durable (it is about to be renamed into place). The flush to disk runs
    /// while the integrity check reads the file, instead of after it.
    pub sync: bool,
}

/// What decoding found.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub checks: Vec<Check>,
    /// The first failure, if any.
    pub error: Option<Error>,
    /// The newest link's header, once it was read: what the decoded database is checked
    /// against (its schema), here or later (`Engine::take_back`).
    pub header: Option<Header>,
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
    /// `opts` asks for. An increment is decoded with its whole chain in one pass over each link,
    /// newest first (the newest copy of a page wins). Operational problems (wrong password,
    /// cancel, unwritable `out`) are `Err`; problems of the backups themselves are in the
    /// returned checks, naming the link at fault.
    pub(crate) fn decode(
        &self,
        meta: &BackupMetadata,
        out: &Path,
        opts: DecodeOptions,
        job: &Job,
        phase: Phase,
    ) -> Result<Decoded> {
        let mut checks = Vec::new();
        let links = if meta.kind == BackupKind::Increment {
            match self.chain_of(meta) {
                Ok(links) => links,
                Err(e) if is_backup_problem(&e) => {
                    checks.push(check("exists", CheckStatus::Failed, e.message()));
                    return Ok(Decoded { checks, error: Some(e), header: None });
                }
                Err(e) => return Err(e),
            }
        } else {
            vec![meta.clone()]
        };
        // Every file there, each recorded one with the size it was written with: a file whose
        // size changed is not the one written, and nothing in it is read.
        for link in &links {
            let obj = Object::new(self.store().as_ref(), &link.file_name);
            let Some(present) = self.store().stat(&link.file_name)? else {
                let e = Error::new(ErrorCode::BackupNotFound, format!("backup file missing: {}", obj.label))
                    .with_backup(&link.id);
                checks.push(check("exists", CheckStatus::Failed, e.message()));
                return Ok(Decoded { checks, error: Some(e), header: None });
            };
            if link.origin == Origin::Recorded && !link.sha256.is_empty() && present.size != link.stored_size
            {
                checks.push(present_check(&links));
                let e = if present.size < link.stored_size {
                    Error::new(
                        ErrorCode::BackupTruncated,
                        format!(
                            "{} is incomplete: {} of {} bytes",
                            obj.label, present.size, link.stored_size
                        ),
                    )
                } else {
                    Error::new(
                        ErrorCode::BackupDamaged,
                        format!(
                            "{} is damaged: {} bytes, {} when it was made",
                            obj.label, present.size, link.stored_size
                        ),
                    )
                }
                .with_backup(&link.id);
                return Ok(self.fail_early(checks, e, "checksum"));
            }
        }
        checks.push(present_check(&links));

        let mut assembly: Option<(Assembly, File, Header)> = None;
        let (mut encrypted, mut crypto_failure, mut stream_error) = (false, None::<Error>, None::<Error>);
        let mut sums = Vec::new();
        // Each link's end checksum, to check the next (older) link's against the newer's base;
        // the newest's is what the rebuilt database must add up to.
        let mut expected_base: Option<String> = None;
        let mut newest_checksum: Option<[u8; 32]> = None;
        for (k, link) in links.iter().enumerate() {
            let obj = Object::new(self.store().as_ref(), &link.file_name);
            let opened = match file::open(&obj, self.secrets.as_ref(), &self.home.keys, &job.cancel) {
                Ok(o) => o,
                Err(e) if e.code() == ErrorCode::WrongPassword || is_backup_problem(&e) => {
                    // A damaged or cut header can look like a wrong password or a foreign file:
                    // the recorded size and checksum tell.
                    let e = self.classify_early(&obj, link, e)?;
                    if e.code() == ErrorCode::WrongPassword {
                        return Err(e);
                    }
                    return Ok(self.fail_early(checks, e, "decrypt"));
                }
                Err(e) => return Err(e),
            };
            let want_id = link.claimed_id.clone().unwrap_or_else(|| link.id.clone());
            let header_ok = opened.header.id == want_id
                && opened.header.kind == link.kind
                && (link.origin != Origin::Recorded || opened.header.chain == link.chain);
            if !header_ok {
                let e = Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{} is not backup {}: its header says otherwise", obj.label, escaped(&link.id)),
                )
                .with_backup(&link.id);
                return Ok(self.fail_early(checks, e, "decrypt"));
            }
            encrypted |= opened.encryption.is_some();
            if k == 0 {
                crate::space::check_room(out, opened.header.original_size)?;
                let f = crate::durable::create_private(out)?;
                f.set_len(opened.header.original_size).map_err(|e| Error::write(out, e))?;
                assembly = Some((Assembly::new(&opened.header, opened.version), f, opened.header.clone()));
            }
            let hash = std::sync::Arc::clone(&opened.hash);
            let crypto_failed = std::sync::Arc::clone(&opened.crypto_failed);
            let header = opened.header.clone();
            let Some((asm, f, _)) = assembly.as_mut() else { break };
            let stream = self.inflate_link(opened, asm, f, out, job, phase);
            let (sha, _) = file::finish_hash(&obj, &hash)?;
            sums.push((link.clone(), sha));
            match stream {
                Err(e) if !is_backup_problem(&e) => return Err(e),
                Err(e) => {
                    if crypto_failed.load(Ordering::SeqCst) {
                        crypto_failure = Some(e);
                    } else {
                        stream_error = Some(e);
                    }
                    break;
                }
                Ok(end_checksum) => {
                    if k == 0 {
                        newest_checksum = Some(end_checksum);
                    }
                    // The newer link built on exactly this one.
                    if let Some(base) = expected_base.take()
                        && base != hex::encode(end_checksum)
                    {
                        stream_error = Some(
                            Error::new(
                                ErrorCode::BackupDamaged,
                                format!(
                                    "{} is not the backup the next one in its chain builds on",
                                    obj.label
                                ),
                            )
                            .with_backup(&link.id),
                        );
                        break;
                    }
                    expected_base = header.chain.map(|c| c.base_checksum);
                }
            }
        }

        // The files' SHA-256 against what was recorded when they were written.
        let bad_sum = sums.iter().find(|(l, sha)| !l.sha256.is_empty() && *sha != l.sha256);
        let recorded = sums.iter().any(|(l, _)| !l.sha256.is_empty());
        checks.push(match bad_sum {
            Some((l, sha)) => check(
                "checksum",
                CheckStatus::Failed,
                format!("{}: SHA-256 is {sha}, expected {}", l.file_name, l.sha256),
            ),
            None if !recorded => {
                check("checksum", CheckStatus::Skipped, "not recorded here: nothing to compare with")
            }
            None => check("checksum", CheckStatus::Passed, "SHA-256 matches"),
        });
        if encrypted || crypto_failure.is_some() {
            checks.push(match &crypto_failure {
                Some(e) => check("decrypt", CheckStatus::Failed, e.message()),
                None => check("decrypt", CheckStatus::Passed, "every chunk authenticated"),
            });
        } else {
            checks.push(check("decrypt", CheckStatus::Skipped, "not encrypted"));
        }
        let Some((asm, out_file, header)) = assembly else {
            let e = stream_error
                .or(crypto_failure)
                .unwrap_or_else(|| Error::new(ErrorCode::BackupDamaged, "nothing was decoded"));
            checks.push(check("decompress", CheckStatus::Failed, e.message()));
            checks.push(check("integrity", CheckStatus::Skipped, "not reached"));
            return Ok(Decoded { checks, error: Some(e), header: None });
        };
        drop(out_file);
        let stream_error = stream_error.or_else(|| {
            if crypto_failure.is_none() { asm.finish(meta, &header, newest_checksum).err() } else { None }
        });
        let error = if let Some(e) = crypto_failure {
            checks.push(check("decompress", CheckStatus::Skipped, "not reached"));
            checks.push(check("integrity", CheckStatus::Skipped, "not reached"));
            Some(e)
        } else if let Some(e) = stream_error {
            checks.push(check("decompress", CheckStatus::Failed, e.message()));
            checks.push(check("integrity", CheckStatus::Skipped, "not reached"));
            Some(e)
        } else {
            let what = if links.len() > 1 {
                format!(
                    "{} bytes from {} backups, every CRC-32 and the database checksum match",
                    header.original_size,
                    links.len()
                )
            } else {
                format!("{} bytes, every CRC-32 matches", header.original_size)
            };
            checks.push(check("decompress", CheckStatus::Passed, what));
            self.check_decoded(out, &header, opts, job, &mut checks)?
        };
        let error = error.or_else(|| {
            bad_sum.map(|(l, _)| {
                Error::new(
                    ErrorCode::BackupDamaged,
                    format!("{} is damaged: its checksum does not match", l.file_name),
                )
                .with_backup(&l.id)
            })
        });
        Ok(Decoded { checks, error, header: Some(header) })
    }

    /// The integrity check of a decoded database (and the flush to disk, when asked for, run
    /// while it reads the file), added to `checks`; the failure, if any.
    pub(crate) fn check_decoded(
        &self,
        out: &Path,
        header: &Header,
        opts: DecodeOptions,
        job: &Job,
        checks: &mut Vec<Check>,
    ) -> Result<Option<Error>> {
        if let Some(parts) = &header.opaque {
            if opts.sync {
                crate::durable::sync_file(out)?;
            }
            // Nothing inside can be checked: the lengths and the padding can.
            return Ok(match opaque_check(out, parts) {
                Ok(()) => {
                    checks.push(check(
                        "integrity",
                        CheckStatus::Skipped,
                        "encrypted by its app: Keepsake cannot check inside it (its files' lengths match)",
                    ));
                    None
                }
                Err(e) => {
                    checks.push(check("integrity", CheckStatus::Failed, e.message()));
                    Some(e)
                }
            });
        }
        let checked = std::thread::scope(|scope| -> Result<Option<Result<()>>> {
            let flush = opts.sync.then(|| scope.spawn(|| crate::durable::sync_file(out)));
            let checked = opts.integrity.then(|| {
                job.progress.update(Phase::IntegrityCheck, 0, header.original_size);
                let r = integrity_check(out, header);
                job.progress.update(Phase::IntegrityCheck, header.original_size, header.original_size);
                r
            });
            if let Some(h) = flush {
                h.join().map_err(|_| Error::write(out, std::io::Error::other("sync failed")))??;
            }
            Ok(checked)
        })?;
        Ok(match checked {
            Some(Ok(())) => {
                checks.push(check(
                    "integrity",
                    CheckStatus::Passed,
                    "PRAGMA integrity_check: ok; schema and user_version match",
                ));
                None
            }
            Some(Err(e)) => {
                checks.push(check("integrity", CheckStatus::Failed, e.message()));
                Some(e)
            }
            None => {
                checks.push(check("integrity", CheckStatus::Skipped, "not asked for"));
                None
            }
        })
    }

    fn classify_early(&self, obj: &Object<'_>, meta: &BackupMetadata, e: Error) -> Result<Error> {
        if meta.sha256.is_empty()
            || matches!(e.code(), ErrorCode::UnsupportedVersion) && e.message().contains("format version")
        {
            return Ok(e);
        }
        let len = self.store().stat(obj.name)?.map_or(0, |s| s.size);
        if len < meta.stored_size {
            return Ok(Error::new(
                ErrorCode::BackupTruncated,
                format!("{} is incomplete: {len} of {} bytes", obj.label, meta.stored_size),
            )
            .with_backup(&meta.id));
        }
        if file::sha256_of(obj)?.0 != meta.sha256 {
            return Ok(Error::new(
                ErrorCode::BackupDamaged,
                format!("{} is damaged: its checksum does not match", obj.label),
            )
            .with_backup(&meta.id));
        }
        Ok(e)
    }

    /// Checks after a failure before decoding: `failed` is the check that failed, the later
    /// ones were not reached.
    fn fail_early(&self, mut checks: Vec<Check>, e: Error, failed: &str) -> Decoded {
        for name in ["checksum", "decrypt", "decompress", "integrity"] {
            checks.push(check(name, CheckStatus::Skipped, "not reached"));
        }
        if let Some(c) = checks.iter_mut().find(|c| c.name == failed) {
            c.status = CheckStatus::Failed;
            c.message = e.message().to_owned();
        }
        Decoded { checks, error: Some(e), header: None }
    }

    /// Inflates every member of one link on the worker threads and puts its pages in place;
    /// returns the database checksum its end member states.
    fn inflate_link(
        &self,
        opened: OpenBackup,
        asm: &mut Assembly,
        out: &File,
        out_path: &Path,
        job: &Job,
        phase: Phase,
    ) -> Result<[u8; 32]> {
        let OpenBackup { header, version, mut members, label, .. } = opened;
        let inflater = Inflater::new(&header, version, &label);
        let mut seq = Sequence::new(&header, version, &label);
        let mut end: Option<(u64, u64, Option<[u8; 32]>)> = None;
        {
            let end = &mut end;
            let label = label.as_str();
            crate::pipeline::run(
                self.workers,
                in_flight(self.workers, header.codec.block_size as usize),
                &job.cancel,
                move |feed| {
                    while let Some((member, kind)) = members.next_member()? {
                        match kind {
                            MemberKind::Data(runs) => feed.send((member, runs))?,
                            MemberKind::End { total, members: count, checksum } => {
                                *end = Some((total, count, checksum));
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
                |(member, runs): (Vec<u8>, Option<Vec<crate::format::gzip::Run>>)| {
                    inflater.inflate(&member, runs)
                },
                |m: Inflated| {
                    seq.data(&m)?;
                    asm.place(&m, out, out_path)?;
                    job.progress.update(phase, asm.done(), asm.total());
                    Ok(())
                },
            )?;
        }
        match end {
            Some((t, m, checksum)) => {
                seq.end(t, m, checksum)?;
                Ok(checksum.unwrap_or([0u8; 32]))
            }
            None => Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("{label} is damaged: sizes do not match its end marker"),
            )),
        }
    }
}

/// The "exists" check: the backup, and the backups it builds on.
fn present_check(links: &[BackupMetadata]) -> Check {
    let message = match links {
        [one] => format!("{} is present", one.file_name),
        [newest, rest @ ..] => {
            format!("{} and the {} backups it builds on are present", newest.file_name, rest.len())
        }
        [] => String::new(),
    };
    check("exists", CheckStatus::Passed, message)
}

/// The database being rebuilt from a chain (or written from one backup): which pages are in
/// place, and the sum of their terms. The newest link's pages come first; an older link's copy
/// of a page already in place is skipped, and pages past the newest page count are dropped (the
/// database shrank).
pub(crate) struct Assembly {
    version: u16,
    page_size: u64,
    page_count: u64,
    /// One bit per page: in place.
    written: Vec<u64>,
    missing: u64,
    sum: u128,
    /// Format 1: where the next member's data goes.
    offset: u64,
    done: u64,
}

impl Assembly {
    fn new(newest: &Header, version: u16) -> Assembly {
        let page_count = newest.schema.page_count;
        Assembly {
            version,
            page_size: u64::from(newest.schema.page_size),
            page_count,
            written: vec![0u64; page_count.div_ceil(64) as usize],
            missing: page_count,
            sum: 0,
            offset: 0,
            done: 0,
        }
    }

    fn total(&self) -> u64 {
        self.page_count * self.page_size
    }

    fn done(&self) -> u64 {
        self.done
    }

    /// Puts a member's pages in place (those not already there).
    fn place(&mut self, m: &Inflated, out: &File, out_path: &Path) -> Result<()> {
        use std::os::unix::fs::FileExt;
        let put = |data: &[u8], at: u64| out.write_all_at(data, at).map_err(|e| Error::write(out_path, e));
        let Some(runs) = &m.runs else {
            // Format 1: members follow each other.
            put(&m.data, self.offset)?;
            self.offset += m.data.len() as u64;
            self.done = self.offset;
            return Ok(());
        };
        let ps = self.page_size as usize;
        let mut at = 0usize;
        let mut k = 0usize;
        for r in runs {
            // Contiguous stretches of pages not yet in place are written at once.
            let mut span: Option<(u64, usize, usize)> = None;
            for i in 0..u64::from(r.count) {
                let p = u64::from(r.first) + i;
                let fresh = p <= self.page_count && !self.is_written(p);
                if fresh {
                    self.mark(p);
                    self.sum = self.sum.wrapping_add(m.terms[k]);
                    self.missing -= 1;
                    self.done += self.page_size;
                    span = match span {
                        Some((start, from, len)) if start + (len / ps) as u64 == p => {
                            Some((start, from, len + ps))
                        }
                        Some((start, from, len)) => {
                            put(&m.data[from..from + len], (start - 1) * self.page_size)?;
                            Some((p, at, ps))
                        }
                        None => Some((p, at, ps)),
                    };
                }
                at += ps;
                k += 1;
            }
            if let Some((start, from, len)) = span {
                put(&m.data[from..from + len], (start - 1) * self.page_size)?;
            }
        }
        Ok(())
    }

    fn is_written(&self, p: u64) -> bool {
        let i = (p - 1) as usize;
        self.written[i / 64] & (1 << (i % 64)) != 0
    }

    fn mark(&mut self, p: u64) {
        let i = (p - 1) as usize;
        self.written[i / 64] |= 1 << (i % 64);
    }

    /// Every page is in place and (format 2) the whole adds up to the newest link's checksum.
    fn finish(&self, meta: &BackupMetadata, newest: &Header, stated: Option<[u8; 32]>) -> Result<()> {
        if self.version < 2 {
            return Ok(());
        }
        if self.missing != 0 {
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("backup {}: {} pages are in none of the backups of its chain", meta.id, self.missing),
            )
            .with_backup(&meta.id));
        }
        let sum = hex::encode(crate::format::checksum::db_checksum(
            newest.schema.page_size,
            self.page_count,
            self.sum,
        ));
        // What the newest link's end member states, and what was recorded when it was written.
        let stated_ok = stated.is_none_or(|s| hex::encode(s) == sum);
        let recorded_ok = meta.db_checksum.as_ref().is_none_or(|w| *w == sum);
        if !stated_ok || !recorded_ok {
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("backup {}: the rebuilt database is not the one backed up (checksum)", meta.id),
            )
            .with_backup(&meta.id));
        }
        Ok(())
    }
}

/// How many blocks may be on their way through the pipeline at once: enough to keep every
/// worker busy, within a memory budget whatever the number of workers (each block in flight
/// holds its compressed and its inflated bytes).
pub(crate) fn in_flight(workers: usize, block_size: usize) -> usize {
    const BUDGET: usize = 40 << 20;
    (BUDGET / (2 * block_size.max(1))).clamp(2, workers * 2 + 2)
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

/// The image of an opaque backup, decoded at `image`: each part's padding is zeros, as written.
fn opaque_check(image: &Path, parts: &[crate::model::OpaquePart]) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let page = u64::from(crate::model::OPAQUE_PAGE);
    let mut f = File::open(image)
        .map_err(|e| Error::new(ErrorCode::Io, format!("cannot read {}: {e}", image.display())))?;
    let mut at = 0u64;
    for p in parts {
        let pad = p.pages() * page - p.length;
        if pad > 0 {
            let mut buf = vec![0u8; pad as usize];
            f.seek(SeekFrom::Start(at + p.length))
                .and_then(|_| f.read_exact(&mut buf))
                .map_err(|e| Error::new(ErrorCode::Io, format!("cannot read {}: {e}", image.display())))?;
            if buf.iter().any(|b| *b != 0) {
                return Err(integrity_failed(format!(
                    "the file{} in the backup is not as long as its header says",
                    p.suffix
                )));
            }
        }
        at += p.pages() * page;
    }
    Ok(())
}

/// Splits the decoded image of an opaque backup at `image` into its files: the file itself
/// (`image` cut to its length) and each part beside it, written as `image` + suffix.
pub(crate) fn split_opaque(image: &Path, parts: &[crate::model::OpaquePart]) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let page = u64::from(crate::model::OPAQUE_PAGE);
    let werr = |p: &Path, e: std::io::Error| Error::write(p, e);
    let mut at = parts.first().map_or(0, |p| p.pages() * page);
    for p in parts.iter().skip(1) {
        let to = std::path::PathBuf::from(format!("{}{}", image.display(), p.suffix));
        let mut src = File::open(image).map_err(|e| werr(image, e))?;
        src.seek(SeekFrom::Start(at)).map_err(|e| werr(image, e))?;
        let mut out = crate::durable::create_private(&to)?;
        std::io::copy(&mut src.take(p.length), &mut out).map_err(|e| werr(&to, e))?;
        out.sync_all().map_err(|e| werr(&to, e))?;
        at += p.pages() * page;
    }
    let f = std::fs::OpenOptions::new().write(true).open(image).map_err(|e| werr(image, e))?;
    f.set_len(parts.first().map_or(0, |p| p.length)).map_err(|e| werr(image, e))?;
    f.sync_all().map_err(|e| werr(image, e))?;
    Ok(())
}

/// `PRAGMA integrity_check` on a decoded database, and its schema against the header.
///
/// The check is split over two connections on two threads, and together they run exactly what
/// one `PRAGMA integrity_check` runs. Since SQLite 3.44 the pragma also asks each virtual table
/// to check itself (FTS5 compares its whole inverted index with its content, often half the
/// time). So one connection, with the virtual-table modules removed, runs the pragma over every
/// b-tree, index and page (SQLite skips virtual tables whose module is absent); the other runs
/// `PRAGMA integrity_check(V)` for each virtual table `V`, which is that table's own check alone.
pub(crate) fn integrity_check(db: &Path, header: &Header) -> Result<()> {
    let conn = open_decoded(db)?;
    let lines = integrity_lines(&conn, db)?;
    let problems: Vec<String> = lines.into_iter().filter(|l| l != "ok").collect();
    if !problems.is_empty() {
        return Err(integrity_failed(format!(
            "integrity check failed: {}",
            problems.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )));
    }
    let schema = crate::snapshot::read_schema(&conn)
        .map_err(|e| integrity_failed(format!("schema unreadable: {e}")))?;
    if schema.schema_hash != header.schema.schema_hash || schema.user_version != header.schema.user_version {
        return Err(integrity_failed(
            "the schema in the backup differs from the one recorded when it was made".into(),
        ));
    }
    Ok(())
}

/// The lines of `PRAGMA integrity_check` on `db` (`conn` is open on it), over two threads.
fn integrity_lines(conn: &Connection, db: &Path) -> Result<Vec<String>> {
    let virtual_tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| integrity_failed(format!("integrity check failed: {e}")))?;
    if virtual_tables.is_empty() {
        return check_lines(conn, "PRAGMA integrity_check");
    }
    std::thread::scope(|scope| {
        let vtabs = scope.spawn(|| -> Result<Vec<String>> {
            let conn = open_decoded(db)?;
            let mut lines = Vec::new();
            for name in &virtual_tables {
                let quoted = name.replace('"', "\"\"");
                lines.extend(check_lines(&conn, &format!("PRAGMA integrity_check(\"{quoted}\")"))?);
            }
            Ok(lines)
        });
        crate::snapshot::drop_virtual_table_modules(conn);
        let mut lines = check_lines(conn, "PRAGMA integrity_check")?;
        let vtab_lines = vtabs.join().map_err(|_| integrity_failed("integrity check failed".into()))??;
        lines.extend(vtab_lines);
        Ok(lines)
    })
}

fn integrity_failed(m: String) -> Error {
    Error::new(ErrorCode::IntegrityFailed, m)
}

fn open_decoded(db: &Path) -> Result<Connection> {
    // Read-write: a WAL-mode image needs its -shm; the file is ours and nothing writes to it.
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| integrity_failed(format!("the database in the backup cannot be opened: {e}")))
}

fn check_lines(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| integrity_failed(format!("integrity check failed: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A database with an ordinary table, an index and an FTS5 table, after `damage` ran on it.
    fn database(damage: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT, y TEXT);
             CREATE INDEX t_x ON t (x);
             CREATE VIRTUAL TABLE docs USING fts5 (body);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO t (x, y) SELECT 'x' || i, 'y' || (i * 7 % 500) FROM n;
             INSERT INTO docs (body) SELECT 'note number ' || x || ' about ' || y FROM t;",
        )
        .unwrap();
        c.execute_batch(damage).unwrap();
        drop(c);
        (dir, db)
    }

    /// Problems found by the split check, and by one plain `PRAGMA integrity_check`.
    fn problems(db: &Path) -> (Vec<String>, Vec<String>) {
        let conn = open_decoded(db).unwrap();
        let split = integrity_lines(&conn, db).unwrap().into_iter().filter(|l| l != "ok").collect();
        let plain = check_lines(&open_decoded(db).unwrap(), "PRAGMA integrity_check")
            .unwrap()
            .into_iter()
            .filter(|l| l != "ok")
            .collect();
        (split, plain)
    }

    #[test]
    fn blocks_in_flight_stay_within_the_memory_budget_whatever_the_workers() {
        for workers in [1, 2, 8, 64] {
            for block in [4 << 10, 2 << 20, crate::format::MAX_BLOCK as usize] {
                let n = in_flight(workers, block);
                assert!(n >= 2, "at least two, so producer and sink overlap");
                // Each block in flight holds at most its compressed bytes (deflate's worst case)
                // and its inflated bytes.
                let bytes = n * (crate::format::gzip::member_limit(block) + block);
                assert!(bytes <= 48 << 20, "{workers} workers, {block} B blocks: {bytes} B");
            }
        }
    }

    #[test]
    fn a_sound_database_passes() {
        let (_d, db) = database("");
        assert_eq!(problems(&db), (vec![], vec![]));
    }

    #[test]
    fn a_damaged_full_text_index_is_found() {
        // The content changes behind FTS5's back: its index no longer matches.
        let (_d, db) = database("UPDATE docs_content SET c0 = 'something else entirely' WHERE id = 7;");
        let (split, plain) = problems(&db);
        assert!(!plain.is_empty(), "SQLite itself sees it");
        assert!(split.iter().any(|l| l.contains("docs")), "{split:?}");
    }

    #[test]
    fn a_damaged_index_is_found_beside_a_full_text_table() {
        // The index now claims to be on another column than the one it holds.
        let (_d, db) = database(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX t_x ON t (y)' WHERE name = 't_x';",
        );
        let (split, plain) = problems(&db);
        assert!(!plain.is_empty(), "SQLite itself sees it");
        assert_eq!(split, plain);
    }

    #[test]
    fn a_virtual_table_of_an_unknown_module_is_skipped_as_sqlite_does() {
        let (_d, db) = database(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, 'fts5', 'no_such_module') WHERE name = 'docs';",
        );
        assert_eq!(problems(&db), (vec![], vec![]));
    }
}
