//! `backup`: a consistent snapshot of a live database into a new backup, full or incremental.
//!
//! Pages are read inside one read transaction (see `snapshot`), cut into blocks and handed to
//! every core, which hash each page (its term, `format::checksum`) and compress the block as an
//! independent gzip member; the members are then (optionally) encrypted and hashed on their
//! way into the store, where nothing is visible until the whole object is committed. Only then
//! is the backup recorded (with its size and SHA-256), so a crash, a full disk or a cancel never
//! leaves a backup that looks good.
//!
//! An increment is the same stream with only the pages whose term differs from the source's
//! previous backup's (its page manifest, kept in this installation's private folder; every
//! backup but a safety one leaves one, a full backup asked for with `--full` too, so the next
//! increment can build on it). A new full backup starts a chain when there is no usable
//! previous backup, when the chain is long or large enough, or when too many pages changed for
//! an increment to pay; the backup's `full_reason` says which ([`FullReason`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::engine::{Engine, RunInfo, absolute};
use crate::error::{Error, ErrorCode, Result};
use crate::format::checksum;
use crate::format::file::{NewKey, PayloadWriter};
use crate::format::gzip::{self, Run};
use crate::format::{BLOCK_SIZE, FORMAT_VERSION, Header, HeaderCodec};
use crate::manifest::{ManifestReader, ManifestWriter};
use crate::model::{
    BackupKind, BackupMetadata, BackupOptions, BackupType, ChainLink, EncryptionInfo, FullReason,
    INCREMENTAL_AUTO_BYTES, OPAQUE_PAGE, OpaquePart, Operation, SchemaInfo, VerificationStatus,
};
use crate::seams::{Job, Phase};
use crate::snapshot::Snapshot;
use keepsake_format::held::{HeldCopy, OpaqueCopy, copy_held, copy_opaque, held_exclusively};

/// A chain gets a new full backup after this many increments.
pub const MAX_CHAIN_LENGTH: u32 = 24;
/// ... or when its increments add up to more than this share of its full backup's size.
pub const MAX_CHAIN_SHARE: f64 = 0.6;
/// An increment that would hold more than this share of the pages is made a full backup.
pub const MAX_INCREMENT_SHARE: f64 = 0.5;

/// What the new backup will be.
enum Plan {
    Full,
    Increment { chain: ChainLink, manifest: ManifestReader },
}

/// The source's previous backup, which an increment builds on and whose manifest the new one
/// replaces.
struct Previous {
    meta: BackupMetadata,
}

/// Why an increment was given up for a full backup, while writing it.
const TOO_MANY_CHANGES: &str = "too many pages changed for an increment";

