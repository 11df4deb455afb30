// The Restore wizard without a window: sequences of actions through the reducer, and what the
// selectors then say the screen shows.

import { describe, expect, it } from "vitest";

import { ApiError } from "../../errors";
import { makeBackup, makeForeign, makeSource } from "../../testing/fixtures";
import type { RestoreOutcome } from "../../types";
import {
  askedFor,
  canStart,
  choicesOf,
  chosenBackup,
  concernsOf,
  initialState,
  isLocked,
  NO_REASONS,
  refusalOf,
  requestOf,
  restoreReducer,
  type RestoreAction,
  type RestoreState,
  targetPath,
  typedFor,
} from "./wizard";

const source = makeSource();
const newest = makeBackup({ created_at: "2026-11-29T02:00:00Z" });
const older = makeBackup({ created_at: "2026-11-28T02:00:00Z" });
const safety = makeBackup({ created_at: "2026-11-29T09:00:00Z", backup_type: "safety" });
const list = [safety, newest, older];

const outcome = (over: Partial<RestoreOutcome> = {}): RestoreOutcome => ({
  backup_id: newest.id,
  target: source.database,
  safety_backup_id: safety.id,
  verified: true,
  duration_ms: 1200,
  tables: [],
  referenced_by: [],
  triggers: [],
  ...over,
});

const error = (code: ApiError["code"], facts: ApiError["facts"] = {}) => new ApiError(code, `${code} (test)`, facts, "restore_backup");

function run(actions: RestoreAction[], from: RestoreState = initialState(null)): RestoreState {
  return actions.reduce(restoreReducer, from);
}

