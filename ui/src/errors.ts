// Errors from the shell, and how the window words them. Every command rejects with
// `{ code, message, facts }` (bindings' `IpcError`); `toApiError` turns that (or anything else a
// rejected `invoke` produced) into an `ApiError`. `ERROR_WORDING` is a `Record<Code, ...>`: a code
// added on the Rust side (and so to the generated `Code`) without wording here fails the build,
// and a code removed there leaves an excess key that fails it too. The runtime list of known codes
// is that table's keys, so it cannot drift either. The engine's message names the file (it goes in
// the "Details" fold); the wording is what a person reads.

import { dateOfBackupId, formatBytes, formatDateTime } from "./format";
import type { Code, Facts } from "./types";

/** A failed command: the code picks the wording, the message names the file, the facts say what it is about. */
export class ApiError extends Error {
  readonly code: Code;
  readonly facts: Facts;
  readonly command: string;

  constructor(code: Code, message: string, facts: Facts, command: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.facts = facts;
    this.command = command;
  }
}

export interface Wording {
  /** What happened, in a short sentence. */
  title: string;
  /** What to do about it. */
  action: string;
}

export const ERROR_WORDING: Record<Code, Wording> = {
  source_not_found: {
    title: "The database file isn't where Keepsake expects it",
    action: "It may have been moved, renamed or deleted. Choose its new location in Settings.",
  },
  source_unreadable: {
    title: "Keepsake isn't allowed to read the database file",
    action: "Check the file's permissions, or run Keepsake as the user who owns the file.",
  },
  not_a_database: {
    title: "That file isn't a SQLite database",
    action: "Choose the app's database file (it often ends in .db, .sqlite or .sqlite3).",
  },
  source_busy: {
    title: "Another program is busy with the database",
    action: "Wait a moment and try again, or close the program that is using it.",
  },
  password_required: {
    title: "Keepsake needs your backup password",
    action: "Set the password in Settings, then try again.",
  },
  wrong_password: {
    title: "That password doesn't open this backup",
    action: "Type the password you used when this backup was made.",
  },
  backup_not_found: {
    title: "That backup file is missing",
    action: "It may have been moved or deleted from the backup folder. Pick another backup.",
  },
  backup_damaged: {
    title: "This backup is damaged",
    action: "The file changed after it was made. Use another backup, and keep this file in case you need it.",
  },
  backup_truncated: {
    title: "This backup is incomplete",
    action: "It was cut short (a full disk, an interrupted copy or a crash). Use another backup.",
  },
  unsupported_version: {
    title: "This backup was made by a newer Keepsake",
    action: "Update Keepsake and try again. If it isn't a Keepsake backup, pick another file.",
  },
  integrity_failed: {
    title: "The database inside this backup is damaged",
    action: "SQLite's own check found problems in it. Use another backup.",
  },
  destination_full: {
    title: "The backup disk is full",
    action: "Free some space, or delete old backups with the retention rules in Schedule. Nothing half-written was kept.",
  },
  destination_read_only: {
    title: "Keepsake can't write to the backup folder",
    action: "Check the folder's permissions, or choose another backup folder in Settings.",
  },
  target_busy: {
    title: "The database is in use, so it wasn't replaced",
    action: "Close the program that uses the database and try the restore again. Nothing was changed.",
  },
  busy: {
    title: "Keepsake is already working on this database",
    action: "Another backup, restore or cleanup is running. Wait for it to finish and try again.",
  },
  cancelled: {
    title: "Stopped",
    action: "The operation was cancelled and nothing half-finished was kept.",
  },
  invalid_input: {
    title: "That value isn't accepted",
    action: "Check what you typed and try again.",
  },
  io: {
    title: "Something went wrong reading or writing a file",
    action: "Check that the disk is connected and has space, then try again.",
  },
  confirmation_required: {
    title: "This backup needs your go-ahead before it is restored",
    action: "It was not made by Keepsake on this computer, or it is not encrypted. Check where it comes from, then confirm.",
  },
  remote_failed: {
    title: "The copy elsewhere didn't work",
    action: "Check the destination's settings in Settings, Copies elsewhere, then use Test connection. Nothing was counted as copied.",
  },
  target_not_a_database: {
    title: "That file isn't a database, so Keepsake won't replace it",
    action: "Restore to a new file instead, or move that file somewhere else first.",
  },
  keyring_unavailable: {
    title: "Keepsake can't reach your system's password store",
    action: "Unlock your keyring (or log in again), then try again. Scheduled backups wait until it is available.",
  },
  no_source: {
    title: "Keepsake doesn't know that database",
    action: "It may have been removed. Pick a database from the list or add it again in Settings.",
  },
  dialog_unavailable: {
    title: "The file chooser couldn't be opened",
    action: "Type the full path of the file or folder in the box instead.",
  },
};

