// The one module that talks to the Tauri shell. Every command goes through `call`, typed by the
// generated `Commands` map (./bindings): its name must be one of the shell's commands, its
// arguments and its result are the shell's own types, so a change on the Rust side that the
// window does not follow fails the build. Each command has a wrapper here with the same verb
// (`create_backup` <-> `api.createBackup`), and every rejection becomes an `ApiError` carrying a
// stable code, so screens choose wording by code instead of parsing strings. A command the window
// sends more than one value takes them as one request (`{ request: CreateBackupRequest }`,
// `RequestOf<"create_backup">`); its wrapper keeps the arguments the screens pass. Nothing else in
// src/ may import `@tauri-apps/*` (ESLint enforces it); tests fake the shell underneath.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import { toApiError } from "./errors";
import type {
  Changed,
  Commands,
  Events,
  JobProgress,
  NotificationLevel,
  PathKind,
  RestoreRequest,
  Schedule,
  SourcePatch,
} from "./types";

export { ApiError, toApiError } from "./errors";

/** The arguments of command `K`, as `invoke` takes them (camelCase). */
export type ArgsOf<K extends keyof Commands> = Commands[K]["args"];
/** The one request command `K` takes, when it takes one (`{ request }`). */
export type RequestOf<K extends keyof Commands> = ArgsOf<K> extends { request: infer R } ? R : never;
/** What command `K` resolves to. */
export type ResultOf<K extends keyof Commands> = Commands[K]["result"];

/** Runs one shell command; a rejection becomes an `ApiError`. */
export async function call<K extends keyof Commands>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
  try {
    return await invoke<ResultOf<K>>(command, args);
  } catch (raw) {
    throw toApiError(raw, command);
  }
}

