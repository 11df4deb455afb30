// The data the window receives from the Tauri shell, mirroring the engine's types
// (crates/engine/src/{model,retention,error}.rs) and the shell's views. Field names are the
// engine's snake_case JSON names: they are part of the public contract, so they are not renamed
// here. Times are RFC 3339 strings; sizes are bytes.

/** Every error code a command can reject with: the engine's codes plus the shell's own. */
export const ERROR_CODES = [
  "source_not_found",
  "source_unreadable",
  "not_a_database",
  "source_busy",
  "password_required",
  "wrong_password",
  "backup_not_found",
  "backup_damaged",
  "backup_truncated",
  "unsupported_version",
  "integrity_failed",
  "destination_full",
  "destination_read_only",
  "target_busy",
  "busy",
  "cancelled",
  "invalid_input",
  "io",
  "confirmation_required",
  "target_not_a_database",
  // Added by the shell: the OS keyring cannot be read, a command named no known source, and the
  // system's file dialog could not be used.
  "keyring_unavailable",
  "no_source",
  "dialog_unavailable",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** What an error is about, for the window to word it (every field optional). */
export interface ErrorFacts {
  path?: string;
  backup_id?: string;
  needed_bytes?: number;
  available_bytes?: number;
  /** A snake_case word refining the code, e.g. `foreign` or `unencrypted`. */
  reason?: string;
}

/** What every command rejects with. */
export interface IpcError {
  code: ErrorCode;
  message: string;
  facts: ErrorFacts;
}

export type BackupType = "manual" | "scheduled" | "auto" | "safety";
export type VerificationStatus = "unverified" | "passed" | "failed";

export interface SchemaInfo {
  user_version: number;
  schema_hash: string;
  page_size: number;
  page_count: number;
  journal_mode: string;
}

export interface EncryptionInfo {
  cipher: string;
  kdf: string;
  iterations: number;
  chunk_size: number;
}

export interface BackupMetadata {
  id: string;
  file_name: string;
  created_at: string;
  source_path: string;
  backup_type: BackupType;
  description: string | null;
  tags: string[];
  original_size: number;
  stored_size: number;
  sha256: string;
  encrypted: boolean;
  compressed: boolean;
  codec: string;
  compression_level: number;
  encryption: EncryptionInfo | null;
  schema: SchemaInfo;
  row_counts: Record<string, number>;
  duration_ms: number;
  verification: VerificationStatus;
  verified_at: string | null;
  format_version: number;
}

export interface Check {
  name: string;
  status: "passed" | "failed" | "skipped";
  message: string;
}

export interface VerifyReport {
  backup_id: string;
  ok: boolean;
  code: ErrorCode | null;
  checks: Check[];
  verified_at: string;
  duration_ms: number;
}

export interface RestoreOutcome {
  backup_id: string;
  target: string;
  safety_backup_id: string | null;
  verified: boolean;
  duration_ms: number;
}

export type Operation = "backup" | "verify" | "restore" | "delete" | "cleanup";
export type RunStatus = "success" | "failed" | "cancelled" | "skipped";

export interface RunRecord {
  id: number;
  operation: Operation;
  backup_type: BackupType | null;
  backup_id: string | null;
  source_path: string | null;
  started_at: string;
  duration_ms: number;
  status: RunStatus;
  error_code: ErrorCode | null;
  message: string | null;
}

export interface Stats {
  count: number;
  total_original_size: number;
  total_stored_size: number;
  average_compression_ratio: number | null;
  verified_count: number;
  failed_count: number;
  unverified_count: number;
  oldest: string | null;
  newest: string | null;
  failed_runs: number;
}

export interface PlanEntry {
  id: string;
  created_at: string;
  stored_size: number;
  reasons: string[];
}

export interface CleanupPlan {
  keep: PlanEntry[];
  delete: PlanEntry[];
}

export interface TableComparison {
  table: string;
  backup_rows: number;
  /** Null when the table is not in the current database (or the database is gone). */
  current_rows: number | null;
}

export interface Retention {
  keep_last: number | null;
  keep_within_days: number | null;
  keep_daily: number | null;
  keep_weekly: number | null;
  keep_monthly: number | null;
}

export type Health = "ok" | "never" | { overdue_days: number };

export interface SourceView {
  name: string;
  database: string;
  backup_dir: string;
  enabled: boolean;
  paused: boolean;
  /** The schedule as the engine writes it back: a phrase ("daily 02:00") or a cron expression. */
  schedule: string | null;
  schedule_description: string | null;
  encrypt: boolean;
  compress: boolean;
  level: number;
  verify_after_backup: boolean;
  retention: Retention;
  next_run: string | null;
  last_backup: BackupMetadata | null;
  /** The last scheduled run, whatever its outcome (the shell adds it; a failure shows on Home). */
  last_run?: RunRecord | null;
  health: Health;
}

export type KeyringState = "ok" | "locked" | "unavailable" | "no_password";
export type NotificationLevel = "all" | "problems" | "off";

export interface AppState {
  first_run: boolean;
  sources: SourceView[];
  keyring: KeyringState;
  notification_level: NotificationLevel;
  autostart: boolean;
  paused: boolean;
  /** Where backups go when no folder is chosen (a folder per database inside). */
  backups_root: string;
}

export type JobPhase = "backup" | "verify" | "restore" | "safety_backup" | "integrity_check";

export interface JobProgress {
  job_id: string;
  phase: JobPhase;
  done: number;
  total: number;
}

export interface SchedulePreview {
  description: string;
  next_runs: string[];
}

/** Fields `update_source` accepts; every value travels as a string ("none" clears). */
export type SourceField =
  | "name"
  | "database"
  | "backup_dir"
  | "enabled"
  | "paused"
  | "schedule"
  | "keep_last"
  | "keep_within_days"
  | "keep_daily"
  | "keep_weekly"
  | "keep_monthly"
  | "encrypt"
  | "compress"
  | "level"
  | "verify_after_backup"
  | "overdue_after_days";
