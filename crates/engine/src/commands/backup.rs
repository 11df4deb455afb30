//! `backup`: a consistent snapshot of a live database into a new backup.
//!
//! Pages are read inside one read transaction (see `snapshot`), cut into blocks, compressed as
//! independent gzip members on every core, then (optionally) encrypted and hashed on their way
//! into the store, where nothing is visible until the whole object is committed. Only then is
//! the backup recorded (with its size and SHA-256), so a crash, a full disk or a cancel never
//! leaves a backup that looks good.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::engine::{Engine, RunInfo, absolute};
use crate::error::{Error, Result};
use crate::format::checksum;
use crate::format::file::{NewKey, PayloadWriter};
use crate::format::gzip::{self, Run};
use crate::format::{BLOCK_SIZE, FORMAT_VERSION, Header, HeaderCodec};
use crate::model::{
    BackupKind, BackupMetadata, BackupOptions, EncryptionInfo, Operation, VerificationStatus,
};
use crate::seams::{Job, Phase, require_password};
use crate::snapshot::Snapshot;

impl Engine {
    /// Backs up the database at `source`.
    pub fn backup(&self, source: &Path, opts: &BackupOptions, job: &Job) -> Result<BackupMetadata> {
        let info = RunInfo {
            backup_type: Some(opts.backup_type),
            source: Some(source.to_path_buf()),
            backup_id: None,
        };
        self.locked_run(Operation::Backup, info, || self.backup_locked(source, opts, job, Phase::Backup))
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
            Some(NewKey::derive(
                &self.home.keys,
                &password,
                &self.home.kdf_salt(),
                self.kdf_iterations,
                &job.cancel,
            )?)
        } else {
            None
        };
        job.cancel.check()?;

        let snap = Snapshot::begin(source, self.busy_timeout)?;
        let now = self.clock.now();
        let id = self.new_id(now)?;
        let file_name = crate::names::file_name(&id, opts.encrypt);
        let header = Header {
            format: FORMAT_VERSION,
            id: id.clone(),
            kind: BackupKind::Full,
            created_at: now,
            installation: Some(self.home.id().to_owned()),
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

        let label = crate::format::file::Object::new(self.store().as_ref(), &file_name).label;
        let werr = |e: std::io::Error| Error::write(Path::new(&label), e);
        let object = self.store().create(&file_name)?;
        let mut out = PayloadWriter::create(object, &header, key.as_ref())?;
        let total = snap.size();
        let page_size = snap.schema.page_size as usize;
        let page_count = snap.schema.page_count;
        let (mut done, mut members, mut sum) = (0u64, 0u64, 0u128);
        job.progress.update(phase, 0, total);
        crate::pipeline::run(
            self.workers,
            crate::commands::decode::in_flight(self.workers, BLOCK_SIZE),
            &job.cancel,
            |feed| {
                // Blocks of whole pages, each with the number of its first page.
                let mut block = Vec::with_capacity(BLOCK_SIZE);
                let (mut first, mut next) = (1u32, 1u32);
                snap.for_each_page(source, |page| {
                    block.extend_from_slice(page);
                    next += 1;
                    if block.len() >= BLOCK_SIZE {
                        let full = std::mem::replace(&mut block, Vec::with_capacity(BLOCK_SIZE));
                        feed.send((first, full))?;
                        first = next;
                    }
                    Ok(())
                })?;
                if !block.is_empty() {
                    feed.send((first, block))?;
                }
                Ok(())
            },
            |(first, block): (u32, Vec<u8>)| {
                let run = Run { first, count: (block.len() / page_size) as u32 };
                let terms = checksum::terms(first, &block, page_size);
                Ok((block.len() as u64, gzip::data_member(&block, level, Some(&[run])), terms))
            },
            |(raw, member, terms): (u64, Vec<u8>, u128)| {
                out.write_all(&member).map_err(werr)?;
                done += raw;
                members += 1;
                sum = sum.wrapping_add(terms);
                job.progress.update(phase, done, total);
                Ok(())
            },
        )?;
        let db = checksum::db_checksum(page_size as u32, page_count, sum);
        out.write_all(&gzip::end_member(done, members, Some(&db))).map_err(werr)?;
        let (object, hash) = out.finish().map_err(werr)?;
        job.cancel.check()?;
        object.commit()?;

        let mut meta = metadata(&header, file_name, hash.len, hash.hex(), t0.elapsed().as_millis() as u64);
        meta.encryption = key.as_ref().map(NewKey::info);
        meta.encrypted = key.is_some();
        if let Err(e) = self.insert(&meta) {
            // Not recorded means not kept: remove the file rather than leave an orphan behind.
            let _ = self.store().delete(&meta.file_name);
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
        installation: h.installation.clone(),
        ..BackupMetadata::default()
    }
}