/** Every code a command can reject with: exactly the keys of `ERROR_WORDING` (so exactly `Code`). */
export const ERROR_CODES = Object.keys(ERROR_WORDING) as readonly Code[];

export function isErrorCode(value: unknown): value is Code {
  return typeof value === "string" && Object.hasOwn(ERROR_WORDING, value);
}

/**
 * Turns whatever a rejected `invoke` produced into an `ApiError`. The shell sends
 * `{code, message, facts}`; anything else (a Tauri-level failure such as an unknown command, or a
 * code this window does not know yet) becomes `io` with the original text kept as the message.
 */
export function toApiError(raw: unknown, command: string): ApiError {
  if (raw instanceof ApiError) return raw;
  if (typeof raw === "object" && raw !== null) {
    const record = raw as Record<string, unknown>;
    const message = typeof record.message === "string" ? record.message : "";
    const facts = typeof record.facts === "object" && record.facts !== null ? (record.facts as Facts) : {};
    if (isErrorCode(record.code)) return new ApiError(record.code, message, facts, command);
    if (typeof record.code === "string") {
      return new ApiError("io", `${record.code}: ${message}`.trim(), facts, command);
    }
    if (raw instanceof Error) return new ApiError("io", raw.message, {}, command);
    return new ApiError("io", message || JSON.stringify(raw), facts, command);
  }
  return new ApiError("io", String(raw), {}, command);
}

/** Why a restore needs an extra confirmation (`facts.reason` of `confirmation_required`). */
export interface ConfirmationReasons {
  foreign: boolean;
  unencrypted: boolean;
}

/** Reads `facts.reason` of a `confirmation_required` error (`foreign`, `unencrypted`, `foreign_unencrypted`). */
export function confirmationReasons(facts: Facts): ConfirmationReasons {
  const reason = facts.reason ?? "";
  const foreign = reason.includes("foreign");
  const unencrypted = reason.includes("unencrypted");
  // An unknown reason still needs the go-ahead: ask about where the backup comes from.
  return foreign || unencrypted ? { foreign, unencrypted } : { foreign: true, unencrypted: false };
}

/** The target of a restore or an export was not picked in the file dialog (the shell refuses that). */
export function isNotPicked(error: ApiError): boolean {
  return error.code === "invalid_input" && error.facts.reason === "not_picked";
}

export const NOT_PICKED_WORDING: Wording = {
  title: "That file wasn't chosen in the file dialog",
  action: "Keepsake writes only to a file chosen with the Choose… button: choose the file there.",
};

/** A delete refused because later backups are built on this one (`facts.reason` "needed_by_later"). */
export const NEEDED_BY_LATER_WORDING: Wording = {
  title: "Later backups are built on this one",
  action:
    "They save only what changed since it, so they can't be restored without it. Delete the backups made after it first, or let the retention rules in Schedule remove them together.",
};

/** A Google Cloud Storage key file refused by the shell, by `facts.reason`. */
const KEY_FILE_WORDING: Record<string, Wording> = {
  key_not_picked: {
    title: "The key file wasn't chosen in the file dialog",
    action: "Choose the service account's key file (KEY.json) with the Choose… button.",
  },
  key_file: {
    title: "That file isn't a service account's key",
    action:
      "Keepsake takes only a service account's key: in the Google Cloud console, open IAM, Service accounts, Keys, add a JSON key and choose that file.",
  },
};

