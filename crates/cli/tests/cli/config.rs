//! Where settings come from: flags, the seed's environment variables, the config file.

use crate::util::*;

#[test]
fn database_url_forms() {
    let w = Work::new();
    std::fs::create_dir_all(w.path("data")).expect("mkdir");
    make_db(&w.path("data/app.db"), "wal", 20);
    let abs = format!("sqlite:///{}", w.path("data/app.db").display()); // four slashes: absolute
    for url in ["sqlite:///./data/app.db", "sqlite:///data/app.db", abs.as_str(), "data/app.db"] {
        let out = run(w.cmd().args(["create", "--no-encrypt", "--json"]).env("DATABASE_URL", url));
        let meta = json(&out);
        assert_eq!(code(&out), 0, "{url}: {}", stderr(&out));
        assert_eq!(meta["source_path"], w.path("data/app.db").to_str().expect("utf-8"), "{url}");
        // With no backup folder set, backups go next to the database (the seed's ./data/backups).
        let file = w.path("data/backups").join(meta["file_name"].as_str().expect("file_name"));
        assert!(file.is_file(), "{url}: {} missing", file.display());
    }
    let list = ok_json(w.cmd().args(["list", "--json"]).env("DATABASE_URL", "sqlite:///./data/app.db"));
    assert_eq!(list["backups"].as_array().expect("array").len(), 4);
}

