//! The keys of encrypted backups (format 3, `docs/FORMAT.md` "Keys of version 3"): the data key
//! new backups are made under and its record (kept in the installation's folder, written beside
//! the backups and at every destination), a password change that keeps every backup, a new
//! recovery key, and the check that the person still knows the password.

use chrono::Utc;

use crate::engine::Engine;
use crate::error::{Error, ErrorCode, Reason, Result};
use crate::format::file::{self, NewKey};
use crate::format::keys::Unlocker;
use crate::format::vault::{self, DataKey, KeyRecord, PasswordKdf, RecoveryKey, RecoveryLock};
use crate::installation::KeptKey;
use crate::model::KeyStatus;
use crate::seams::{CancelToken, Job, Password, require_password};
use crate::store::Store;

impl Engine {
    /// The key of one new encrypted backup, under this installation's data key (made, with its
    /// record, for the first encrypted backup). The password must open the current key: a
    /// different one is refused (`password_not_current`), never silently made a new key.
    pub(crate) fn new_file_key(&self, cancel: &CancelToken) -> Result<NewKey> {
        let (key, record) = match self.home.kept_key()? {
            None => {
                let password = require_password(self.secrets.as_ref(), "encrypt the backup")?;
                // A new computer set up after a restore with the kit (or an old password): the
                // keys opened in this run are carried, so the new password opens the old
                // backups too, and the kit's key goes on opening the new ones.
                let older = self.home.keys.unlocked();
                let lock =
                    self.secrets.recovery_key().and_then(|t| RecoveryKey::parse(&t).ok()).map(|rk| rk.lock());
                let key = DataKey::generate()?;
                let record = self.make_record(&key, &password, lock.as_ref(), &older, cancel)?;
                let kit_made_at = lock.is_some().then(Utc::now);
                self.home.keep_key(&KeptKey { record: record.clone(), made_at: Utc::now(), kit_made_at })?;
                self.home.keys.unlock(&record, key.clone(), &Unlocker::password(&password))?;
                (key, record)
            }
            Some(kept) => (self.open_current_key(&kept.record, cancel)?, kept.record),
        };
        // The backup carries its record too; the key file is for a password changed before the
        // next backup. A folder that cannot take it fails the backup's own write just after.
        let _ = publish(self.store().as_ref(), &record);
        NewKey::under(&key, &record)
    }

    /// The current key, opened with the password; when the password is forgotten (missing or
    /// not the current one) and the person gave the recovery key, with that (a restore's safety
    /// backup is made under the same key either way).
    fn open_current_key(&self, record: &KeyRecord, cancel: &CancelToken) -> Result<DataKey> {
        let by_password =
            require_password(self.secrets.as_ref(), "encrypt the backup").and_then(|password| {
                let key = self.open_with_password(record, &password, cancel)?;
                self.home.keys.unlock(record, key.clone(), &Unlocker::password(&password))?;
                Ok(key)
            });
        match by_password {
            Err(e)
                if matches!(e.code(), ErrorCode::WrongPassword | ErrorCode::PasswordRequired)
                    && self.secrets.recovery_key().is_some() =>
            {
                file::open_record(
                    self.store().as_ref(),
                    record,
                    self.secrets.as_ref(),
                    &self.home.keys,
                    cancel,
                )
            }
            other => other,
        }
    }

    fn open_with_password(
        &self,
        record: &KeyRecord,
        password: &Password,
        cancel: &CancelToken,
    ) -> Result<DataKey> {
        let Some(p) = &record.password else {
            return Err(Error::new(ErrorCode::WrongPassword, "this computer's backup key has no password"));
        };
        let salt =
            hex::decode(&p.kdf.salt).map_err(|_| Error::invalid("the key record's salt is not hex"))?;
        let master = self.home.keys.master(password, &salt, p.kdf.iterations, cancel)?;
        record.open_with_password(&master)?.ok_or_else(|| {
            Error::new(
                ErrorCode::WrongPassword,
                "this is not the password of this computer's backups (the one they were last made \
                 with); give that one, or change it with the old password or the recovery key",
            )
            .with_reason(Reason::PasswordNotCurrent)
        })
    }

    fn make_record(
        &self,
        key: &DataKey,
        password: &str,
        lock: Option<&RecoveryLock>,
        older: &[DataKey],
        cancel: &CancelToken,
    ) -> Result<KeyRecord> {
        let salt = self.home.kdf_salt();
        let master = self.home.keys.master(password, &salt, self.kdf_iterations, cancel)?;
        let kdf = PasswordKdf {
            name: crate::format::crypto::KDF.into(),
            iterations: self.kdf_iterations,
            salt: hex::encode(salt),
        };
        KeyRecord::make(key, Some((&master, kdf)), lock, older)
    }

