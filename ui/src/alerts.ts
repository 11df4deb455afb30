// Content alerts in words: what changed inside a database between two of its backups that may
// be data loss ("notes: 150 of 300 rows gone since Tuesday"), and what Keepsake did about it.

import { dateOfBackupId, formatDateTime, plural } from "./format";
import type { Alert } from "./types";

const number = (n: number) => n.toLocaleString();

/** The change in one short sentence. */
export function alertTitle(a: Alert): string {
  const table = a.table ?? "a table";
  const before = a.before ?? 0;
  const after = a.after ?? 0;
  switch (a.kind) {
    case "table_emptied":
      return `${table}: all ${plural(before, "row")} are gone`;
    case "rows_lost":
      return `${table}: ${number(before - after)} of ${number(before)} rows are gone`;
    case "table_gone":
      return `The table ${table} is gone (it had ${plural(before, "row")})`;
    case "schema_changed":
      return "The app changed the layout of its data (tables or columns)";
    case "user_version_changed":
      return `The app changed its data version, from ${a.before ?? "?"} to ${a.after ?? "?"}`;
    case "integrity_failed":
      return "The database is damaged: it fails SQLite's own check";
  }
}

/** When it was noticed, and what is kept because of it. */
export function alertDetail(a: Alert): string {
  const noticed = dateOfBackupId(a.backup_id);
  const previous = a.previous_id ? dateOfBackupId(a.previous_id) : null;
  const kept = a.pinned ? dateOfBackupId(a.pinned) : null;
  const parts: string[] = [];
  if (noticed && previous) {
    parts.push(`Noticed in the backup of ${formatDateTime(noticed)}, compared with the one of ${formatDateTime(previous)}.`);
  } else if (noticed) {
    parts.push(`Noticed in the backup of ${formatDateTime(noticed)}.`);
  }
  if (kept) parts.push(`The backup of ${formatDateTime(kept)} is kept (pinned), so cleaning up never deletes it.`);
  if (a.kind === "integrity_failed") parts.push("While the database is damaged, Keepsake deletes none of its backups.");
  if (a.kind === "schema_changed" || a.kind === "user_version_changed") {
    parts.push("This is normal after the app was updated.");
  }
  return parts.join(" ");
}
