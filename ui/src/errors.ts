// Plain-language wording for every error code. The engine's message names the file (it goes in
// the "Details" fold); this table is what a person sees in the window. It is a
// `Record<ErrorCode, ...>`, so a code added to `ERROR_CODES` without wording here fails the build.

import { ApiError, toApiError } from "./api";
import type { ErrorCode } from "./types";

export interface Wording {
  /** What happened, in a short sentence. */
  title: string;
  /** What to do about it. */
  action: string;
}

export const ERROR_WORDING: Record<ErrorCode, Wording> = {
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

/** The wording for any thrown value (a non-`ApiError` is treated as an unexpected I/O error). */
export function describeError(error: unknown): Wording & { code: ErrorCode; detail: string } {
  const apiError = error instanceof ApiError ? error : toApiError(error, "unknown");
  return { ...ERROR_WORDING[apiError.code], code: apiError.code, detail: apiError.message };
}