    /// The current key opened with what the secret source gives (the password, or the recovery
    /// key of "forgot your password"), with the keys it carries, newest first.
    fn open_current(&self, kept: &KeptKey, cancel: &CancelToken) -> Result<Vec<DataKey>> {
        let key = file::open_record(
            self.store().as_ref(),
            &kept.record,
            self.secrets.as_ref(),
            &self.home.keys,
            cancel,
        )?;
        let mut all = vec![key.clone()];
        all.extend(kept.record.previous_keys(&key)?);
        Ok(all)
    }

    /// Changes the password: a new data key, wrapped by `new_password` and for the same recovery
    /// key, carrying every older key. The old password (or the recovery key) comes from the
    /// secret source. Every backup, here and at every destination, then opens with the new
    /// password and the recovery key; chains go on; the old password opens nothing made from now
    /// on. The host keeps the new password (the keyring) after this returns.
    pub fn change_password(&self, new_password: &Password, job: &Job) -> Result<KeyStatus> {
        if new_password.is_empty() {
            return Err(Error::invalid("the new password is empty"));
        }
        let kept = self.home.kept_key()?;
        let (older, lock) = match &kept {
            Some(k) => {
                let older = self.open_current(k, &job.cancel)?;
                let lock = k.record.recovery_lock(&older[0])?;
                (older, lock)
            }
            None => (Vec::new(), None),
        };
        let key = DataKey::generate()?;
        let record = self.make_record(&key, new_password, lock.as_ref(), &older, &job.cancel)?;
        let kit_made_at = kept.as_ref().and_then(|k| k.kit_made_at).filter(|_| lock.is_some());
        self.adopt(key, record, kit_made_at, new_password)
    }

    /// Makes `recovery` the recovery key: a new data key wrapped by the current password and for
    /// `recovery`, carrying every older key. The recovery key of an older kit still opens what was
    /// made before, and nothing from now on. Never keeps the recovery key itself.
    pub fn adopt_recovery_key(&self, recovery: &RecoveryKey, job: &Job) -> Result<KeyStatus> {
        let password = require_password(self.secrets.as_ref(), "make a recovery kit")?;
        let older = match self.home.kept_key()? {
            Some(k) => {
                let key = self.open_with_password(&k.record, &password, &job.cancel)?;
                let mut all = vec![key.clone()];
                all.extend(k.record.previous_keys(&key)?);
                all
            }
            None => Vec::new(),
        };
        let key = DataKey::generate()?;
        let record = self.make_record(&key, &password, Some(&recovery.lock()), &older, &job.cancel)?;
        self.adopt(key, record, Some(Utc::now()), &password)
    }

    fn adopt(
        &self,
        key: DataKey,
        record: KeyRecord,
        kit_made_at: Option<chrono::DateTime<Utc>>,
        password: &str,
    ) -> Result<KeyStatus> {
        // Beside the backups first: a key the folder cannot take is not adopted.
        publish(self.store().as_ref(), &record)?;
        self.home.keep_key(&KeptKey { record: record.clone(), made_at: Utc::now(), kit_made_at })?;
        self.home.keys.unlock(&record, key, &Unlocker::password(password))?;
        self.key_status()
    }

    /// What front ends show of the current key.
    pub fn key_status(&self) -> Result<KeyStatus> {
        self.home.key_status()
    }

    /// Whether `password` opens the current key ("do you still know it?"); `None` before there
    /// is a key. Nothing is changed or sent.
    pub fn check_password(&self, password: &Password, job: &Job) -> Result<Option<bool>> {
        let Some(kept) = self.home.kept_key()? else { return Ok(None) };
        match self.open_with_password(&kept.record, password, &job.cancel) {
            Ok(_) => Ok(Some(true)),
            Err(e) if e.code() == ErrorCode::WrongPassword => Ok(Some(false)),
            Err(e) => Err(e),
        }
    }

    /// Writes the current key's record to `dest` (a destination) when it is not there yet, so
    /// that what is copied there opens with the newest password and recovery key without this
    /// computer.
    pub fn publish_key(&self, dest: &dyn Store) -> Result<()> {
        match self.home.kept_key()? {
            Some(k) => publish(dest, &k.record),
            None => Ok(()),
        }
    }
}

/// Writes `record`'s key file into `store` unless one of that name is there.
fn publish(store: &dyn Store, record: &KeyRecord) -> Result<()> {
    let name = vault::key_file_name(&record.id);
    if store.stat(&name)?.is_some() {
        return Ok(());
    }
    let json = serde_json::to_vec_pretty(record).map_err(|e| Error::invalid(e.to_string()))?;
    let mut w = store.create(&name)?;
    w.write_all(&json).map_err(|e| Error::new(ErrorCode::Io, format!("error writing the key file: {e}")))?;
    w.commit()
}
