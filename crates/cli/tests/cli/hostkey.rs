//! An SFTP destination's server identity through the CLI, against rclone's real SFTP server:
//! `dest add` shows the server's fingerprint and keeps it in the sources file; once the server
//! shows another host key (restarted with another, as one put in its place would be), `copy`
//! is refused with words that say so and nothing is written there.

use keepsake_remote::testing::Server;

use crate::util::*;

/// Every file under `dir`, however deep.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn dest_add_shows_and_keeps_the_sftp_fingerprint_and_a_changed_server_gets_nothing() {
    let w = Work::new();
    let mut sftp = Server::sftp();
    w.add_astro(&[]);
    let s = sftp.destination("box", "keepsake");
    let key = s.key_file.clone().expect("key");
    let fingerprint = sftp.host_key_fingerprint();
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
    assert!(
        stderr(&out).contains(&format!("The server's fingerprint: {fingerprint} (ED25519)")),
        "{}",
        stderr(&out)
    );
    let file = String::from_utf8(w.sources_bytes()).expect("utf-8");
    assert!(file.contains(&format!("host_key = \"{fingerprint}\"")), "kept with the destination: {file}");

    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let doc = ok_json(w.src(&["--source", "astro", "copy", "--missing", "--to", "box", "--json"]));
    assert_eq!(doc["copies"].as_array().expect("copies").len(), 1, "{doc}");
    let before = files(&sftp.root);

    // Another server answers at the same address.
    sftp.kill();
    sftp.change_host_key();
    sftp.restart();
    assert_eq!(code(&run(w.src(&["run", "astro"]))), 0);
    let out = run(w.src(&["--source", "astro", "copy", "--missing", "--to", "box", "--json"]));
    assert_error(&out, 2, "remote_failed");
    let err = stderr(&out);
    assert!(err.contains("the server's identity changed"), "{err}");
    assert!(err.contains("remove and add the destination again"), "{err}");
    assert_eq!(files(&sftp.root), before, "nothing was written");
    assert!(
        String::from_utf8(w.sources_bytes()).expect("utf-8").contains(&fingerprint),
        "the kept key stays"
    );
}
