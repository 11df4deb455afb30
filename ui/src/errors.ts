// Errors from the shell. Every command rejects with `{ code, message, facts }` (bindings'
// `IpcError`); `toApiError` turns that (or anything else a rejected `invoke` produced) into an
// `ApiError`. How each is worded is in errorWords.ts (re-exported here): `ERROR_WORDING` is a
// `Record<Code, ...>`, and the runtime list of known codes is that table's keys, so it cannot
// drift from the generated `Code`. The engine's message names the file (it goes in the "Details"
// fold); the wording is what a person reads.

import { ERROR_WORDING, wordingFor, type Wording } from "./errorWords";
import { dateOfBackupId, formatBytes, formatDateTime } from "./format";
import type { Code, Facts } from "./types";

export {
  confirmationReasons,
  ERROR_WORDING,
  NEEDED_BY_LATER_WORDING,
  NOT_PICKED_WORDING,
  wordingFor,
  type ConfirmationReasons,
  type Wording,
} from "./errorWords";

/** A failed command: the code picks the wording, the message names the file, the facts say what it is about. */
export class ApiError extends Error {
  readonly code: Code;
  readonly facts: Facts;
  readonly command: string;

  constructor(code: Code, message: string, facts: Facts, command: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.facts = facts;
    this.command = command;
  }
}

/** Every code a command can reject with: exactly the keys of `ERROR_WORDING` (so exactly `Code`). */
export const ERROR_CODES = Object.keys(ERROR_WORDING) as readonly Code[];

export function isErrorCode(value: unknown): value is Code {
  return typeof value === "string" && Object.hasOwn(ERROR_WORDING, value);
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
    const facts = typeof record.facts === "object" && record.facts !== null ? (record.facts as Facts) : {};
    if (isErrorCode(record.code)) return new ApiError(record.code, message, facts, command);
    if (typeof record.code === "string") {
      return new ApiError("io", `${record.code}: ${message}`.trim(), facts, command);
    }
    if (raw instanceof Error) return new ApiError("io", raw.message, {}, command);
    return new ApiError("io", message || JSON.stringify(raw), facts, command);
  }
  return new ApiError("io", String(raw), {}, command);
}

/** The target of a restore or an export was not picked in the file dialog (the shell refuses that). */
export function isNotPicked(error: ApiError): boolean {
  return error.code === "invalid_input" && error.facts.reason === "not_picked";
}

/** The wording for any thrown value (a non-`ApiError` is treated as an unexpected I/O error). */
export function describeError(error: unknown): Wording & { code: Code; detail: string } {
  const apiError = toApiError(error, "unknown");
  return { ...wordingFor(apiError.code, apiError.facts), code: apiError.code, detail: detailOf(apiError) };
}

/**
 * The "Details" fold, in words, a line each: the file involved, the backup (by its date), the
 * space needed and free, and Keepsake's own message (what to quote when asking for help).
 */
export function detailOf(error: ApiError): string {
  const { path, backup_id: backupId, needed_bytes: needed, available_bytes: free } = error.facts;
  const lines: string[] = [];
  if (path) lines.push(`File: ${path}`);
  const made = backupId ? dateOfBackupId(backupId) : null;
  if (made) lines.push(`Backup made ${formatDateTime(made, true)}`);
  if (needed != null) lines.push(`Space needed: ${formatBytes(needed)}${free != null ? `; free: ${formatBytes(free)}` : ""}`);
  if (error.message) lines.push(lines.length > 0 ? `Keepsake's message: ${error.message}` : error.message);
  return lines.join("\n");
}
