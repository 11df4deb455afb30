//! `keepsake dest ...`: the destinations backups are copied to. Their settings live in the
//! sources file; their secrets in the OS keyring (`keepsake_remote::secrets`), asked for once
//! when the destination is added, never taken from an argument.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use keepsake_engine::{Destination, DestinationKind, ErrorCode};
use keepsake_remote::secrets;
use zeroize::Zeroizing;

use crate::env::Terminal;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::output::{Output, Style, Table, safe};
use crate::sources::SourcesFile;
use super::Verb;
use crate::config::{Config, absolute};

/// Manage the destinations backups are copied to (copies elsewhere)
#[derive(Debug, Args)]
#[command(
    after_help = "Destinations live in the sources file beside the sources: S3, Azure Blob \
        Storage, Google Cloud Storage, WebDAV, SFTP or a folder. Their secrets (an S3 secret key, an \
        Azure account key, a Google Cloud Storage service account's JSON key, a WebDAV password) \
        are kept in the OS keyring, never in a file; on a machine without one, set \
        KEEPSAKE_DEST_SECRET_<NAME> (the name in capitals, other characters as _; for Google, the \
        key file's whole JSON). `dest add` does not create the bucket or container: make it first, \
        in the provider's console.\n\n\
        Examples:\n  keepsake dest add b2 --kind s3 --endpoint https://s3.eu-central-003.backblazeb2.com \\\n      \
        --bucket family --access-key-id 003abc --prefix laptop\n  \
        keepsake dest add az --kind azure --account familyphotos --container backups\n  \
        keepsake dest add gcs --kind gcs --bucket family-backups --key-file ~/Downloads/key.json\n  \
        keepsake dest add nas --kind webdav --endpoint https://nas.local/dav --user ann\n  \
        keepsake dest add usb --kind folder --path /media/ann/backup\n  \
        keepsake source set astro copies_to b2,usb\n  keepsake dest test b2"
    )]
pub struct Dest {
    #[command(subcommand)]
    action: DestAction,
}

#[derive(Debug, Subcommand)]
enum DestAction {
    /// Add a destination, after testing that it can be reached, listed and written to
    #[command(after_help = "The bucket (S3, Google Cloud Storage) or container (Azure) must exist: \
        `dest add` does not create it, and says \"there is no such bucket\" when it is missing; make \
        it first in the provider's console. The secret (an S3 secret key, an Azure account key, a \
        WebDAV password) is asked for at a hidden prompt or read from --secret-file, a Google \
        Cloud Storage key from --key-file, then kept in the OS keyring. On a machine without a \
        keyring (a server), set KEEPSAKE_DEST_SECRET_<NAME> instead: the destination's name in \
        capitals, other characters as _ (KEEPSAKE_DEST_SECRET_MY_NAS for my-nas); for Google, the \
        key file's whole JSON.\n\n\
        Examples:\n  keepsake dest add b2 --kind s3 --endpoint https://s3.eu-central-003.backblazeb2.com \\\n      \
        --bucket family --access-key-id 003abc --prefix laptop\n  \
        keepsake dest add minio --kind s3 --endpoint http://127.0.0.1:9000 --bucket backups --path-style \\\n      \
        --access-key-id ann\n  \
        keepsake dest add az --kind azure --account familyphotos --container backups\n  \
        keepsake dest add gcs --kind gcs --bucket family-backups --key-file ~/Downloads/key.json\n  \
        keepsake dest add nas --kind webdav --endpoint https://nas.local/dav --user ann\n  \
        keepsake dest add box --kind sftp --endpoint box.local:22 --user ann --key-file ~/.ssh/id_ed25519\n  \
        KEEPSAKE_DEST_SECRET_B2=... keepsake dest add b2 --kind s3 --bucket family --access-key-id 003abc")]
    Add(Box<AddArgs>),
    /// List the destinations
    List,
    /// Remove a destination (what was copied there stays there) and forget its secret
    Remove {
        /// Name of the destination
        name: String,
    },
    /// Change one setting of a destination
    #[command(after_help = "Settings: endpoint, region, bucket, account, container, prefix, \
        access_key_id, path_style, insecure_http, user, key_file, path; upload_limit_kib (KiB per second, none: no limit); verify_every_days \
        (read every copy back this often, default 30, 0: only when asked); alert_after_hours (the \
        desktop app tells you once copying there has failed this long, default 24, 0: never); keep_last, \
        keep_within_days, keep_daily, keep_weekly, keep_monthly (the destination's own retention; \
        `retention source` goes back to the source's rules, `retention all` keeps every copy).\n\n\
        Examples:\n  keepsake dest set b2 keep_monthly 24\n  keepsake dest set nas upload_limit_kib 2048\n  \
        keepsake dest set b2 verify_every_days 7")]
    Set {
        /// Name of the destination
        name: String,
        /// The setting to change
        field: String,
        /// Its new value
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Allow a plain http:// endpoint to a server that is not on this computer (the secret
        /// and the backups then cross the network readable by anyone on the way)
        #[arg(long)]
        insecure_http: bool,
    },
    /// Give a destination its secret again (S3 secret key, Azure account key, Google service
    /// account key, WebDAV password), kept in the OS keyring
    #[command(after_help = "The secret is asked for at a hidden prompt, or read from the first line of \
        --secret-file FILE; a Google Cloud Storage destination takes --key-file KEY.json. It is tested \
        before it is saved (unless --no-test).\n\n\
        Examples:\n  keepsake dest secret b2\n  keepsake dest secret gcs --key-file ~/Downloads/key.json")]
    Secret {
        /// Name of the destination
        name: String,
        /// Read the secret from the first line of FILE
        #[arg(long, value_name = "FILE")]
        secret_file: Option<PathBuf>,
        /// For Google Cloud Storage: the service account's JSON key
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Save it without testing the connection first
        #[arg(long)]
        no_test: bool,
    },
    /// Check that a destination can be reached, listed and written to
    Test {
        /// Name of the destination
        name: String,
    },
}