/// What a backup is written from: the database, its options and key, the backup it may build
/// on, and whether it leaves its page list.
#[derive(Clone, Copy)]
struct Writing<'a> {
    source: &'a Path,
    opts: &'a BackupOptions,
    key: Option<&'a NewKey>,
    previous: Option<&'a Previous>,
    wants_manifest: bool,
}

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

    /// A backup while the caller holds the folder lock, verified when `opts.verify`.
    pub(crate) fn backup_locked(
        &self,
        source: &Path,
        opts: &BackupOptions,
        job: &Job,
        phase: Phase,
    ) -> Result<BackupMetadata> {
        let meta = self.make_locked(source, opts, job, phase)?;
        if opts.verify {
            let report = self.verify_inner(&meta, job)?;
            let meta = BackupMetadata {
                verification: if report.ok { VerificationStatus::Passed } else { VerificationStatus::Failed },
                verified_at: Some(report.verified_at),
                ..meta
            };
            // As recorded now (with what the check said of the database's integrity).
            return Ok(self.get(&meta.id).unwrap_or(meta));
        }
        Ok(meta)
    }

    /// The backup itself, not verified: `opts.verify` says only that the caller verifies it
    /// next, so the room it needs counts the verification's scratch space.
    pub(crate) fn make_locked(
        &self,
        source: &Path,
        opts: &BackupOptions,
        job: &Job,
        phase: Phase,
    ) -> Result<BackupMetadata> {
        let t0 = Instant::now();
        if opts.compress && !(1..=9).contains(&opts.level) {
            return Err(Error::invalid(format!("compression level must be 1 to 9, got {}", opts.level)));
        }
        // Ask for the password before touching anything, so a missing one changes nothing, and
        // derive the key before the snapshot, so the slow KDF holds no lock on the database.
        let key = if opts.encrypt { Some(self.new_file_key(&job.cancel)?) } else { None };
        job.cancel.check()?;
        // A backup that cannot fit is not started (it would fail near its end, after a long wait).
        self.ensure_room(source, opts.verify)?;
        // What the new backup is compared with for content alerts (a safety backup is not
        // watched: it is the database just before a restore, not a new state of it).
        let watched =
            if opts.backup_type == BackupType::Safety { None } else { self.last_backup_of(source)? };
        let previous = self.previous_backup(source, opts)?;
        let (snap, held) = self.begin_pages(source, opts, job)?;
        let (plan, mut full_reason) = match &snap {
            Pages::Db(snap) => self.plan(source, snap, opts, key.as_ref(), previous.as_ref())?,
            // A file kept as bytes is always copied whole.
            Pages::Opaque(_) => (Plan::Full, None),
        };
        // Every backup leaves its page list (a full one asked for too), so the next increment
        // can build on it whatever this one was.
        let wants_manifest = opts.backup_type != BackupType::Safety && !opts.opaque;
        let writing =
            Writing { source, opts, key: key.as_ref(), previous: previous.as_ref(), wants_manifest };
        let meta = match self.write(&writing, snap, plan, job, phase) {
            Err(e) if e.message() == TOO_MANY_CHANGES => {
                // Most of the database changed: a full backup costs no more and starts afresh.
                full_reason = Some(FullReason::ManyPagesChanged);
                let (snap, _held) = self.begin_pages(source, opts, job)?;
                self.write(&writing, snap, Plan::Full, job, phase)?
            }
            other => other?,
        };
        let held_copy = held.is_some();
        drop(held);
        let meta = BackupMetadata {
            duration_ms: t0.elapsed().as_millis() as u64,
            full_reason,
            copied_while_held: held_copy,
            ..meta
        };
        // The backup is recorded already; this adds how long it took and why it is full, if it
        // is when an increment was asked for (best effort).
        let _ = self.insert(&meta);
        if opts.backup_type != BackupType::Safety {
            self.watch(&meta, watched.as_ref(), opts.watch)?;
            // The database failed the check of the snapshot this backup stores: the same alert
            // as a verification's, pinning the newest backup known sound from before.
            if meta.source_integrity == Some(false) {
                self.raise_integrity_alert(&meta.id)?;
            }
        }
        Ok(meta)
    }

    /// What a backup reads: a file kept as bytes ([`BackupOptions::opaque`]) copied whole, or
    /// the database's snapshot ([`Engine::begin_snapshot`]).
    fn begin_pages(
        &self,
        source: &Path,
        opts: &BackupOptions,
        job: &Job,
    ) -> Result<(Pages, Option<HeldCopy>)> {
        if opts.opaque {
            let copy = copy_opaque(source, &self.home.scratch_dir(), &job.cancel)?;
            return Ok((Pages::Opaque(copy), None));
        }
        let (snap, held) = self.begin_snapshot(source, job)?;
        Ok((Pages::Db(Box::new(snap)), held))
    }

    /// The snapshot a backup reads: the database itself or, while another program holds it
    /// under an exclusive lock (Firefox, Thunderbird, Chromium keep theirs so while they run), a
    /// consistent copy of its files ([`keepsake_format::held`]: checked unchanged before and
    /// after, recovered by SQLite, `integrity_check` ok), kept until the backup is written.
    fn begin_snapshot(&self, source: &Path, job: &Job) -> Result<(Snapshot, Option<HeldCopy>)> {
        // A lock held for good is not waited for long: a brief writer lets go within a second.
        let wait = if held_exclusively(source) {
            self.busy_timeout.min(std::time::Duration::from_secs(1))
        } else {
            self.busy_timeout
        };
        match Snapshot::begin(source, wait, &job.cancel) {
            Err(e) if e.code() == ErrorCode::SourceBusy && held_exclusively(source) => {
                let copy = copy_held(source, &self.home.scratch_dir(), &job.cancel)?;
                let snap = Snapshot::begin(&copy.path(), self.busy_timeout, &job.cancel)?;
                Ok((snap, Some(copy)))
            }
            other => other.map(|s| (s, None)),
        }
    }

    /// The newest backup of the database at `database` recorded here that protects it: a safety
    /// backup (the database as it was just before a restore) never counts.
    ///
    /// Found in the catalog, then only that one backup's file is looked at (not every file of
    /// the folder, as [`Engine::list`] does): a folder of thousands of backups costs a run a
    /// lookup or two.
    pub fn last_backup_of(&self, database: &Path) -> Result<Option<BackupMetadata>> {
        let absolute = absolute(database);
        let found = {
            let catalog = self.catalog()?;
            let newest = catalog.newest(|b| {
                b.backup_type != BackupType::Safety
                    && (b.source_path == absolute || b.source_path == database)
            })?;
            match newest {
                Some(mut m) => {
                    m.pinned = catalog.pins()?.remove(&m.id);
                    Some(m)
                }
                None => None,
            }
        };
        Ok(found.map(|m| self.with_chain_concern(self.with_concern(m))))
    }

    /// The newest backup of `source` recorded here that a new backup can build on (and whose
    /// page manifest it replaces): made by this installation, present, not failed, not a
    /// safety backup, in format 2, encrypted the same way.
    fn previous_backup(&self, source: &Path, opts: &BackupOptions) -> Result<Option<Previous>> {
        if opts.backup_type == BackupType::Safety {
            return Ok(None);
        }
        Ok(self
            .last_backup_of(source)?
            .filter(|b| {
                b.concern.is_none()
                    && b.verification != VerificationStatus::Failed
                    && b.encrypted == opts.encrypt
                    && b.format_version >= 2
                    && b.db_checksum.is_some()
            })
            .map(|meta| Previous { meta }))
    }

    /// Full or increment, and on what; for a full backup when an increment was asked for,
    /// why.
    fn plan(
        &self,
        source: &Path,
        snap: &Snapshot,
        opts: &BackupOptions,
        key: Option<&NewKey>,
        previous: Option<&Previous>,
    ) -> Result<(Plan, Option<FullReason>)> {
        let wanted = match opts.incremental {
            Some(w) => w,
            None => snap.size() >= INCREMENTAL_AUTO_BYTES,
        };
        if !wanted {
            return Ok((Plan::Full, None));
        }
        let full = |why: FullReason| Ok((Plan::Full, Some(why)));
        let Some(prev) = previous else { return full(self.why_no_previous(source, opts)?) };
        let base = &prev.meta;
        let Some(manifest) = ManifestReader::open(&self.home, self.store().location(), &base.id) else {
            return full(FullReason::NoPageList);
        };
        let checksum = base.db_checksum.clone().unwrap_or_default();
        if hex::encode(manifest.checksum) != checksum {
            // The page list is not the backup's (left from something else): nothing lines up.
            return full(FullReason::NoPageList);
        }
        if manifest.page_size != snap.schema.page_size {
            // Another page size (a VACUUM INTO, a rebuild): nothing lines up; start afresh.
            return full(FullReason::PageSizeChanged);
        }
        let same_key = match key {
            Some(k) => k.opens(manifest.key_check),
            None => manifest.key_check.is_none(),
        };
        if !same_key {
            // Another key, and not one the current key carries (an upgrade from format 2, or
            // plain after encrypted): a chain must open with one password, so start afresh.
            return full(FullReason::PasswordChanged);
        }
        let (first, seq) = match &base.chain {
            None => (base.id.clone(), 1),
            Some(c) => (c.full.clone(), c.seq + 1),
        };
        if seq > MAX_CHAIN_LENGTH {
            return full(FullReason::ChainLongest);
        }
        // Every link of the chain must be here and whole, and the chain small enough.
        let Ok(links) = self.chain_of(base) else { return full(FullReason::ChainBroken) };
        if links.iter().any(|l| l.concern.is_some()) {
            return full(FullReason::ChainBroken);
        }
        let full_size = links.last().map_or(0, |f| f.stored_size).max(1);
        let increments: u64 =
            links.iter().filter(|l| l.kind == BackupKind::Increment).map(|l| l.stored_size).sum();
        if increments as f64 > MAX_CHAIN_SHARE * full_size as f64 {
            return full(FullReason::ChainLarge);
        }
        Ok((
            Plan::Increment {
                chain: ChainLink { base: base.id.clone(), full: first, seq, base_checksum: checksum },
                manifest,
            },
            None,
        ))
    }

    /// Why the source's newest backup cannot be built on ([`Engine::previous_backup`] found
    /// none).
    fn why_no_previous(&self, source: &Path, opts: &BackupOptions) -> Result<FullReason> {
        Ok(match self.last_backup_of(source)? {
            None => FullReason::NoEarlierBackup,
            Some(b) if b.concern.is_some() || b.verification == VerificationStatus::Failed => {
                FullReason::EarlierBackupUnusable
            }
            Some(b) if b.encrypted != opts.encrypt => FullReason::EncryptionChanged,
            Some(_) => FullReason::EarlierBackupOldFormat,
        })
    }

    /// Writes the backup `plan` describes from `snap` into the store; returns what to record.
    fn write(
        &self,
        writing: &Writing<'_>,
        mut snap: Pages,
        plan: Plan,
        job: &Job,
        phase: Phase,
    ) -> Result<BackupMetadata> {
        let Writing { source, opts, key, previous, wants_manifest } = *writing;
        let level = if opts.compress { opts.level } else { 0 };
        let now = self.clock.now();
        let id = self.new_id(now)?;
        let file_name = crate::names::file_name(&id, opts.encrypt);
        let (kind, chain, mut old) = match plan {
            Plan::Full => (BackupKind::Full, None, None),
            Plan::Increment { chain, manifest } => (BackupKind::Increment, Some(chain), Some(manifest)),
        };
        let header = Header {
            format: FORMAT_VERSION,
            id: id.clone(),
            kind,
            created_at: now,
            installation: Some(self.home.id().to_owned()),
            source_path: absolute(source),
            backup_type: opts.backup_type,
            description: opts.description.clone().filter(|d| !d.is_empty()),
            tags: opts.tags.clone(),
            original_size: snap.size(),
            schema: snap.schema(),
            row_counts: snap.row_counts(),
            codec: HeaderCodec { name: "gzip".into(), level, block_size: BLOCK_SIZE as u32 },
            encryption: None,
            chain: chain.clone(),
            with: opts.with.clone(),
            opaque: snap.opaque_parts(),
        };

        let label = crate::format::file::Object::new(self.store().as_ref(), &file_name).label;
        let werr = |e: std::io::Error| Error::write(Path::new(&label), e);
        let mut manifest = if wants_manifest {
            Some(ManifestWriter::create(&self.home, self.store().location(), &id)?)
        } else {
            None
        };
        let internal_tables = snap.internal_tables();
        // Whether the database this backup stores is sound, found while its pages are read (on
        // the same committed state; stopped if the backup fails).
        let check = snap.start_check();
        let object = self.store().create(&file_name)?;
        let mut out = PayloadWriter::create(object, &header, key)?;
        let total = snap.size();
        let page_size = header.schema.page_size as usize;
        let page_count = header.schema.page_count;
        let pages_per_block = (BLOCK_SIZE / page_size.max(1)).max(1);
        let too_many = (MAX_INCREMENT_SHARE * page_count as f64) as u64;
        let (mut done, mut stored, mut members, mut sum, mut changed) = (0u64, 0u64, 0u64, 0u128, 0u64);
        job.progress.update(phase, 0, total);
        crate::pipeline::run(
            self.workers,
            crate::commands::decode::in_flight(self.workers, BLOCK_SIZE),
            &job.cancel,
            |feed| {
                // Blocks of whole pages, each with the number of its first page and (for an
                // increment) the previous backup's terms of the same pages.
                let mut block = Vec::with_capacity(BLOCK_SIZE);
                let (mut first, mut next) = (1u32, 1u32);
                let mut send = |first: u32, block: Vec<u8>| -> Result<()> {
                    let before = match old.as_mut() {
                        Some(m) => {
                            let mut t = Vec::with_capacity(block.len() / page_size);
                            m.next_terms(block.len() / page_size, &mut t)?;
                            Some(t)
                        }
                        None => None,
                    };
                    feed.send((first, block, before))
                };
                snap.for_each_page(source, |page| {
                    block.extend_from_slice(page);
                    next += 1;
                    if block.len() >= pages_per_block * page_size {
                        let full = std::mem::replace(&mut block, Vec::with_capacity(BLOCK_SIZE));
                        send(first, full)?;
                        first = next;
                    }
                    Ok(())
                })?;
                if !block.is_empty() {
                    send(first, block)?;
                }
                Ok(())
            },
            |(first, block, before): (u32, Vec<u8>, Option<Vec<u128>>)| {
                Ok(encode_block(first, &block, before.as_deref(), page_size, level))
            },
            |b: Encoded| {
                if let Some(member) = &b.member {
                    out.write_all(member).map_err(werr)?;
                    members += 1;
                    stored += b.changed as u64 * page_size as u64;
                }
                if let Some(m) = manifest.as_mut() {
                    m.push(&b.terms)?;
                }
                sum = b.terms.iter().fold(sum, |s, t| s.wrapping_add(*t));
                changed += b.changed as u64;
                if kind == BackupKind::Increment && changed > too_many {
                    return Err(Error::new(ErrorCode::Io, TOO_MANY_CHANGES));
                }
                done += b.terms.len() as u64 * page_size as u64;
                job.progress.update(phase, done, total);
                Ok(())
            },
        )?;
        // Every page is read; the check's read transaction ends with it.
        let integrity = check.and_then(crate::snapshot::SoundnessCheck::finish);
        let opaque = header.opaque.clone();
        let db = checksum::db_checksum(page_size as u32, page_count, sum);
        out.write_all(&gzip::end_member(stored, members, Some(&db))).map_err(werr)?;
        let (object, hash) = out.finish().map_err(werr)?;
        job.cancel.check()?;
        let mut meta = metadata(&header, file_name, hash.len, hash.hex(), 0);
        meta.encryption = key.map(NewKey::info);
        meta.encrypted = key.is_some();
        meta.db_checksum = Some(hex::encode(db));
        meta.internal_tables = internal_tables;
        meta.source_integrity = integrity;
        meta.soundness = crate::model::Soundness::of(meta.source_integrity);
        meta.opaque = opaque;
        // Recorded before the file appears and confirmed after: a crash in between is settled
        // by the next operation (`Engine::lock`) from this record, never from the file.
        self.catalog()?.record_pending(&meta)?;
        if let Err(e) = object.commit() {
            let _ = self.catalog().and_then(|c| c.remove(&meta.id));
            return Err(e);
        }
        self.catalog()?.confirm(&meta.id)?;
        if let Some(m) = manifest {
            // Best effort: without it the next backup is simply a full one.
            let superseded: Vec<String> = previous.map(|p| p.meta.id.clone()).into_iter().collect();
            let _ = m.finish(page_size as u32, page_count, &db, key.and_then(NewKey::key_check), &superseded);
        }
        Ok(meta)
    }
}

