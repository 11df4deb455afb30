// The window's contract with the Tauri shell, generated from the Rust types by src-tauri/src/contract.rs.
// Do not edit: change the Rust side and run `make bindings` (make test fails when this file drifts).

/**
 * The source [`add_source`] adds.
 */

export type AddSourceRequest = { 
/**
 * Its name.
 */
name: string, 
/**
 * The database to protect.
 */
database: string, 
/**
 * Where its backups go (else a folder of its own in the app's data folder).
 */
backupDir?: string | null, 
/**
 * When it is backed up (else only when asked).
 */
schedule?: Schedule | null, };

/**
 * One alert: something changed between backup `previous_id` and backup `backup_id` of the
 * database at `source_path`.
 */

export type Alert = { 
/**
 * Its number in this installation's records (0 before it is recorded).
 */
id: number, 
/**
 * What it is about.
 */
kind: AlertKind, 
/**
 * The database.
 */
source_path: string, 
/**
 * The backup that showed the change.
 */
backup_id: string, 
/**
 * The backup it was compared with (the source's previous one); `None` for
 * `integrity_failed`, which needs no comparison.
 */
previous_id: string | null, 
/**
 * The table, for the kinds about one table.
 */
table: string | null, 
/**
 * Rows (or `user_version`) before.
 */
before: number | null, 
/**
 * Rows (or `user_version`) after.
 */
after: number | null, 
/**
 * When it was raised (RFC 3339, UTC).
 */
raised_at: string, 
/**
 * The backup pinned because of it (the last one before the change), if any.
 */
pinned: string | null, 
/**
 * When the person dismissed it ("this was me"); `None` while it stands.
 */
dismissed_at: string | null, };

/**
 * What an alert is about.
 */

export type AlertKind = "table_emptied" | "rows_lost" | "table_gone" | "schema_changed" | "user_version_changed" | "integrity_failed";

/**
 * The app's own error codes, beside the engine's.
 */

export type AppCode = "keyring_unavailable" | "no_source" | "dialog_unavailable";

/**
 * `app_state`'s answer.
 */

export type AppStateView = { 
/**
 * No source is set up yet: the window shows its first-run screen.
 */
first_run: boolean, 
/**
 * Every source, with what Home shows of it.
 */
sources: Array<SourceView>, 
/**
 * Whether the password can be read from the keyring.
 */
keyring: KeyringStatus, 
/**
 * Which desktop notifications are shown.
 */
notification_level: NotificationLevel, 
/**
 * Keepsake starts (in the tray) when the person logs in.
 */
autostart: boolean, 
/**
 * Scheduled backups are paused for every source.
 */
paused: boolean, 
/**
 * Where a source's backups go when no folder is chosen: a folder per source in here.
 */
backups_root: string, 
/**
 * "Stop" was pressed on a copy elsewhere: nothing is copied until "Copy now".
 */
copies_held: boolean, 
/**
 * The key backups are encrypted under: whether a recovery kit opens it, and since when.
 */
key: KeyStatus, 
/**
 * "Do you still know your password?" is asked every few weeks.
 */
password_check: boolean, 
/**
 * It is time to ask it.
 */
password_check_due: boolean, };

/**
 * Whether a backup holds the whole database or the pages changed since another backup.
 */

export type BackupKind = "full" | "increment";

/**
 * Everything known about one backup.
 */

export type BackupMetadata = { 
/**
 * `backup_YYYYMMDD_HHMMSS_xxxxxxxx` (date and time in UTC, then 8 random hex digits, so
 * ids made on two computers never collide). Older backups have `backup_YYYYMMDD_HHMMSS`,
 * with `_2`, `_3`... when several were made in one second. A foreign file whose name does
 * not give a usable id is referred to by its file name.
 */
id: string, 
/**
 * File name inside the backup folder.
 */
file_name: string, 
/**
 * When the snapshot was taken (RFC 3339, UTC).
 */
created_at: string, 
/**
 * The database that was backed up: the absolute path recorded in the backup's header.
 */
source_path: string, 
/**
 * Why it was made: by hand, on schedule, automatically, or just before a restore.
 */
backup_type: BackupType, 
/**
 * The person's note about it; `None` when none was given.
 */
description: string | null, 
/**
 * Labels given when it was made; empty when none were.
 */
tags: Array<string>, 
/**
 * Size of the database snapshot in bytes.
 */
original_size: number, 
/**
 * Size of the backup file in bytes.
 */
stored_size: number, 
/**
 * SHA-256 (hex) of the backup file.
 */
sha256: string, 
/**
 * The file is the encrypted container (`.keepsake`): reading it needs the password.
 */
encrypted: boolean, 
/**
 * The payload is compressed (`compression_level` above 0).
 */
compressed: boolean, 
/**
 * Codec of the payload (`gzip`).
 */
codec: string, 
/**
 * gzip level 0-9 (0: stored, not compressed).
 */
compression_level: number, 
/**
 * The encryption parameters; `None` for an unencrypted backup.
 */
encryption: EncryptionInfo | null, 
/**
 * The database's schema and size at the snapshot.
 */
schema: SchemaInfo, 
/**
 * Rows per table at the moment of the snapshot.
 */
row_counts: { [key in string]: number }, 
/**
 * How long writing the backup took, in milliseconds (0 for a foreign backup: not known).
 */
duration_ms: number, 
/**
 * What its last verification found (always `unverified` for a foreign backup).
 */
verification: VerificationStatus, 
/**
 * When it was last verified (RFC 3339, UTC); `None` if it never was.
 */
verified_at: string | null, 
/**
 * The backup file format it is written in, 1 or 2 (`docs/FORMAT.md`).
 */
format_version: number, 
/**
 * Recorded here, or foreign.
 */
origin: Origin, 
/**
 * Why it needs a look, if it does.
 */
concern: Concern | null, 
/**
 * The id its header claims, when that differs from `id` (see [`Concern::NameMismatch`]).
 */
claimed_id: string | null, 
/**
 * The installation that made it, as the backup says (format 2 and later).
 */
installation: string | null, 
/**
 * `full` (the whole database) or `increment` (the pages changed since `chain.base`).
 */
kind: BackupKind, 
/**
 * For an increment: the backups it builds on. Restoring it reads its whole chain.
 */
chain: ChainLink | null, 
/**
 * Why this backup is full although an increment was asked for (`--incremental`, the
 * source's `incremental`, or a large database); `None` for an increment, and for a full
 * backup made because a full one was asked for.
 */
full_reason: FullReason | null, 
/**
 * The database checksum of the image it restores to (format 2; hex), which the next
 * increment's `base_checksum` must equal.
 */
db_checksum: string | null, 
/**
 * The tables of `row_counts` that SQLite keeps itself (`sqlite_` tables, a full-text
 * index's shadow tables): meaningless to a person, never the subject of an alert. Recorded
 * since content alerts; empty for older backups.
 */
internal_tables: Array<string>, 
/**
 * Whether the database passed SQLite's check at the snapshot: every backup runs
 * `PRAGMA quick_check` on the snapshot it stores while it is made, and a verification's
 * `PRAGMA integrity_check` replaces that answer (the backup is the database's pages, byte
 * for byte, so a backup whose checksum, decryption and decompression pass yet fails the
 * check holds a database that was damaged already). `None` while not known.
 */
source_integrity: boolean | null, 
/**
 * `source_integrity` in a word: `sound`, `unknown` or `damaged` (set whenever a backup is
 * read from the catalog; retention never deletes a database's newest `sound` backup).
 */
soundness: Soundness, 
/**
 * Kept whatever retention says (see [`Pin`]); `None` when not pinned.
 */
pinned: Pin | null, 
/**
 * Taken from a copy of the database's files, because another program (the app that owns
 * it) held it under an exclusive lock: checked unchanged while copied and sound
 * (`integrity_check`) before it was stored. `false`: read through SQLite directly.
 */
copied_while_held: boolean, 
/**
 * For one of an app's other files (a source's `also`): the id of the backup of the app's
 * main database made in the same run, with which it is restored. `None` for every other
 * backup.
 */
with: string | null, 
/**
 * For a file its app encrypts itself (SQLCipher: Signal's `db.sqlite`): the files the
 * backup holds, kept whole as bytes (see [`OpaquePart`]). Keepsake cannot look inside such
 * a file: its verification checks the backup (checksum, decryption, decompression, the
 * lengths), not the database. `None` for a SQLite database read through SQLite.
 */
opaque?: Array<OpaquePart> | null, };