/// `dest add`: which fields matter depends on the kind.
#[derive(Debug, Args)]
struct AddArgs {
    /// Name of the destination (`keepsake copy ID --to NAME`)
    name: String,
    /// folder, s3, azure, gcs, webdav or sftp
    #[arg(long)]
    kind: String,
    /// A folder destination's folder
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// The server: https://s3.example.com (S3; none: AWS), https://ACCOUNT.blob.core.windows.net
    /// (Azure; none: that one), https://storage.googleapis.com (Google Cloud Storage; none: that
    /// one), an emulator's http://127.0.0.1:PORT, https://nas.local/dav (WebDAV), or host:port
    /// for SFTP
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// S3 region (default us-east-1)
    #[arg(long)]
    region: Option<String>,
    /// S3 or Google Cloud Storage bucket
    #[arg(long)]
    bucket: Option<String>,
    /// Azure storage account (the account key is asked for, or read from --secret-file)
    #[arg(long)]
    account: Option<String>,
    /// Azure container
    #[arg(long)]
    container: Option<String>,
    /// The folder inside the bucket or on the server to write in
    #[arg(long, value_name = "PATH")]
    prefix: Option<String>,
    /// S3 access key id (the secret key is asked for, or read from --secret-file)
    #[arg(long, value_name = "ID")]
    access_key_id: Option<String>,
    /// S3 path-style addressing (endpoint/bucket/key), as MinIO and most self-hosted servers want
    #[arg(long)]
    path_style: bool,
    /// Google Cloud Storage without a key: requests go unsigned (a public bucket, an emulator)
    #[arg(long)]
    unsigned: bool,
    /// WebDAV or SFTP user
    #[arg(long)]
    user: Option<String>,
    /// SFTP private key file (without one, the SSH agent's keys); for Google Cloud Storage, the
    /// service account's JSON key, whose contents go to the OS keyring
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Read the secret (S3 secret key, Azure account key, WebDAV password) from the first line of
    /// FILE (else it is asked for, or taken from KEEPSAKE_DEST_SECRET_<NAME>)
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Save it without testing the connection first
    #[arg(long)]
    no_test: bool,
    /// Allow a plain http:// endpoint to a server that is not on this computer (the secret and
    /// the backups then cross the network readable by anyone on the way)
    #[arg(long)]
    insecure_http: bool,
}

