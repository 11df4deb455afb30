// "This week": the last seven days of every database in a few lines (backups made, failed,
// checked, the room they take, copies elsewhere, alerts), as the weekly notification sums it up.
// Clicking that notification opens History here.

import * as api from "../api";
import { alertTitle } from "../alerts";
import { formatBytes, plural } from "../format";
import { useQuery } from "../hooks";
import type { SourceReport } from "../types";

/** One database's week in words. */
export function weekLines(r: SourceReport): { text: string; tone: "ok" | "warn" | "bad" }[] {
  const w = r.report;
  if (!w) return [{ text: `Its backups can't be read: ${r.error ?? "unknown error"}`, tone: "bad" }];
  const lines: { text: string; tone: "ok" | "warn" | "bad" }[] = [];
  const checked = w.verified > 0 ? `, ${w.verified} checked` : "";
  lines.push({ text: `${plural(w.made, "backup")} made${checked}`, tone: w.made > 0 ? "ok" : "warn" });
  if (w.failed > 0) lines.push({ text: `${plural(w.failed, "backup")} failed`, tone: "bad" });
  if (w.verify_failed > 0) lines.push({ text: `${plural(w.verify_failed, "backup")} failed ${w.verify_failed === 1 ? "its" : "their"} check`, tone: "bad" });
  lines.push({ text: `${formatBytes(w.space_used)} used by ${plural(w.backups_kept, "backup")}`, tone: "ok" });
  const copies = Object.entries(w.copies);
  lines.push(
    copies.length > 0
      ? { text: `Copied elsewhere: ${copies.map(([d, n]) => `${n ?? 0} to ${d}`).join(", ")}`, tone: "ok" }
      : { text: "No copies elsewhere this week", tone: "ok" },
  );
  for (const a of w.alerts) lines.push(a.dismissed_at ? { text: `${alertTitle(a)} (dismissed)`, tone: "ok" } : { text: alertTitle(a), tone: "bad" });
  return lines;
}

export function WeeklyReport() {
  const week = useQuery("weekly_report", api.weeklyReport);
  if (!week.data || week.data.length === 0) return null;
  return (
    <section className="card weekly" aria-labelledby="weekly-title" data-testid="weekly-report">
      <h2 id="weekly-title">The last 7 days</h2>
      {week.data.map((r) => (
        <div key={r.source} data-testid="weekly-source" data-source={r.source}>
          <strong>{r.source}</strong>
          <ul>
            {weekLines(r).map((l) => (
              <li key={l.text} className={`tone-${l.tone}`}>
                {l.text}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
