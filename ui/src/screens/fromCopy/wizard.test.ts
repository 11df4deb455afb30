// The lost-computer restore without a window: where, what was found there, the choice and the
// new file, as reducer sequences.

import { describe, expect, it } from "vitest";

import { ApiError } from "../../errors";
import { makeBackup, makeFile, makeForeign } from "../../testing/fixtures";
import type { FolderReport } from "../../types";
import {
  canRestore,
  destinationOf,
  found,
  fromCopyReducer,
  initialState,
  lockedCount,
  passwordOf,
  problemWords,
  secretOf,
  type FromCopyAction,
  type FromCopyState,
} from "./wizard";

const older = makeForeign({ created_at: "2026-11-27T02:00:00Z", source_path: "/home/ada/old/notes.db" });
const newest = makeForeign({ created_at: "2026-11-29T02:00:00Z", source_path: "/home/ada/notes.db" });
const changed = makeBackup({ created_at: "2026-11-30T02:00:00Z", concern: "changed" });
const report: FolderReport = { backups: [changed], foreign: [older, newest], files: [makeFile({ named_date: "2026-11-28T02:00:00Z" })] };

function run(actions: FromCopyAction[], from: FromCopyState = initialState): FromCopyState {
  return actions.reduce(fromCopyReducer, from);
}

describe("restoring from a copy elsewhere", () => {
  it("sends where the copies are, and no secret or password that wasn't typed", () => {
    expect(initialState.form.name).toBe("offsite");
    expect(secretOf(initialState)).toBeUndefined();
    expect(passwordOf(initialState)).toBeUndefined();
    const state = run([
      { type: "where", patch: { kind: "folder", path: "/media/usb/keepsake" } },
      { type: "where", patch: { secret: "s3cret" } },
      { type: "password", text: "the password" },
    ]);
    expect(destinationOf(state)).toMatchObject({ name: "offsite", kind: "folder" });
    expect(secretOf(state)).toBe("s3cret");
    expect(passwordOf(state)).toBe("the password");
  });

  it("lists what it found newest first, leaves out changed files, and chooses the newest", () => {
    const state = run([{ type: "found", report }]);
    expect(found(state).map((b) => b.id)).toEqual([newest.id, older.id]);
    expect(state.chosen).toBe(newest.id);
    expect(state.suggested).toBe("/home/ada/notes.db");
    expect(lockedCount(state)).toBe(1);

    // Another choice: the save dialog opens where that one's database was.
    const other = fromCopyReducer(state, { type: "chosen", backup: older });
    expect(other).toMatchObject({ chosen: older.id, suggested: "/home/ada/old/notes.db" });
  });

  it("restores only once a backup is chosen and the new file named in the save dialog", () => {
    let state = run([{ type: "found", report }]);
    expect(canRestore(state)).toBe(false);
    state = fromCopyReducer(state, { type: "target_chosen", path: "/home/ada/restored.db" });
    expect(canRestore(state)).toBe(true);
    // Nothing found there: nothing to restore.
    expect(canRestore(run([{ type: "found", report: { backups: [], foreign: [], files: [] } }, { type: "target_chosen", path: "/x.db" }]))).toBe(false);
  });

  it("forgets what it found when where or the password changes", () => {
    const state = run([{ type: "found", report }]);
    expect(fromCopyReducer(state, { type: "where", patch: { bucket: "other" } }).report).toBeNull();
    expect(found(fromCopyReducer(state, { type: "password", text: "another" }))).toEqual([]);
  });

  it("says why looking there failed, until where changes", () => {
    const failure = new ApiError("remote_failed", "refused", { reason: "credentials" }, "remote_backups");
    let state = run([{ type: "found", report }, { type: "not_found", error: failure }]);
    expect(state.report).toBeNull();
    expect(problemWords(state)).toBe("It didn't work: the server refused the login (check the key or the user name and password).");
    state = fromCopyReducer(state, { type: "where", patch: { secret: "another" } });
    expect(problemWords(state)).toBeNull();
  });
});
