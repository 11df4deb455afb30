// What the Home screen says about each database and which problems it lists first, as pure
// functions of the app state and `now`.

import { ERROR_WORDING } from "./errors";
import { formatRelative, formatRunTime } from "./format";
import type { AppStateView, SourceView } from "./types";

export type Tone = "ok" | "warn" | "bad" | "idle";

export interface Status {
  tone: Tone;
  headline: string;
}

/** What decides whether a source is protected beyond the source itself. */
export interface Runs {
  /** Keepsake starts when the person logs in, so scheduled backups run after a restart too. */
  autostart: boolean;
  /** Every scheduled backup is paused. */
  paused: boolean;
}

/**
 * The status line of a source. "Protected" only when all of it is true: the person's own data
 * (not the demo), a recent backup that passed its check, a schedule that will run (set, not
 * paused, Keepsake starting at login) and a copy of the newest backup off this computer's disk
 * (another disk, a synced folder or online). Otherwise an honest middle state saying what is missing.
 */
export function sourceStatus(source: SourceView, now: number, runs: Runs, alarms = 0): Status {
  if (!source.enabled) return { tone: "idle", headline: "Turned off: Keepsake is not backing up this database" };
  // A content alert that may be data loss stands above everything: the line agrees with it.
  if (alarms > 0) return { tone: "bad", headline: "Needs a look: something went missing (see above)" };
  if (source.demo) return { tone: "idle", headline: "A tour with sample data: this is not your data, and nothing of yours is protected yet" };
  const last = source.last_backup;
  if (typeof source.health === "object") {
    const ago = last ? `last backup ${formatRelative(last.created_at, now)}` : "no successful backup";
    return { tone: "bad", headline: `Overdue: ${ago}` };
  }
  if (!last) return { tone: "warn", headline: "Not protected yet: no backup so far" };
  const when = `last backup ${formatRelative(last.created_at, now)}`;
  if (last.verification === "failed") return { tone: "bad", headline: `At risk: the ${when} failed its check` };
  if (!source.schedule) return { tone: "warn", headline: `Backed up only when you click Back up now: ${when}` };
  if (runs.paused || source.paused) return { tone: "warn", headline: `Scheduled backups are paused: ${when}` };
  if (!runs.autostart) {
    return { tone: "warn", headline: `Backups stop when you log out: Keepsake doesn't start when you log in (${when})` };
  }
  const place = source.second_place;
  if (!place) return { tone: "warn", headline: `Backed up on this computer only: add a second place (${when})` };
  if (!place.has_newest) return { tone: "warn", headline: `Backed up on this computer; the copy on ${place.name} isn't there yet (${when})` };
  const checked = last.verification === "passed" ? "verified" : "not verified yet";
  return { tone: "ok", headline: `Protected: ${when}, ${checked}, a copy on ${place.name}` };
}

export function nextRunText(source: SourceView, runs: Runs, now: number): string {
  if (!source.enabled) return "No scheduled backups: this database is turned off.";
  if (!source.schedule) return "No schedule: backups happen when you click Back up now.";
  if (runs.paused || source.paused) return "Scheduled backups are paused.";
  if (!source.next_run) return "No upcoming scheduled backup.";
  const next = `Next backup ${formatRunTime(source.next_run)} (${formatRelative(source.next_run, now)})`;
  // Nothing starts Keepsake again after a restart: the next backup runs only if it is still open.
  return runs.autostart ? `${next}.` : `${next}, if Keepsake is still running then.`;
}

export interface Problem {
  key: string;
  tone: "warn" | "bad";
  title: string;
  action: string;
  /** The source it is about, if any. */
  source?: string;
  /** A button that fixes it. */
  fix?: "settings" | "resume" | "backup" | "autostart";
}

/** The problems worth a person's attention, worst first. */
export function problems(state: AppStateView): Problem[] {
  const list: Problem[] = [];
  const encrypting = state.sources.some((s) => s.enabled && s.encrypt);
  // The keyring only matters to encrypted backups: an unencrypted setup never needs it.
  const keyring = encrypting ? state.keyring : "ok";
  if (keyring === "locked") {
    list.push({
      key: "keyring-locked",
      tone: "bad",
      title: "Your system keyring is locked, so Keepsake can't read the backup password",
      action: "Unlock your keyring (logging in again usually does it). Scheduled backups wait until then.",
    });
  } else if (keyring === "unavailable") {
    list.push({
      key: "keyring-unavailable",
      tone: "bad",
      title: "Keepsake can't reach your system's password store",
      action: "Encrypted backups need it. Check that your keyring service is running, or turn off encryption in Settings.",
      fix: "settings",
    });
  } else if (keyring === "no_password") {
    list.push({
      key: "no-password",
      tone: "bad",
      title: "No backup password is set, so encrypted backups can't run",
      action: "Set a password in Settings.",
      fix: "settings",
    });
  }
  for (const source of state.sources) {
    if (!source.enabled) continue;
    if (typeof source.health === "object") {
      const days = source.health.overdue_days;
      list.push({
        key: `overdue-${source.name}`,
        tone: "bad",
        source: source.name,
        title: `${source.name} hasn't been backed up for ${days} ${days === 1 ? "day" : "days"}`,
        action: "Scheduled backups were missed. Back it up now, and check that Keepsake runs at login.",
        fix: "backup",
      });
    }
    const run = source.last_run;
    const fixedSince = run && source.last_backup && Date.parse(source.last_backup.created_at) > Date.parse(run.started_at);
    if (run && run.status === "failed" && !fixedSince) {
      const wording = run.error_code ? ERROR_WORDING[run.error_code] : null;
      list.push({
        key: `failed-${source.name}`,
        tone: "bad",
        source: source.name,
        title: `The last scheduled backup of ${source.name} failed${wording ? `: ${wording.title}` : ""}`,
        action: wording ? wording.action : "See History for the details, then try Back up now.",
        fix: "backup",
      });
    }
    if (source.last_backup?.verification === "failed") {
      list.push({
        key: `verify-${source.name}`,
        tone: "bad",
        source: source.name,
        title: `The latest backup of ${source.name} failed its check`,
        action: "Make a new backup now; older backups in History may still be good.",
        fix: "backup",
      });
    }
    if (source.health === "never" && !source.last_backup) {
      list.push({
        key: `never-${source.name}`,
        tone: "warn",
        source: source.name,
        title: `${source.name} has no backup yet`,
        action: "Click Back up now to make the first one.",
        fix: "backup",
      });
    }
    if (source.paused && !state.paused) {
      list.push({
        key: `paused-${source.name}`,
        tone: "warn",
        source: source.name,
        title: `Scheduled backups of ${source.name} are paused`,
        action: "Resume them in Schedule when you are ready.",
      });
    }
  }
  const scheduled = state.sources.some((s) => s.enabled && s.schedule && !s.demo);
  if (!state.autostart && scheduled) {
    list.push({
      key: "autostart",
      tone: "warn",
      title: "Keepsake doesn't start when you log in, so scheduled backups stop after a restart",
      action: "Let Keepsake start when you log in: it waits quietly in the background and backs up on time.",
      fix: "autostart",
    });
  }
  if (state.paused && state.sources.some((s) => s.schedule)) {
    list.push({
      key: "paused",
      tone: "warn",
      title: "All scheduled backups are paused",
      action: "Nothing is backed up automatically until you resume.",
      fix: "resume",
    });
  }
  return list.sort((a, b) => (a.tone === b.tone ? 0 : a.tone === "bad" ? -1 : 1));
}