impl Verb for Dest {
    fn run(self, cfg: &Config) -> CliResult<u8> {
        let file = &cfg.sources_file()?;
        let (out, term) = (&cfg.out, cfg.term);
        match self.action {
        DestAction::Add(a) => {
            let (dest, secret_file) = new_destination(&a)?;
            add(file, dest, secret_file.as_deref(), !a.no_test, out, term)
        }
        DestAction::List => list(file, out),
        DestAction::Remove { name } => remove(file, &name, out),
        DestAction::Set { name, field, value, insecure_http } => {
            set(file, &name, &field, &value, insecure_http, out)
        }
        DestAction::Secret { name, secret_file, key_file, no_test } => {
            let secret_file = secret_file.map(absolute);
            give_secret(file, &name, secret_file.as_deref(), key_file.map(absolute), !no_test, out, term)
        }
        DestAction::Test { name } => {
            let sources = file.load()?;
            let mut dest = sources.destination(&name).map_err(|e| unknown(file, &name, &e))?.clone();
            // An SFTP server never seen before (saved by an older Keepsake, added with
            // --no-test): its key is seen now, shown, and kept once the test passes.
            let first_seen = dest.kind == DestinationKind::Sftp && dest.host_key.is_none();
            let seen = server_identity(&mut dest)?;
            test_connection(&dest, None)?;
            if first_seen {
                let mut all = file.load_file()?;
                if let Some(d) = all.destinations.iter_mut().find(|d| d.name == name) {
                    d.host_key.clone_from(&dest.host_key);
                }
                file.save(&all)?;
            }
            if out.json_mode() {
                out.json(&serde_json::json!({
                    "destination": name,
                    "ok": true,
                    "host_key": seen.as_ref().map(|k| &k.fingerprint),
                }))?;
            } else {
                out.note(&format!(
                    "{name}: reached, listed, written to and cleaned up ({}).{}",
                    safe(&dest.describe()),
                    identity_words(seen.as_ref(), first_seen)
                ));
            }
            Ok(EXIT_OK)
        }
    }
    }
}

/// `dest add`: the flags as a destination, checked for its kind; a folder made absolute.
fn new_destination(a: &AddArgs) -> CliResult<(Destination, Option<PathBuf>)> {
    let hint = "Nothing was changed; `keepsake dest add --help` lists the flags of each kind.";
    let kind =
        DestinationKind::parse(&a.kind).map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    let mut d = Destination::new(a.name.clone(), kind);
    d.path = a.path.clone().map(absolute);
    d.endpoint = a.endpoint.as_deref().map(|e| e.trim().trim_end_matches('/').to_owned());
    d.region = a.region.clone();
    d.bucket = a.bucket.clone().or_else(|| a.container.clone());
    d.account = a.account.clone();
    d.prefix = a.prefix.as_deref().unwrap_or("").trim_matches('/').to_owned();
    d.access_key_id = a.access_key_id.clone();
    d.path_style = a.path_style;
    d.unsigned = a.unsigned;
    d.insecure_http = a.insecure_http;
    d.user = a.user.clone();
    d.key_file = a.key_file.clone().map(absolute);
    d.validate().map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    Ok((d, a.secret_file.clone()))
}

fn unknown(file: &SourcesFile, name: &str, e: &keepsake_engine::Error) -> CliError {
    CliError::invalid(
        format!("{} (in {})", e.message(), file.path.display()),
        format!(
            "Check the name with `keepsake dest list`, or add it: `keepsake dest add {name} --kind ...`."
        ),
    )
}

/// The secret for a new destination: `--secret-file`, else its environment variable, else a
/// hidden prompt. `(secret, from_env)`.
fn read_secret(
    dest: &Destination,
    file: Option<&Path>,
    term: Terminal,
) -> CliResult<(Zeroizing<String>, bool)> {
    let what = match dest.kind {
        DestinationKind::S3 => "secret key",
        DestinationKind::Azblob => "account key",
        _ => "password",
    };
    if let Some(path) = file {
        return Ok((first_line_of(path)?, false));
    }
    if let Ok(v) = std::env::var(secrets::env_name(&dest.name))
        && !v.is_empty()
    {
        return Ok((Zeroizing::new(v), true));
    }
    if !term.stdin {
        return Err(CliError::invalid(
            format!("the destination {:?} needs its {what}, and there is no terminal to ask on", dest.name),
            format!("Pass --secret-file FILE, or set {}.", secrets::env_name(&dest.name)),
        ));
    }
    Ok((prompt_secret(&format!("{} {what}: ", dest.name), what)?, false))
}

