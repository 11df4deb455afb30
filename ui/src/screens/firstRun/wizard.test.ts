// The first run's answers without a window: the problems that stop finishing, the demo, an app
// found by "Find my databases", the schedule chosen, and a database brought back from a copy elsewhere.

import { describe, expect, it } from "vitest";

import { foundFixture } from "../../testing/fixtures";
import type { Restored } from "../fromCopy/wizard";
import {
  databaseProblem,
  firstRunReducer,
  initialState,
  problemOf,
  scheduleOf,
  sourceName,
  type FirstRunAction,
  type FirstRunState,
} from "./wizard";

function run(actions: FirstRunAction[], from: FirstRunState = initialState): FirstRunState {
  return actions.reduce(firstRunReducer, from);
}

const good = { password: "correct horse battery", confirm: "correct horse battery", stored: true };

describe("the first run", () => {
  it("asks for a database first, then a usable password, unless backups are not encrypted", () => {
    expect(problemOf(initialState)).toBe("Choose the database file (or type its path), or use the demo database.");
    let state = run([{ type: "database", path: "/home/ada/notes.db" }]);
    expect(databaseProblem(state)).toBeNull();
    expect(problemOf(state)).toBe("The password needs at least 8 characters.");
    state = run([{ type: "password", value: { ...good, stored: false } }], state);
    expect(problemOf(state)).toBe("Tick the box once the password is stored somewhere safe.");
    state = run([{ type: "password", value: good }], state);
    expect(problemOf(state)).toBeNull();
    expect(problemOf(run([{ type: "database", path: "/home/ada/notes.db" }, { type: "encrypt", on: false }]))).toBeNull();
  });

  it("needs no file for the demo database", () => {
    const state = run([{ type: "use_demo", on: true }, { type: "encrypt", on: false }]);
    expect(problemOf(state)).toBeNull();
    expect(databaseProblem(run([{ type: "use_demo", on: false }], state))).not.toBeNull();
  });

  it("takes an app found as the answer to the first question, instead of a file or the demo", () => {
    const firefox = foundFixture().apps[0]!;
    let state = run([{ type: "use_demo", on: true }, { type: "use_app", app: firefox }, { type: "encrypt", on: false }]);
    expect(state).toMatchObject({ app: firefox, demo: false });
    expect(problemOf(state)).toBeNull();
    expect(sourceName(run([{ type: "name", text: "Typed" }], state))).toBe("Firefox");
    // The demo instead: the app is no longer the answer; choosing something else leaves the other answers.
    expect(run([{ type: "use_demo", on: true }], state)).toMatchObject({ app: null, demo: true });
    state = run([{ type: "database", path: "/home/ada/notes.db" }, { type: "use_app", app: null }], state);
    expect(state).toMatchObject({ app: null, demo: false, database: "/home/ada/notes.db", encrypt: false });
    expect(sourceName(state)).toBe("notes");
    expect(databaseProblem(run([{ type: "database", path: "" }], state))).not.toBeNull();
  });

  it("names the database after its file unless a name is typed", () => {
    expect(sourceName(run([{ type: "database", path: " /home/ada/notes.sqlite3 " }]))).toBe("notes");
    expect(sourceName(run([{ type: "database", path: "/home/ada/notes.db" }, { type: "name", text: "  Notes  " }]))).toBe("Notes");
    expect(sourceName(initialState)).toBe("My database");
  });

  it("says problems only once finishing was tried", () => {
    expect(initialState.tried).toBe(false);
    expect(run([{ type: "submitted" }]).tried).toBe(true);
  });

  it("backs up daily by default, or as chosen", () => {
    expect(scheduleOf(initialState)).toEqual({ kind: "daily", time: "02:00" });
    expect(scheduleOf(run([{ type: "schedule", choice: "weekly" }]))).toEqual({ kind: "weekly", weekday: "monday", time: "02:00" });
    expect(scheduleOf(run([{ type: "schedule", choice: "none" }]))).toBeNull();
  });

  it("goes on with a database restored from a copy elsewhere, protected by the password that opened it", () => {
    const restored: Restored = {
      target: "/home/ada/restored.db",
      destination: { name: "offsite", kind: "folder", path: "/media/usb" },
      secret: undefined,
      password: "the old password",
    };
    let state = run([{ type: "use_demo", on: true }, { type: "encrypt", on: false }, { type: "from_copy", open: true }]);
    expect(state.fromCopy).toBe(true);
    state = run([{ type: "restored", restored }], state);
    expect(state).toMatchObject({ fromCopy: false, demo: false, app: null, database: "/home/ada/restored.db", encrypt: true, restored });
    expect(state.password).toEqual({ password: "the old password", confirm: "the old password", stored: true });
    expect(problemOf(state)).toBeNull();

    // Backups that were not encrypted: the encryption answer stays as it was.
    const plain = run([{ type: "encrypt", on: false }, { type: "restored", restored: { ...restored, password: "" } }]);
    expect(plain.encrypt).toBe(false);
    // Back from the restore without one: the questions as they were.
    expect(run([{ type: "from_copy", open: true }, { type: "from_copy", open: false }])).toEqual(initialState);
  });
});
