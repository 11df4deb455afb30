//! Copies elsewhere: a backup sent from the store it was made in to another store (a drive, S3,
//! WebDAV, SFTP), byte for byte under the same name. A copy counts only once the whole object
//! is committed there and what went out matches this installation's record of the backup (its
//! size and SHA-256, hashed as it was sent) and the destination reports the recorded size; then
//! it is recorded in the catalog (`copies`). Nothing about a copy is ever taken from the
//! destination's word alone: an object already there under the name counts only when reading
//! it back gives the recorded SHA-256, and is read back only when its size is the backup's
//! (somebody else's object under the name is never downloaded whole, and a name found taken
//! is remembered in the catalog until that object changes, so later passes read nothing).
//!
//! The local file is read without the store's lock (a local backup can start while a copy
//! runs); an open file stays readable when a cleanup removes it meanwhile, and the hash check
//! catches any other change.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result, escaped};
use crate::format::file::{Object, sha256_of};
use crate::model::{BackupMetadata, Origin, VerificationStatus};
use crate::retention::{CleanupPlan, RetentionPolicy, plan_retention};
use crate::seams::{Job, Phase};
use crate::store::Store;

pub use crate::model::CopyRecord;

/// What reading a copy back found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyState {
    /// Read back whole: the recorded size and SHA-256.
    Whole,
    /// Gone from the destination.
    Missing,
    /// There, but not what was sent (changed, cut short, replaced).
    Changed,
}

/// One copy read back by [`Engine::verify_copies`].
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyCheck {
    /// The backup.
    pub backup_id: String,
    /// The object at the destination.
    pub object: String,
    /// What was found.
    pub state: CopyState,
}

/// The last time every copy at a destination was read back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiesChecked {
    /// When.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: DateTime<Utc>,
    /// How many were missing or changed then (they no longer count as copies).
    pub bad: u32,
}

const CHUNK: usize = 1 << 20;

/// The SHA-256 (hex) of object `name` in `dest` when it holds exactly `size` bytes; `None` when
/// it holds more (read no further than one byte past `size`: a store that says one size and
/// sends more is never read to its end) or fewer.
fn hash_at_most(dest: &dyn Store, name: &str, size: u64, job: &Job) -> Result<Option<String>> {
    let path = std::path::Path::new(name);
    let mut r = dest.open(name)?.take(size.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut read = 0u64;
    loop {
        job.cancel.check()?;
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::read(path, e)),
        };
        hasher.update(&buf[..n]);
        read += n as u64;
    }
    Ok((read == size).then(|| hex::encode(hasher.finalize())))
}

impl Engine {
    /// Copies backup `id` to `dest` (the destination named `destination`), with the backups an
    /// increment builds on first, oldest first. Copies already recorded and still there (by
    /// size) are not sent again. Returns the record of every backup of the chain, the
    /// backup's own last.
    pub fn copy_to(
        &self,
        id: &str,
        destination: &str,
        dest: &dyn Store,
        job: &Job,
    ) -> Result<Vec<CopyRecord>> {
        let meta = self.get(id)?;
        if meta.origin != Origin::Recorded {
            return Err(Error::invalid(format!(
                "backup {} was not made by this installation; only backups it recorded are copied elsewhere",
                escaped(&meta.id)
            ))
            .with_backup(&meta.id));
        }
        if dest.location() == self.store().location() {
            return Err(Error::invalid("a backup cannot be copied to the store it is in"));
        }
        let mut chain = self.chain_of(&meta)?;
        chain.reverse();
        // The current key's record goes first: what is copied there opens with the newest
        // password and recovery key, without this computer.
        if meta.encrypted {
            self.publish_key(dest)?;
        }
        let mut out = Vec::with_capacity(chain.len());
        for m in chain {
            job.cancel.check()?;
            let known = self
                .catalog()?
                .copies()?
                .into_iter()
                .find(|c| c.backup_id == m.id && c.location == dest.location());
            if let Some(c) = known {
                if matches!(dest.stat(&c.object)?, Some(e) if e.size == c.size) {
                    self.catalog()?.keep_copied(&m)?;
                    out.push(c);
                    continue;
                }
                self.catalog()?.remove_copy(&m.id, dest.location())?;
            }
            out.push(self.copy_one(&m, destination, dest, job)?);
        }
        Ok(out)
    }