/**
 * The page of rows [`backup_rows`] reads.
 */

export type BackupRowsRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup being browsed.
 */
id: string, 
/**
 * The table.
 */
table: string, 
/**
 * Rows to skip.
 */
offset: number, 
/**
 * Rows to read at most.
 */
limit: number, 
/**
 * Only rows with this text in a value.
 */
search?: string | null, };

/**
 * Why a backup was made.
 */

export type BackupType = "manual" | "scheduled" | "auto" | "safety";

/**
 * Where an increment sits in its chain.
 */

export type ChainLink = { 
/**
 * The backup it builds on (the previous link: a full backup or an increment).
 */
base: string, 
/**
 * The full backup that starts the chain.
 */
full: string, 
/**
 * Its place in the chain: 1 for the first increment after the full backup.
 */
seq: number, 
/**
 * The database checksum of `base` (hex): the image this increment's pages apply to.
 */
base_checksum: string, };

/**
 * What a `state-changed` event says changed.
 */

export type Changed = "everything" | "copies";

/**
 * One check of a verification.
 */

export type Check = { 
/**
 * `exists`, `checksum`, `decrypt`, `decompress`, `integrity`, `metadata`.
 */
name: string, 
/**
 * Whether it passed, failed or did not run.
 */
status: CheckStatus, 
/**
 * One line on what was found, e.g. `SHA-256 matches`, or the error's message.
 */
message: string, };

/**
 * How a single verification check ended.
 */

export type CheckStatus = "passed" | "failed" | "skipped";

/**
 * The dialog [`choose_path`] opens.
 */

export type ChoosePathRequest = { 
/**
 * What it asks for.
 */
kind: PathKind, 
/**
 * The path in the field now: the dialog opens there.
 */
start?: string | null, };

/**
 * What a cleanup keeps and deletes, newest first.
 */

export type CleanupPlan = { 
/**
 * The backups kept, newest first.
 */
keep: Array<PlanEntry>, 
/**
 * The backups deleted (or, in a dry run, to be deleted), newest first.
 */
delete: Array<PlanEntry>, };

/**
 * Any code a command can fail with: the engine's or the app's.
 */

export type Code = ErrorCode | AppCode;

/**
 * Which backup [`compare_backup`] compares with the source's database.
 */

export type CompareBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, };

/**
 * The two backups [`compare_backups`] compares.
 */

export type CompareBackupsRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup compared from.
 */
older: string, 
/**
 * The backup compared to.
 */
newer: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, };

/**
 * Which backup [`compare_rows`] compares with the source's database, and with what password.
 */

export type CompareRowsRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * A password typed for this backup.
 */
password?: string | null, 
/**
 * Keep that password until the app quits.
 */
rememberPassword?: boolean | null, };

/**
 * Why a backup needs a look before it is trusted.
 */

export type Concern = "missing" | "changed" | "other_installation" | "not_recorded" | "copy_of_own" | "name_mismatch" | "id_taken" | "future_dated" | "broken_chain";

/**
 * The last time every copy at a destination was read back.
 */

export type CopiesChecked = { 
/**
 * When.
 */
at: string, 
/**
 * How many were missing or changed then (they no longer count as copies).
 */
bad: number, };

/**
 * Why copying failed, as data.
 */

export type CopyProblem = { 
/**
 * The error's code.
 */
code: ErrorCode, 
/**
 * Its message.
 */
message: string, 
/**
 * What to fix (`credentials`, `unreachable` ...), when known.
 */
reason?: Reason, };

/**
 * A copy of a backup that is whole at a destination, as recorded when it was checked.
 */

export type CopyRecord = { 
/**
 * The backup copied.
 */
backup_id: string, 
/**
 * The destination's name when it was copied.
 */
destination: string, 
/**
 * The destination store's location (`s3://…`, `webdav+https://…`, `file:///…`).
 */
location: string, 
/**
 * The object's name there.
 */
object: string, 
/**
 * Its size in bytes.
 */
size: number, 
/**
 * Its SHA-256 (hex), the backup's own.
 */
sha256: string, 
/**
 * When it was found whole there.
 */
copied_at: string, };

/**
 * How copying to one destination of one source stands, for the window and the log.
 */

export type CopyStatus = { 
/**
 * The source.
 */
source: string, 
/**
 * The destination.
 */
destination: string, 
/**
 * What kind of place it is.
 */
kind: DestinationKind, 
/**
 * When the newest copy there was made; `None` when none was.
 */
last_copied_at: string | null, 
/**
 * Backups of the source not there yet (after the last pass).
 */
waiting: number, 
/**
 * Since when every attempt failed; `None` while it works.
 */
failing_since: string | null, 
/**
 * The last failure's code, message and reason (`facts.reason`).
 */
error?: CopyProblem, 
/**
 * When the copies there were last read back whole, and how many were not.
 */
checked?: CopiesChecked, };

/**
 * A manual backup ([`create_backup`]).
 */

export type CreateBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * Words the person gave the backup.
 */
description?: string | null, 
/**
 * Tags the person gave the backup.
 */
tags?: Array<string> | null, };

/**
 * The backup [`delete_backup`] deletes.
 */

export type DeleteBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, };

/**
 * One place backups are copied to. Which fields matter depends on `kind`; [`Destination::validate`]
 * names a missing one.
 */

