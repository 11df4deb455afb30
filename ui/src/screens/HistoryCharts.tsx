// History's charts (recharts): original and stored size over time, how long backups took, how
// well they compress, and successful and failed backup runs per day. Each chart has a one-line
// text summary for screen readers and a `data-points` count for end-to-end tests.

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import { formatAxisDuration, formatBytes, formatDateTime, formatDuration, formatPercent, formatShortDate, localDay } from "../format";
import type { BackupMetadata, RunRecord } from "../types";

const CHART_STYLE = { width: "100%", height: 220 } as const;
const MARGIN = { top: 8, right: 16, bottom: 0, left: 8 } as const;

interface Point {
  t: number;
  original: number;
  stored: number;
  duration: number;
  ratio: number | null;
}

interface Day {
  day: string;
  succeeded: number;
  failed: number;
}

export function toPoints(backups: BackupMetadata[]): Point[] {
  return backups
    .map((b) => ({
      t: Date.parse(b.created_at),
      original: b.original_size,
      stored: b.stored_size,
      duration: b.duration_ms,
      ratio: b.original_size > 0 ? b.stored_size / b.original_size : null,
    }))
    .sort((a, b) => a.t - b.t);
}

/** Backup runs per local day, oldest first. */
export function runsPerDay(history: RunRecord[]): Day[] {
  const days = new Map<string, Day>();
  for (const run of history) {
    if (run.operation !== "backup" || (run.status !== "success" && run.status !== "failed")) continue;
    const key = localDay(run.started_at);
    const day = days.get(key) ?? { day: key, succeeded: 0, failed: 0 };
    if (run.status === "success") day.succeeded += 1;
    else day.failed += 1;
    days.set(key, day);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

const timeAxis = (
  <XAxis
    dataKey="t"
    type="number"
    scale="time"
    domain={["dataMin", "dataMax"]}
    tickFormatter={(t: number) => formatShortDate(t)}
    stroke="var(--muted)"
  />
);

/** One bar per backup (a time axis would make bars hair-thin). */
const backupAxis = (
  <XAxis dataKey="t" type="category" tickFormatter={(t: number) => formatShortDate(t)} stroke="var(--muted)" minTickGap={16} />
);

const dayLabel = (day: string) => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return formatShortDate(new Date(y, m - 1, d).getTime());
};

const labelTime = (t: unknown) => (typeof t === "number" ? formatDateTime(new Date(t).toISOString()) : String(t));

export function HistoryCharts({ backups, history }: { backups: BackupMetadata[]; history: RunRecord[] }) {
  const points = toPoints(backups);
  const days = runsPerDay(history);
  const latest = points[points.length - 1];
  const ratios = points.filter((p) => p.ratio !== null);
  const meanRatio = ratios.length ? ratios.reduce((sum, p) => sum + (p.ratio ?? 0), 0) / ratios.length : null;
  const failedRuns = days.reduce((sum, d) => sum + d.failed, 0);
  const okRuns = days.reduce((sum, d) => sum + d.succeeded, 0);

  return (
    <div className="charts">
      <Chart
        id="size"
        title="Size over time"
        points={points.length}
        summary={
          latest
            ? `Latest backup: ${formatBytes(latest.original)}, stored in ${formatBytes(latest.stored)}.`
            : "No backups yet."
        }
      >
        <LineChart data={points} style={CHART_STYLE} responsive margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          {timeAxis}
          <YAxis tickFormatter={(v: number) => formatBytes(v)} width={72} stroke="var(--muted)" />
          <Tooltip labelFormatter={labelTime} formatter={(v) => formatBytes(Number(v))} />
          <Legend />
          <Line type="monotone" dataKey="original" name="Database size" stroke="var(--chart-1)" dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="stored" name="Stored size" stroke="var(--chart-2)" dot={false} isAnimationActive={false} />
        </LineChart>
      </Chart>

      <Chart
        id="duration"
        title="How long each backup took"
        points={points.length}
        summary={latest ? `The latest backup took ${formatDuration(latest.duration)}.` : "No backups yet."}
      >
        <BarChart data={points} style={CHART_STYLE} responsive margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          {backupAxis}
          <YAxis tickFormatter={(v: number) => formatAxisDuration(v)} width={56} stroke="var(--muted)" />
          <Tooltip labelFormatter={labelTime} formatter={(v) => formatDuration(Number(v))} />
          <Bar dataKey="duration" name="Time taken" fill="var(--chart-1)" maxBarSize={32} isAnimationActive={false} />
        </BarChart>
      </Chart>

      <Chart
        id="ratio"
        title="Compression (stored size as a share of the original)"
        points={ratios.length}
        summary={meanRatio === null ? "No backups yet." : `On average a backup takes ${formatPercent(meanRatio)} of the database's size.`}
      >
        <LineChart data={ratios} style={CHART_STYLE} responsive margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          {timeAxis}
          <YAxis domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} width={56} stroke="var(--muted)" />
          <Tooltip labelFormatter={labelTime} formatter={(v) => formatPercent(Number(v))} />
          <Line type="monotone" dataKey="ratio" name="Stored / original" stroke="var(--chart-2)" isAnimationActive={false} />
        </LineChart>
      </Chart>

      <Chart
        id="runs"
        title="Backups per day"
        points={days.length}
        summary={`${okRuns} succeeded and ${failedRuns} failed over ${days.length} ${days.length === 1 ? "day" : "days"}.`}
      >
        <BarChart data={days} style={CHART_STYLE} responsive margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="day" tickFormatter={dayLabel} stroke="var(--muted)" />
          <YAxis allowDecimals={false} width={40} stroke="var(--muted)" />
          <Tooltip labelFormatter={(d) => dayLabel(String(d))} />
          <Legend />
          {/* Failed runs striped, not only red: told apart without colour too. */}
          <defs>
            <pattern id="runs-failed" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="8" height="8" fill="var(--bad)" />
              <line x1="0" y1="0" x2="0" y2="8" stroke="var(--surface)" strokeWidth="3" />
            </pattern>
          </defs>
          <Bar dataKey="succeeded" name="Succeeded" stackId="runs" fill="var(--ok)" maxBarSize={40} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed (striped)" stackId="runs" fill="url(#runs-failed)" stroke="var(--bad)" maxBarSize={40} isAnimationActive={false} />
        </BarChart>
      </Chart>
    </div>
  );
}

function Chart({
  id,
  title,
  summary,
  points,
  children,
}: {
  id: string;
  title: string;
  summary: string;
  points: number;
  children: ReactNode;
}) {
  return (
    <figure className="chart card" data-testid={`chart-${id}`} data-points={points} aria-labelledby={`chart-${id}-title`}>
      <figcaption id={`chart-${id}-title`}>
        <strong>{title}</strong>
        <span className="muted"> {summary}</span>
      </figcaption>
      {points > 0 ? children : <p className="muted">Nothing to show yet.</p>}
    </figure>
  );
}
