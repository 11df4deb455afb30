//! A forgotten password loses nothing (issue 27): the recovery key alone opens every backup on a
//! new computer, a typo in it is named, a planted or altered key record is refused with nothing
//! decrypted or written, and a password changed twice keeps every backup and chain while the old
//! passwords open nothing made after their change.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use keepsake_engine::error::Reason;
use keepsake_engine::format::vault::RecoveryKey;
use keepsake_engine::model::BackupMetadata;
use keepsake_engine::{Engine, ErrorCode, Installation, LocalFolder, Password, RestoreOptions, SecretSource};

/// Someone on a new computer with only their kit: no password at all.
struct KitOnly(String);

impl SecretSource for KitOnly {
    fn password(&self) -> keepsake_engine::Result<Option<Password>> {
        Ok(None)
    }

    fn recovery_key(&self) -> Option<Password> {
        Some(Password::new(self.0.clone()))
    }
}

fn touch(db: &Path, round: i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute(
        "UPDATE users SET name = ?1 WHERE id % 7 = ?2",
        rusqlite::params![format!("round {round}"), round % 7],
    )
    .unwrap();
}

fn inc() -> keepsake_engine::BackupOptions {
    keepsake_engine::BackupOptions { incremental: Some(true), ..opts(true, true) }
}

/// An engine of a new installation (another computer) on `dir`, opening with `secrets`.
fn elsewhere(root: &Path, name: &str, dir: &Path, secrets: Arc<dyn SecretSource>) -> Engine {
    let home = Installation::open(root.join(name)).unwrap();
    Engine::open_folder(&home, dir).unwrap().with_secrets(secrets)
}

fn foreign() -> RestoreOptions {
    RestoreOptions { allow_foreign: true, ..RestoreOptions::default() }
}

/// The ids the engine lists as readable backups (the others are locked to what it was given).
fn opened(engine: &Engine) -> Vec<String> {
    engine.scan().unwrap().foreign.into_iter().map(|m| m.id).collect()
}

fn copy_all(engine: &Engine, made: &[BackupMetadata], dest: &Path) {
    let store = LocalFolder::new(dest).unwrap();
    for m in made {
        engine.copy_to(&m.id, "usb", &store, &job()).unwrap();
    }
}

#[test]
fn the_recovery_key_alone_restores_every_backup_on_a_new_computer_and_a_typo_is_named() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 3000);
    let engine = env.engine();
    let a = engine.backup(&env.db, &inc(), &job()).unwrap();
    // The kit is made after the first backup: it opens that one too.
    let rk = RecoveryKey::generate().unwrap();
    let status = engine.adopt_recovery_key(&rk, &job()).unwrap();
    assert!(status.kit_made_at.is_some() && status.kit.is_some());
    touch(&env.db, 1);
    let b = engine.backup(&env.db, &inc(), &job()).unwrap();
    assert_eq!(b.chain.as_ref().map(|c| c.base.as_str()), Some(a.id.as_str()), "a kit starts no new chain");
    let expected = dump(&env.db);
    let dest = env.dir.path().join("usb");
    copy_all(&engine, &[a.clone(), b.clone()], &dest);

    // The lost computer: a new installation, the destination, the key as typed from the kit.
    let typed = rk.display().to_lowercase().replace('-', " ");
    let kit = elsewhere(env.dir.path(), "new", &dest, Arc::new(KitOnly(typed)));
    let listed = opened(&kit);
    assert!(listed.contains(&a.id) && listed.contains(&b.id), "{listed:?}");
    let out = env.dir.path().join("restored.db");
    kit.restore(&b.id, &out, &foreign(), &job()).unwrap();
    assert_eq!(dump(&out), expected);
    assert!(kit.verify(&a.id, &job()).unwrap().ok);

    // A typo is named as one; another kit's key is refused; neither writes anything.
    let mut chars: Vec<char> = rk.display().chars().collect();
    chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
    let typo = elsewhere(env.dir.path(), "typo", &dest, Arc::new(KitOnly(chars.iter().collect())));
    let none = env.dir.path().join("none.db");
    let e = typo.restore(&b.id, &none, &foreign(), &job()).unwrap_err();
    assert_eq!(e.facts().reason, Some(Reason::RecoveryKeyTypo), "{e}");
    let other = RecoveryKey::generate().unwrap().display().to_string();
    let wrong = elsewhere(env.dir.path(), "wrong", &dest, Arc::new(KitOnly(other)));
    assert!(opened(&wrong).is_empty());
    let e = wrong.restore(&b.id, &none, &foreign(), &job()).unwrap_err();
    assert_eq!(
        (e.code(), e.facts().reason),
        (ErrorCode::WrongPassword, Some(Reason::WrongRecoveryKey)),
        "{e}"
    );
    assert!(!none.exists());
}