export type Destination = { 
/**
 * The name people use for it (`keepsake copy ID --to NAME`); unique among destinations.
 */
name: string, 
/**
 * What kind of place it is.
 */
kind: DestinationKind, 
/**
 * A folder destination's folder.
 */
path?: string, 
/**
 * The server: `https://s3.eu-central-003.backblazeb2.com`, `https://cloud.example.org/remote.php/dav/files/ann`,
 * or `host:port` for SFTP. S3 without one is AWS.
 */
endpoint?: string, 
/**
 * The S3 region (`us-east-1` when not given).
 */
region?: string, 
/**
 * The S3 or Google Cloud Storage bucket, or the Azure container.
 */
bucket?: string, 
/**
 * The Azure storage account.
 */
account?: string, 
/**
 * The folder inside the bucket or on the server that Keepsake writes in (`keepsake/laptop`).
 */
prefix?: string, 
/**
 * The S3 access key id (not secret; the secret key is in the keyring).
 */
access_key_id?: string, 
/**
 * S3 path-style addressing (`endpoint/bucket/key`, as MinIO and most self-hosted servers
 * want) instead of virtual-host style (`bucket.endpoint/key`).
 */
path_style?: boolean, 
/**
 * Google Cloud Storage without a key: requests go unsigned (a public bucket, an emulator).
 */
unsigned?: boolean, 
/**
 * Plain `http://` to a server that is not on this computer, said on purpose (`--insecure-http`):
 * the secret and the backups then cross the network readable by anyone on the way.
 */
insecure_http?: boolean, 
/**
 * The WebDAV or SFTP user.
 */
user?: string, 
/**
 * The SFTP private key file (without one, the SSH agent's keys are used).
 */
key_file?: string, 
/**
 * The SFTP server's identity: the fingerprint of its host key (`SHA256:…`, as `ssh-keygen
 * -l` prints it), seen when the destination was added or first tested and kept here
 * (Keepsake's own record, not `~/.ssh/known_hosts`). A server showing another key is refused.
 */
host_key?: string, 
/**
 * Send at most this many KiB per second (none: as fast as the connection goes).
 */
upload_limit_kib?: number, 
/**
 * Read every copy here back whole every N days ([`DEFAULT_VERIFY_EVERY_DAYS`] when not
 * set; 0: only when asked).
 */
verify_every_days?: number, 
/**
 * Tell the person (a desktop notification) once copying here has failed for this many
 * hours ([`DEFAULT_ALERT_AFTER_HOURS`] when not set; 0: never).
 */
alert_after_hours?: number, 
/**
 * Which copies stay here; none: the same rules as the backup folder of each source whose
 * backups come here; no rule in it: every copy. Applied only to the copies Keepsake
 * recorded sending here.
 */
retention?: RetentionPolicy, };

/**
 * What kind of place a destination is.
 */

export type DestinationKind = "folder" | "s3" | "webdav" | "sftp" | "azblob" | "gcs";

/**
 * What saving a destination did besides saving it.
 */

export type DestinationSaved = { 
/**
 * The secret saved for it was forgotten: it now points at another place (server, bucket,
 * account, user) and no new secret came with it, so the old one would have logged in
 * there. The window asks for the new place's secret.
 */
secret_forgotten: boolean, };

/**
 * The alert [`dismiss_alert`] dismisses.
 */

export type DismissAlertRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The alert.
 */
id: number, };

/**
 * Encryption parameters of a backup (never the key or password).
 */

export type EncryptionInfo = { 
/**
 * The cipher and its streaming construction, `aes-256-gcm-stream-be32`.
 */
cipher: string, 
/**
 * How the key is derived from the password, `pbkdf2-hmac-sha256`.
 */
kdf: string, 
/**
 * PBKDF2 iterations of that derivation.
 */
iterations: number, 
/**
 * Plaintext bytes per encrypted chunk (each chunk is stored with its own 16-byte tag).
 */
chunk_size: number, };

/**
 * Stable machine-readable error codes.
 */

export type ErrorCode = "source_not_found" | "source_unreadable" | "not_a_database" | "source_busy" | "password_required" | "wrong_password" | "backup_not_found" | "backup_damaged" | "backup_truncated" | "unsupported_version" | "integrity_failed" | "destination_full" | "destination_read_only" | "target_busy" | "busy" | "cancelled" | "invalid_input" | "io" | "confirmation_required" | "target_not_a_database" | "remote_failed";

/**
 * What to export a table as.
 */

export type ExportFormat = "csv" | "database";

/**
 * The table [`export_table`] writes, how, and where.
 */

export type ExportTableRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup being browsed.
 */
id: string, 
/**
 * The table.
 */
table: string, 
/**
 * A spreadsheet or a database.
 */
format: ExportFormat, 
/**
 * The new file, picked in the save dialog.
 */
target: string, };

/**
 * What an error is about, for front ends to word it: every field is optional, and each code
 * fills the ones that matter to it.
 */

export type Facts = { 
/**
 * The file or folder involved (the database, the backup file, the target).
 */
path?: string, 
/**
 * The backup involved.
 */
backup_id?: string, 
/**
 * Bytes needed, when there was not enough room.
 */
needed_bytes?: number, 
/**
 * Bytes available, when there was not enough room.
 */
available_bytes?: number, 
/**
 * A word that refines the code: why a confirmation is required (`foreign`,
 * `unencrypted`), what to fix at a destination (`credentials`, `no_bucket`), ...
 */
reason?: Reason, 
/**
 * The tables involved: those that refer to a table being restored, those missing.
 */
tables?: Array<string>, 
/**
 * When a backup does not fit: the backups whose deletion would make room.
 */
free_up?: FreeUp, 
/**
 * The app involved, by name ("Firefox"): the one holding a file a restore must replace.
 */
app?: string, };

/**
 * Why a file is not listed as a backup.
 */

export type FileState = "locked" | "damaged";

/**
 * Which scan [`find_databases`] runs.
 */

export type FindDatabasesRequest = { 
/**
 * The job's id (Cancel).
 */
jobId: string, };

/**
 * A file with a backup's name that cannot be listed as a backup.
 */

export type FolderFile = { 
/**
 * Its name in the store.
 */
file_name: string, 
/**
 * Its size in bytes.
 */
size: number, 
/**
 * The date and time in its name, when it has one.
 */
named_date: string | null, 
/**
 * Why it is not listed.
 */
state: FileState, 
/**
 * What was found, in one technical line.
 */
message: string, };

/**
 * Everything in a store, sorted.
 */

export type FolderReport = { 
/**
 * The backups this installation recorded, newest first (with a concern when their file is
 * missing or changed).
 */
backups: Array<BackupMetadata>, 
/**
 * Readable backups nobody here recorded, newest first, each with its concern.
 */
foreign: Array<BackupMetadata>, 
/**
 * Files with a backup's name that cannot be listed as backups.
 */
files: Array<FolderFile>, };

/**
 * What a scan found.
 */

export type Found = { 
/**
 * Each app found, once per place (two Firefox profiles are two entries), by name.
 */
apps: Array<FoundApp>, 
/**
 * SQLite files no app of the catalogue claims, by path.
 */
unknown: Array<FoundFile>, 
/**
 * How much was looked at.
 */
counts: ScanCounts, 
/**
 * Why the scan stopped early, if it did (what it found until then is listed).
 */
stopped: Stopped | null, 
/**
 * How long it took.
 */
took_ms: number, };

/**
 * One app's files in one place (a profile, a library).
 */

