// Content alerts in words: what changed inside a database between two of its backups that may
// be data loss ("notes: 150 of 300 rows gone since Tuesday"), and what Keepsake did about it.

import { dateOfBackupId, formatDateTime, plural } from "./format";
import type { Alert } from "./types";

const number = (n: number) => n.toLocaleString();

/** Alerts about a change of layout (an app's update): said calmly, not in alarm red. */
export function isCalm(a: Alert): boolean {
  return a.kind === "schema_changed" || a.kind === "user_version_changed";
}

/** The change in one short sentence, in a person's words ("entries", the table's name quoted). */
export function alertTitle(a: Alert, app?: string | null): string {
  const table = a.table ? `“${a.table}”` : "a list";
  const before = a.before ?? 0;
  const after = a.after ?? 0;
  const who = app ?? "The app";
  switch (a.kind) {
    case "table_emptied":
      return `Everything in ${table} is gone (${plural(before, "entry", "entries")} before)`;
    case "rows_lost":
      return `${number(before - after)} of ${number(before)} entries in ${table} are gone`;
    case "table_gone":
      return `${a.table ? `“${a.table}”` : "A list"} is gone, with its ${plural(before, "entry", "entries")}`;
    case "schema_changed":
      return `${who} changed how it stores its data`;
    case "user_version_changed":
      return `${who} was updated (its data version went from ${a.before ?? "?"} to ${a.after ?? "?"})`;
    case "integrity_failed":
      return `The data of ${app ?? "this database"} is damaged`;
  }
}

/** When it was noticed, and what is kept because of it, each said once. */
export function alertDetail(a: Alert): string {
  const noticed = dateOfBackupId(a.backup_id);
  const previous = a.previous_id ? dateOfBackupId(a.previous_id) : null;
  const kept = a.pinned ? dateOfBackupId(a.pinned) : null;
  const parts: string[] = [];
  if (noticed && previous) {
    // Two backups of the same minute are told apart by their seconds.
    const seconds = formatDateTime(previous) === formatDateTime(noticed);
    parts.push(`Seen between the backups of ${formatDateTime(previous, seconds)} and ${formatDateTime(noticed, seconds)}.`);
  } else if (noticed) {
    parts.push(`Seen in the backup of ${formatDateTime(noticed)}.`);
  }
  if (isCalm(a)) {
    parts.push("This is normal after an update: nothing is lost.");
  } else if (kept && a.pinned === a.previous_id) {
    parts.push("That earlier backup is kept safe, so you can get them back.");
  } else if (kept) {
    parts.push(`The backup of ${formatDateTime(kept)} is kept safe, so you can get them back.`);
  }
  if (a.kind === "integrity_failed") parts.push("While it is damaged, Keepsake deletes none of its backups.");
  return parts.join(" ");
}
