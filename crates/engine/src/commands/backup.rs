//! `backup`: a consistent snapshot of a live database into a new backup file.
//!
//! Pages are read inside one read transaction (see `snapshot`), cut into blocks, compressed as
//! independent gzip members on every core, then (optionally) encrypted and hashed on their way
//! to a hidden `.partial` file. Only a complete, synced file is renamed to its final name and
//! recorded, so a crash, a full disk or a cancel never leaves a backup that looks good.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::{ENCRYPTED_EXT, Engine, PARTIAL_EXT, PLAIN_EXT, sync_dir};
use crate::error::{Error, Result};
use crate::format::file::{NewKey, PayloadWriter};
use crate::format::gzip;
use crate::format::{BLOCK_SIZE, FORMAT_VERSION, Header, HeaderCodec};
use crate::model::{BackupMetadata, BackupOptions, EncryptionInfo, Operation, VerificationStatus};
use crate::seams::{Job, Phase, require_password};
use crate::snapshot::Snapshot;

impl Engine {
    /// Backs up the database at `source`.
    pub fn backup(&self, source: &Path, opts: &BackupOptions, job: &Job) -> Result<BackupMetadata> {
        let started = self.clock.now();
        let t0 = Instant::now();
        let result = self.lock().and_then(|_lock| self.backup_locked(source, opts, job, Phase::Backup));
        let id = result.as_ref().ok().map(|m| m.id.clone());
        self.record(Operation::Backup, Some(opts.backup_type), Some(source), started, t0, &result, id);
        result
    }

    /// A backup while the caller holds the folder lock.
    pub(crate) fn backup_locked(
        &self,
        source: &Path,
        opts: &BackupOptions,
        job: &Job,
        phase: Phase,
    ) -> Result<BackupMetadata> {
        let t0 = Instant::now();
        let level = if opts.compress { opts.level } else { 0 };
        if opts.compress && !(1..=9).contains(&opts.level) {
            return Err(Error::invalid(format!("compression level must be 1 to 9, got {}", opts.level)));
        }
        // Ask for the password before touching anything, so a missing one changes nothing, and
        // derive the key before the snapshot, so the slow KDF holds no lock on the database.
        let key = if opts.encrypt {
            let password = require_password(self.secrets.as_ref(), "encrypt the backup")?;
            Some(NewKey::derive(&password, self.kdf_iterations)?)
        } else {
            None
        };
        job.cancel.check()?;

        let snap = Snapshot::begin(source, self.busy_timeout)?;
        let now = self.clock.now();
        let id = self.new_id(now)?;
        let ext = if opts.encrypt { ENCRYPTED_EXT } else { PLAIN_EXT };
        let file_name = format!("{id}{ext}");
        let final_path = self.backup_dir().join(&file_name);
        let partial = self.backup_dir().join(format!(".{id}{PARTIAL_EXT}"));
        let mut header = Header {
            format: FORMAT_VERSION,
            id: id.clone(),
            created_at: now,
            source_path: absolute(source),
            backup_type: opts.backup_type,
            description: opts.description.clone().filter(|d| !d.is_empty()),
            tags: opts.tags.clone(),
            original_size: snap.size(),
            schema: snap.schema.clone(),
            row_counts: snap.row_counts.clone(),
            codec: HeaderCodec { name: "gzip".into(), level, block_size: BLOCK_SIZE as u32 },
            encryption: None,
        };

        let guard = RemoveOnDrop(Some(partial.clone()));
        let file = create_private(&partial)?;
        let mut out = PayloadWriter::create(file, &mut header, key.as_ref())?;
        let total = snap.size();
        let mut done = 0u64;
        let mut members = 0u64;
        job.progress.update(phase, 0, total);
        crate::pipeline::run(
            self.workers,
            self.workers * 2 + 2,
            &job.cancel,
            |feed| {
                let mut block = Vec::with_capacity(BLOCK_SIZE);
                snap.for_each_page(source, |page| {
                    block.extend_from_slice(page);
                    if block.len() >= BLOCK_SIZE {
                        feed.send(std::mem::replace(&mut block, Vec::with_capacity(BLOCK_SIZE)))?;
                    }
                    Ok(())
                })?;
                if !block.is_empty() {
                    feed.send(block)?;
                }
                Ok(())
            },
            |block: Vec<u8>| Ok((block.len() as u64, gzip::data_member(&block, level))),
            |(raw, member): (u64, Vec<u8>)| {
                out.write_all(&member).map_err(|e| Error::write(&partial, e))?;
                done += raw;
                members += 1;
                job.progress.update(phase, done, total);
                Ok(())
            },
        )?;
        out.write_all(&gzip::end_member(done, members)).map_err(|e| Error::write(&partial, e))?;
        let (file, hash) = out.finish().map_err(|e| Error::write(&partial, e))?;
        file.sync_all().map_err(|e| Error::write(&partial, e))?;
        drop(file);
        job.cancel.check()?;
        fs::rename(&partial, &final_path).map_err(|e| Error::write(&final_path, e))?;
        guard.disarm();
        sync_dir(self.backup_dir());

        let meta = metadata(&header, file_name, hash.len, hash.hex(), t0.elapsed().as_millis() as u64);
        if let Err(e) = self.insert(&meta) {
            // Not listed means not kept: remove the file rather than leave an orphan behind.
            let _ = fs::remove_file(&final_path);
            return Err(e);
        }
        if opts.verify {
            let report = self.verify_inner(&meta, job)?;
            return Ok(BackupMetadata {
                verification: if report.ok { VerificationStatus::Passed } else { VerificationStatus::Failed },
                verified_at: Some(report.verified_at),
                ..meta
            });
        }
        Ok(meta)
    }
}

/// The catalog's view of a backup, from its header and what writing it measured.
pub(crate) fn metadata(
    h: &Header,
    file_name: String,
    stored_size: u64,
    sha256: String,
    duration_ms: u64,
) -> BackupMetadata {
    BackupMetadata {
        id: h.id.clone(),
        file_name,
        created_at: h.created_at,
        source_path: h.source_path.clone(),
        backup_type: h.backup_type,
        description: h.description.clone(),
        tags: h.tags.clone(),
        original_size: h.original_size,
        stored_size,
        sha256,
        encrypted: h.encryption.is_some(),
        compressed: h.codec.level > 0,
        codec: h.codec.name.clone(),
        compression_level: h.codec.level,
        encryption: h.encryption.as_ref().map(|e| EncryptionInfo {
            cipher: e.cipher.clone(),
            kdf: e.kdf.name.clone(),
            iterations: e.kdf.iterations,
            chunk_size: e.chunk_size,
        }),
        schema: h.schema.clone(),
        row_counts: h.row_counts.clone(),
        duration_ms,
        verification: VerificationStatus::Unverified,
        verified_at: None,
        format_version: h.format,
    }
}

/// A new file readable and writable by its owner only.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map_err(|e| Error::write(path, e))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Deletes a partial file unless disarmed.
pub(crate) struct RemoveOnDrop(pub Option<PathBuf>);

impl RemoveOnDrop {
    pub(crate) fn disarm(mut self) {
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
