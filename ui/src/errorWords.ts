// How the window words the errors of the shell: a title and an action for every code, as a
// `Record<Code, ...>` (`Code` is generated), so a code added on the Rust side without wording
// here fails the build, and a code removed there leaves an excess key that fails it too; and
// the wording some codes get from their `facts` (a target not picked in the file dialog, a
// delete refused because later backups need the backup, a refused key file, why a restore needs
// confirming, an app that has its files open). errors.ts turns what a command rejected with into an `ApiError` and words it with
// these.

import type { Code, Facts, Reason } from "./types";

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
    title: "That file isn't a database Keepsake can back up",
    action: "Use Find my databases to pick your app, or choose the app's data file (it often ends in .db, .sqlite or .sqlite3).",
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
    action: "The check for damage found problems in it. Use another backup.",
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

/** Why a restore needs an extra confirmation (`facts.reason` of `confirmation_required`). */
export interface ConfirmationReasons {
  foreign: boolean;
  unencrypted: boolean;
}

/** Reads `facts.reason` of a `confirmation_required` error (`foreign`, `unencrypted`, `foreign_unencrypted`). */
export function confirmationReasons(facts: Facts): ConfirmationReasons {
  const reason = facts.reason;
  const foreign = reason === "foreign" || reason === "foreign_unencrypted";
  const unencrypted = reason === "unencrypted" || reason === "foreign_unencrypted";
  // An unknown reason still needs the go-ahead: ask about where the backup comes from.
  return foreign || unencrypted ? { foreign, unencrypted } : { foreign: true, unencrypted: false };
}

/** A restore or export target that was not picked in the file dialog (`facts.reason` "not_picked"). */
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
const KEY_FILE_WORDING: Partial<Record<Reason, Wording>> = {
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

/** The recovery key and the password, by `facts.reason`. */
const KEY_WORDING: Partial<Record<Reason, Wording>> = {
  recovery_key_typo: { title: "That recovery key has a typo", action: "Compare it with your emergency kit, group by group: one of its letters or digits is different." },
  wrong_recovery_key: { title: "That recovery key doesn't open these backups", action: "It may be from an older kit. Use the key of your newest emergency kit." },
  password_not_current: { title: "That isn't the password of your backups", action: "Type the password your backups were last made with. Forgot it? Use your emergency kit's recovery key." },
};

/** Refusals about one table or one backup, by `facts.reason`, in words. */
const TABLE_WORDING: Partial<Record<Reason, (facts: Facts) => Wording>> = {
  opaque: () => ({
    title: "Its app encrypts this file itself, so Keepsake can't look inside it",
    action: "Keepsake keeps copies of the whole file: restore the whole file instead.",
  }),
  pinned: () => ({
    title: "This backup is kept on purpose",
    action: "Press “Stop keeping” beside it in History first if you really want to delete it.",
  }),
  no_such_table: (f) => ({
    title: `This backup has no table called ${f.tables?.[0] ?? "that"}`,
    action: "Pick one of the tables the backup lists.",
  }),
  internal_table: (f) => ({
    title: `${f.tables?.[0] ?? "That table"} is kept up to date by the database itself`,
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

/** Refusals about an app's files, by code, when `facts.reason` says the app is the cause. */
function appWording(code: Code, facts: Facts): Wording | undefined {
  const app = facts.app ?? "the app";
  if (code === "target_busy" && facts.reason === "held_by_app") {
    return {
      title: `Close ${app} first: it has these files open`,
      action: "Keepsake puts them back once it is closed; nothing was changed.",
    };
  }
  if (code === "source_not_found" && facts.reason === "not_picked") {
    return {
      title: `Keepsake no longer finds ${app}'s files there`,
      action: "They may have been moved or deleted. Look again with Find my databases, then protect what it finds.",
    };
  }
  return undefined;
}

/** The wording for a code, refined by the facts where they say more than the code alone. */
export function wordingFor(code: Code, facts: Facts = {}): Wording {
  const byApp = appWording(code, facts);
  if (byApp) return byApp;
  const byKey = facts.reason ? KEY_WORDING[facts.reason] : undefined;
  if (byKey) return byKey;
  const keyFile = facts.reason ? KEY_FILE_WORDING[facts.reason] : undefined;
  if (code === "invalid_input" && keyFile) return keyFile;
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