/// The first line of `--secret-file`'s file (the secret; never an argument).
pub(super) fn first_line_of(path: &Path) -> CliResult<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        CliError::invalid(
            format!("cannot read {}: {e}", path.display()),
            "Check the path given to --secret-file.",
        )
    })?);
    let first = Zeroizing::new(text.lines().next().unwrap_or("").trim_end_matches('\r').to_owned());
    if first.is_empty() {
        return Err(CliError::invalid(
            format!("{} is empty", path.display()),
            "Put the secret on its first line.",
        ));
    }
    Ok(first)
}

/// A secret typed at a hidden prompt; `what` names it in the refusal of an empty one.
pub(super) fn prompt_secret(prompt: &str, what: &str) -> CliResult<Zeroizing<String>> {
    let _prompting = crate::interrupt::Prompting::start();
    let typed = Zeroizing::new(rpassword::prompt_password(prompt).map_err(CliError::output)?);
    if typed.is_empty() {
        return Err(CliError::invalid(format!("the {what} is empty"), "Nothing was changed."));
    }
    Ok(typed)
}

/// A Google Cloud Storage destination's key: the service account's JSON file (`--key-file` or
/// `--secret-file`), read whole, to be kept in the keyring and not as a path; else its
/// environment variable. `(secret, from_env)`.
fn google_key(dest: &mut Destination, file: Option<&Path>) -> CliResult<(Zeroizing<String>, bool)> {
    let Some(path) = dest.key_file.take().or_else(|| file.map(Path::to_path_buf)) else {
        return match std::env::var(secrets::env_name(&dest.name)) {
            Ok(v) if !v.is_empty() => {
                // Checked here too (and again whenever a store opens): not any Google credential.
                secrets::google_key(&v).map_err(|why| {
                    CliError::invalid(
                        format!("{} {why}", secrets::env_name(&dest.name)),
                        "Nothing was saved. Put a service account's key (KEY.json from the Google \
                         Cloud console) in the variable, or pass --key-file KEY.json.",
                    )
                })?;
                Ok((Zeroizing::new(v), true))
            }
            _ => Err(CliError::invalid(
                format!("the destination {:?} needs its service account's key", dest.name),
                "Pass --key-file KEY.json (downloaded in the Google Cloud console), or --unsigned for a \
                 public bucket or an emulator.",
            )),
        };
    };
    let text = secrets::read_google_key(&path).map_err(|why| {
        CliError::invalid(
            why,
            "Download a key for the service account in the Google Cloud console (IAM › Service \
             accounts › Keys) and pass its path.",
        )
    })?;
    Ok((text, false))
}

/// Reaches, lists, writes to and cleans up the destination.
fn test_connection(dest: &Destination, secret: Option<&str>) -> CliResult<()> {
    let store = match secret {
        Some(s) => keepsake_remote::open(dest, Some(s))?,
        None => keepsake_remote::open_saved(dest)?,
    };
    keepsake_remote::probe(store.as_ref()).map_err(CliError::from)
}

