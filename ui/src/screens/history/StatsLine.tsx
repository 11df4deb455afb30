// History's line of statistics: how many backups, their size on disk against the original,
// how many were checked or failed, and what changes-only backups saved.

import { formatBytes, formatPercent, plural } from "../../format";
import type { BackupMetadata, Stats } from "../../types";

/**
 * What the changes-only backups saved: for each one, the size of its full copy minus its own.
 * `null` when there are none (or their full copies are gone from the list).
 */
export function spaceSaved(backups: BackupMetadata[]): { count: number; bytes: number } | null {
  const byId = new Map(backups.map((b) => [b.id, b]));
  let count = 0;
  let bytes = 0;
  for (const b of backups) {
    const full = b.chain ? byId.get(b.chain.full) : undefined;
    if (!full) continue;
    count += 1;
    bytes += Math.max(0, full.stored_size - b.stored_size);
  }
  return count > 0 ? { count, bytes } : null;
}

export function StatsLine({ stats, saved }: { stats: Stats; saved: { count: number; bytes: number } | null }) {
  if (stats.count === 0) return null;
  const parts = [
    plural(stats.count, "backup"),
    `${formatBytes(stats.total_stored_size)} on disk (from ${formatBytes(stats.total_original_size)})`,
    `${stats.verified_count} verified`,
  ];
  if (stats.failed_count > 0) parts.push(`${stats.failed_count} failed their check`);
  if (stats.failed_runs > 0) parts.push(plural(stats.failed_runs, "failed run"));
  if (stats.average_compression_ratio !== null) {
    parts.push(`backups take ${formatPercent(stats.average_compression_ratio)} of the original size`);
  }
  if (saved && saved.bytes > 0) {
    parts.push(`${formatBytes(saved.bytes)} saved by ${plural(saved.count, "changes-only backup")}`);
  }
  return (
    <p className="stats" data-testid="stats">
      {parts.join(" · ")}
    </p>
  );
}