export type FoundApp = { 
/**
 * The catalogue's id of the app (`firefox`).
 */
app: string, 
/**
 * Its name ("Firefox").
 */
name: string, 
/**
 * What it is ("Web browser").
 */
kind: string, 
/**
 * How it is installed.
 */
installed: Installed, 
/**
 * The folder its files are in.
 */
place: string, 
/**
 * Whether putting its files back needs the app closed.
 */
close_to_restore: boolean, 
/**
 * Its files found here, the important ones first.
 */
files: Array<FoundFile>, };

/**
 * One database file found.
 */

export type FoundFile = { 
/**
 * Where it is.
 */
path: string, 
/**
 * Its size in bytes.
 */
size: number, 
/**
 * When it last changed (seconds since 1970, UTC).
 */
modified: number | null, 
/**
 * What it holds, from the catalogue (`None` for an unknown file).
 */
holds: string | null, 
/**
 * Recommended: the app cannot rebuild it (caches are offered, not recommended).
 */
important: boolean, 
/**
 * Encrypted by its app (SQLCipher): copies can be kept, its inside cannot be checked.
 */
encrypted: boolean, 
/**
 * In WAL mode (its `-wal` file belongs with it).
 */
wal: boolean, 
/**
 * Another program held it open (a SQLite lock) when it was looked at.
 */
in_use: boolean, 
/**
 * In a place others can write to (a world-writable folder, or owned by someone else):
 * anyone could have put it there.
 */
shared: boolean, };

/**
 * Backups whose deletion would make room: what a cleanup keeping the last `keep_last` would
 * delete now.
 */

export type FreeUp = { 
/**
 * The backups, newest first (deleted in this order, an increment before what it builds on).
 */
ids: Array<string>, 
/**
 * The bytes their files take.
 */
bytes: number, 
/**
 * The cleanup rule that picks them (`keepsake cleanup --keep-last N`).
 */
keep_last: number, 
/**
 * Whether deleting them makes enough room (else they are all that may be deleted).
 */
enough: boolean, };

/**
 * The backups [`free_up_space`] deletes.
 */

export type FreeUpSpaceRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backups, in the order they are deleted.
 */
ids: Array<string>, };

/**
 * Why a backup came out full when an increment was asked for (the rule is in
 * `commands/backup.rs`: a chain is restarted when it is long or large, or when most pages
 * changed).
 */

export type FullReason = "no_earlier_backup" | "earlier_backup_unusable" | "encryption_changed" | "earlier_backup_old_format" | "no_page_list" | "page_size_changed" | "password_changed" | "chain_longest" | "chain_large" | "chain_broken" | "many_pages_changed";

/**
 * Which runs [`get_history`] lists.
 */

export type GetHistoryRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * At most this many, the newest.
 */
limit?: number | null, };

/**
 * `"ok"`, `"never"` or `{ "overdue_days": N }`.
 */

export type HealthView = string | { 
/**
 * Whole days since the last backup was due.
 */
overdue_days: number, };

/**
 * How an app was installed, which decides where it keeps its files.
 */

export type Installed = "native" | "flatpak" | "snap";

/**
 * A failed command, serialized as `{ "code": ..., "message": ..., "facts": {...} }`.
 */

export type IpcError = { 
/**
 * The stable code the window words.
 */
code: Code, 
/**
 * What happened, for the log and the details (the window has its own words).
 */
message: string, 
/**
 * The structured facts (paths, sizes, reasons, backups to delete).
 */
facts: Facts, };

/**
 * The `job-progress` payload.
 */

export type JobProgress = { 
/**
 * The job.
 */
job_id: string, 
/**
 * What it is doing now.
 */
phase: Phase, 
/**
 * Units done so far.
 */
done: number, 
/**
 * Units in all (0 when not known yet).
 */
total: number, };

/**
 * The key new encrypted backups are made under (never a key: what a front end shows of it).
 */

export type KeyStatus = { 
/**
 * There is a key (the first encrypted backup, a password change or a kit makes it).
 */
has_key: boolean, 
/**
 * When the current key was made.
 */
made_at: string | null, 
/**
 * When the recovery key that opens it was made: `None` when no recovery key opens the
 * backups made from now on.
 */
kit_made_at: string | null, 
/**
 * The first 8 hex digits of that recovery key's public key: which kit it is.
 */
kit: string | null, };

/**
 * What the window shows about the keyring.
 */

export type KeyringStatus = "ok" | "locked" | "unavailable" | "no_password";

/**
 * What the window shows of a new kit: the key, and where its files were saved.
 */

export type KitDraft = { 
/**
 * The recovery key, in 8 groups of 4.
 */
key: string, 
/**
 * The kit as a PDF (to print).
 */
pdf: string, 
/**
 * The same page as a picture.
 */
png: string, };

/**
 * Which alerts [`list_alerts`] lists.
 */

export type ListAlertsRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * Dismissed ones too.
 */
all: boolean, };

/**
 * Which backups [`list_backups`] lists.
 */

export type ListBackupsRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * At most this many, the newest.
 */
limit?: number | null, };

/**
 * Which notifications a person wants.
 */

export type NotificationLevel = "all" | "problems" | "off";

/**
 * One file of an opaque backup: the file itself (`suffix` empty), then the `-wal` or
 * `-journal` beside it when there was one, each as it was at one moment. The backup's image is
 * each part's bytes in this order, each padded with zeros to a multiple of [`OPAQUE_PAGE`]
 * (`docs/FORMAT.md`, "Opaque backups").
 */

export type OpaquePart = { 
/**
 * `""` for the file itself, `-wal` or `-journal` for the file beside it.
 */
suffix: string, 
/**
 * Its length in bytes.
 */
length: number, };

/**
 * The backup [`open_backup`] opens, and with what password.
 */

export type OpenBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * A password typed for this backup.
 */
password?: string | null, 
/**
 * Keep that password until the app quits.
 */
rememberPassword?: boolean | null, };

/**
 * What a recorded run was.
 */

export type Operation = "backup" | "verify" | "restore" | "delete" | "cleanup" | "rebuild";

/**
 * Where the engine's knowledge of a backup comes from.
 */

export type Origin = "recorded" | "foreign";

/**
 * What the dialog asks for.
 */

export type PathKind = "database" | "folder" | "export_csv" | "export_database" | "restore_to" | "google_key";

/**
 * The phase an operation is in, for progress displays.
 */

export type Phase = "backup" | "verify" | "restore" | "safety_backup" | "integrity_check" | "copy" | "find";

/**
 * Why a backup is pinned: kept by every retention rule until the person unpins it.
 */

export type Pin = { 
/**
 * When it was pinned (RFC 3339, UTC).
 */
pinned_at: string, 
/**
 * The content alert that pinned it (the last backup before the change); `None` when the
 * person pinned it.
 */
alert: number | null, };

/**
 * The backup [`pin_backup`] pins or unpins.
 */

export type PinBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, 
/**
 * Pin it (true) or unpin it.
 */
pinned: boolean, };

/**
 * Where copies of a database's backups are, as a person thinks of it (see
 * `keepsake_engine::places`).
 */

export type PlaceKind = "this_disk" | "other_disk" | "synced_folder" | "online";

/**
 * One backup in a plan, with why it is kept (empty when deleted).
 */

export type PlanEntry = { 
/**
 * The backup's id.
 */
id: string, 
/**
 * When it was made (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Size of its file in bytes: what deleting it frees.
 */
stored_size: number, 
/**
 * Why it is kept, in words (`one of the last 30`, `newest backup`); empty when deleted.
 */
reasons: Array<string>, };

