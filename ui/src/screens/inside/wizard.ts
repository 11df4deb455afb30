// The Inside screen's state as a pure reducer: opening the backup (or asking for its password),
// which table is shown and which page of its rows, the search, taking one table back (asked
// first; the tables whose rows would point at nothing named, to take back too) with its undo, and
// the last export. The screen runs the jobs and dispatches what happened; the selectors below
// say what it shows.

import { needsOtherPassword } from "../../components/OtherPassword";
import type { ApiError } from "../../errors";
import { plural } from "../../format";
import type { PathKind, RestoreOutcome, TableSummary } from "../../types";

/** Rows on a page. */
export const PAGE = 50;

export type ExportFormat = "csv" | "database";

export interface InsideState {
  /** The backup's tables, once it is open. */
  tables: TableSummary[] | null;
  openError: ApiError | null;
  /** The saved password doesn't open the backup (`tried`: a typed one failed too). */
  askPassword: { tried: boolean } | null;
  showInternal: boolean;
  table: string | null;
  /** The first row of the page shown. */
  offset: number;
  /** The search box as typed (the screen searches once typing settles). */
  search: string;
  /** "Take back this table" is being confirmed. */
  confirming: boolean;
  /** The tables whose rows would point at nothing if only this one came back. */
  references: string[] | null;
  restored: RestoreOutcome | null;
  undone: boolean;
  exported: { rows: number; table: string; target: string; format: ExportFormat } | null;
}

export type InsideAction =
  | { type: "opening" }
  | { type: "opened"; tables: TableSummary[] }
  | { type: "open_failed"; error: ApiError; typed: boolean }
  | { type: "show_internal"; on: boolean }
  | { type: "table_picked"; table: string }
  | { type: "search"; text: string }
  | { type: "page"; to: "previous" | "next" }
  | { type: "take_back_asked" }
  | { type: "take_back_cancelled" }
  | { type: "taking_back" }
  /** The shell refused: other tables' rows refer to this one's (`facts.tables`). */
  | { type: "references_found"; tables: string[] }
  | { type: "references_cancelled" }
  | { type: "taken_back"; outcome: RestoreOutcome }
  | { type: "undone" }
  | { type: "exporting" }
  | { type: "exported"; rows: number; table: string; target: string; format: ExportFormat };

export const initialState: InsideState = {
  tables: null,
  openError: null,
  askPassword: null,
  showInternal: false,
  table: null,
  offset: 0,
  search: "",
  confirming: false,
  references: null,
  restored: null,
  undone: false,
  exported: null,
};

export function insideReducer(state: InsideState, action: InsideAction): InsideState {
  switch (action.type) {
    case "opening":
      return { ...state, openError: null };
    case "opened": {
      const { tables } = action;
      // People's tables first: the first of them is shown unless one already is.
      const table = state.table ?? tables.find((s) => !s.internal)?.table ?? tables[0]?.table ?? null;
      return { ...state, askPassword: null, tables, table };
    }
    case "open_failed":
      return needsOtherPassword(action.error.code)
        ? { ...state, askPassword: { tried: action.typed } }
        : { ...state, openError: action.error };
    case "show_internal":
      return { ...state, showInternal: action.on };
    case "table_picked":
      return { ...state, table: action.table, offset: 0, search: "", restored: null, references: null };
    case "search":
      return { ...state, search: action.text, offset: 0 };
    case "page":
      return { ...state, offset: action.to === "next" ? state.offset + PAGE : Math.max(0, state.offset - PAGE) };
    case "take_back_asked":
      return { ...state, confirming: true };
    case "take_back_cancelled":
      return { ...state, confirming: false };
    case "taking_back":
      return { ...state, confirming: false, references: null, undone: false };
    case "references_found":
      return { ...state, references: action.tables };
    case "references_cancelled":
      return { ...state, references: null };
    case "taken_back":
      return { ...state, restored: action.outcome };
    case "undone":
      return { ...state, restored: null, undone: true };
    case "exporting":
      return { ...state, exported: null };
    case "exported": {
      const { rows, table, target, format } = action;
      return { ...state, exported: { rows, table, target, format } };
    }
  }
}

/** The tables whose rows would point at nothing, when the shell says so; null for any other refusal. */
export function referencesOf(error: ApiError): string[] | null {
  return error.code === "confirmation_required" && error.facts.reason === "broken_references" ? (error.facts.tables ?? []) : null;
}

// Selectors.

/** The tables listed: people's, and SQLite's own when asked for. */
export function shownTables(state: InsideState): TableSummary[] {
  return (state.tables ?? []).filter((t) => state.showInternal || !t.internal);
}

/** How many tables "Show internal tables" would add. */
export function hiddenCount(state: InsideState): number {
  return (state.tables ?? []).length - shownTables(state).length;
}

export function currentTable(state: InsideState): TableSummary | null {
  return state.tables?.find((t) => t.table === state.table) ?? null;
}

export function hasPrevious(state: InsideState): boolean {
  return state.offset > 0;
}

export function hasNext(state: InsideState, total: number): boolean {
  return state.offset + PAGE < total;
}

/** "Take back" and the exports are offered: a table of people's, nothing taken back or being asked. */
export function offersActions(state: InsideState, table: TableSummary): boolean {
  return !table.internal && !state.restored && !state.confirming && !state.references;
}

/** The table shown and those that refer to it, to take back together. */
export function withReferences(state: InsideState, table: string): string[] {
  return [table, ...(state.references ?? []).filter((r) => r !== table)];
}

/** Where the save dialog for an export opens (beside the database), and which dialog. */
export function exportDialog(database: string, table: string, format: ExportFormat): { kind: PathKind; suggested: string } {
  const folder = database.replace(/[^/]*$/, "");
  return {
    kind: format === "csv" ? "export_csv" : "export_database",
    suggested: `${folder}${table}${format === "csv" ? ".csv" : ".sqlite"}`,
  };
}

/** The last export, in a sentence. */
export function exportedWords(state: InsideState): string | null {
  const e = state.exported;
  if (!e) return null;
  return `${plural(e.rows, "row")} of ${e.table} written to ${e.target}${e.format === "csv" ? ", as a spreadsheet" : ", as a database of its own"}.`;
}