/// What a backup reads its pages from.
enum Pages {
    /// A SQLite database, in one read transaction.
    Db(Box<Snapshot>),
    /// A file its app encrypts, copied whole (kept as bytes).
    Opaque(OpaqueCopy),
}

impl Pages {
    fn size(&self) -> u64 {
        match self {
            Pages::Db(s) => s.size(),
            Pages::Opaque(c) => c.size(),
        }
    }

    fn schema(&self) -> SchemaInfo {
        match self {
            Pages::Db(s) => s.schema.clone(),
            Pages::Opaque(c) => SchemaInfo {
                user_version: 0,
                schema_hash: String::new(),
                page_size: OPAQUE_PAGE,
                page_count: c.page_count(),
                journal_mode: "opaque".into(),
            },
        }
    }

    fn row_counts(&self) -> BTreeMap<String, u64> {
        match self {
            Pages::Db(s) => s.row_counts.clone(),
            Pages::Opaque(_) => BTreeMap::new(),
        }
    }

    fn internal_tables(&self) -> Vec<String> {
        match self {
            Pages::Db(s) => s.internal_tables.clone(),
            Pages::Opaque(_) => Vec::new(),
        }
    }

    fn opaque_parts(&self) -> Option<Vec<OpaquePart>> {
        match self {
            Pages::Db(_) => None,
            Pages::Opaque(c) => Some(c.parts.clone()),
        }
    }