/**
 * The schedule [`preview_schedule`] describes.
 */

export type PreviewScheduleRequest = { 
/**
 * The schedule being typed.
 */
schedule: Schedule, 
/**
 * How many next runs (5 when left out; 1 to 50).
 */
count?: number | null, };

/**
 * The app [`protect_app`] protects.
 */

export type ProtectAppRequest = { 
/**
 * The catalogue's id of the app (`firefox`).
 */
app: string, 
/**
 * The folder it was found in (one profile); it must be found there again.
 */
place: string, 
/**
 * The source's name (else the app's).
 */
name?: string | null, 
/**
 * When it is backed up (else only when asked).
 */
schedule?: Schedule | null, 
/**
 * Also the files the app can rebuild itself (caches).
 */
rebuildable?: boolean | null, };

/**
 * Why, in one word, beyond the code: what front ends word an error by (`facts.reason`). Every
 * reason the engine, the stores and the app give is here, so a front end's table of words is
 * checked against this list (the window's through the generated TypeScript union).
 */

export type Reason = "foreign" | "unencrypted" | "foreign_unencrypted" | "foreign_kdf" | "scan_limit" | "target_exists" | "exists" | "not_picked" | "key_not_picked" | "key_file" | "bad_backup_folder" | "no_room" | "held_by_app" | "opaque" | "pinned" | "needed_by_later" | "missing_link" | "wrong_link" | "no_such_alert" | "no_such_table" | "internal_table" | "columns_changed" | "broken_references" | "unsafe_schema" | "name_taken" | "credentials" | "no_bucket" | "certificate" | "clock_skew" | "quota" | "timeout" | "unreachable" | "server" | "endpoint" | "host_key_unknown" | "host_key_changed" | "keyring" | "recovery_key_typo" | "wrong_recovery_key" | "password_not_current" | "other";

/**
 * The destination [`remote_backups`] lists, and the password to open its backups with.
 */

export type RemoteBackupsRequest = { 
/**
 * The destination, as the form describes it.
 */
destination: Destination, 
/**
 * The secret typed in the form (else the saved one).
 */
secret?: string | null, 
/**
 * The backups' password.
 */
password?: string | null, };

/**
 * One database's week.
 */

export type Report = { 
/**
 * The database.
 */
database: string, 
/**
 * The start of the period.
 */
since: string, 
/**
 * Its end (now, when made).
 */
until: string, 
/**
 * Backups made in the period (successful backup runs, those retention deleted since
 * included; safety backups before a restore not counted).
 */
made: number, 
/**
 * Backup runs that failed in the period.
 */
failed: number, 
/**
 * Backups of the period still kept that passed their check.
 */
verified: number, 
/**
 * Backups of the period whose check failed.
 */
verify_failed: number, 
/**
 * Bytes the backups of this database take in its folder now.
 */
space_used: number, 
/**
 * How many backups of it the folder holds now.
 */
backups_kept: number, 
/**
 * The newest backup, when any.
 */
last_backup_at: string | null, 
/**
 * Backups of the period copied whole, by destination name.
 */
copies: { [key in string]: number }, 
/**
 * Content alerts raised in the period.
 */
alerts: Array<Alert>, };

/**
 * The backup [`restore_from_copy`] takes from a destination, and where it writes it.
 */

export type RestoreFromCopyRequest = { 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * The destination, as the form describes it.
 */
destination: Destination, 
/**
 * The secret typed in the form (else the saved one).
 */
secret?: string | null, 
/**
 * The backups' password.
 */
password?: string | null, 
/**
 * The backup there.
 */
id: string, 
/**
 * The new file, picked in the save dialog.
 */
target: string, };

/**
 * What a restore did.
 */

export type RestoreOutcome = { 
/**
 * The backup that was restored.
 */
backup_id: string, 
/**
 * The database file the backup was written to (replaced, or created).
 */
target: string, 
/**
 * The safety backup of the database as it was before, if one was taken.
 */
safety_backup_id: string | null, 
/**
 * The backup passed its verification before the target was touched (`verify_first`).
 */
verified: boolean, 
/**
 * How long the whole restore took, in milliseconds (the safety backup included).
 */
duration_ms: number, 
/**
 * For a restore of some tables: each table, with its rows before and after.
 */
tables: Array<TableRestored>, 
/**
 * For a restore of some tables: other tables whose rows refer to them (foreign keys).
 */
referenced_by: Array<string>, 
/**
 * For a restore of some tables: the database's own triggers that ran as their rows were
 * replaced (as they would for the owning app).
 */
triggers: Array<string>, };

/**
 * What the window asks of a restore ([`restore_backup`]): backup `id` of `source` over the
 * source's database, or to `target` (another file: a new one, or one picked in the file
 * dialog). The window never skips the safety backup; a foreign or (for a source that encrypts)
 * unencrypted backup needs the person's confirmation, passed as `allow_foreign` /
 * `allow_unencrypted`. `password` (kept until the app quits with `remember_password`): one
 * typed for a backup made under an older password. `tables`: take back only these tables
 * (`allow_broken_references`: even if rows elsewhere refer to rows they lose).
 */

export type RestoreRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * Check the backup whole before anything is replaced.
 */
verifyFirst: boolean, 
/**
 * Another file to restore to.
 */
target?: string | null, 
/**
 * The person confirmed a backup not made here.
 */
allowForeign?: boolean | null, 
/**
 * The person confirmed an unencrypted backup for a source that encrypts.
 */
allowUnencrypted?: boolean | null, 
/**
 * A password typed for this backup.
 */
password?: string | null, 
/**
 * Keep that password until the app quits.
 */
rememberPassword?: boolean | null, 
/**
 * Only these tables.
 */
tables?: Array<string> | null, 
/**
 * Take them back even if rows elsewhere refer to rows they lose.
 */
allowBrokenReferences?: boolean | null, };

/**
 * Which backups to keep. `None` means the rule is off.
 */

export type RetentionPolicy = { 
/**
 * Keep the newest N.
 */
keep_last: number | null, 
/**
 * Keep every backup made within the last N days.
 */
keep_within_days: number | null, 
/**
 * Keep the newest backup of each of the last N days that have backups.
 */
keep_daily: number | null, 
/**
 * Keep the newest backup of each of the last N weeks (ISO weeks) that have backups.
 */
keep_weekly: number | null, 
/**
 * Keep the newest backup of each of the last N months that have backups.
 */
keep_monthly: number | null, };

/**
 * A page of a table's rows. Values are shown as text: numbers as written, a blob as its size
 * (`[1,204 bytes]`), SQL NULL as `None`.
 */

export type RowsPage = { 
/**
 * The table.
 */
table: string, 
/**
 * Its columns, in order.
 */
columns: Array<string>, 
/**
 * The rows, each with one value per column.
 */
rows: Array<Array<string | null>>, 
/**
 * The first row's position among the matching rows (0-based).
 */
offset: number, 
/**
 * How many rows match (all rows without a search).
 */
total: number, };

/**
 * One entry of the run history (successful or not).
 */

