// The Restore screen's state as a pure reducer: which backup, where to, whether to check it
// first, the step (choose; the warning for a backup Keepsake can't vouch for; the confirmation),
// what the shell asked to confirm, passwords typed for backups the saved one doesn't open, and the
// outcome with its undo. The screen runs the jobs and dispatches what happened; what it shows
// follows from this state and the list of backups, through the selectors below. Any change to
// what is restored where starts the confirmation over.

import { needsOtherPassword, type TypedPassword } from "../../components/OtherPassword";
import { confirmationReasons, isNotPicked, type ApiError, type ConfirmationReasons } from "../../errors";
import type { BackupMetadata, RestoreOutcome, RestoreRequest, SourceView } from "../../types";

export type Step = "choose" | "warning" | "confirm";

export const NO_REASONS: ConfirmationReasons = { foreign: false, unencrypted: false };

export interface RestoreState {
  /** The backup picked; null: the default one (see `chosenBackup`). */
  picked: string | null;
  /** Restore to another file, leaving the database as it is. */
  elsewhere: boolean;
  /** That file, as the shell's file dialog answered ("" until then). */
  target: string;
  /** The shell refused the target: it was not picked in its file dialog. */
  targetNotPicked: boolean;
  verifyFirst: boolean;
  step: Step;
  /** What the shell asked to confirm for a backup, beyond what the window saw itself. */
  asked: { id: string; reasons: ConfirmationReasons } | null;
  /** What the person confirmed in the warning step (sent as allowForeign / allowUnencrypted). */
  allowed: ConfirmationReasons;
  outcome: { result: RestoreOutcome; backup: BackupMetadata } | null;
  undone: RestoreOutcome | null;
  /** The password typed for a backup the saved one doesn't open (to compare and restore it). */
  typedFor: { id: string; typed: TypedPassword } | null;
  /** A restore that asks for that password (`tried`: a typed one failed too). */
  askRestore: { id: string; tried: boolean } | null;
  /** The backup the comparison could not open: not offered for restore until a password that opens it is typed. */
  lockedId: string | null;
}

/** Why the shell did not restore, as far as the wizard is concerned. */
export type Refusal =
  /** It needs a go-ahead the window did not see a reason for: the warning step, then try again. */
  | { kind: "confirm"; reasons: ConfirmationReasons }
  /** The password (saved or typed) doesn't open the backup: ask for the one it was made with. */
  | { kind: "password"; typed: boolean }
  /** The other file was not picked in the file dialog: said beside the field. */
  | { kind: "not_picked" }
  /** Anything else: the screen reports it as a notice. */
  | { kind: "other" };

export type RestoreAction =
  | { type: "pick"; id: string }
  | { type: "where"; elsewhere: boolean }
  | { type: "target_chosen"; path: string }
  | { type: "verify_first"; on: boolean }
  /** "Restore…" pressed, with what the chosen backup must be confirmed for (`concernsOf`). */
  | { type: "start"; concerns: ConfirmationReasons }
  /** The warning step answered "use this backup anyway" about these concerns. */
  | { type: "go_ahead"; concerns: ConfirmationReasons }
  | { type: "cancel" }
  | { type: "password_typed"; id: string; typed: TypedPassword }
  /** The comparison of this backup with the database ran (`opened`: a password it had opened the backup). */
  | { type: "compared"; id: string; opened: boolean }
  | { type: "restoring"; id: string }
  | { type: "restored"; result: RestoreOutcome; backup: BackupMetadata }
  | { type: "refused"; id: string; refusal: Refusal }
  | { type: "undone"; result: RestoreOutcome }
  /** "Restore another backup": back to the picker. */
  | { type: "another" };

export function initialState(picked: string | null): RestoreState {
  return {
    picked,
    elsewhere: false,
    target: "",
    targetNotPicked: false,
    verifyFirst: true,
    step: "choose",
    asked: null,
    allowed: NO_REASONS,
    outcome: null,
    undone: null,
    typedFor: null,
    askRestore: null,
    lockedId: null,
  };
}

/** What a failed restore means for the wizard (`typed`: the attempt used a typed password). */
export function refusalOf(error: ApiError, typed: boolean): Refusal {
  if (error.code === "confirmation_required") return { kind: "confirm", reasons: confirmationReasons(error.facts) };
  if (needsOtherPassword(error.code)) return { kind: "password", typed };
  if (isNotPicked(error)) return { kind: "not_picked" };
  return { kind: "other" };
}

const startOver = (state: RestoreState): RestoreState => ({ ...state, step: "choose", allowed: NO_REASONS });