/** A fresh id for a long-running job, so its progress events and its Cancel can find it. */
export function newJobId(): string {
  const random = globalThis.crypto?.randomUUID?.();
  return random ?? `job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

// --- State -------------------------------------------------------------------------------

export const appState = () => call("app_state", {});

// --- Backups -----------------------------------------------------------------------------

/** The backups this installation recorded, newest first. */
export const listBackups = (source: string, limit?: number) => call("list_backups", { request: { source, limit } });

/** Everything in the source's backup folder: recorded backups, foreign ones, unreadable files. */
export const scanFolder = (source: string) => call("scan_folder", { source });

export const getStats = (source: string) => call("get_stats", { source });

export const getHistory = (source: string, limit?: number) => call("get_history", { request: { source, limit } });

export const createBackup = (request: RequestOf<"create_backup">) => call("create_backup", { request });

export const verifyBackup = (request: RequestOf<"verify_backup">) => call("verify_backup", { request });

/**
 * Restores a backup over the source's database, or to `target`, a file picked with
 * `choosePath("restore_to")` (new or existing; any path not picked there is refused:
 * `invalid_input`, `facts.reason` "not_picked"). The shell always makes a safety backup first. A foreign backup,
 * or an unencrypted one into a source that encrypts, is refused with `confirmation_required`
 * unless `allowForeign` / `allowUnencrypted` carry the person's explicit go-ahead.
 */
/** A restore, as one request (the shell's `RestoreRequest`). */
export const restoreBackup = (request: RestoreRequest) => call("restore_backup", { request });

export const undoRestore = (request: RequestOf<"undo_restore">) => call("undo_restore", { request });

export const compareBackup = (source: string, id: string) => call("compare_backup", { request: { source, id } });

/**
 * What restoring backup `id` would do, row by row (a job: the backup is decoded to compare it,
 * with progress). Reads only: the shell does not announce a change afterwards.
 */
export const compareRows = (request: RequestOf<"compare_rows">) => call("compare_rows", { request });

export const deleteBackup = (source: string, id: string) => call("delete_backup", { request: { source, id } });
/** The last seven days of every database. */
export const weeklyReport = () => call("weekly_report", {});
/** The screen a clicked notification asked for (once), or null. */
export const takePendingScreen = () => call("take_pending_screen", {});
/** Deletes the backups a low disk's suggestion names, newest first; how many were deleted. */
export const freeUpSpace = (source: string, ids: string[]) => call("free_up_space", { request: { source, ids } });

export const previewCleanup = (source: string) => call("preview_cleanup", { source });

export const applyCleanup = (source: string) => call("apply_cleanup", { source });

export const cancelJob = (jobId: string) => call("cancel_job", { jobId });

// --- Inside the backups ------------------------------------------------------------------

/** Content alerts of a source, newest first: standing ones, or all (dismissed too). */
export const listAlerts = (source: string, all = false) => call("list_alerts", { request: { source, all } });

/** "This was me": the alert goes; the backup it pinned stays pinned. */
export const dismissAlert = (source: string, id: number) => call("dismiss_alert", { request: { source, id } });

/** Pins a backup (kept by every retention rule) or unpins it. */
export const pinBackup = (source: string, id: string, pinned: boolean) =>
  call("pin_backup", { request: { source, id, pinned } });

/**
 * Opens a backup to look inside (a job: it is decoded, with progress, into a private temporary
 * file the shell keeps until `closeBackup` or another backup is opened); resolves to its tables.
 */
export const openBackup = (request: RequestOf<"open_backup">) => call("open_backup", { request });

/** A page of one table's rows in the open backup, optionally only those with `search` in a value. */
export const backupRows = (request: RequestOf<"backup_rows">) => call("backup_rows", { request });

export const closeBackup = () => call("close_backup", {});

/**
 * Writes one table of the open backup to `target`, a new file picked with `choosePath`
 * ("export_csv" or "export_database"): as a spreadsheet or as a database of its own. An existing
 * file is never replaced (`invalid_input`, `facts.reason` "exists"); a path not picked there is
 * refused (`facts.reason` "not_picked"). Resolves to the rows written.
 */
export const exportTable = (request: RequestOf<"export_table">) => call("export_table", { request });

/** Takes tables of the open backup back into the source's database, from its open copy (a job; a safety backup first). */
export const takeBackTables = (request: RequestOf<"take_back_tables">) => call("take_back_tables", { request });

/** What changed from backup `older` to backup `newer`, row by row (a job: both are decoded). */
export const compareBackups = (request: RequestOf<"compare_backups">) => call("compare_backups", { request });

// --- Sources and settings ----------------------------------------------------------------

/** Adds a source; `schedule` (structured, or left out for none) is set with it. */
export const addSource = (request: RequestOf<"add_source">) => call("add_source", { request });

/** Changes some settings of a source, typed (`null` clears a rule); saved together or not at all. Not the schedule: see `setSchedule`. */
export const updateSource = (name: string, patch: SourcePatch) => call("update_source", { request: { name, patch } });

/** Sets a source's schedule; `null` removes it (backups only when asked). */
export const setSchedule = (name: string, schedule: Schedule | null) =>
  call("set_schedule", { request: { name, schedule } });

export const removeSource = (name: string) => call("remove_source", { name });

export const createDemoSource = () => call("create_demo_source", {});

/** "Find my databases": the databases of this person's apps, named, and the others apart (a job: Cancel stops it). */
export const findDatabases = (jobId: string) => call("find_databases", { request: { jobId } });

/** Protects one app found by `findDatabases` (at the place it was found) as one source. */
export const protectApp = (request: RequestOf<"protect_app">) => call("protect_app", { request });

/** A schedule in plain English and its next `count` run times; a bad one rejects with `invalid_input`. */
export const previewSchedule = (schedule: Schedule, count = 5) =>
  call("preview_schedule", { request: { schedule, count } });

export const setPassword = (password: string) => call("set_password", { password });

export const setNotificationLevel = (level: NotificationLevel) => call("set_notification_level", { level });

export const setAutostart = (enabled: boolean) => call("set_autostart", { enabled });
export const quitApp = () => call("quit_app", {});
// --- The key: emergency kit, forgotten password, "do you still know it?" ------------------

/** A new recovery key and its kit (PDF and PNG, saved in Documents); adopted by `confirmRecoveryKit`. */
export const makeRecoveryKit = () => call("make_recovery_kit", {});
/** The last group of the new key, typed back: it becomes the key that opens every backup. */
export const confirmRecoveryKit = (lastGroup: string) => call("confirm_recovery_kit", { lastGroup });
/** Opens the kit just made in the system's viewer, to print it. */
export const openRecoveryKit = () => call("open_recovery_kit", {});
/** "Forgot your password?": the recovery key opens backups until Keepsake closes (a typo rejects at once). */
export const useRecoveryKey = (key: string) => call("use_recovery_key", { key });
/** "Do you still know it?": whether `password` opens the backups (nothing is sent anywhere). */
export const checkPassword = (password: string) => call("check_password", { password });
/** Asks "Do you still know your password?" every few weeks, or never. */
export const setPasswordCheck = (enabled: boolean) => call("set_password_check", { enabled });

export const setPaused = (paused: boolean) => call("set_paused", { paused });

/** The system's file dialog: a database file or a backup folder; `null` when cancelled. */
export const choosePath = (kind: PathKind, start?: string) =>
  call("choose_path", { request: { kind, start: start?.trim() || undefined } });

// --- Events ------------------------------------------------------------------------------

export type Unsubscribe = () => void;

/** Listens to one of the shell's events, typed by the generated `Events` map. */
function on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): Promise<Unsubscribe> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

/** Progress of every running job; filter by `job_id`. */
export const onJobProgress = (handler: (progress: JobProgress) => void): Promise<Unsubscribe> =>
  on("job-progress", handler);

/** Something changed behind the window's back (a scheduled backup, the tray, a copy): refetch what it names. */
export const onStateChanged = (handler: (what: Changed) => void): Promise<Unsubscribe> =>
  on("state-changed", (what) => handler(what));

// --- Copies elsewhere ------------------------------------------------------------------

/** The destinations backups are copied to (S3, WebDAV, SFTP, a folder). */
export const listDestinations = () => call("list_destinations", {});

/**
 * "Test connection": reaches the destination, lists it, writes a small file and removes it.
 * A failure is `remote_failed` with `facts.reason` saying what to fix.
 */
export const testDestination = (request: RequestOf<"test_destination">) => call("test_destination", { request });

/** Saves a destination (its secret goes to the system keyring) and which databases copy there. */
export const saveDestination = (request: RequestOf<"save_destination">) => call("save_destination", { request });

export const removeDestination = (name: string) => call("remove_destination", { name });

/** How each destination of each database stands (the copier's last pass). */
export const copyStatus = () => call("copy_status", {});

/** Where a database's backups have been copied. */
export const backupCopies = (source: string) => call("backup_copies", { source });

/** Tries every destination at once (and goes on after "Stop"). */
export const copyNow = () => call("copy_now", {});

/** Stops the copy in progress; copying goes on with `copyNow`. */
export const stopCopies = () => call("stop_copies", {});

/**
 * The lost-computer restore, first step: the backups at a destination, read from its objects
 * alone, opened with `password` (files it does not open are in `files`, locked).
 */
export const remoteBackups = (request: RequestOf<"remote_backups">) => call("remote_backups", { request });

/**
 * The lost-computer restore: one backup at a destination, checked whole, written to a new file
 * picked with `choosePath("restore_to")` (any other path: `invalid_input`, "not_picked") (a job).
 */
export const restoreFromCopy = (request: RequestOf<"restore_from_copy">) => call("restore_from_copy", { request });