export type RunRecord = { 
/**
 * Identifies the record in this installation's history.
 */
id: number, 
/**
 * Which verb ran.
 */
operation: Operation, 
/**
 * For a backup run, the type of the backup made (or attempted); `None` for other operations.
 */
backup_type: BackupType | null, 
/**
 * The backup made, verified, restored or deleted; `None` when there is none (a backup that
 * failed, a cleanup).
 */
backup_id: string | null, 
/**
 * The database backed up, or the restore's target, as an absolute path; `None` for the other
 * operations.
 */
source_path: string | null, 
/**
 * When the run started (RFC 3339, UTC).
 */
started_at: string, 
/**
 * How long it ran, in milliseconds.
 */
duration_ms: number, 
/**
 * How it ended.
 */
status: RunStatus, 
/**
 * Why it failed, was cancelled or was skipped; `None` on success.
 */
error_code: ErrorCode | null, 
/**
 * The one-line message that goes with `error_code`; `None` on success.
 */
message: string | null, 
/**
 * For a restore: the safety backup it took of the database before replacing it (what
 * undo puts back).
 */
safety_backup_id: string | null, };

/**
 * How a run ended.
 */

export type RunStatus = "success" | "failed" | "cancelled" | "skipped";

/**
 * The destination [`save_destination`] saves, and which sources copy there.
 */

export type SaveDestinationRequest = { 
/**
 * The destination, as the form describes it.
 */
destination: Destination, 
/**
 * The secret typed in the form (else the saved one).
 */
secret?: string | null, 
/**
 * The sources that copy their backups there (the others stop).
 */
sources: Array<string>, };

/**
 * How much a scan looked at.
 */

export type ScanCounts = { 
/**
 * Folders and files met.
 */
entries: number, 
/**
 * Folders entered.
 */
folders: number, 
/**
 * Regular files met.
 */
files: number, 
/**
 * Databases found (SQLite, or encrypted by an app of the catalogue).
 */
databases: number, 
/**
 * Symbolic links, not followed.
 */
links: number, 
/**
 * Folders on another file system, not entered.
 */
other_file_systems: number, 
/**
 * Folders and files that could not be read.
 */
unreadable: number, 
/**
 * FIFOs, sockets and devices, never opened.
 */
special: number, };

/**
 * When a source's scheduled backups run (times are local, `HH:MM`).
 */
export type Schedule = { "kind": "hourly", "minute": number } | { "kind": "daily", "time": string } | { "kind": "weekly", "weekday": "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday", "time": string } | { "kind": "monthly", "day": number | "last", "time": string } | { "kind": "cron", "expr": string } | { "kind": "every_seconds", "seconds": number };

/**
 * A schedule in words and its next run times, as the person edits it.
 */

export type SchedulePreview = { 
/**
 * The schedule in plain words (`Every day at 14:30`).
 */
description: string, 
/**
 * RFC 3339, local offset.
 */
next_runs: Array<string>, };

/**
 * What the database looked like when it was backed up.
 */

export type SchemaInfo = { 
/**
 * `PRAGMA user_version`: the owning app's schema version.
 */
user_version: number, 
/**
 * SHA-256 (hex) over `type, name, tbl_name, sql` of every `sqlite_schema` row, ordered by name.
 */
schema_hash: string, 
/**
 * Bytes per database page (`PRAGMA page_size`).
 */
page_size: number, 
/**
 * Pages in the database at the snapshot (`page_count * page_size` is its size in bytes).
 */
page_count: number, 
/**
 * `wal`, `delete`, ... as reported by `PRAGMA journal_mode` on the source.
 */
journal_mode: string, };

/**
 * The place off this computer's disk that holds copies of a database's backups.
 */

export type SecondPlace = { 
/**
 * What kind of place it is.
 */
kind: PlaceKind, 
/**
 * Its name: the destination's, or the backup folder's.
 */
name: string, 
/**
 * The database's newest backup is there.
 */
has_newest: boolean, };

/**
 * The schedule [`set_schedule`] gives a source.
 */

export type SetScheduleRequest = { 
/**
 * The source.
 */
name: string, 
/**
 * Its schedule; none: backups only when asked.
 */
schedule?: Schedule | null, };

/**
 * Whether the database inside a backup is known to be sound: SQLite's own check of it (see
 * [`BackupMetadata::soundness`]).
 */

export type Soundness = "sound" | "unknown" | "damaged";

/**
 * A change to some settings of a source, each typed: what the window sends (`update_source`).
 * A field left out stays as it is; `null` clears a rule that can be off (a retention rule, the
 * overdue warning) or puts `incremental` back to automatic. It is applied through the same
 * checks as `keepsake source set` ([`SourcePatch::changes`]).
 */

export type SourcePatch = { 
/**
 * A new name.
 */
name?: string, 
/**
 * Another database file.
 */
database?: string, 
/**
 * Another backup folder.
 */
backup_dir?: string, 
/**
 * Scheduled backups on or off.
 */
enabled?: boolean, 
/**
 * Scheduled backups paused.
 */
paused?: boolean, 
/**
 * Encrypt the backups.
 */
encrypt?: boolean, 
/**
 * Compress the backups.
 */
compress?: boolean, 
/**
 * The gzip level, 1 to 9.
 */
level?: number, 
/**
 * Verify each backup after making it.
 */
verify_after_backup?: boolean, 
/**
 * Increments (`true`), always full backups (`false`), or automatic (`null`).
 */
incremental?: boolean | null, 
/**
 * Keep the newest N (`null`: the rule is off).
 */
keep_last?: number | null, 
/**
 * Keep every backup of the last N days (`null`: off).
 */
keep_within_days?: number | null, 
/**
 * Keep one backup a day for N days (`null`: off).
 */
keep_daily?: number | null, 
/**
 * Keep one backup a week for N weeks (`null`: off).
 */
keep_weekly?: number | null, 
/**
 * Keep one backup a month for N months (`null`: off).
 */
keep_monthly?: number | null, 
/**
 * Warn when there was no backup for N days (`null`: the schedule's own measure).
 */
overdue_after_days?: number | null, 
/**
 * The share of a table's rows lost that raises an alert, in percent (0: no alerts).
 */
row_loss_alert_percent?: number, };

/**
 * One source's last seven days (`weekly_report`).
 */

export type SourceReport = { 
/**
 * The source.
 */
source: string, 
/**
 * None when its backup folder cannot be read (`error` says why).
 */
report: Report | null, 
/**
 * Why its report could not be made, if it could not.
 */
error: string | null, };

/**
 * One source as the window shows it.
 */