#[test]
fn a_planted_or_altered_key_record_is_refused_and_nothing_is_decrypted_or_written() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let engine = env.engine();
    // Made before the kit: only a key file (the kit's record) opens it with the recovery key.
    let a = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let rk = RecoveryKey::generate().unwrap();
    engine.adopt_recovery_key(&rk, &job()).unwrap();
    let dest = env.dir.path().join("usb");
    copy_all(&engine, std::slice::from_ref(&a), &dest);
    let key_files: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("keepsake-key_"))
        .collect();
    assert_eq!(key_files.len(), 1, "the kit's key travels with the copies");
    let good = std::fs::read(&key_files[0]).unwrap();
    for (what, place) in [("destination", dest.clone()), ("folder", env.backups.clone())] {
        let file = std::fs::read_dir(&place)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| *p.file_name().unwrap() == *key_files[0].file_name().unwrap())
            .unwrap();
        // Altered: the seal of its recovery wrap; then the wrapped key itself.
        for field in ["seal", "data"] {
            let mut record: serde_json::Value = serde_json::from_slice(&good).unwrap();
            let slot = if field == "seal" {
                &mut record["recovery"]["seal"]
            } else {
                &mut record["recovery"]["key"]["data"]
            };
            let mut hex = slot.as_str().unwrap().to_owned();
            let flipped = if hex.starts_with('0') { "1" } else { "0" };
            hex.replace_range(0..1, flipped);
            *slot = serde_json::Value::from(hex);
            std::fs::write(&file, serde_json::to_vec(&record).unwrap()).unwrap();
            let kit = elsewhere(
                env.dir.path(),
                &format!("{what}-{field}"),
                &place,
                Arc::new(KitOnly(rk.display().to_string())),
            );
            let out = env.dir.path().join(format!("{what}-{field}.db"));
            let e = kit.restore(&a.id, &out, &foreign(), &job()).unwrap_err();
            assert!(
                matches!(e.code(), ErrorCode::BackupDamaged | ErrorCode::WrongPassword),
                "{what} {field}: {e}"
            );
            assert!(!out.exists(), "{what} {field}: nothing written");
            assert!(opened(&kit).is_empty(), "{what} {field}: nothing decrypted");
        }
        std::fs::write(&file, &good).unwrap();
        // Put back, it opens again.
        let kit = elsewhere(
            env.dir.path(),
            &format!("{what}-good"),
            &place,
            Arc::new(KitOnly(rk.display().to_string())),
        );
        assert!(kit.verify(&a.id, &job()).unwrap().ok, "{what}");
    }
}