#[test]
fn a_database_url_of_another_database_is_refused_by_name() {
    let w = Work::new();
    let out = run(w.cmd().args(["create", "--json"]).env("DATABASE_URL", "postgresql://u@localhost/app"));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("DATABASE_URL"), "{}", stderr(&out));
    // Commands that do not need the database are not bothered by it.
    std::fs::create_dir(w.path("b")).expect("mkdir");
    let out =
        run(w.cmd().args(["list", "--backup-dir", "b"]).env("DATABASE_URL", "postgresql://u@localhost/app"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn backup_dir_from_the_environment_and_the_flag_beats_it() {
    let w = Work::new();
    let db = w.app_db();
    let out = run(w
        .cmd()
        .args(["--db", db.to_str().expect("utf-8"), "create", "--no-encrypt"])
        .env("BACKUP_DIR", "from-env"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    assert!(w.path("from-env").join(format!("{id}.db.gz")).is_file());
    let out = run(w
        .cmd()
        .args(["--db", "app.db", "--backup-dir", "from-flag", "create", "--no-encrypt"])
        .env("BACKUP_DIR", "from-env"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    assert!(w.path("from-flag").join(format!("{id}.db.gz")).is_file());
}

#[test]
fn no_backup_dir_and_no_database_says_how_to_set_one() {
    let w = Work::new();
    let out = run(w.cmd().args(["list", "--json"]));
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("no backup folder"), "{err}");
    assert!(err.contains("--backup-dir") && err.contains("BACKUP_DIR"), "{err}");
}

#[test]
fn encryption_compression_and_verify_defaults_from_the_environment() {
    let w = Work::new();
    w.app_db();
    for off in ["false", "0", "no", "FALSE"] {
        let meta = ok_json(w.ks(&["create", "--json"]).env("BACKUP_ENCRYPTION_ENABLED", off));
        assert_eq!(meta["encrypted"], false, "{off}");
        assert!(meta["file_name"].as_str().expect("name").ends_with(".db.gz"));
    }
    let meta = ok_json(
        w.ks(&["create", "--json"])
            .env("BACKUP_ENCRYPTION_ENABLED", "false")
            .env("BACKUP_COMPRESSION_ENABLED", "0")
            .env("BACKUP_VERIFY_AFTER_CREATE", "yes"),
    );
    assert_eq!(meta["compressed"], false);
    assert_eq!(meta["verification"], "passed");
    // A flag overrides the variable.
    let meta = ok_json(
        w.ks(&["create", "--compress", "--no-verify", "--json"])
            .env("BACKUP_ENCRYPTION_ENABLED", "false")
            .env("BACKUP_COMPRESSION_ENABLED", "0")
            .env("BACKUP_VERIFY_AFTER_CREATE", "1"),
    );
    assert_eq!(meta["compressed"], true);
    assert_eq!(meta["verification"], "unverified");
}

#[test]
fn encryption_on_from_the_environment_and_flag() {
    let w = Work::new();
    w.app_db();
    let meta = ok_json(w.ks_pw(&["create", "--encrypt", "--json"]).env("BACKUP_ENCRYPTION_ENABLED", "false"));
    assert_eq!(meta["encrypted"], true);
    assert_eq!(meta["encryption"]["kdf"], "pbkdf2-hmac-sha256");
    assert!(meta["file_name"].as_str().expect("name").ends_with(".keepsake"));
}

#[test]
fn a_bad_boolean_names_the_variable() {
    let w = Work::new();
    w.app_db();
    let out = run(w.ks(&["create", "--json"]).env("BACKUP_ENCRYPTION_ENABLED", "maybe"));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("BACKUP_ENCRYPTION_ENABLED"), "{}", stderr(&out));
    let out = run(w.ks(&["cleanup"]).env("BACKUP_MAX_BACKUPS", "lots"));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("BACKUP_MAX_BACKUPS"), "{}", stderr(&out));
}

#[test]
fn the_config_file_in_the_os_config_dir() {
    let w = Work::new();
    std::fs::create_dir_all(w.path("data")).expect("mkdir");
    make_db(&w.path("data/app.db"), "delete", 10);
    std::fs::create_dir_all(w.path("home/config/keepsake")).expect("mkdir");
    let cfg = format!(
        "database = \"{}\"\nbackup_dir = \"{}\"\nencrypt = false\nlevel = 9\nverify_after_create = true\n",
        w.path("data/app.db").display(),
        w.path("cfg-backups").display()
    );
    std::fs::write(w.path("home/config/keepsake/config.toml"), cfg).expect("write");
    let meta = ok_json(w.cmd().args(["create", "--json"]));
    assert_eq!(meta["encrypted"], false);
    assert_eq!(meta["compression_level"], 9);
    assert_eq!(meta["verification"], "passed");
    assert!(w.path("cfg-backups").join(meta["file_name"].as_str().expect("name")).is_file());
    // The environment beats the file.
    let meta = ok_json(w.cmd().args(["create", "--json"]).env("BACKUP_VERIFY_AFTER_CREATE", "false"));
    assert_eq!(meta["verification"], "unverified");
}

#[test]
fn config_flag_with_relative_paths_and_a_retention_policy() {
    let w = Work::new();
    std::fs::create_dir_all(w.path("elsewhere")).expect("mkdir");
    make_db(&w.path("elsewhere/app.db"), "wal", 10);
    // Relative paths in the file are relative to the file's folder.
    std::fs::write(
        w.path("elsewhere/keepsake.toml"),
        "database = \"sqlite:///app.db\"\nbackup_dir = \"bk\"\nencrypt = false\nmax_backups = 1\n",
    )
    .expect("write");
    let cfg = w.path("elsewhere/keepsake.toml");
    let cfg = cfg.to_str().expect("utf-8");
    for _ in 0..2 {
        let out = run(w.cmd().args(["--config", cfg, "create"]));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    assert_eq!(
        std::fs::read_dir(w.path("elsewhere/bk"))
            .expect("bk")
            .flatten()
            .filter(|f| f.file_name().to_string_lossy().ends_with(".db.gz"))
            .count(),
        2
    );
    let plan = ok_json(w.cmd().args(["--config", cfg, "cleanup", "--json"]));
    assert_eq!(plan["delete"].as_array().expect("array").len(), 1);
}

#[test]
fn config_file_errors_name_the_file_and_the_line() {
    let w = Work::new();
    let bad = w.path("bad.toml");
    std::fs::write(&bad, "backup_dir = \"b\"\nencryptt = false\n").expect("write");
    let out = run(w.cmd().args(["--config", bad.to_str().expect("utf-8"), "list", "--json"]));
    assert_error(&out, 2, "invalid_input");
    let err = stderr(&out);
    assert!(err.contains("bad.toml, line 2"), "{err}");
    assert!(err.contains("encryptt"), "{err}");
    assert!(err.contains("verify_after_create"), "the hint lists the keys: {err}");

    let out = run(w.cmd().args(["--config", "missing.toml", "list"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));

    std::fs::write(&bad, "backup_dir = \"b\"\nlevel = 11\n").expect("write");
    let out = run(w.cmd().args(["--config", bad.to_str().expect("utf-8"), "list"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("level"), "{}", stderr(&out));
}