    fn copy_one(
        &self,
        m: &BackupMetadata,
        destination: &str,
        dest: &dyn Store,
        job: &Job,
    ) -> Result<CopyRecord> {
        let name = m.file_name.as_str();
        let record = |size: u64| CopyRecord {
            backup_id: m.id.clone(),
            destination: destination.to_owned(),
            location: dest.location().to_owned(),
            object: name.to_owned(),
            size,
            sha256: m.sha256.clone(),
            copied_at: self.clock.now(),
        };
        // Something already under the name: an earlier copy whose record was lost counts when
        // it reads back as this backup; anything else is somebody else's and left alone. The
        // sizes are compared first (a different size is somebody else's, nothing read), and a
        // name found taken is remembered with the object's size and time, so the next pass
        // reads nothing until that object changes.
        if let Some(e) = dest.stat(name)? {
            let location = dest.location();
            let remembered = self.catalog()?.taken_name(location, name)?;
            let known_taken =
                remembered.is_some_and(|(size, modified)| size == e.size && modified == e.modified);
            let ours = e.size == m.stored_size
                && !known_taken
                && hash_at_most(dest, name, m.stored_size, job)? == Some(m.sha256.clone());
            if ours {
                let r = record(e.size);
                let catalog = self.catalog()?;
                catalog.keep_copied(m)?;
                catalog.add_copy(&r)?;
                catalog.clear_taken_name(location, name)?;
                return Ok(r);
            }
            self.catalog()?.set_taken_name(location, name, e.size, e.modified)?;
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!(
                    "{location} already holds a different file named {name} ({} bytes; this backup is {}); \
                     Keepsake leaves it alone and copies nothing over it",
                    e.size, m.stored_size
                ),
            )
            .with_backup(&m.id)
            .with_reason(Reason::NameTaken));
        }
        self.catalog()?.clear_taken_name(dest.location(), name)?;
        let mut src = self.store().open(name)?;
        let mut w = dest.create(name)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut sent = 0u64;
        let path = std::path::Path::new(name);
        loop {
            job.cancel.check()?;
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::read(path, e)),
            };
            hasher.update(&buf[..n]);
            // Piece by piece as the store takes them (a bandwidth limit takes small ones and
            // waits between them): a cancel is seen within one piece.
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                job.cancel.check()?;
                match w.write(rest) {
                    Ok(0) => return Err(Error::write(path, std::io::ErrorKind::WriteZero.into())),
                    Ok(k) => {
                        rest = &rest[k..];
                        sent += k as u64;
                        job.progress.update(Phase::Copy, sent, m.stored_size);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(Error::write(path, e)),
                }
            }
        }
        if hex::encode(hasher.finalize()) != m.sha256 || sent != m.stored_size {
            // Dropped uncommitted: nothing appears at the destination.
            drop(w);
            return Err(Error::new(
                ErrorCode::BackupDamaged,
                format!("backup {} in {} is not what was recorded; it was not copied", m.id, self.where_()),
            )
            .with_backup(&m.id));
        }
        w.commit()?;
        match dest.stat(name)? {
            Some(e) if e.size == m.stored_size => {}
            other => {
                return Err(Error::new(
                    ErrorCode::RemoteFailed,
                    format!(
                        "{} reports {} for {name} after the upload, not the {} bytes sent",
                        dest.location(),
                        other.map_or("nothing".to_owned(), |e| format!("{} bytes", e.size)),
                        m.stored_size
                    ),
                )
                .with_backup(&m.id)
                .with_reason(Reason::Server));
            }
        }
        let r = record(sent);
        self.catalog()?.keep_copied(m)?;
        self.catalog()?.add_copy(&r)?;
        Ok(r)
    }

    /// Every copy recorded of this store's backups, oldest first.
    pub fn copies(&self) -> Result<Vec<CopyRecord>> {
        self.catalog()?.copies()
    }

    /// The backups of this store that should be at `location` and are not recorded there, oldest
    /// first: every backup this installation made whose file is where it was and that did not
    /// fail a verification.
    pub fn missing_copies(&self, location: &str) -> Result<Vec<BackupMetadata>> {
        let copied: std::collections::HashSet<String> = self
            .catalog()?
            .copies()?
            .into_iter()
            .filter(|c| c.location == location)
            .map(|c| c.backup_id)
            .collect();
        let mut v: Vec<BackupMetadata> = self
            .list(None)?
            .into_iter()
            .filter(|m| {
                m.concern.is_none() && m.verification != VerificationStatus::Failed && !copied.contains(&m.id)
            })
            .collect();
        v.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(v)
    }

    /// Reads back every copy recorded at `dest` and says what each is. A copy found missing or
    /// changed no longer counts (its record is removed), so the next copy run sends the
    /// backup again when the name is free.
    pub fn verify_copies(&self, dest: &dyn Store, job: &Job) -> Result<Vec<CopyCheck>> {
        self.verify_copies_at(dest, job, self.clock.now())
    }

    /// [`Engine::verify_copies`], the reading recorded as made at `at` (the background copier's
    /// time, which its next due date is counted from).
    pub fn verify_copies_at(&self, dest: &dyn Store, job: &Job, at: DateTime<Utc>) -> Result<Vec<CopyCheck>> {
        let copies: Vec<CopyRecord> =
            self.catalog()?.copies()?.into_iter().filter(|c| c.location == dest.location()).collect();
        let mut out = Vec::with_capacity(copies.len());
        let total: u64 = copies.iter().map(|c| c.size).sum();
        let mut done = 0u64;
        for c in copies {
            job.cancel.check()?;
            let state = match dest.stat(&c.object)? {
                None => CopyState::Missing,
                Some(e) if e.size != c.size => CopyState::Changed,
                Some(_) => {
                    let (sha, size) = sha256_of(&Object::new(dest, &c.object))?;
                    if sha == c.sha256 && size == c.size { CopyState::Whole } else { CopyState::Changed }
                }
            };
            done += c.size;
            job.progress.update(Phase::Copy, done, total);
            if state != CopyState::Whole {
                self.catalog()?.remove_copy(&c.backup_id, &c.location)?;
            }
            out.push(CopyCheck { backup_id: c.backup_id, object: c.object, state });
        }
        let bad = out.iter().filter(|c| c.state != CopyState::Whole).count() as u32;
        self.catalog()?.set_copy_check(dest.location(), at, bad)?;
        Ok(out)
    }

    /// When every copy at `location` was last read back ([`Engine::verify_copies`]).
    pub fn copies_checked(&self, location: &str) -> Result<Option<CopiesChecked>> {
        Ok(self.catalog()?.copy_check(location)?.map(|(at, bad)| CopiesChecked { at, bad }))
    }

    /// Whether the copies at `location` are due to be read back at `now`, `every_days` after the
    /// last reading (or, before any, after the oldest copy there was made).
    pub fn copies_due_check(&self, location: &str, every_days: u32, now: DateTime<Utc>) -> Result<bool> {
        let since = match self.copies_checked(location)? {
            Some(c) => Some(c.at),
            None => self.copies()?.into_iter().filter(|c| c.location == location).map(|c| c.copied_at).min(),
        };
        Ok(since.is_some_and(|t| now - t >= chrono::TimeDelta::days(i64::from(every_days))))
    }

    /// What a cleanup of the copies at `location` with `policy` would keep and delete now, by
    /// the same rules as a folder's cleanup ([`plan_retention`]) over the copies recorded there
    /// alone: an object Keepsake did not record sending is never in the plan, and the rules of
    /// the folder (or of another destination) never delete a copy here.
    pub fn plan_copies_cleanup(&self, location: &str, policy: &RetentionPolicy) -> Result<CleanupPlan> {
        let now = self.clock.now().with_timezone(&chrono::Local);
        Ok(plan_retention(&self.copied_to(location)?, policy, &now))
    }

    /// The backups recorded as copied to `location`, as known now.
    fn copied_to(&self, location: &str) -> Result<Vec<BackupMetadata>> {
        let catalog = self.catalog()?;
        let pins = catalog.pins()?;
        let mut backups = Vec::new();
        for c in catalog.copies()?.into_iter().filter(|c| c.location == location) {
            // The folder's record while the backup is there (its pin, its latest verification),
            // else what was kept when it was copied. A copy known by neither stays.
            let Some(mut m) = catalog.get(&c.backup_id)?.or(catalog.copied(&c.backup_id)?) else { continue };
            m.pinned = pins.get(&m.id).cloned();
            m.stored_size = c.size;
            backups.push(m);
        }
        Ok(backups)
    }

    /// The backups to send to `location`, oldest first: those not there yet
    /// ([`Engine::missing_copies`]) that `policy`, the rules there, would keep among the copies
    /// there and these. A backup those rules delete is not sent (again): a destination that
    /// keeps fewer than the folder is never sent what its cleanup would delete at once.
    pub fn copies_wanted(&self, location: &str, policy: &RetentionPolicy) -> Result<Vec<BackupMetadata>> {
        let missing = self.missing_copies(location)?;
        if policy.is_empty() || missing.is_empty() {
            return Ok(missing);
        }
        let mut all = self.copied_to(location)?;
        all.extend(missing.iter().cloned());
        let now = self.clock.now().with_timezone(&chrono::Local);
        let plan = plan_retention(&all, policy, &now);
        let keep: std::collections::HashSet<&str> = plan.keep.iter().map(|e| e.id.as_str()).collect();
        Ok(missing.into_iter().filter(|m| keep.contains(m.id.as_str())).collect())
    }

    /// Deletes the copies at `dest` that `policy` no longer keeps ([`Engine::plan_copies_cleanup`])
    /// and forgets them; returns the plan carried out.
    pub fn cleanup_copies(
        &self,
        dest: &dyn Store,
        policy: &RetentionPolicy,
        job: &Job,
    ) -> Result<CleanupPlan> {
        let plan = self.plan_copies_cleanup(dest.location(), policy)?;
        let copies = self.catalog()?.copies()?;
        for e in &plan.delete {
            job.cancel.check()?;
            let Some(c) = copies.iter().find(|c| c.backup_id == e.id && c.location == dest.location()) else {
                continue;
            };
            crate::store::check_name(&c.object)?;
            dest.delete(&c.object)?;
            self.catalog()?.remove_copy(&c.backup_id, &c.location)?;
        }
        Ok(plan)
    }
}
