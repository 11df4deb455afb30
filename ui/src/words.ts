// The window's words for the codes, kinds and reasons the shell sends that are not errors: a
// backup's type, kind, concern and why it is a full copy; why a file in the folder can't be read;
// what a recorded run was doing; a running job's phase; the settings' choices; and the buttons
// that fix Home's problems. Each table is a `Record` over its type, so a new code without words
// fails the build. Errors are worded in errorWords.ts, content alerts in alerts.ts, copies
// elsewhere in copies.ts, password strength in password.ts, and what a restore changes in
// changes.ts.

import { dateOfBackupId, formatDateTime } from "./format";
import type { Problem } from "./health";
import type { Theme } from "./theme";
import type {
  BackupKind,
  BackupMetadata,
  BackupType,
  Concern,
  FileState,
  FullReason,
  NotificationLevel,
  Operation,
  Phase,
} from "./types";

/** A table's rows in its keys' order, typed (`Object.entries` forgets the key type). */
export function entries<K extends string, V>(table: Record<K, V>): [K, V][] {
  return Object.entries(table) as [K, V][];
}

/** Who made a backup, and why. */
export const TYPE_WORDS: Record<BackupType, string> = {
  manual: "Manual",
  scheduled: "Scheduled",
  auto: "Automatic",
  safety: "Safety (before a restore)",
};

/** What a backup holds: the whole database, or only what changed since the one before. */
export const BACKUP_KIND_WORDS: Record<BackupKind, { label: string; hint: string }> = {
  full: { label: "Full copy", hint: "The whole database. It can be restored on its own." },
  increment: {
    label: "Changes only",
    hint: "Only what changed since the backup before it. Restoring it also reads the backups it builds on, back to the last full copy.",
  },
};

/** Why a backup is a full copy although changes only were asked for (the engine's rule). */
export const FULL_REASON_WORDS: Record<FullReason, string> = {
  no_earlier_backup: "there was no earlier backup to build on",
  earlier_backup_unusable: "the backup before it is missing, changed or failed its check",
  encryption_changed: "the backup before it was encrypted differently",
  earlier_backup_old_format: "the backup before it was made by an older Keepsake",
  no_page_list: "the backup before it was made on another computer or by an older Keepsake",
  page_size_changed: "the database was rebuilt since the backup before it",
  password_changed: "the password changed",
  chain_longest: "24 changes-only backups in a row had been made since the last full copy",
  chain_large: "the changes since the last full copy added up to more than 60% of it",
  chain_broken: "a backup it would build on is missing or changed",
  many_pages_changed: "more than half of the database changed",
};

/** Why a backup needs a look, in plain words. */
export const CONCERN_WORDS: Record<Concern, string> = {
  missing: "File missing",
  changed: "File changed since it was made",
  other_installation: "Made on another computer",
  not_recorded: "Copied in by hand, or made by an older Keepsake",
  copy_of_own: "A copy of a backup made on this computer",
  name_mismatch: "Its label names another backup",
  id_taken: "Has the same name as a backup made here",
  future_dated: "Dated in the future",
  broken_chain: "Can't be restored: a backup it builds on is missing",
};

/** Why a file in the folder can't be read, in plain words. */
export const FILE_STATE_WORDS: Record<FileState, string> = {
  locked: "Locked: made with another password",
  damaged: "Damaged",
};

/** What a recorded run was doing (History's runs that failed). */
export const OPERATION_WORDS: Record<Operation, string> = {
  backup: "Backup",
  verify: "Check",
  restore: "Restore",
  delete: "Delete",
  cleanup: "Cleanup",
  rebuild: "Rebuilding the list of backups",
};

/** What a running job is doing now (its progress events' phase). */
export const PHASE_WORDS: Record<Phase, string> = {
  backup: "Backing up",
  verify: "Checking the backup",
  restore: "Restoring",
  safety_backup: "Making a safety backup first",
  integrity_check: "Checking the database",
  copy: "Copying elsewhere",
  find: "Looking for databases",
};

/** The desktop notifications one can ask for, in the order offered. */
export const NOTIFICATION_WORDS: Record<NotificationLevel, string> = {
  all: "Everything, including each successful backup",
  problems: "Only problems (failed or missed backups, a locked keyring)",
  off: "Nothing",
};

/** The window's themes, in the order offered. */
export const THEME_WORDS: Record<Theme, string> = {
  system: "Follow the system",
  light: "Light",
  dark: "Dark",
};

/** The button on Home that fixes a problem, by what it does. */
export const FIX_WORDS: Record<NonNullable<Problem["fix"]>, string> = {
  settings: "Open Settings",
  resume: "Resume",
  backup: "Back up now",
  autostart: "Start when I log in",
};

/**
 * A backup's note in words. A safety backup's description names the restored backup by its id
 * ("Before restoring backup_20261129_023701_…"): said with that backup's date instead.
 */
export function noteOf(backup: BackupMetadata, all: readonly BackupMetadata[]): string | null {
  const match = backup.backup_type === "safety" ? /^Before restoring (?:(.+) from )?(\S+)$/.exec(backup.description ?? "") : null;
  const restored = match?.[2];
  if (restored === undefined) return backup.description;
  const what = match?.[1] ? `taking back ${match[1]} from` : "restoring";
  const known = all.find((b) => b.id === restored);
  if (known) return `Before ${what} the backup from ${formatDateTime(known.created_at)}`;
  const named = dateOfBackupId(restored);
  return named ? `Before ${what} the backup from ${formatDateTime(named)}` : "Before a restore";
}