    fn start_check(&mut self) -> Option<crate::snapshot::SoundnessCheck> {
        match self {
            Pages::Db(s) => s.start_check(),
            Pages::Opaque(_) => None,
        }
    }

    fn for_each_page(self, source: &Path, f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        match self {
            Pages::Db(s) => (*s).for_each_page(source, f),
            Pages::Opaque(c) => c.for_each_page(f),
        }
    }
}

/// What a worker made of one block.
struct Encoded {
    /// The member to write: the whole block (full), or its changed pages (increment; `None`
    /// when none changed).
    member: Option<Vec<u8>>,
    /// The term of every page of the block.
    terms: Vec<u128>,
    /// Pages in the member.
    changed: usize,
}

/// Hashes every page of a block and compresses the pages that go in the backup: all of them,
/// or (given the previous backup's terms) those whose term differs or that are new.
fn encode_block(first: u32, block: &[u8], before: Option<&[u128]>, page_size: usize, level: u32) -> Encoded {
    let terms: Vec<u128> =
        block.chunks(page_size).enumerate().map(|(i, p)| checksum::page_term(first + i as u32, p)).collect();
    let Some(before) = before else {
        let run = Run { first, count: terms.len() as u32 };
        return Encoded {
            member: Some(gzip::data_member(block, level, Some(&[run]))),
            changed: terms.len(),
            terms,
        };
    };
    let mut runs: Vec<Run> = Vec::new();
    let mut data = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        if before.get(i) == Some(t) {
            continue;
        }
        let pgno = first + i as u32;
        match runs.last_mut() {
            Some(r) if r.first + r.count == pgno => r.count += 1,
            _ => runs.push(Run { first: pgno, count: 1 }),
        }
        data.extend_from_slice(&block[i * page_size..(i + 1) * page_size]);
    }
    let changed = runs.iter().map(|r| r.count as usize).sum();
    let member = (!runs.is_empty()).then(|| gzip::data_member(&data, level, Some(&runs)));
    Encoded { member, terms, changed }
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
        kind: h.kind,
        chain: h.chain.clone(),
        with: h.with.clone(),
        opaque: h.opaque.clone(),
        ..BackupMetadata::default()
    }
}
