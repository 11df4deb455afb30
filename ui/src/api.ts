// The one module that talks to the Tauri shell. Every command the window uses is a typed
// function here with the same verb as the engine and the shell command (`create_backup` <->
// `api.createBackup`), and every rejection becomes an `ApiError` carrying a stable error code, so
// screens can choose wording by code instead of parsing strings. Nothing else in src/ may import
// `@tauri-apps/*` (ESLint enforces it); tests fake the shell underneath this module.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import {
  isErrorCode,
  type AppState,
  type BackupMetadata,
  type CleanupPlan,
  type ErrorCode,
  type ErrorFacts,
  type JobProgress,
  type NotificationLevel,
  type RestoreOutcome,
  type RunRecord,
  type SchedulePreview,
  type SourceField,
  type SourceView,
  type Stats,
  type TableComparison,
  type VerifyReport,
} from "./types";

/** A failed command: the code picks the wording, the message names the file, the facts say what it is about. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly facts: ErrorFacts;
  readonly command: string;

  constructor(code: ErrorCode, message: string, facts: ErrorFacts, command: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.facts = facts;
    this.command = command;
  }
}

/**
 * Turns whatever a rejected `invoke` produced into an `ApiError`. The shell sends
 * `{code, message, facts}`; anything else (a Tauri-level failure such as an unknown command, or a
 * code this window does not know yet) becomes `io` with the original text kept as the message.
 */
export function toApiError(raw: unknown, command: string): ApiError {
  if (raw instanceof ApiError) return raw;
  if (typeof raw === "object" && raw !== null) {
    const record = raw as Record<string, unknown>;
    const message = typeof record.message === "string" ? record.message : "";
    const facts = typeof record.facts === "object" && record.facts !== null ? (record.facts as ErrorFacts) : {};
    if (isErrorCode(record.code)) return new ApiError(record.code, message, facts, command);
    if (typeof record.code === "string") {
      return new ApiError("io", `${record.code}: ${message}`.trim(), facts, command);
    }
    if (raw instanceof Error) return new ApiError("io", raw.message, {}, command);
    return new ApiError("io", message || JSON.stringify(raw), facts, command);
  }
  return new ApiError("io", String(raw), {}, command);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toApiError(raw, command);
  }
}

/** A fresh id for a long-running job, so its progress events and its Cancel can find it. */
export function newJobId(): string {
  const random = globalThis.crypto?.randomUUID?.();
  return random ?? `job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

// --- State -------------------------------------------------------------------------------

export const appState = () => call<AppState>("app_state");

// --- Backups -----------------------------------------------------------------------------

export const listBackups = (source: string, limit?: number) =>
  call<BackupMetadata[]>("list_backups", { source, limit });

export const getStats = (source: string) => call<Stats>("get_stats", { source });

export const getHistory = (source: string, limit?: number) =>
  call<RunRecord[]>("get_history", { source, limit });

export const createBackup = (args: { source: string; jobId: string; description?: string; tags?: string[] }) =>
  call<BackupMetadata>("create_backup", args);

export const verifyBackup = (args: { source: string; id: string; jobId: string }) =>
  call<VerifyReport>("verify_backup", args);

export const restoreBackup = (args: {
  source: string;
  id: string;
  jobId: string;
  verifyFirst: boolean;
  target?: string;
  allowForeign?: boolean;
  allowUnencrypted?: boolean;
}) => call<RestoreOutcome>("restore_backup", args);

export const undoRestore = (args: { source: string; jobId: string }) =>
  call<RestoreOutcome>("undo_restore", args);

export const compareBackup = (source: string, id: string) =>
  call<TableComparison[]>("compare_backup", { source, id });

export const deleteBackup = (source: string, id: string) => call<void>("delete_backup", { source, id });

export const previewCleanup = (source: string) => call<CleanupPlan>("preview_cleanup", { source });

export const applyCleanup = (source: string) => call<unknown>("apply_cleanup", { source });

export const cancelJob = (jobId: string) => call<void>("cancel_job", { jobId });

// --- Sources and settings ----------------------------------------------------------------

export const addSource = (args: { name: string; database: string; backupDir?: string; schedule?: string }) =>
  call<SourceView>("add_source", args);

/** Changes one setting of a source; every value travels as text, and "none" clears it. */
export const updateSource = (name: string, field: SourceField, value: string) =>
  call<SourceView>("update_source", { name, field, value });

export const removeSource = (name: string) => call<void>("remove_source", { name });

export const createDemoSource = () => call<SourceView>("create_demo_source");

export const previewSchedule = (expr: string, count = 5) =>
  call<SchedulePreview>("preview_schedule", { expr, count });

export const setPassword = (password: string) => call<void>("set_password", { password });

export const setNotificationLevel = (level: NotificationLevel) =>
  call<void>("set_notification_level", { level });

export const setAutostart = (enabled: boolean) => call<void>("set_autostart", { enabled });

export const setPaused = (paused: boolean) => call<void>("set_paused", { paused });

/** The system's file dialog: a database file or a backup folder; `null` when cancelled. */
export const choosePath = (kind: "database" | "folder", start?: string) =>
  call<string | null>("choose_path", { kind, start: start?.trim() || undefined });

// --- Events ------------------------------------------------------------------------------

export type Unsubscribe = () => void;

/** Progress of every running job; filter by `job_id`. */
export const onJobProgress = (handler: (progress: JobProgress) => void): Promise<Unsubscribe> =>
  listen<JobProgress>("job-progress", (event) => handler(event.payload));

/** Something changed behind the window's back (a scheduled backup, the tray): refetch. */
export const onStateChanged = (handler: () => void): Promise<Unsubscribe> =>
  listen("state-changed", () => handler());
