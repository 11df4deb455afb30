//! Copies elsewhere through the CLI, on real servers started here (s3s-fs, Azurite,
//! fake-gcs-server, rclone's WebDAV and SFTP):
//! `dest add` tests before saving and keeps the secret out of the file; `copy` sends a backup
//! and says so only when it is whole there; `list --from` and `restore --from` work from a new
//! computer's empty profile; `copy --check` finds a copy changed on the server.

use keepsake_remote::testing::{BUCKET, Server};

use crate::util::*;

pub(crate) const SECRET_VAR: &str = "KEEPSAKE_DEST_SECRET_B2";

/// `dest add b2` for the S3 server `server` (path style, prefix `laptop`), with `secret` as its
/// secret key; also used by `copy_failures`.
pub(crate) fn add_s3(w: &Work, server: &Server, secret: &str) -> std::process::Output {
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let mut c = w.src(&[
        "dest",
        "add",
        "b2",
        "--kind",
        "s3",
        "--endpoint",
        &endpoint,
        "--bucket",
        BUCKET,
        "--access-key-id",
        keepsake_remote::testing::ACCESS_KEY,
        "--path-style",
        "--prefix",
        "laptop",
    ]);
    c.env(SECRET_VAR, secret);
    run(c)
}

#[test]
fn a_wrong_secret_key_is_refused_by_the_test_and_nothing_is_saved() {
    let w = Work::new();
    let server = Server::s3();
    let before = w.sources_bytes();
    let out = add_s3(&w, &server, "not the secret key");
    assert_error(&out, 2, "remote_failed");
    assert!(stderr(&out).contains("refused the login"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Nothing was saved"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not the secret key"), "no secret in a message");
    assert_eq!(w.sources_bytes(), before, "the sources file is unchanged");
}

