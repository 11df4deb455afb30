// The Inside screen without a window: opening a backup, paging and searching a table, taking it
// back (with the tables that refer to it) and undoing, and exporting, as reducer sequences.

import { describe, expect, it } from "vitest";

import { ApiError } from "../../errors";
import type { RestoreOutcome, TableSummary } from "../../types";
import {
  currentTable,
  exportDialog,
  exportedWords,
  hasNext,
  hasPrevious,
  hiddenCount,
  initialState,
  insideReducer,
  offersActions,
  PAGE,
  referencesOf,
  shownTables,
  withReferences,
  type InsideAction,
  type InsideState,
} from "./wizard";

const table = (name: string, rows: number, internal = false): TableSummary => ({ table: name, rows, internal, columns: ["id"] });
const TABLES = [table("notes_fts_data", 12, true), table("notes", 1200), table("tags", 40)];
const error = (code: ApiError["code"], facts: ApiError["facts"] = {}) => new ApiError(code, `${code} (test)`, facts, "open_backup");
const outcome: RestoreOutcome = {
  backup_id: "backup_x",
  target: "/home/ada/notes.db",
  safety_backup_id: "backup_safety",
  verified: true,
  duration_ms: 900,
  tables: [{ table: "notes", rows_before: 600, rows_after: 1200 }],
  referenced_by: [],
  triggers: [],
};

function run(actions: InsideAction[], from: InsideState = initialState): InsideState {
  return actions.reduce(insideReducer, from);
}

const opened = run([{ type: "opening" }, { type: "opened", tables: TABLES }]);

describe("inside a backup", () => {
  it("opens on the first of people's tables, SQLite's own hidden until asked", () => {
    expect(opened.table).toBe("notes");
    expect(currentTable(opened)?.table).toBe("notes");
    expect(shownTables(opened).map((t) => t.table)).toEqual(["notes", "tags"]);
    expect(hiddenCount(opened)).toBe(1);
    const all = insideReducer(opened, { type: "show_internal", on: true });
    expect(shownTables(all).map((t) => t.table)).toEqual(["notes_fts_data", "notes", "tags"]);
    expect(hiddenCount(all)).toBe(0);
    // Only internal tables: the first of them; none at all: nothing shown.
    expect(run([{ type: "opened", tables: [TABLES[0]!] }]).table).toBe("notes_fts_data");
    expect(currentTable(run([{ type: "opened", tables: [] }]))).toBeNull();
  });

  it("asks for the password when the saved one doesn't open it, again when a typed one fails, and shows other errors", () => {
    let state = run([{ type: "opening" }, { type: "open_failed", error: error("wrong_password"), typed: false }]);
    expect(state.askPassword).toEqual({ tried: false });
    expect(state.tables).toBeNull();
    state = run([{ type: "opening" }, { type: "open_failed", error: error("wrong_password"), typed: true }], state);
    expect(state.askPassword).toEqual({ tried: true });
    state = run([{ type: "opening" }, { type: "opened", tables: TABLES }], state);
    expect(state.askPassword).toBeNull();

    const damaged = error("backup_damaged");
    state = run([{ type: "opening" }, { type: "open_failed", error: damaged, typed: false }]);
    expect(state.openError).toBe(damaged);
    expect(state.askPassword).toBeNull();
    // Trying again clears it.
    expect(insideReducer(state, { type: "opening" }).openError).toBeNull();
  });

  it("pages through the rows, and a search or another table starts at the first page", () => {
    const total = 120;
    expect(hasPrevious(opened)).toBe(false);
    expect(hasNext(opened, total)).toBe(true);
    let state = run([{ type: "page", to: "next" }, { type: "page", to: "next" }], opened);
    expect(state.offset).toBe(2 * PAGE);
    expect(hasNext(state, total)).toBe(false);
    expect(hasPrevious(state)).toBe(true);
    state = run([{ type: "page", to: "previous" }, { type: "page", to: "previous" }, { type: "page", to: "previous" }], state);
    expect(state.offset).toBe(0);

    state = run([{ type: "page", to: "next" }, { type: "search", text: "title 1199" }], state);
    expect(state).toMatchObject({ offset: 0, search: "title 1199" });
    state = run([{ type: "page", to: "next" }, { type: "table_picked", table: "tags" }], state);
    expect(state).toMatchObject({ table: "tags", offset: 0, search: "" });
    expect(hasNext(state, PAGE)).toBe(false);
  });

  it("takes a table back after asking, and undoes it", () => {
    const notes = currentTable(opened)!;
    expect(offersActions(opened, notes)).toBe(true);
    let state = insideReducer(opened, { type: "take_back_asked" });
    expect(state.confirming).toBe(true);
    expect(offersActions(state, notes)).toBe(false);
    expect(insideReducer(state, { type: "take_back_cancelled" }).confirming).toBe(false);

    state = run([{ type: "taking_back" }, { type: "taken_back", outcome }], state);
    expect(state.confirming).toBe(false);
    expect(state.restored).toBe(outcome);
    expect(offersActions(state, notes)).toBe(false);
    state = insideReducer(state, { type: "undone" });
    expect(state).toMatchObject({ restored: null, undone: true });
    expect(offersActions(state, notes)).toBe(true);
    // Another take-back forgets the undo's news.
    expect(insideReducer(state, { type: "taking_back" }).undone).toBe(false);
    // Internal tables are not offered.
    expect(offersActions(opened, TABLES[0]!)).toBe(false);
  });

  it("names the tables that would point at nothing, and takes them back together when asked", () => {
    const refusal = error("confirmation_required", { reason: "broken_references", tables: ["tags", "notes"] });
    expect(referencesOf(refusal)).toEqual(["tags", "notes"]);
    expect(referencesOf(error("target_busy"))).toBeNull();
    expect(referencesOf(error("confirmation_required", { reason: "foreign" }))).toBeNull();

    let state = run([{ type: "take_back_asked" }, { type: "taking_back" }, { type: "references_found", tables: ["tags", "notes"] }], opened);
    expect(state.references).toEqual(["tags", "notes"]);
    expect(withReferences(state, "notes")).toEqual(["notes", "tags"]);
    expect(offersActions(state, currentTable(state)!)).toBe(false);
    expect(insideReducer(state, { type: "references_cancelled" }).references).toBeNull();
    // Picking another table drops the question.
    expect(insideReducer(state, { type: "table_picked", table: "tags" }).references).toBeNull();
    state = insideReducer(state, { type: "taking_back" });
    expect(state.references).toBeNull();
  });

  it("exports beside the database, and says what was written", () => {
    expect(exportDialog("/home/ada/notes.db", "notes", "csv")).toEqual({ kind: "export_csv", suggested: "/home/ada/notes.csv" });
    expect(exportDialog("/home/ada/notes.db", "notes", "database")).toEqual({ kind: "export_database", suggested: "/home/ada/notes.sqlite" });
    let state = run([{ type: "exporting" }, { type: "exported", rows: 1200, table: "notes", target: "/home/ada/notes.csv", format: "csv" }], opened);
    expect(exportedWords(state)).toBe("1200 rows of notes written to /home/ada/notes.csv, as a spreadsheet.");
    state = run([{ type: "exporting" }], state);
    expect(exportedWords(state)).toBeNull();
    state = run([{ type: "exported", rows: 1, table: "tags", target: "/tmp/tags.sqlite", format: "database" }], state);
    expect(exportedWords(state)).toBe("1 row of tags written to /tmp/tags.sqlite, as a database of its own.");
  });
});
