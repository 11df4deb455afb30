// What restoring a backup would change, in words: table by table from the row-by-row comparison
// ("5 rows come back"), or from the row counts recorded with the backup when the comparison could
// not run ("50 rows fewer"), each summed up in a sentence or two; and what changed between two
// backups (Inside's "Compare with another backup"). The shell counts; the words are here.

import { formatDateTime, plural } from "./format";
import type { BackupMetadata, TableChange, TableDiff } from "./types";

/** "1 row comes back", "3 rows come back". */
function rowPhrase(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? `row ${one}` : `rows ${many}`}`;
}

function sentence(parts: string[]): string {
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : (parts[0] ?? "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What restoring does to one table, in words. */
export function rowWords(r: TableChange): string {
  if (r.backup_rows === null) return `Removed: it was added since the backup (${plural(r.current_rows ?? 0, "row")})`;
  if (r.current_rows === null) return `Comes back, with ${plural(r.backup_rows, "row")} (it isn't in the database now)`;
  const parts: string[] = [];
  if (r.brought_back > 0) parts.push(rowPhrase(r.brought_back, "comes back", "come back"));
  if (r.changed !== null && r.changed > 0) parts.push(rowPhrase(r.changed, "gets its earlier values back", "get their earlier values back"));
  if (r.removed > 0) parts.push(rowPhrase(r.removed, "added since goes", "added since go"));
  if (r.changed === null) parts.push("its columns changed since, so only the counts are compared");
  return parts.length === 0 ? "No change" : sentence(parts);
}

/** The news of a restore in one or two sentences: the tables it changes most, in words. */
export function summariseRows(all: TableChange[], backup: BackupMetadata): string {
  const when = formatDateTime(backup.created_at);
  const tables = all.filter((r) => !r.internal);
  const weight = (r: TableChange) => (r.backup_rows === null || r.current_rows === null ? (r.backup_rows ?? r.current_rows ?? 0) + 1 : r.brought_back + r.removed + (r.changed ?? 1));
  const changed = tables.filter((r) => rowWords(r) !== "No change").sort((a, b) => weight(b) - weight(a));
  if (changed.length === 0) return `The database holds the same rows now as the backup from ${when}: restoring it changes nothing.`;
  const top = changed.slice(0, 3).map((r) => `${r.table}: ${rowWords(r).charAt(0).toLowerCase()}${rowWords(r).slice(1)}`);
  const more = changed.length > 3 ? ` (and ${plural(changed.length - 3, "more table")})` : "";
  return `Restoring puts the data back as it was on ${when}. ${top.join("; ")}${more}.`;
}

/** What restoring does to one table, from the row counts alone. */
export function changeWords(r: TableDiff): string {
  if (r.current_rows === null) return "Comes back (not in the database now)";
  const diff = r.backup_rows - r.current_rows;
  if (diff === 0) return "Same number of rows";
  return diff > 0 ? `${plural(diff, "row")} more` : `${plural(-diff, "row")} fewer`;
}

/** The news of a restore from the row counts alone. */
export function summariseCounts(rows: TableDiff[], backup: BackupMetadata): string {
  const changed = rows.filter((r) => r.current_rows !== r.backup_rows).length;
  const when = formatDateTime(backup.created_at);
  if (changed === 0) return `Every table has the same number of rows now as in the backup from ${when}.`;
  return `Restoring puts ${plural(rows.length, "table")} back as they were on ${when}; ${plural(changed, "table")} ${
    changed === 1 ? "differs" : "differ"
  } from now. Rows added since then will be gone.`;
}

/** What changed in one table from the older backup to the newer, in words; `null` when nothing did. */
export function sinceWords(c: TableChange): string | null {
  if (c.backup_rows === null) return `added (${plural(c.current_rows ?? 0, "row")})`;
  if (c.current_rows === null) return `gone (it had ${plural(c.backup_rows, "row")})`;
  const parts: string[] = [];
  if (c.brought_back > 0) parts.push(`${c.brought_back.toLocaleString()} ${c.brought_back === 1 ? "row" : "rows"} gone`);
  if (c.removed > 0) parts.push(`${c.removed.toLocaleString()} added`);
  if (c.changed === null) parts.push("its columns changed");
  else if (c.changed > 0) parts.push(`${c.changed.toLocaleString()} changed`);
  return parts.length === 0 ? null : parts.join(", ");
}