export type SourceView = { 
/**
 * Its name.
 */
name: string, 
/**
 * The database it protects (an app's main database).
 */
database: string, 
/**
 * The app whose files it protects, by name ("Firefox"); `None` for a database added by hand.
 */
app: string | null, 
/**
 * The app's other files, backed up and restored with `database`.
 */
also: Array<string>, 
/**
 * The folder its backups go to.
 */
backup_dir: string, 
/**
 * Whether it is backed up on its schedule.
 */
enabled: boolean, 
/**
 * Its schedule is paused (this source, or all of them).
 */
paused: boolean, 
/**
 * When its scheduled backups run.
 */
schedule: Schedule | null, 
/**
 * In plain English (`Every day at 02:00`).
 */
schedule_description: string | null, 
/**
 * Its backups are encrypted.
 */
encrypt: boolean, 
/**
 * Its backups are compressed.
 */
compress: boolean, 
/**
 * The gzip level (1-9).
 */
level: number, 
/**
 * Each backup is verified right after it is made.
 */
verify_after_backup: boolean, 
/**
 * "Save space: back up only what changed": on, off, or `null` for automatic (on for
 * databases of 64 MiB and more).
 */
incremental: boolean | null, 
/**
 * A table losing more than this share of its rows (percent) between two backups raises a
 * content alert; 0: content alerts are off.
 */
row_loss_alert_percent: number, 
/**
 * The destinations (by name) its backups are copied to.
 */
copies_to: Array<string>, 
/**
 * Which backups its cleanup keeps.
 */
retention: RetentionPolicy, 
/**
 * RFC 3339, local offset; `None` when not scheduled (or paused).
 */
next_run: string | null, 
/**
 * Its newest backup, if any.
 */
last_backup: BackupMetadata | null, 
/**
 * The last scheduled run, whatever its outcome (a failure is shown on the home screen).
 */
last_run: RunRecord | null, 
/**
 * Whether its backups are on time.
 */
health: HealthView, 
/**
 * Room on the backup folder's disk for the next backup (none: not a local disk).
 */
space: SpaceCheck | null, 
/**
 * The demo source (sample data, not the person's): never "Protected".
 */
demo: boolean, 
/**
 * The place off this computer's disk that holds copies of its backups (the backup folder
 * on another disk or synced, or a destination), if any.
 */
second_place: SecondPlace | null, };

/**
 * The room for the next backup of a database on its backup folder's disk.
 */

export type SpaceCheck = { 
/**
 * The backup folder.
 */
folder: string, 
/**
 * The next backup's size as estimated (its file on this disk).
 */
estimate: number, 
/**
 * The room it needs: the estimate, the scratch space it uses on this disk while it is made
 * and checked (freed after), and the reserve kept free (the smaller of 10 % of the disk and 16 MiB).
 */
needed: number, 
/**
 * Free bytes on the disk now (for this user).
 */
free: number, 
/**
 * The disk's size.
 */
total: number, 
/**
 * The bytes to keep free after a backup.
 */
margin: number, 
/**
 * How it stands.
 */
state: SpaceState, 
/**
 * What to delete to make room, when low or full and some backups may go.
 */
free_up?: FreeUp, };

/**
 * How the room for the next backup stands.
 */

export type SpaceState = "enough" | "low" | "no_room";

/**
 * Figures over all backups in a folder.
 */

export type Stats = { 
/**
 * Number of backups this installation recorded in the folder.
 */
count: number, 
/**
 * Sum of their database sizes, in bytes.
 */
total_original_size: number, 
/**
 * Sum of their backup file sizes, in bytes.
 */
total_stored_size: number, 
/**
 * Mean of stored/original over backups with a non-empty original.
 */
average_compression_ratio: number | null, 
/**
 * Backups whose last verification passed.
 */
verified_count: number, 
/**
 * Backups whose last verification failed.
 */
failed_count: number, 
/**
 * Backups never verified.
 */
unverified_count: number, 
/**
 * When the oldest backup was made (RFC 3339, UTC); `None` when there are none.
 */
oldest: string | null, 
/**
 * When the newest backup was made (RFC 3339, UTC); `None` when there are none.
 */
newest: string | null, 
/**
 * Backup runs on this folder that failed, over the whole history.
 */
failed_runs: number, };

/**
 * Why a scan stopped before the end.
 */

export type Stopped = "time_budget" | "count_budget" | "cancelled";

/**
 * What restoring a backup would do to one table, row by row: found by decoding the backup to a
 * private temporary file and comparing it with the database now, by rowid (or primary key for a
 * table without rowid).
 */

export type TableChange = { 
/**
 * The table's name.
 */
table: string, 
/**
 * SQLite's own tables, virtual tables (a full-text index) and their shadow tables: kept in
 * step by the database itself, meaningless to a person.
 */
internal: boolean, 
/**
 * Rows in the backup; `None` when the table is not in it (the restore removes the table).
 */
backup_rows: number | null, 
/**
 * Rows now; `None` when the database or the table does not exist now.
 */
current_rows: number | null, 
/**
 * Rows the restore brings back: in the backup, gone now.
 */
brought_back: number, 
/**
 * Rows the restore removes: added since the backup.
 */
removed: number, 
/**
 * Rows in both whose values differ now (the restore puts the backup's values back); `None`
 * when the table's columns changed since, so rows cannot be compared value by value.
 */
changed: number | null, };

/**
 * One table: rows in the backup, and rows now (`None` when the database or the table does not
 * exist now). A table that exists only now has `backup_rows` 0: the restore removes it.
 */

export type TableDiff = { 
/**
 * The table's name.
 */
table: string, 
/**
 * Rows in the backup, as counted when it was made (0 if the table is not in it).
 */
backup_rows: number, 
/**
 * Rows in the database now; `None` when the database or the table does not exist now.
 */
current_rows: number | null, };

/**
 * One table a restore of some tables put back.
 */

export type TableRestored = { 
/**
 * The table.
 */
table: string, 
/**
 * Its rows before (`None`: it was not there, and was created).
 */
rows_before: number | null, 
/**
 * Its rows after: the backup's.
 */
rows_after: number, };

/**
 * One table of a backup.
 */

export type TableSummary = { 
/**
 * Its name.
 */
table: string, 
/**
 * Kept by SQLite itself (its own tables, a full-text index and its shadow tables).
 */
internal: boolean, 
/**
 * Its rows; `None` for a virtual table this SQLite cannot read.
 */
rows: number | null, 
/**
 * Its columns, in order.
 */
columns: Array<string>, };

/**
 * The tables [`take_back_tables`] takes back from the backup being browsed, and what the
 * person confirmed.
 */

export type TakeBackRequest = { 
/**
 * The source, whose database the tables go back into.
 */
source: string, 
/**
 * The backup being browsed (the one `open_backup` opened).
 */
id: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * The tables to take back.
 */
tables: Array<string>, 
/**
 * Run SQLite's integrity check on the open copy before anything is changed.
 */
verifyFirst: boolean, 
/**
 * Take them back even if rows elsewhere refer to rows they lose.
 */
allowBrokenReferences?: boolean | null, 
/**
 * The person confirmed a backup not made here.
 */
allowForeign?: boolean | null, 
/**
 * The person confirmed an unencrypted backup for a source that encrypts.
 */
allowUnencrypted?: boolean | null, };

/**
 * The destination [`test_destination`] tries.
 */

export type TestDestinationRequest = { 
/**
 * The destination, as the form describes it.
 */
destination: Destination, 
/**
 * The secret typed in the form (else the saved one).
 */
secret?: string | null, };

/**
 * Which restore [`undo_restore`] undoes: the source's last.
 */

export type UndoRestoreRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, };

/**
 * The settings [`update_source`] changes.
 */

