// Inside a backup, under the table shown: "Take back this table" (asked first; the tables whose
// rows would point at nothing named, to take back too or not), its progress and result with an
// Undo, and the exports (as a spreadsheet, as a database of its own).

import type { Dispatch } from "react";

import { Confirm } from "../../components/Confirm";
import { JobProgress } from "../../components/JobProgress";
import { wordingFor } from "../../errors";
import { plural } from "../../format";
import type { Job } from "../../hooks";
import type { TableSummary } from "../../types";
import { exportedWords, offersActions, withReferences, type ExportFormat, type InsideAction, type InsideState } from "./wizard";

export function TakeBack({
  table,
  state,
  dispatch,
  restoring,
  onTakeBack,
  onExport,
  onUndo,
}: {
  table: TableSummary;
  state: InsideState;
  dispatch: Dispatch<InsideAction>;
  /** The take-back (or its undo) running. */
  restoring: Job;
  onTakeBack: (tables: string[], allowBrokenReferences?: boolean) => void;
  onExport: (format: ExportFormat) => void;
  onUndo: () => void;
}) {
  const { references, restored } = state;
  const exported = exportedWords(state);
  const together = withReferences(state, table.table);
  return (
    <>
      {offersActions(state, table) && (
        <p className="buttons">
          <button type="button" data-testid="take-back" onClick={() => dispatch({ type: "take_back_asked" })} disabled={restoring.running}>
            Take back this table…
          </button>
          <button type="button" data-testid="export-csv" onClick={() => onExport("csv")} disabled={restoring.running}>
            Export as a spreadsheet…
          </button>
          <button type="button" data-testid="export-database" onClick={() => onExport("database")} disabled={restoring.running}>
            Export as a database…
          </button>
        </p>
      )}
      {exported && (
        <p className="done" role="status" data-testid="exported">
          {exported}
        </p>
      )}
      {state.confirming && (
        <Confirm confirmLabel={`Take back ${table.table}`} onConfirm={() => onTakeBack([table.table])} onCancel={() => dispatch({ type: "take_back_cancelled" })}>
          Replace the rows of <strong>{table.table}</strong> in your database with the{" "}
          {plural(table.rows ?? 0, "row")} in this backup? Every other table stays as it is. A safety backup of the whole
          database is made first, so you can undo it.
        </Confirm>
      )}
      {references && (
        <div className="card warning" role="alertdialog" aria-label="Other tables refer to it" data-testid="take-back-references">
          <p>{wordingFor("confirmation_required", { reason: "broken_references", tables: references }).title}.</p>
          <div className="buttons">
            <button type="button" onClick={() => dispatch({ type: "references_cancelled" })}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => onTakeBack(together)}>
              Take back {together.join(" and ")}
            </button>
            <button type="button" onClick={() => onTakeBack([table.table], true)}>
              Only {table.table}
            </button>
          </div>
        </div>
      )}
      <JobProgress job={restoring} label="Taking back the table" />
      {restored && (
        <div className="done" role="status" data-testid="take-back-done">
          {restored.tables.map((t) => (
            <p key={t.table}>
              {t.table} is back: {plural(t.rows_after, "row")}
              {t.rows_before === null ? " (the table was gone)" : ` (it had ${t.rows_before.toLocaleString()})`}.
            </p>
          ))}
          {restored.referenced_by.length > 0 && (
            <p className="small">Tables that refer to it stayed as they are: {restored.referenced_by.join(", ")}.</p>
          )}
          <button type="button" data-testid="take-back-undo" onClick={onUndo} disabled={restoring.running}>
            Undo
          </button>
        </div>
      )}
      {state.undone && (
        <p className="done" role="status">
          Undone: the database is back as it was before.
        </p>
      )}
    </>
  );
}