#[test]
fn a_password_changed_twice_keeps_every_backup_and_chain_and_old_passwords_open_nothing_newer() {
    let env = Env::new();
    make_db(&env.db, true, 4096, 3000);
    let dest = env.dir.path().join("usb");
    let rk = RecoveryKey::generate().unwrap();
    let passwords = [PASSWORD, "second password, long enough", "third password, long enough"];
    let mut made: Vec<(usize, BackupMetadata, Vec<String>)> = Vec::new();
    for (i, pw) in passwords.iter().enumerate() {
        let engine = env.engine_with(pw);
        if i == 0 {
            engine.adopt_recovery_key(&rk, &job()).unwrap();
        }
        // Small changes: a chain of one full backup and two increments stays within its share.
        for round in 0..1 {
            touch(&env.db, (i * 2 + round) as i64);
            let m = engine.backup(&env.db, &inc(), &job()).unwrap();
            copy_all(&engine, std::slice::from_ref(&m), &dest);
            made.push((i, m, dump(&env.db)));
        }
        if let Some(next) = passwords.get(i + 1) {
            engine.change_password(&Password::new(*next), &job()).unwrap();
            // The old password makes nothing any more.
            let e = env.engine_with(pw).backup(&env.db, &inc(), &job()).unwrap_err();
            assert_eq!(e.facts().reason, Some(Reason::PasswordNotCurrent));
        }
    }
    // One chain, across both changes.
    let full = made[0].1.id.clone();
    for pair in made.windows(2) {
        let link = pair[1].1.chain.as_ref().unwrap_or_else(|| panic!("{:?}", pair[1].1.full_reason));
        assert_eq!((link.base.as_str(), link.full.as_str()), (pair[0].1.id.as_str(), full.as_str()));
    }
    // Here, with the newest password: everything verifies and restores exactly.
    let newest = env.engine_with(passwords[2]);
    for (_, m, expected) in &made {
        assert!(newest.verify(&m.id, &job()).unwrap().ok, "{}", m.id);
        let out = env.dir.path().join(format!("{}.db", m.id));
        newest.restore(&m.id, &out, &RestoreOptions::default(), &job()).unwrap();
        assert_eq!(&dump(&out), expected);
    }
    // At the destination, on a new computer: the newest password and the key open all; each old
    // password opens exactly what was made before its change.
    for (who, secrets) in [
        ("newest", Arc::new(keepsake_engine::StaticSecret::new(passwords[2])) as Arc<dyn SecretSource>),
        ("kit", Arc::new(KitOnly(rk.display().to_string()))),
    ] {
        let e = elsewhere(env.dir.path(), who, &dest, secrets);
        let mut listed = opened(&e);
        listed.sort();
        let mut all: Vec<String> = made.iter().map(|(_, m, _)| m.id.clone()).collect();
        all.sort();
        assert_eq!(listed, all, "{who}");
        let (_, last, expected) = made.last().unwrap();
        let out = env.dir.path().join(format!("{who}.db"));
        e.restore(&last.id, &out, &foreign(), &job()).unwrap();
        assert_eq!(&dump(&out), expected, "{who}");
    }
    for (i, pw) in passwords.iter().enumerate().take(2) {
        let e = elsewhere(
            env.dir.path(),
            &format!("old-{i}"),
            &dest,
            Arc::new(keepsake_engine::StaticSecret::new(*pw)),
        );
        let mut listed = opened(&e);
        listed.sort();
        let mut before: Vec<String> =
            made.iter().filter(|(k, _, _)| *k <= i).map(|(_, m, _)| m.id.clone()).collect();
        before.sort();
        assert_eq!(listed, before, "password {i} opens what was made before its change, nothing after");
    }
}

/// A new computer: the password the person picks there, and the kit's key typed to restore.
struct NewComputer(String, String);

impl SecretSource for NewComputer {
    fn password(&self) -> keepsake_engine::Result<Option<Password>> {
        Ok(Some(Password::new(self.0.clone())))
    }

    fn recovery_key(&self) -> Option<Password> {
        Some(Password::new(self.1.clone()))
    }
}

#[test]
fn a_new_computer_restored_with_the_kit_carries_the_old_keys_into_its_own() {
    let env = Env::new();
    make_db(&env.db, false, 4096, 2000);
    let engine = env.engine();
    let a = engine.backup(&env.db, &opts(true, true), &job()).unwrap();
    let rk = RecoveryKey::generate().unwrap();
    engine.adopt_recovery_key(&rk, &job()).unwrap();
    let expected = dump(&env.db);
    let dest = env.dir.path().join("usb");
    copy_all(&engine, std::slice::from_ref(&a), &dest);

    // The lost computer's replacement: restored with the kit, then a password of its own.
    let secrets: Arc<dyn SecretSource> =
        Arc::new(NewComputer("the new computer's password".into(), rk.display().to_string()));
    let home = Installation::open(env.dir.path().join("new")).unwrap();
    let from_copy = Engine::open_folder(&home, &dest).unwrap().with_secrets(secrets.clone());
    let restored = env.dir.path().join("restored.db");
    from_copy.restore(&a.id, &restored, &foreign(), &job()).unwrap();
    assert_eq!(dump(&restored), expected);
    let local = Engine::open_folder(&home, env.dir.path().join("new-backups")).unwrap().with_secrets(secrets);
    let b = local.backup(&restored, &opts(true, true), &job()).unwrap();
    let status = local.key_status().unwrap();
    assert!(status.kit.is_some() && status.kit_made_at.is_some(), "the kit goes on: {status:?}");
    local.publish_key(&LocalFolder::new(&dest).unwrap()).unwrap();

    // The new password alone opens the old computer's backup at the destination; the kit's
    // key opens the new computer's backup.
    let pw = elsewhere(
        env.dir.path(),
        "third",
        &dest,
        Arc::new(keepsake_engine::StaticSecret::new("the new computer's password")),
    );
    assert!(opened(&pw).contains(&a.id), "the new password opens the old backup");
    let kit = elsewhere(
        env.dir.path(),
        "kit",
        &env.dir.path().join("new-backups"),
        Arc::new(KitOnly(rk.display().to_string())),
    );
    assert!(opened(&kit).contains(&b.id), "the kit's key opens the new computer's backups");
}
