// How numbers and times read in the window: sizes in KB/MB, "2 hours ago", "in 5 hours",
// durations and local date-times. Pure functions; `now` is a parameter so tests can pin it.

const UNITS = ["bytes", "KB", "MB", "GB", "TB"] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "3 s", "1 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** Time left of a job, in whole seconds: "about 3 s left" rather than "401 ms". */
export function formatRemaining(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1500) return "a second";
  return formatDuration(Math.round(ms / 1000) * 1000);
}

/** Axis labels for durations: "0.5 s", "1.5 s", "12 s", "2 min". */
export function formatAxisDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  return formatDuration(ms);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "2 hours ago", "in 5 hours", "yesterday". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "at an unknown time";
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  // Either side of now reads "just now": `now` may lag a few seconds behind a fresh backup.
  if (abs < 45) return "just now";
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), "day");
  if (abs < 320 * 86400) return relative.format(Math.round(seconds / (30 * 86400)), "month");
  return relative.format(Math.round(seconds / (365 * 86400)), "year");
}

// Every time reads on the 24-hour clock, as the schedule's own words do ("Every day at 14:30")
// and its time fields: one "14:30" never sits beside a "02:30 PM".
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
const weekdayDateTime = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" });

/** "Nov 29, 2026, 06:34", or with seconds ("06:34:12") to tell apart times in the same minute. */
export function formatDateTime(iso: string, seconds = false): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  return (seconds ? dateTimeSeconds : dateTime).format(then);
}

/**
 * A backup's time, told apart from every other backup in `all`: with seconds when another was made
 * in the same minute, and "(2 of 3)" when others were made in the same second.
 */
export function backupWhen(backup: { id: string; created_at: string }, all: readonly { id: string; created_at: string }[]): string {
  const seconds = sameMinute(all.map((b) => b.created_at)).has(backup.created_at);
  const when = formatDateTime(backup.created_at, seconds);
  const twins = all.filter((b) => formatDateTime(b.created_at, true) === formatDateTime(backup.created_at, true));
  if (twins.length < 2) return when;
  const sorted = [...twins].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id.localeCompare(b.id));
  return `${when} (${sorted.findIndex((b) => b.id === backup.id) + 1} of ${twins.length})`;
}

/** The times (ISO strings) that share their minute with another in `times`: shown with seconds. */
export function sameMinute(times: readonly string[]): Set<string> {
  const count = new Map<string, number>();
  const minuteOf = (iso: string) => formatDateTime(iso);
  for (const t of times) count.set(minuteOf(t), (count.get(minuteOf(t)) ?? 0) + 1);
  return new Set(times.filter((t) => (count.get(minuteOf(t)) ?? 0) > 1));
}

/** "Monday 3 March, 02:00": for upcoming scheduled runs. */
export function formatRunTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? iso : weekdayDateTime.format(then);
}

export function formatShortDate(ms: number): string {
  return shortDate.format(ms);
}

/** The local calendar day of a time, as YYYY-MM-DD (for grouping runs per day). */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const month = String(d.getMonth() + 1).padStart(2, "0");
  const day = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${month}-${day}`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "—";
  return `${Math.round(fraction * 100)}%`;
}

/** Plural helper: plural(3, "backup") = "3 backups". */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}

/** The time in a backup id (`backup_YYYYMMDD_HHMMSS_…`, UTC) as an ISO string; `null` for another name. */
export function dateOfBackupId(id: string): string | null {
  const m = /^backup_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec] = m;
  const at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}