export function restoreReducer(state: RestoreState, action: RestoreAction): RestoreState {
  switch (action.type) {
    case "pick":
      return startOver({ ...state, picked: action.id });
    case "where":
      return startOver({ ...state, elsewhere: action.elsewhere });
    case "target_chosen":
      return startOver({ ...state, target: action.path, targetNotPicked: false });
    case "verify_first":
      return startOver({ ...state, verifyFirst: action.on });
    case "start":
      return { ...state, step: needsWarning(action.concerns) ? "warning" : "confirm" };
    case "go_ahead":
      return { ...state, allowed: action.concerns, step: "confirm" };
    case "cancel":
      return startOver(state);
    case "password_typed":
      return { ...state, typedFor: { id: action.id, typed: action.typed } };
    case "compared": {
      const { id, opened } = action;
      const lockedId = opened ? (state.lockedId === id ? null : state.lockedId) : id;
      return { ...state, lockedId };
    }
    case "restoring":
      // The choice is kept when the list refreshes with the new safety backup on top.
      return { ...state, askRestore: null, picked: action.id, step: "choose", undone: null, targetNotPicked: false };
    case "restored":
      return { ...state, outcome: { result: action.result, backup: action.backup }, allowed: NO_REASONS };
    case "refused":
      return refused(state, action.id, action.refusal);
    case "undone":
      return { ...state, undone: action.result, outcome: null };
    case "another":
      return { ...state, outcome: null, undone: null };
  }
}

function refused(state: RestoreState, id: string, refusal: Refusal): RestoreState {
  switch (refusal.kind) {
    case "confirm":
      // The shell knows something the window did not: ask, then try again with the go-ahead.
      return { ...state, asked: { id, reasons: refusal.reasons }, allowed: NO_REASONS, step: "warning" };
    case "password":
      return { ...state, askRestore: { id, tried: refusal.typed }, step: "choose" };
    case "not_picked":
      return { ...state, targetNotPicked: true, step: "choose" };
    case "other":
      return { ...state, step: "choose" };
  }
}

// Selectors.

/** The backups offered: a foreign one handed over by History first, then those listed. */
export function choicesOf(list: BackupMetadata[], foreign: BackupMetadata | null): BackupMetadata[] {
  return foreign ? [foreign, ...list] : list;
}

/** The backup picked, or by default the newest that isn't a safety backup (restoring that one is what Undo is for). */
export function chosenBackup(state: RestoreState, choices: BackupMetadata[], list: BackupMetadata[]): BackupMetadata | null {
  return choices.find((b) => b.id === state.picked) ?? list.find((b) => b.backup_type !== "safety") ?? list[0] ?? null;
}

/** What restoring `backup` into `source` must be confirmed for, as far as the window can tell. */
export function restoreConcerns(backup: BackupMetadata, source: SourceView): ConfirmationReasons {
  return { foreign: backup.origin === "foreign", unencrypted: !backup.encrypted && source.encrypt };
}

/** What restoring `backup` must be confirmed for: what the window sees, and what the shell asked about it. */
export function concernsOf(state: RestoreState, backup: BackupMetadata | null, source: SourceView): ConfirmationReasons {
  if (!backup) return NO_REASONS;
  const seen = restoreConcerns(backup, source);
  const extra = state.asked?.id === backup.id ? state.asked.reasons : NO_REASONS;
  return { foreign: seen.foreign || extra.foreign, unencrypted: seen.unencrypted || extra.unencrypted };
}

export function needsWarning(concerns: ConfirmationReasons): boolean {
  return concerns.foreign || concerns.unencrypted;
}

/** The other file, or "" to replace the database. */
export function targetPath(state: RestoreState): string {
  return state.elsewhere ? state.target.trim() : "";
}

/** The comparison could open no password for this backup: it can't be restored yet. */
export function isLocked(state: RestoreState, backup: BackupMetadata | null): boolean {
  return backup !== null && state.lockedId === backup.id;
}

/** "Restore…" is offered: the other file is chosen (when restoring elsewhere), and the backup opens. */
export function canStart(state: RestoreState, backup: BackupMetadata | null): boolean {
  return !(state.elsewhere && targetPath(state) === "") && !isLocked(state, backup);
}

/** The password typed for this backup, if any. */
export function typedFor(state: RestoreState, id: string): TypedPassword | undefined {
  return state.typedFor?.id === id ? state.typedFor.typed : undefined;
}

/** The restore asks for this backup's password (then the comparison does not ask too). */
export function askedFor(state: RestoreState, id: string): { tried: boolean } | null {
  return state.askRestore?.id === id ? { tried: state.askRestore.tried } : null;
}

/** The shell's request for restoring `backup` now; the go-ahead is sent only as confirmed. */
export function requestOf(state: RestoreState, source: string, backup: BackupMetadata, jobId: string, typed: TypedPassword | undefined): RestoreRequest {
  return {
    source,
    id: backup.id,
    jobId,
    verifyFirst: state.verifyFirst,
    target: targetPath(state) || undefined,
    allowForeign: state.allowed.foreign || undefined,
    allowUnencrypted: state.allowed.unencrypted || undefined,
    password: typed?.password,
    rememberPassword: typed?.remember,
  };
}