fn add(
    file: &SourcesFile,
    mut dest: Destination,
    secret_file: Option<&Path>,
    test: bool,
    out: &Output,
    term: Terminal,
) -> CliResult<u8> {
    let mut sources = file.load_file()?;
    if sources.destination(&dest.name).is_ok() {
        return Err(CliError::invalid(
            format!("a destination is already named {:?}", dest.name),
            "Nothing was changed; pick another name, or `keepsake dest remove` the old one first.",
        ));
    }
    let secret = match dest.kind {
        DestinationKind::Gcs if dest.needs_secret() => Some(google_key(&mut dest, secret_file)?),
        _ if dest.needs_secret() => Some(read_secret(&dest, secret_file, term)?),
        _ => None,
    };
    let seen = if test {
        let nothing_saved = |mut e: CliError| {
            e.hint = format!("Nothing was saved. {} (Or pass --no-test to save it anyway.)", e.hint).into();
            e
        };
        let seen = server_identity(&mut dest).map_err(nothing_saved)?;
        test_connection(&dest, secret.as_ref().map(|(s, _)| s.as_str())).map_err(nothing_saved)?;
        seen
    } else {
        None
    };
    let name = dest.name.clone();
    sources.add_destination(dest.clone()).map_err(|e| {
        CliError::invalid(
            e.message().to_owned(),
            "Nothing was changed; `keepsake dest add --help` lists the flags.",
        )
    })?;
    let mut kept = "";
    if let Some((s, from_env)) = &secret {
        if *from_env {
            kept = " Its secret comes from the environment; it was not saved.";
        } else if let Err(why) = secrets::save(&dest, s) {
            return Err(CliError {
                code: ErrorCode::RemoteFailed,
                message: format!("cannot save the secret of {name:?} in the OS keyring: {why}"),
                hint: format!(
                    "Nothing was saved. Unlock the keyring and try again, or set {} for every run instead.",
                    secrets::env_name(&name)
                )
                .into(),
                silent: false,
            });
        } else {
            kept = " Its secret is in the OS keyring.";
        }
    }
    file.save(&sources)?;
    if out.json_mode() {
        out.json(&serde_json::json!({ "added": shown(&dest), "tested": test }))?;
    } else {
        let tested = if test { " Tested: reached, listed and written to." } else { "" };
        let identity = if dest.kind == DestinationKind::Sftp && seen.is_none() {
            format!(
                " Its server's identity is not known yet: `keepsake dest test {name}` shows its \
                 fingerprint and keeps it; nothing is copied there before."
            )
        } else {
            identity_words(seen.as_ref(), true)
        };
        out.note(&format!(
            "Added destination {name}: {}.{tested}{identity}{kept} Copy a source's backups there with \
             `keepsake source set SOURCE copies_to {name}`.",
            safe(&dest.describe())
        ));
    }
    Ok(EXIT_OK)
}

fn list(file: &SourcesFile, out: &Output) -> CliResult<u8> {
    let sources = file.load()?;
    if out.json_mode() {
        out.json(&serde_json::json!({
            "destinations": sources.destinations.iter().map(shown).collect::<Vec<_>>()
        }))?;
        return Ok(EXIT_OK);
    }
    if sources.destinations.is_empty() {
        out.note(
            "No destinations yet; add one with `keepsake dest add NAME --kind s3|azure|gcs|webdav|sftp|folder ...`.",
        );
        return Ok(EXIT_OK);
    }
    let mut t = Table::new(&[("NAME", true), ("KIND", false), ("WHERE", false), ("SOURCES", false)]);
    for d in &sources.destinations {
        let users: Vec<&str> = sources
            .sources
            .iter()
            .filter(|s| s.copies_to.contains(&d.name))
            .map(|s| s.name.as_str())
            .collect();
        t.row(vec![
            (safe(&d.name), Style::Bold),
            (kind_word(d.kind).to_owned(), Style::Plain),
            (safe(&d.describe()), Style::Plain),
            (if users.is_empty() { "-".to_owned() } else { safe(&users.join(", ")) }, Style::Plain),
        ]);
    }
    out.text(&t.render(out.mode.color))?;
    Ok(EXIT_OK)
}