/** Refusals about one table or one backup, by `facts.reason`, in words. */
const TABLE_WORDING: Record<string, (facts: Facts) => Wording> = {
  pinned: () => ({
    title: "This backup is kept on purpose",
    action: "Press “Stop keeping” beside it in History first if you really want to delete it.",
  }),
  no_such_table: (f) => ({
    title: `This backup has no table called ${f.tables?.[0] ?? "that"}`,
    action: "Pick one of the tables the backup lists.",
  }),
  internal_table: (f) => ({
    title: `${f.tables?.[0] ?? "That table"} is kept up to date by SQLite itself`,
    action: "Take back the table it belongs to, or restore the whole database.",
  }),
  columns_changed: (f) => ({
    title: `The table ${f.tables?.[0] ?? ""} has other columns now than in this backup`,
    action: "The app that uses this database was probably updated since. Restore the whole database instead.",
  }),
  exists: () => ({
    title: "That file already exists",
    action: "Choose a new name: Keepsake never replaces a file when it exports a table.",
  }),
  broken_references: (f) => ({
    title: `Rows in ${(f.tables ?? []).join(", ") || "other tables"} would then point at rows that aren't there`,
    action: "Take back those tables too, or go ahead if you know the app copes with it.",
  }),
};

/** The wording for a code, refined by the facts where they say more than the code alone. */
export function wordingFor(code: Code, facts: Facts = {}): Wording {
  if (code === "invalid_input" && facts.reason && facts.reason in KEY_FILE_WORDING) {
    return KEY_FILE_WORDING[facts.reason] as Wording;
  }
  if (code === "invalid_input" && facts.reason === "not_picked") return NOT_PICKED_WORDING;
  if (code === "invalid_input" && facts.reason === "needed_by_later") return NEEDED_BY_LATER_WORDING;
  const byTable = facts.reason ? TABLE_WORDING[facts.reason] : undefined;
  if (byTable && (code === "invalid_input" || code === "confirmation_required")) return byTable(facts);
  if (code === "confirmation_required") {
    const { foreign, unencrypted } = confirmationReasons(facts);
    if (foreign && unencrypted) {
      return {
        title: "This backup wasn't made by Keepsake on this computer, and it isn't encrypted",
        action: "Restore it only if you know where it comes from, then confirm.",
      };
    }
    if (foreign) {
      return {
        title: "This backup wasn't made by Keepsake on this computer",
        action: "Restore it only if you know where it comes from, then confirm.",
      };
    }
    return {
      title: "This backup isn't encrypted, while this database's backups are",
      action: "Restore it only if you know where it comes from, then confirm.",
    };
  }
  return ERROR_WORDING[code];
}

/** The wording for any thrown value (a non-`ApiError` is treated as an unexpected I/O error). */
export function describeError(error: unknown): Wording & { code: Code; detail: string } {
  const apiError = toApiError(error, "unknown");
  return { ...wordingFor(apiError.code, apiError.facts), code: apiError.code, detail: detailOf(apiError) };
}

/**
 * The "Details" fold, in words, a line each: the file involved, the backup (by its date), the
 * space needed and free, and Keepsake's own message (what to quote when asking for help).
 */
export function detailOf(error: ApiError): string {
  const { path, backup_id: backupId, needed_bytes: needed, available_bytes: free } = error.facts;
  const lines: string[] = [];
  if (path) lines.push(`File: ${path}`);
  const made = backupId ? dateOfBackupId(backupId) : null;
  if (made) lines.push(`Backup made ${formatDateTime(made, true)}`);
  if (needed != null) lines.push(`Space needed: ${formatBytes(needed)}${free != null ? `; free: ${formatBytes(free)}` : ""}`);
  if (error.message) lines.push(lines.length > 0 ? `Keepsake's message: ${error.message}` : error.message);
  return lines.join("\n");
}