#[test]
fn a_backup_copied_to_s3_lists_and_restores_from_a_new_computer() {
    let w = Work::new();
    let server = Server::s3();
    w.add_astro(&[]);
    let out = add_s3(&w, &server, keepsake_remote::testing::SECRET_KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let file = String::from_utf8(w.sources_bytes()).expect("utf-8");
    assert!(file.contains("[[destination]]") && file.contains("access_key_id"), "{file}");
    assert!(!file.contains(keepsake_remote::testing::SECRET_KEY), "the secret key is never in the file");
    let listed = ok_json(w.src(&["dest", "list", "--json"]));
    assert_eq!(listed["destinations"][0]["name"], "b2");

    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let id = ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut c = w.src(&["--source", "astro", "copy", &id, "--to", "b2", "--json"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["copies"][0]["backup_id"], id.as_str());
    let on_server = server.file("laptop", doc["copies"][0]["object"].as_str().expect("object"));
    assert_eq!(
        std::fs::metadata(&on_server).expect("the object is on the server").len(),
        doc["copies"][0]["size"].as_u64().expect("size")
    );
    // Nothing is missing any more.
    let mut c = w.src(&["--source", "astro", "copy", "--missing", "--to", "b2"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("already at b2"), "{}", stderr(&out));

    // A new computer: an empty profile with only the destination (and its secret).
    let fresh = Work::new();
    std::fs::copy(w.path("sources.toml"), fresh.path("sources.toml")).expect("copy the settings");
    let mut c = fresh.src(&["list", "--from", "b2", "--json"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let doc = ok_json(c);
    assert_eq!(doc["foreign"][0]["id"], id.as_str(), "listed from the remote objects alone: {doc}");
    let mut c = fresh.src(&["list", "--from", "b2"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let out = run(c);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("Backups at s3://") && text.contains(&id), "{text}");
    assert!(!text.contains("No backups made here"), "{text}");
    let target = fresh.path("restored.db");
    let mut c = fresh.src(&[
        "restore",
        "--from",
        "b2",
        &id,
        "--to",
        target.to_str().expect("path"),
        "--allow-foreign",
        "--allow-unencrypted",
        "--yes",
    ]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: i64 = rusqlite::Connection::open(&target)
        .expect("open")
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 300);

    // Somebody changes the copy on the server: the check finds it, exit 1.
    let mut bytes = std::fs::read(&on_server).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&on_server, bytes).expect("write");
    let mut c = w.src(&["--source", "astro", "copy", "--check", "--to", "b2"]);
    c.env(SECRET_VAR, keepsake_remote::testing::SECRET_KEY);
    let out = run(c);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("CHANGED"), "{}", stdout(&out));
}

#[test]
fn a_destination_without_its_secret_says_where_the_secret_goes() {
    let w = Work::new();
    let server = Server::s3();
    w.add_astro(&[]);
    let out = add_s3(&w, &server, keepsake_remote::testing::SECRET_KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    // No variable this time, and no keyring in this empty environment.
    let out = run(w.src(&["--source", "astro", "copy", "--missing", "--to", "b2"]));
    assert_error(&out, 2, "remote_failed");
    assert!(stderr(&out).contains("KEEPSAKE_DEST_SECRET_"), "{}", stderr(&out));
}

/// `--json`'s list of ids under `key` (`delete`, `keep`).
fn ids(doc: &serde_json::Value, key: &str) -> Vec<String> {
    doc[key].as_array().expect(key).iter().map(|e| e["id"].as_str().expect("id").to_owned()).collect()
}

#[test]
fn copies_on_webdav_keep_the_destinations_own_rules_and_sftp_restores_on_a_new_computer() {
    let w = Work::new();
    let dav = Server::webdav();
    let sftp = Server::sftp();
    w.add_astro(&[]);
    let dav_secret = ("KEEPSAKE_DEST_SECRET_NAS", keepsake_remote::testing::DAV_PASSWORD);
    let d = dav.destination("nas", "laptop");
    let mut c = w.src(&[
        "dest",
        "add",
        "nas",
        "--kind",
        "webdav",
        "--endpoint",
        d.endpoint.as_deref().expect("endpoint"),
        "--user",
        d.user.as_deref().expect("user"),
        "--prefix",
        "laptop",
    ]);
    c.env(dav_secret.0, dav_secret.1);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = sftp.destination("box", "keepsake");
    let key = s.key_file.clone().expect("key");
    let out = run(w.src(&[
        "dest",
        "add",
        "box",
        "--kind",
        "sftp",
        "--endpoint",
        s.endpoint.as_deref().expect("endpoint"),
        "--user",
        "keepsake",
        "--key-file",
        key.to_str().expect("key path"),
        "--prefix",
        "keepsake",
    ]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    for _ in 0..3 {
        assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    }
    // Oldest first (ids made in the same second do not sort by time).
    let mut listed: Vec<(String, String)> =
        ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"]
            .as_array()
            .expect("backups")
            .iter()
            .map(|b| {
                (b["created_at"].as_str().expect("at").to_owned(), b["id"].as_str().expect("id").to_owned())
            })
            .collect();
    listed.sort();
    let made: Vec<String> = listed.into_iter().map(|(_, id)| id).collect();
    assert_eq!(made.len(), 3);
    for to in ["nas", "box"] {
        let mut c = w.src(&["--source", "astro", "copy", "--missing", "--to", to, "--json"]);
        c.env(dav_secret.0, dav_secret.1);
        let doc = ok_json(c);
        assert_eq!(doc["copies"].as_array().expect("copies").len(), 3, "{to}: {doc}");
    }

    // The destination's own rule: two copies at the NAS, whatever the folder keeps.
    let out = run(w.src(&["dest", "set", "nas", "keep_last", "2"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("keeps the last 2"), "{}", stderr(&out));
    let mut c = w.src(&["--source", "astro", "cleanup", "--at", "nas", "--dry-run", "--json"]);
    c.env(dav_secret.0, dav_secret.1);
    let plan = ok_json(c);
    let oldest = made[0].clone();
    assert_eq!(ids(&plan, "delete"), std::slice::from_ref(&oldest), "{plan}");
    let on_nas = |id: &str| dav.file("laptop", &format!("{id}.db.gz")).exists();
    assert!(on_nas(&oldest), "a dry run deletes nothing");
    let mut c = w.src(&["--source", "astro", "cleanup", "--at", "nas"]);
    c.env(dav_secret.0, dav_secret.1);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Deleted 1 copy at nas"), "{}", stdout(&out));
    assert!(!on_nas(&oldest), "deleted at the NAS");
    assert!(made.iter().filter(|id| **id != oldest).all(|id| on_nas(id)));
    assert_eq!(
        ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"].as_array().expect("b").len(),
        3,
        "the folder keeps its own"
    );
    assert!(sftp.file("keepsake", &format!("{oldest}.db.gz")).exists(), "and the SFTP server its own");

    // A new computer: the SFTP copies alone, listed and restored.
    let fresh = Work::new();
    std::fs::copy(w.path("sources.toml"), fresh.path("sources.toml")).expect("copy the settings");
    let doc = ok_json(fresh.src(&["list", "--from", "box", "--json"]));
    assert_eq!(doc["foreign"].as_array().expect("foreign").len(), 3, "{doc}");
    let newest = &made[2];
    let target = fresh.path("restored.db");
    let out = run(fresh.src(&[
        "restore",
        "--from",
        "box",
        newest,
        "--to",
        target.to_str().expect("path"),
        "--allow-foreign",
        "--allow-unencrypted",
        "--yes",
    ]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: i64 = rusqlite::Connection::open(&target)
        .expect("open")
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 300);
}

#[test]
fn copies_on_azure_and_google_cloud_storage_are_checked_and_restore_on_a_new_computer() {
    let w = Work::new();
    let azure = Server::azure();
    let gcs = Server::gcs();
    w.add_astro(&[]);
    let key = ("KEEPSAKE_DEST_SECRET_AZ", keepsake_remote::testing::AZURE_KEY);
    let a = azure.destination("az", "laptop");
    let mut c = w.src(&[
        "dest",
        "add",
        "az",
        "--kind",
        "azure",
        "--account",
        a.account.as_deref().expect("account"),
        "--container",
        BUCKET,
        "--endpoint",
        a.endpoint.as_deref().expect("endpoint"),
        "--prefix",
        "laptop",
    ]);
    c.env(key.0, key.1);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !String::from_utf8_lossy(&w.sources_bytes()).contains(key.1),
        "the account key is not in the settings"
    );
    // Listed as `dest add` takes it: kind azure, a container (and `bucket`, as before).
    let listed = ok_json(w.src(&["dest", "list", "--json"]));
    let az = &listed["destinations"][0];
    assert_eq!(
        (&az["name"], &az["kind"], &az["container"]),
        (&"az".into(), &"azure".into(), &BUCKET.into()),
        "{listed}"
    );
    assert_eq!(az["bucket"], BUCKET, "kept for what read it before: {listed}");
    let text = stdout(&run(w.src(&["dest", "list"])));
    assert!(text.lines().any(|l| l.trim_start().starts_with("az ") && l.contains(" azure ")), "{text}");

    // A file that is not a service account's key is refused before anything is saved.
    let endpoint = gcs.destination("g", "").endpoint.expect("endpoint");
    let not_a_key = w.path("notes.txt");
    std::fs::write(&not_a_key, "my shopping list").expect("write");
    let before = w.sources_bytes();
    let google = |how: &[&str]| {
        let mut args = vec![
            "dest",
            "add",
            "g",
            "--kind",
            "gcs",
            "--bucket",
            BUCKET,
            "--endpoint",
            &endpoint,
            "--prefix",
            "pc",
        ];
        args.extend(how);
        run(w.src(&args))
    };
    let out = google(&[]);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("--key-file KEY.json"), "{}", stderr(&out));
    let out = google(&["--key-file", not_a_key.to_str().expect("path")]);
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("is not a service account's key"), "{}", stderr(&out));
    assert_eq!(w.sources_bytes(), before, "nothing saved");
    // fake-gcs-server checks no login (and a key's tokens would come from Google): unsigned.
    let out = google(&["--unsigned"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    for _ in 0..2 {
        assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    }
    for to in ["az", "g"] {
        let mut c = w.src(&["--source", "astro", "copy", "--missing", "--to", to, "--json"]);
        c.env(key.0, key.1);
        let doc = ok_json(c);
        assert_eq!(doc["copies"].as_array().expect("copies").len(), 2, "{to}: {doc}");
        let mut c = w.src(&["--source", "astro", "copy", "--check", "--to", to]);
        c.env(key.0, key.1);
        let out = run(c);
        assert_eq!(code(&out), 0, "{to}: {}", stderr(&out));
    }
    let made: Vec<String> = ok_json(w.src(&["--source", "astro", "list", "--json"]))["backups"]
        .as_array()
        .expect("backups")
        .iter()
        .map(|b| b["id"].as_str().expect("id").to_owned())
        .collect();
    gcs.tamper("pc", &format!("{}.db.gz", made[0]));
    let out = run(w.src(&["--source", "astro", "copy", "--check", "--to", "g"]));
    assert_eq!(code(&out), 1, "a changed copy: {}", stdout(&out));
    assert!(stdout(&out).contains("CHANGED"), "{}", stdout(&out));

    // A new computer: the Azure copies alone, listed and restored.
    let fresh = Work::new();
    std::fs::copy(w.path("sources.toml"), fresh.path("sources.toml")).expect("copy the settings");
    let mut c = fresh.src(&["list", "--from", "az", "--json"]);
    c.env(key.0, key.1);
    let doc = ok_json(c);
    assert_eq!(doc["foreign"].as_array().expect("foreign").len(), 2, "{doc}");
    let target = fresh.path("restored.db");
    let mut c = fresh.src(&[
        "restore",
        "--from",
        "az",
        &made[1],
        "--to",
        target.to_str().expect("path"),
        "--allow-foreign",
        "--allow-unencrypted",
        "--yes",
    ]);
    c.env(key.0, key.1);
    let out = run(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: i64 = rusqlite::Connection::open(&target)
        .expect("open")
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 300);
}