fn set(
    file: &SourcesFile,
    name: &str,
    field: &str,
    value: &str,
    insecure_http: bool,
    out: &Output,
) -> CliResult<u8> {
    let mut sources = file.load_file()?;
    let hint = "Nothing was changed; `keepsake dest set --help` lists the settings.";
    if let Err(e) = sources.destination(name) {
        return Err(unknown(file, name, &e));
    }
    let Some(dest) = sources.destinations.iter_mut().find(|d| d.name == name) else {
        return Ok(EXIT_OK);
    };
    let old = dest.clone();
    if insecure_http {
        dest.insecure_http = true;
    }
    dest.set(field, value).map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    // Another SFTP server: the old one's key says nothing about it; it is seen again at the next test.
    let unpinned = dest.kind == DestinationKind::Sftp
        && dest.endpoint != old.endpoint
        && dest.host_key.is_some()
        && dest.host_key == old.host_key;
    if unpinned {
        dest.host_key = None;
    }
    dest.validate().map_err(|e| CliError::invalid(e.message().to_owned(), hint))?;
    let dest = dest.clone();
    // The saved secret was the old place's: it must not log in to the new one. Forgotten before
    // the new place is saved, so that a keyring that cannot be reached changes nothing (unless
    // the secret comes from the environment, which the keyring has no say in).
    let forgot = secret_stays_behind(&old, &dest).then(|| secrets::forget(&old));
    if let Some(Err(why)) = &forgot
        && std::env::var_os(secrets::env_name(&old.name)).is_none()
    {
        return Err(CliError::invalid(
            format!(
                "{name} was not changed: the secret saved for its old place cannot be removed from the \
                 OS keyring ({why}), and it must not log in to the new one"
            ),
            "Unlock the keyring and try again, or remove the destination and add it anew.",
        ));
    }
    file.save(&sources)?;
    if out.json_mode() {
        out.json(&serde_json::json!({ "destination": shown(&dest), "secret_forgotten": forgot.is_some() }))?;
    } else {
        out.note(&format!("{name}: {field} set. {}", settings_line(&dest)));
    }
    match forgot {
        Some(Ok(())) => out.note(&format!(
            "{name} now points at another place ({}); the secret saved for the old one was removed \
             from the OS keyring so that it does not log in there. Give the new place's with \
             `keepsake dest secret {name}`.",
            safe(&dest.describe())
        )),
        Some(Err(why)) => out.note(&format!(
            "{name} now points at another place ({}); the secret saved for the old one could not be \
             removed from the OS keyring ({why}). Give the new place's with `keepsake dest secret \
             {name}` (it replaces the old one).",
            safe(&dest.describe())
        )),
        None => {}
    }
    if unpinned {
        out.note(&format!(
            "{name} now points at another server: run `keepsake dest test {name}` to see its \
             fingerprint and keep it; nothing is copied there before."
        ));
    }
    Ok(EXIT_OK)
}

/// An SFTP destination's server identity, before anything else is sent to it: seen and kept in
/// `dest` when none is kept yet (trust on first use, where the person is shown the
/// fingerprint), else checked against the kept one. `None` for other kinds.
fn server_identity(dest: &mut Destination) -> CliResult<Option<keepsake_remote::hostkey::HostKey>> {
    if dest.kind != DestinationKind::Sftp {
        return Ok(None);
    }
    Ok(Some(keepsake_remote::hostkey::first_use(dest)?))
}

/// The server's fingerprint in words, for a note: ` The server's fingerprint: SHA256:… (ED25519); …`.
fn identity_words(seen: Option<&keepsake_remote::hostkey::HostKey>, kept_now: bool) -> String {
    match seen {
        Some(k) if kept_now => format!(
            " The server's fingerprint: {}. Keepsake keeps it and refuses the server if it ever shows \
             another; compare it with `ssh-keygen -lf` of the server's host key if you can.",
            safe(&k.describe())
        ),
        Some(k) => format!(" The server showed the fingerprint kept for it: {}.", safe(&k.describe())),
        None => String::new(),
    }
}

/// Whether changing `old` into `new` leaves its saved secret behind: it takes one, and the
/// place (server, bucket, account, user) changed, so the old secret is not the new place's.
pub(crate) fn secret_stays_behind(old: &Destination, new: &Destination) -> bool {
    old.needs_secret() && !old.same_place(new)
}

