// The first run's answers as a pure reducer: which database (an app found by "Find my databases",
// a file, or the demo), where backups
// go, the password (or a clear "no encryption"), when to back up, and a database brought back
// from a copy elsewhere on the way (which fills in the file and the password). Problems are shown
// once the person tried to finish. The screen makes the source from these answers.

import { EMPTY_PASSWORD, passwordProblem, type PasswordValue } from "../../components/PasswordFields";
import type { FoundApp, Schedule } from "../../types";
import type { Restored } from "../fromCopy/wizard";

export type ScheduleChoice = "daily" | "hourly" | "weekly" | "none";

/** The recommended schedule: the first run's default, and an app protected from Settings. */
export const RECOMMENDED_SCHEDULE: Schedule = { kind: "daily", time: "02:00" };

/** The schedules offered here (any other is a click away in Schedule), as the shell takes them. */
export const SCHEDULES: readonly { choice: ScheduleChoice; schedule: Schedule | null; label: string }[] = [
  { choice: "daily", schedule: RECOMMENDED_SCHEDULE, label: "Every day at 02:00, or as soon as the computer is on again (recommended)" },
  { choice: "hourly", schedule: { kind: "hourly", minute: 0 }, label: "Every hour" },
  { choice: "weekly", schedule: { kind: "weekly", weekday: "monday", time: "02:00" }, label: "Every Monday at 02:00" },
  { choice: "none", schedule: null, label: "Only when I click Back up now" },
];

/** Where a second copy of the backups goes: the plain choices first, online storage later. */
export type SecondPlaceChoice = "disk" | "synced" | "online" | "later";

/** The second places offered, in the person's words. */
export const SECOND_PLACES: readonly { choice: SecondPlaceChoice; label: string; hint: string }[] = [
  { choice: "disk", label: "An external disk or USB stick", hint: "Plug it in and choose a folder on it. Copies are made whenever it is plugged in." },
  { choice: "synced", label: "A synced folder (Dropbox, Nextcloud, OneDrive, …)", hint: "Choose a folder inside it: its app sends the copies off this computer." },
  { choice: "online", label: "Online storage (Amazon S3 and others)", hint: "Set it up after this, in Settings under Copies elsewhere." },
  { choice: "later", label: "Not now", hint: "Your backups stay on this computer only: a failing disk or a lost laptop would take them too." },
];

/** The clean-up rule every new database gets, in one line (RetentionPolicy::recommended in the engine). */
export const CLEANUP_LINE =
  "Old backups are cleaned up for you: all from the last 2 days, then one a day for a week, one a week for a month and one a month for a year.";

export interface FirstRunState {
  /** The demo database instead of one of the person's. */
  demo: boolean;
  /** An app found by "Find my databases", protected whole instead of one file. */
  app: FoundApp | null;
  name: string;
  database: string;
  backupDir: string;
  encrypt: boolean;
  password: PasswordValue;
  schedule: ScheduleChoice;
  /** Finishing was tried: problems are said from now on. */
  tried: boolean;
  /** The lost-computer restore is open instead of the questions. */
  fromCopy: boolean;
  /** A database restored from a copy elsewhere: new backups are copied there again. */
  restored: Restored | null;
  /** Start Keepsake when the person logs in, so scheduled backups run (on unless turned off). */
  startAtLogin: boolean;
  /** Where a second copy goes. */
  secondPlace: SecondPlaceChoice;
  /** The folder on the external disk or in the synced folder. */
  secondFolder: string;
}

export type FirstRunAction =
  | { type: "use_demo"; on: boolean }
  | { type: "use_app"; app: FoundApp | null }
  | { type: "name"; text: string }
  | { type: "database"; path: string }
  | { type: "backup_dir"; path: string }
  | { type: "encrypt"; on: boolean }
  | { type: "password"; value: PasswordValue }
  | { type: "schedule"; choice: ScheduleChoice }
  | { type: "submitted" }
  | { type: "from_copy"; open: boolean }
  | { type: "restored"; restored: Restored }
  | { type: "start_at_login"; on: boolean }
  | { type: "second_place"; choice: SecondPlaceChoice }
  | { type: "second_folder"; path: string };

