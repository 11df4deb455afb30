// Inside a backup: its tables, people's first, with their row counts; SQLite's own (a search
// index and the like) behind "Show internal tables".

import type { Dispatch } from "react";

import { hiddenCount, shownTables, type InsideAction, type InsideState } from "./wizard";

export function TableList({ state, dispatch }: { state: InsideState; dispatch: Dispatch<InsideAction> }) {
  const hidden = hiddenCount(state);
  return (
    <nav className="card table-list" aria-label="Tables in this backup">
      <ul>
        {shownTables(state).map((t) => (
          <li key={t.table}>
            <button
              type="button"
              data-testid="inside-table"
              aria-current={t.table === state.table ? "true" : undefined}
              className={t.internal ? "muted" : undefined}
              onClick={() => dispatch({ type: "table_picked", table: t.table })}
            >
              <span>{t.table}</span> <span className="muted small">{t.rows === null ? "–" : t.rows.toLocaleString()}</span>
            </button>
          </li>
        ))}
      </ul>
      <label className="check small">
        <input type="checkbox" checked={state.showInternal} onChange={(e) => dispatch({ type: "show_internal", on: e.target.checked })} /> Show internal tables
        {hidden > 0 && !state.showInternal && ` (${hidden})`}: a search index and the like, kept up to date by the database itself
      </label>
    </nav>
  );
}