/// `dest secret NAME`: the destination's secret given again (a new key, a new place), tested
/// with it first unless `test` is off, then kept in the OS keyring.
fn give_secret(
    file: &SourcesFile,
    name: &str,
    secret_file: Option<&Path>,
    key_file: Option<std::path::PathBuf>,
    test: bool,
    out: &Output,
    term: Terminal,
) -> CliResult<u8> {
    let sources = file.load()?;
    let mut dest = sources.destination(name).map_err(|e| unknown(file, name, &e))?.clone();
    if !dest.needs_secret() {
        return Err(CliError::invalid(
            format!("the destination {name:?} ({}) takes no secret", dest.kind.as_str()),
            "Nothing was changed.",
        ));
    }
    let (secret, from_env) = if dest.kind == DestinationKind::Gcs {
        dest.key_file = key_file;
        let got = google_key(&mut dest, secret_file)?;
        dest.key_file = None;
        got
    } else {
        read_secret(&dest, secret_file, term)?
    };
    if test {
        test_connection(&dest, Some(&secret)).map_err(|mut e| {
            e.hint = format!("Nothing was saved. {} (Or pass --no-test to save it anyway.)", e.hint).into();
            e
        })?;
    }
    if from_env {
        out.note(&format!("{name}: its secret comes from {}; nothing was saved.", secrets::env_name(name)));
        return Ok(EXIT_OK);
    }
    secrets::save(&dest, &secret).map_err(|why| CliError {
        code: ErrorCode::RemoteFailed,
        message: format!("cannot save the secret of {name:?} in the OS keyring: {why}"),
        hint: format!(
            "Nothing was saved. Unlock the keyring and try again, or set {} for every run instead.",
            secrets::env_name(name)
        )
        .into(),
        silent: false,
    })?;
    if out.json_mode() {
        out.json(&serde_json::json!({ "destination": name, "saved": true, "tested": test }))?;
    } else {
        out.note(&format!("{name}: its secret is in the OS keyring."));
    }
    Ok(EXIT_OK)
}

/// The copy settings of a destination in words: its retention, its check, its limit.
fn settings_line(d: &Destination) -> String {
    let keeps = match &d.retention {
        None => "keeps what each source's folder keeps".to_owned(),
        Some(r) if r.is_empty() => "keeps every copy".to_owned(),
        Some(r) => {
            let mut rules = Vec::new();
            let mut rule = |n: Option<u32>, what: &str| {
                if let Some(n) = n {
                    rules.push(format!("{what} {n}"));
                }
            };
            rule(r.keep_last, "the last");
            rule(r.keep_within_days, "the days within");
            rule(r.keep_daily, "daily");
            rule(r.keep_weekly, "weekly");
            rule(r.keep_monthly, "monthly");
            format!("keeps {}", rules.join(", "))
        }
    };
    let check = match d.verify_every() {
        Some(n) => format!("reads every copy back every {n} days"),
        None => "reads copies back only when asked".to_owned(),
    };
    let limit = match d.upload_limit_kib {
        Some(k) => format!("sends at most {k} KiB/s"),
        None => "sends as fast as the connection goes".to_owned(),
    };
    format!("It {keeps}, {check}, {limit}.")
}

/// The kind as `dest add --kind` takes it (`azure` for what the settings file calls `azblob`).
fn kind_word(kind: DestinationKind) -> &'static str {
    match kind {
        DestinationKind::Azblob => "azure",
        other => other.as_str(),
    }
}

/// A destination as `--json` shows it: its settings, in the words `dest add` takes them. An
/// Azure destination's kind is `azure` and its container `container` (also `bucket`, as the
/// settings file keeps it, for what read that before).
fn shown(d: &Destination) -> serde_json::Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(fields) = v.as_object_mut() {
        fields.insert("kind".into(), kind_word(d.kind).into());
        if d.kind == DestinationKind::Azblob
            && let Some(container) = &d.bucket
        {
            fields.insert("container".into(), container.clone().into());
        }
    }
    v
}

fn remove(file: &SourcesFile, name: &str, out: &Output) -> CliResult<u8> {
    let mut sources = file.load_file()?;
    let removed = sources.remove_destination(name).map_err(|e| unknown(file, name, &e))?;
    file.save(&sources)?;
    let forgot = secrets::forget(&removed);
    if out.json_mode() {
        out.json(&serde_json::json!({ "removed": shown(&removed) }))?;
    } else {
        out.note(&format!(
            "Removed destination {name}; what was copied to {} stays there.",
            safe(&removed.describe())
        ));
        if let (Err(why), true) = (forgot, removed.needs_secret()) {
            out.note(&format!("Its secret could not be removed from the OS keyring: {why}"));
        }
    }
    Ok(EXIT_OK)
}
