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
  { choice: "daily", schedule: RECOMMENDED_SCHEDULE, label: "Every day at 02:00 (recommended)" },
  { choice: "hourly", schedule: { kind: "hourly", minute: 0 }, label: "Every hour" },
  { choice: "weekly", schedule: { kind: "weekly", weekday: "monday", time: "02:00" }, label: "Every Monday at 02:00" },
  { choice: "none", schedule: null, label: "Only when I click Back up now" },
];

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
  | { type: "restored"; restored: Restored };

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

/** What stops finishing, or null: the database first, then the password (when encrypting). */
export function problemOf(state: FirstRunState): string | null {
  return databaseProblem(state) ?? (state.encrypt ? passwordProblem(state.password) : null);
}

/** The name the source gets: the app's, the one typed, or the file's. */
export function sourceName(state: FirstRunState): string {
  return state.app?.name ?? (state.name.trim() || defaultName(state.database));
}

/** The schedule chosen, as the shell takes it (null: only when asked). */
export function scheduleOf(state: FirstRunState): Schedule | null {
  return SCHEDULES.find((s) => s.choice === state.schedule)?.schedule ?? null;
}