describe("the restore wizard", () => {
  it("picks the newest backup that isn't a safety backup by default, and keeps a pick", () => {
    const state = initialState(null);
    expect(chosenBackup(state, list, list)?.id).toBe(newest.id);
    expect(chosenBackup(run([{ type: "pick", id: older.id }]), list, list)?.id).toBe(older.id);
    // Handed over by History.
    expect(chosenBackup(initialState(older.id), list, list)?.id).toBe(older.id);
    // Only safety backups: the newest of them.
    expect(chosenBackup(state, [safety], [safety])?.id).toBe(safety.id);
    expect(chosenBackup(state, [], [])).toBeNull();
  });

  it("chooses, compares, confirms, restores and undoes", () => {
    let state = initialState(null);
    const chosen = chosenBackup(state, list, list)!;
    state = restoreReducer(state, { type: "compared", id: chosen.id, opened: true });
    expect(isLocked(state, chosen)).toBe(false);
    expect(canStart(state, chosen)).toBe(true);

    const concerns = concernsOf(state, chosen, source);
    expect(concerns).toEqual(NO_REASONS);
    state = restoreReducer(state, { type: "start", concerns });
    expect(state.step).toBe("confirm");

    state = restoreReducer(state, { type: "restoring", id: chosen.id });
    expect(state.step).toBe("choose");
    expect(state.picked).toBe(chosen.id);
    const request = requestOf(state, source.name, chosen, "job-1", undefined);
    expect(request).toEqual({
      source: "Notes",
      id: chosen.id,
      jobId: "job-1",
      verifyFirst: true,
      target: undefined,
      allowForeign: undefined,
      allowUnencrypted: undefined,
      password: undefined,
      rememberPassword: undefined,
    });

    state = restoreReducer(state, { type: "restored", result: outcome(), backup: chosen });
    expect(state.outcome?.backup.id).toBe(chosen.id);
    state = restoreReducer(state, { type: "undone", result: outcome() });
    expect(state.outcome).toBeNull();
    expect(state.undone).not.toBeNull();

    // "Restore another backup": the picker again, still on the backup just restored.
    state = restoreReducer(state, { type: "another" });
    expect(state.outcome).toBeNull();
    expect(state.undone).toBeNull();
    expect(chosenBackup(state, list, list)?.id).toBe(chosen.id);
  });

  it("cancelling the confirmation, or changing anything, starts the confirmation over", () => {
    const confirming = run([{ type: "start", concerns: NO_REASONS }]);
    expect(confirming.step).toBe("confirm");
    const changes: RestoreAction[] = [
      { type: "cancel" },
      { type: "pick", id: older.id },
      { type: "where", elsewhere: true },
      { type: "target_chosen", path: "/tmp/x.db" },
      { type: "verify_first", on: false },
    ];
    for (const change of changes) expect(restoreReducer(confirming, change).step).toBe("choose");
    expect(requestOf(run([{ type: "verify_first", on: false }]), "Notes", newest, "j", undefined).verifyFirst).toBe(false);
  });

  it("asks for a go-ahead on a backup not made here, and sends it only once given", () => {
    const foreign = makeForeign({ created_at: "2026-11-27T02:00:00Z" });
    const choices = choicesOf(list, foreign);
    expect(choices[0]).toBe(foreign);
    let state = initialState(foreign.id);
    const chosen = chosenBackup(state, choices, list)!;
    const concerns = concernsOf(state, chosen, source);
    expect(concerns).toEqual({ foreign: true, unencrypted: false });

    state = restoreReducer(state, { type: "start", concerns });
    expect(state.step).toBe("warning");
    expect(restoreReducer(state, { type: "cancel" }).allowed).toEqual(NO_REASONS);

    state = restoreReducer(state, { type: "go_ahead", concerns });
    expect(state.step).toBe("confirm");
    expect(requestOf(state, "Notes", chosen, "j", undefined)).toMatchObject({ allowForeign: true, allowUnencrypted: undefined });

    // Picking another backup takes the go-ahead back.
    state = restoreReducer(state, { type: "pick", id: newest.id });
    expect(state.allowed).toEqual(NO_REASONS);
    expect(requestOf(state, "Notes", newest, "j", undefined).allowForeign).toBeUndefined();
    // And it is allowed again after a restore, never carried over to the next one.
    const restored = run([{ type: "go_ahead", concerns }, { type: "restored", result: outcome(), backup: chosen }], initialState(foreign.id));
    expect(restored.allowed).toEqual(NO_REASONS);
  });

  it("warns about an unencrypted backup only for a database whose backups are encrypted", () => {
    const plain = makeBackup({ created_at: "2026-11-29T03:00:00Z", encrypted: false });
    expect(concernsOf(initialState(null), plain, source)).toEqual({ foreign: false, unencrypted: true });
    expect(concernsOf(initialState(null), plain, makeSource({ encrypt: false }))).toEqual(NO_REASONS);
  });

  it("shows the warning step when the shell asks for a go-ahead the window didn't see, then retries with it", () => {
    const refusal = refusalOf(error("confirmation_required", { backup_id: newest.id, reason: "unencrypted" }), false);
    expect(refusal).toEqual({ kind: "confirm", reasons: { foreign: false, unencrypted: true } });
    let state = run([{ type: "start", concerns: NO_REASONS }, { type: "restoring", id: newest.id }, { type: "refused", id: newest.id, refusal }]);
    expect(state.step).toBe("warning");
    const concerns = concernsOf(state, newest, source);
    expect(concerns).toEqual({ foreign: false, unencrypted: true });
    // About that backup only.
    expect(concernsOf(state, older, source)).toEqual(NO_REASONS);
    state = run([{ type: "go_ahead", concerns }], state);
    expect(requestOf(state, "Notes", newest, "j", undefined)).toMatchObject({ allowUnencrypted: true });
  });

  it("asks for the password when the restore finds the saved one doesn't open the backup, and again when the typed one fails", () => {
    let state = run([{ type: "restoring", id: newest.id }, { type: "refused", id: newest.id, refusal: refusalOf(error("wrong_password"), false) }]);
    expect(state.step).toBe("choose");
    expect(askedFor(state, newest.id)).toEqual({ tried: false });
    expect(askedFor(state, older.id)).toBeNull();

    const typed = { password: "not it", remember: false };
    state = run([{ type: "password_typed", id: newest.id, typed }, { type: "restoring", id: newest.id }], state);
    expect(askedFor(state, newest.id)).toBeNull();
    expect(requestOf(state, "Notes", newest, "j", typedFor(state, newest.id))).toMatchObject({ password: "not it", rememberPassword: false });

    state = restoreReducer(state, { type: "refused", id: newest.id, refusal: refusalOf(error("wrong_password"), true) });
    expect(askedFor(state, newest.id)).toEqual({ tried: true });
    // password_required means the same: no password the shell has opens it.
    expect(refusalOf(error("password_required"), false)).toEqual({ kind: "password", typed: false });
  });

  it("locks a backup no password opened in the comparison, until one does", () => {
    let state = restoreReducer(initialState(null), { type: "compared", id: newest.id, opened: false });
    expect(isLocked(state, newest)).toBe(true);
    expect(canStart(state, newest)).toBe(false);
    expect(isLocked(state, older)).toBe(false);

    // A wrong password typed keeps it locked; the right one opens it.
    state = run([{ type: "password_typed", id: newest.id, typed: { password: "not it", remember: false } }, { type: "compared", id: newest.id, opened: false }], state);
    expect(isLocked(state, newest)).toBe(true);
    state = restoreReducer(state, { type: "compared", id: newest.id, opened: true });
    expect(isLocked(state, newest)).toBe(false);
    expect(canStart(state, newest)).toBe(true);

    // Another backup opening says nothing about the locked one.
    state = run([{ type: "compared", id: newest.id, opened: false }, { type: "compared", id: older.id, opened: true }], state);
    expect(isLocked(state, newest)).toBe(true);
  });

  it("restores elsewhere only to a file chosen in the dialog, and says so when the shell refuses it", () => {
    let state = restoreReducer(initialState(null), { type: "where", elsewhere: true });
    expect(targetPath(state)).toBe("");
    expect(canStart(state, newest)).toBe(false);

    state = restoreReducer(state, { type: "target_chosen", path: " /tmp/copy.db " });
    expect(targetPath(state)).toBe("/tmp/copy.db");
    expect(canStart(state, newest)).toBe(true);
    expect(requestOf(state, "Notes", newest, "j", undefined).target).toBe("/tmp/copy.db");

    const refusal = refusalOf(error("invalid_input", { reason: "not_picked" }), false);
    expect(refusal).toEqual({ kind: "not_picked" });
    state = run([{ type: "start", concerns: NO_REASONS }, { type: "restoring", id: newest.id }, { type: "refused", id: newest.id, refusal }], state);
    expect(state.targetNotPicked).toBe(true);
    expect(state.step).toBe("choose");

    // Chosen in the dialog again: the refusal is gone.
    expect(restoreReducer(state, { type: "target_chosen", path: "/tmp/copy.db" }).targetNotPicked).toBe(false);
    // Back to replacing the database: no target is sent, whatever was chosen.
    const back = restoreReducer(state, { type: "where", elsewhere: false });
    expect(targetPath(back)).toBe("");
    expect(canStart(back, newest)).toBe(true);
    expect(requestOf(back, "Notes", newest, "j", undefined).target).toBeUndefined();
  });

  it("goes back to the picker on any other failure, for the screen to report", () => {
    const refusal = refusalOf(error("target_busy"), false);
    expect(refusal).toEqual({ kind: "other" });
    const state = run([{ type: "start", concerns: NO_REASONS }, { type: "restoring", id: newest.id }, { type: "refused", id: newest.id, refusal }]);
    expect(state.step).toBe("choose");
    expect(state.outcome).toBeNull();
    expect(state.askRestore).toBeNull();
  });
});
