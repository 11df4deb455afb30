// The choices of one database's settings that are a list to pick from: the compression level,
// changes-only backups (automatic, always, never), and the share of lost rows worth an alert.

import type { SourceView } from "../../types";

export function CompressionLevel({ source, onChange, busy }: { source: SourceView; onChange: (level: number) => void; busy: boolean }) {
  return (
    <label>
      Compression
      <select value={source.level} onChange={(e) => onChange(Number(e.target.value))} disabled={busy} data-testid="compression-level">
        {Array.from({ length: 9 }, (_, i) => i + 1).map((level) => (
          <option key={level} value={level}>
            {level}
            {level === 1 ? " (fastest, larger files)" : level === 6 ? " (balanced, recommended)" : level === 9 ? " (smallest files, slowest)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The `incremental` setting as the select knows it: automatic (null), on, off. */
type SaveSpaceChoice = "auto" | "true" | "false";

const INCREMENTAL: Record<SaveSpaceChoice, boolean | null> = { auto: null, true: true, false: false };

export function SaveSpace({ source, onChange, busy }: { source: SourceView; onChange: (incremental: boolean | null) => void; busy: boolean }) {
  const value: SaveSpaceChoice = source.incremental === null ? "auto" : source.incremental ? "true" : "false";
  return (
    <label>
      Save space: back up only what changed
      <select value={value} onChange={(e) => onChange(INCREMENTAL[e.target.value as SaveSpaceChoice])} disabled={busy} data-testid="save-space">
        <option value="auto">Automatic (for databases of 64 MB and more)</option>
        <option value="true">Always</option>
        <option value="false">Never: every backup is a full copy</option>
      </select>
      <span className="muted small">
        A changes-only backup keeps just the parts of the database that changed since the backup before it, so it is much smaller.
        Restoring it also reads the backups it builds on; Keepsake makes a full copy again from time to time.
      </span>
    </label>
  );
}

const ROW_LOSS_CHOICES = [10, 20, 30, 50];

/** When a table losing rows between two backups is worth an alert (0: never). */
export function RowLossAlert({ source, onChange, busy }: { source: SourceView; onChange: (percent: number) => void; busy: boolean }) {
  const value = String(source.row_loss_alert_percent);
  const choices = ROW_LOSS_CHOICES.includes(source.row_loss_alert_percent) || source.row_loss_alert_percent === 0
    ? ROW_LOSS_CHOICES
    : [...ROW_LOSS_CHOICES, source.row_loss_alert_percent].sort((a, b) => a - b);
  return (
    <label>
      Warn me when a table loses rows
      <select value={value} onChange={(e) => onChange(Number(e.target.value))} disabled={busy} data-testid="row-loss-alert">
        {choices.map((p) => (
          <option key={p} value={String(p)}>
            When it loses more than {p}% of its rows{p === 20 ? " (recommended)" : ""}
          </option>
        ))}
        <option value="0">Never</option>
      </select>
      <span className="muted small">
        After each backup Keepsake compares the tables with the backup before. A table emptied or gone, or one that lost this many
        rows, is announced, and the backup from before is kept until you say it was you.
      </span>
    </label>
  );
}
