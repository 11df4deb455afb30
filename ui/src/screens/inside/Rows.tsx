// Inside a backup: one table's rows, a page at a time, with a search box and how many rows match.

import type { Dispatch } from "react";

import { LoadError, Loading } from "../../components/QueryState";
import type { Query } from "../../hooks";
import type { RowsPage, TableSummary } from "../../types";
import { hasNext, hasPrevious, type InsideAction, type InsideState } from "./wizard";

export function Rows({
  table,
  rows,
  searched,
  state,
  dispatch,
}: {
  table: TableSummary;
  rows: Query<RowsPage>;
  /** The search the rows are for (the box as typed, once typing settled). */
  searched: string;
  state: InsideState;
  dispatch: Dispatch<InsideAction>;
}) {
  return (
    <>
      <div className="rows-head">
        <h2>{table.table}</h2>
        <input
          type="search"
          aria-label={`Search ${table.table}`}
          placeholder="Search"
          value={state.search}
          onChange={(e) => dispatch({ type: "search", text: e.target.value })}
        />
      </div>
      {rows.loading && <Loading what="rows" />}
      {rows.error && <LoadError what="the rows" error={rows.error} retry={rows.reload} />}
      {rows.data && (
        <>
          <div className="rows-scroll">
            <table data-testid="inside-rows">
              <thead>
                <tr>
                  {rows.data.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.data.rows.map((r, i) => (
                  <tr key={rows.data ? rows.data.offset + i : i}>
                    {r.map((v, j) => (
                      <td key={j} className={v === null ? "muted" : undefined}>
                        {v === null ? "empty" : v.length > 80 ? `${v.slice(0, 79)}…` : v}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <span data-testid="inside-count">{countWords(rows.data, searched)}</span>
            <button type="button" onClick={() => dispatch({ type: "page", to: "previous" })} disabled={!hasPrevious(state)}>
              Previous
            </button>
            <button type="button" onClick={() => dispatch({ type: "page", to: "next" })} disabled={!hasNext(state, rows.data.total)}>
              Next
            </button>
          </div>
        </>
      )}
    </>
  );
}

/** "Rows 51–100 of 1,200", "Rows 1–1 of 1 with “title”", "No rows with “title”". */
function countWords(page: RowsPage, searched: string): string {
  if (page.total === 0) return searched ? `No rows with “${searched}”` : "No rows";
  const first = (page.offset + 1).toLocaleString();
  const last = (page.offset + page.rows.length).toLocaleString();
  return `Rows ${first}–${last} of ${page.total.toLocaleString()}${searched ? ` with “${searched}”` : ""}`;
}