export type UpdateSourceRequest = { 
/**
 * The source.
 */
name: string, 
/**
 * What changes, typed; what it leaves out stays as it is.
 */
patch: SourcePatch, };

/**
 * Verification state recorded with a backup.
 */

export type VerificationStatus = "unverified" | "passed" | "failed";

/**
 * Which backup [`verify_backup`] verifies, and with what password.
 */

export type VerifyBackupRequest = { 
/**
 * The source.
 */
source: string, 
/**
 * The backup.
 */
id: string, 
/**
 * The job's id (progress events, Cancel).
 */
jobId: string, 
/**
 * A password typed for this backup.
 */
password?: string | null, 
/**
 * Keep that password until the app quits.
 */
rememberPassword?: boolean | null, };

/**
 * The structured result of verifying a backup.
 */

export type VerifyReport = { 
/**
 * The backup that was verified.
 */
backup_id: string, 
/**
 * The backup is sound: no check failed. `false` means the backup itself is bad.
 */
ok: boolean, 
/**
 * Why it failed, when it failed.
 */
code: ErrorCode | null, 
/**
 * The checks in the order they ran (`exists`, `checksum`, `decrypt`, `decompress`, `integrity`).
 */
checks: Array<Check>, 
/**
 * When the verification finished (RFC 3339, UTC).
 */
verified_at: string, 
/**
 * How long the verification took, in milliseconds.
 */
duration_ms: number, };

/** Every command: its arguments (camelCase, as `invoke` takes them) and its result. */
export interface Commands {
  list_backups: { args: { request: ListBackupsRequest }; result: Array<BackupMetadata> };
  scan_folder: { args: { source: string }; result: FolderReport };
  get_stats: { args: { source: string }; result: Stats };
  get_history: { args: { request: GetHistoryRequest }; result: Array<RunRecord> };
  create_backup: { args: { request: CreateBackupRequest }; result: BackupMetadata };
  free_up_space: { args: { request: FreeUpSpaceRequest }; result: number };
  verify_backup: { args: { request: VerifyBackupRequest }; result: VerifyReport };
  restore_backup: { args: { request: RestoreRequest }; result: RestoreOutcome };
  undo_restore: { args: { request: UndoRestoreRequest }; result: RestoreOutcome };
  compare_backup: { args: { request: CompareBackupRequest }; result: Array<TableDiff> };
  compare_rows: { args: { request: CompareRowsRequest }; result: Array<TableChange> };
  delete_backup: { args: { request: DeleteBackupRequest }; result: void };
  preview_cleanup: { args: { source: string }; result: CleanupPlan };
  apply_cleanup: { args: { source: string }; result: CleanupPlan };
  cancel_job: { args: { jobId: string }; result: void };
  weekly_report: { args: Record<string, never>; result: Array<SourceReport> };
  take_pending_screen: { args: Record<string, never>; result: string | null };
  list_destinations: { args: Record<string, never>; result: Array<Destination> };
  test_destination: { args: { request: TestDestinationRequest }; result: string | null };
  save_destination: { args: { request: SaveDestinationRequest }; result: DestinationSaved };
  remove_destination: { args: { name: string }; result: void };
  copy_status: { args: Record<string, never>; result: Array<CopyStatus> };
  backup_copies: { args: { source: string }; result: Array<CopyRecord> };
  copy_now: { args: Record<string, never>; result: void };
  stop_copies: { args: Record<string, never>; result: void };
  remote_backups: { args: { request: RemoteBackupsRequest }; result: FolderReport };
  restore_from_copy: { args: { request: RestoreFromCopyRequest }; result: RestoreOutcome };
  choose_path: { args: { request: ChoosePathRequest }; result: string | null };
  find_databases: { args: { request: FindDatabasesRequest }; result: Found };
  protect_app: { args: { request: ProtectAppRequest }; result: SourceView };
  list_alerts: { args: { request: ListAlertsRequest }; result: Array<Alert> };
  dismiss_alert: { args: { request: DismissAlertRequest }; result: void };
  pin_backup: { args: { request: PinBackupRequest }; result: BackupMetadata };
  open_backup: { args: { request: OpenBackupRequest }; result: Array<TableSummary> };
  backup_rows: { args: { request: BackupRowsRequest }; result: RowsPage };
  close_backup: { args: Record<string, never>; result: void };
  export_table: { args: { request: ExportTableRequest }; result: number };
  take_back_tables: { args: { request: TakeBackRequest }; result: RestoreOutcome };
  compare_backups: { args: { request: CompareBackupsRequest }; result: Array<TableChange> };
  make_recovery_kit: { args: Record<string, never>; result: KitDraft };
  confirm_recovery_kit: { args: { lastGroup: string }; result: KeyStatus };
  open_recovery_kit: { args: Record<string, never>; result: void };
  use_recovery_key: { args: { key: string }; result: void };
  check_password: { args: { password: string }; result: boolean };
  set_password_check: { args: { enabled: boolean }; result: void };
  set_password: { args: { password: string }; result: void };
  set_notification_level: { args: { level: NotificationLevel }; result: void };
  set_autostart: { args: { enabled: boolean }; result: void };
  quit_app: { args: Record<string, never>; result: void };
  set_paused: { args: { paused: boolean }; result: void };
  app_state: { args: Record<string, never>; result: AppStateView };
  add_source: { args: { request: AddSourceRequest }; result: SourceView };
  update_source: { args: { request: UpdateSourceRequest }; result: SourceView };
  set_schedule: { args: { request: SetScheduleRequest }; result: SourceView };
  remove_source: { args: { name: string }; result: void };
  create_demo_source: { args: Record<string, never>; result: SourceView };
  preview_schedule: { args: { request: PreviewScheduleRequest }; result: SchedulePreview };
}

/** Every command's name. */
export const COMMAND_NAMES = [
  "list_backups",
  "scan_folder",
  "get_stats",
  "get_history",
  "create_backup",
  "free_up_space",
  "verify_backup",
  "restore_backup",
  "undo_restore",
  "compare_backup",
  "compare_rows",
  "delete_backup",
  "preview_cleanup",
  "apply_cleanup",
  "cancel_job",
  "weekly_report",
  "take_pending_screen",
  "list_destinations",
  "test_destination",
  "save_destination",
  "remove_destination",
  "copy_status",
  "backup_copies",
  "copy_now",
  "stop_copies",
  "remote_backups",
  "restore_from_copy",
  "choose_path",
  "find_databases",
  "protect_app",
  "list_alerts",
  "dismiss_alert",
  "pin_backup",
  "open_backup",
  "backup_rows",
  "close_backup",
  "export_table",
  "take_back_tables",
  "compare_backups",
  "make_recovery_kit",
  "confirm_recovery_kit",
  "open_recovery_kit",
  "use_recovery_key",
  "check_password",
  "set_password_check",
  "set_password",
  "set_notification_level",
  "set_autostart",
  "quit_app",
  "set_paused",
  "app_state",
  "add_source",
  "update_source",
  "set_schedule",
  "remove_source",
  "create_demo_source",
  "preview_schedule",
] as const satisfies readonly (keyof Commands)[];

/** The events the shell sends, and their payloads. */
export interface Events {
  "job-progress": JobProgress;
  "state-changed": Changed;
}