export const initialState: FirstRunState = {
  demo: false,
  app: null,
  name: "",
  database: "",
  backupDir: "",
  encrypt: true,
  password: EMPTY_PASSWORD,
  schedule: "daily",
  tried: false,
  fromCopy: false,
  restored: null,
  startAtLogin: true,
  secondPlace: "later",
  secondFolder: "",
};

export function firstRunReducer(state: FirstRunState, action: FirstRunAction): FirstRunState {
  switch (action.type) {
    case "use_demo":
      return { ...state, demo: action.on, app: action.on ? null : state.app };
    case "use_app":
      return { ...state, app: action.app, demo: action.app ? false : state.demo };
    case "name":
      return { ...state, name: action.text };
    case "database":
      return { ...state, database: action.path };
    case "backup_dir":
      return { ...state, backupDir: action.path };
    case "encrypt":
      return { ...state, encrypt: action.on };
    case "password":
      return { ...state, password: action.value };
    case "schedule":
      return { ...state, schedule: action.choice };
    case "submitted":
      return { ...state, tried: true };
    case "from_copy":
      return { ...state, fromCopy: action.open };
    case "start_at_login":
      return { ...state, startAtLogin: action.on };
    case "second_place":
      return { ...state, secondPlace: action.choice };
    case "second_folder":
      return { ...state, secondFolder: action.path };
    case "restored": {
      const r = action.restored;
      // The database is the restored file; the password that opened its backups protects the new ones.
      const next = { ...state, restored: r, demo: false, app: null, database: r.target, fromCopy: false };
      return r.password ? { ...next, encrypt: true, password: { password: r.password, confirm: r.password, stored: true } } : next;
    }
  }
}

/** "data" for /home/me/app/data.db: a name when the person gives none. */
export function defaultName(path: string): string {
  const file = path.trim().split(/[\\/]/).pop() ?? "";
  const stem = file.replace(/\.(db|sqlite3?|db3)$/i, "");
  return stem || "My database";
}

// Selectors.

/** Why the database answer can't be used yet, or null. */
export function databaseProblem(state: FirstRunState): string | null {
  if (state.demo || state.app) return null;
  return state.database.trim() === "" ? "Choose the database file (or type its path), or use the demo database." : null;
}

/** Why the second place can't be used yet, or null. */
export function secondPlaceProblem(state: FirstRunState): string | null {
  if ((state.secondPlace === "disk" || state.secondPlace === "synced") && state.secondFolder.trim() === "") {
    return state.secondPlace === "disk"
      ? "Choose a folder on the external disk, or pick “Not now”."
      : "Choose a folder inside the synced folder, or pick “Not now”.";
  }
  return null;
}

/** What stops finishing, or null: the database first, then the password (when encrypting), then the second place. */
export function problemOf(state: FirstRunState): string | null {
  return databaseProblem(state) ?? (state.encrypt ? passwordProblem(state.password) : null) ?? secondPlaceProblem(state);
}

/** The second place as a destination's name and folder, when one was chosen. */
export function secondFolderOf(state: FirstRunState): { name: string; path: string } | null {
  const path = state.secondFolder.trim();
  if (state.demo || path === "") return null;
  if (state.secondPlace === "disk") return { name: "External disk", path };
  if (state.secondPlace === "synced") return { name: "Synced folder", path };
  return null;
}

/** The name the source gets: the app's, the one typed, or the file's. */
export function sourceName(state: FirstRunState): string {
  return state.app?.name ?? (state.name.trim() || defaultName(state.database));
}

/** The schedule chosen, as the shell takes it (null: only when asked). */
export function scheduleOf(state: FirstRunState): Schedule | null {
  return SCHEDULES.find((s) => s.choice === state.schedule)?.schedule ?? null;
}
