// The lost-computer restore's state as a pure reducer: where the copies are and the backup
// password, what was found there (or why nothing could be), the backup chosen, and the new file
// the save dialog answered, with where that dialog opens (where the chosen backup's database
// was). Changing where or the password forgets what was found. The component runs the lookups
// and the restore; the selectors below say what it shows.

import { EMPTY_WHERE, whereOf, type WhereForm } from "../../components/DestinationFields";
import { connectionFailureWords } from "../../copies";
import type { ApiError } from "../../errors";
import type { BackupMetadata, Destination, FolderReport } from "../../types";

/** What was restored, and from where (to keep copying there). */
export interface Restored {
  target: string;
  destination: Destination;
  secret: string | undefined;
  password: string;
}

export interface FromCopyState {
  form: WhereForm;
  /** The backup password typed ("" when the backups are not encrypted). */
  password: string;
  /** What is there, once found. */
  report: FolderReport | null;
  /** Why looking there failed. */
  problem: ApiError | null;
  chosen: string | null;
  /** The new file, as answered by the save dialog ("" until then). */
  target: string;
  /** Where the save dialog opens: where the chosen backup's database was. */
  suggested: string;
}

export type FromCopyAction =
  | { type: "where"; patch: Partial<WhereForm> }
  | { type: "password"; text: string }
  | { type: "found"; report: FolderReport }
  | { type: "not_found"; error: ApiError }
  | { type: "chosen"; backup: BackupMetadata }
  | { type: "target_chosen"; path: string };

export const initialState: FromCopyState = {
  form: { ...EMPTY_WHERE, name: "offsite" },
  password: "",
  report: null,
  problem: null,
  chosen: null,
  target: "",
  suggested: "",
};

export function fromCopyReducer(state: FromCopyState, action: FromCopyAction): FromCopyState {
  switch (action.type) {
    case "where":
      return { ...state, form: { ...state.form, ...action.patch }, report: null, problem: null };
    case "password":
      return { ...state, password: action.text, report: null };
    case "found": {
      // The newest is chosen.
      const first = foundBackups(action.report)[0];
      return { ...state, report: action.report, problem: null, chosen: first?.id ?? null, suggested: first ? first.source_path : "" };
    }
    case "not_found":
      return { ...state, report: null, problem: action.error };
    case "chosen":
      return { ...state, chosen: action.backup.id, suggested: action.backup.source_path };
    case "target_chosen":
      return { ...state, target: action.path };
  }
}

/** The backups found, newest first: those this computer recorded (none on a new one) and the others. */
export function foundBackups(report: FolderReport): BackupMetadata[] {
  return [...report.backups, ...report.foreign]
    .filter((b) => b.concern === null || b.concern === undefined || b.origin === "foreign")
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

// Selectors.

export function found(state: FromCopyState): BackupMetadata[] {
  return state.report ? foundBackups(state.report) : [];
}

/** How many backups there this password doesn't open. */
export function lockedCount(state: FromCopyState): number {
  return state.report ? state.report.files.filter((f) => f.state === "locked").length : 0;
}

/** Why looking there failed, in words a person can act on. */
export function problemWords(state: FromCopyState): string | null {
  return state.problem ? connectionFailureWords(state.problem) : null;
}

/** The secret to send: none when the field is empty. */
export function secretOf(state: FromCopyState): string | undefined {
  return state.form.secret === "" ? undefined : state.form.secret;
}

/** The password to send: none when the backups are not encrypted. */
export function passwordOf(state: FromCopyState): string | undefined {
  return state.password || undefined;
}

export function destinationOf(state: FromCopyState): Destination {
  return whereOf(state.form);
}

/** A backup is chosen and the new file named in the save dialog. */
export function canRestore(state: FromCopyState): boolean {
  return state.chosen !== null && state.target.trim() !== "";
}
