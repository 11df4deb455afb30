// What restoring a backup changes, as a table: from the row-by-row comparison (with the tables
// SQLite keeps itself behind a box, and a plain word when the layout changed since), or from the
// row counts recorded with the backup when that comparison could not run.

import { useState } from "react";

import * as api from "../../api";
import { changeWords, rowWords, summariseCounts, summariseRows } from "../../changes";
import { LoadError, Loading } from "../../components/QueryState";
import { plural } from "../../format";
import { useQuery } from "../../hooks";
import type { BackupMetadata, TableChange } from "../../types";

export function RowChanges({ rows, backup }: { rows: TableChange[]; backup: BackupMetadata }) {
  const [showInternal, setShowInternal] = useState(false);
  const internal = rows.filter((r) => r.internal).length;
  const shown = rows.filter((r) => showInternal || !r.internal);
  if (rows.length === 0) return <p>The backup holds no tables, and neither does the database.</p>;
  // Tables added, gone or with other columns since: the app was probably updated. Said plainly.
  const reshaped = rows.filter((r) => !r.internal && (r.backup_rows === null || r.current_rows === null || r.changed === null));
  return (
    <>
      {reshaped.length > 0 && (
        <p className="warning small" data-testid="layout-changed">
          The layout of the database changed since this backup ({reshaped.map((r) => r.table).join(", ")}): the app that uses it was
          probably updated. Restoring puts the old layout back, which that app may not expect. To bring back only some rows, use
          “Look inside” in History and take back one table.
        </p>
      )}
      <p data-testid="changes-summary">{summariseRows(rows, backup)}</p>
      <ComparisonTable
        last="What restoring does"
        rows={shown.map((r) => ({ table: r.table, backup: r.backup_rows, now: r.current_rows, words: rowWords(r), internal: r.internal }))}
      />
      {internal > 0 && (
        <label className="check small">
          <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} data-testid="show-internal" />
          Show {plural(internal, "internal table")} (a search index and the like, kept in step by the database itself)
        </label>
      )}
    </>
  );
}

/** The row counts recorded with the backup against the database's now: no password needed. */
export function CountChanges({ source, backup }: { source: string; backup: BackupMetadata }) {
  const compare = useQuery(`compare:${source}:${backup.id}`, () => api.compareBackup(source, backup.id));
  if (compare.loading) return <Loading what="the comparison" />;
  if (compare.error) return <LoadError what="the comparison" error={compare.error} retry={compare.reload} />;
  // Tables SQLite keeps itself (recorded with the backup since content alerts) are left out:
  // their counts mean nothing to a person.
  const rows = (compare.data ?? []).filter((r) => !backup.internal_tables.includes(r.table) && !r.table.startsWith("sqlite_"));
  if (rows.length === 0) return <p>The backup holds no tables.</p>;
  return (
    <>
      <p>{summariseCounts(rows, backup)}</p>
      <ComparisonTable
        last="After restoring"
        rows={rows.map((r) => ({ table: r.table, backup: r.backup_rows, now: r.current_rows, words: changeWords(r), internal: false }))}
      />
    </>
  );
}

/** One line of a comparison table: a table's rows in the backup and now, and what restoring does. */
interface ComparisonLine {
  table: string;
  backup: number | null;
  now: number | null;
  words: string;
  internal: boolean;
}

/** The comparison as a table (`last` heads the column of words). */
function ComparisonTable({ rows, last }: { rows: ComparisonLine[]; last: string }) {
  const count = (n: number | null) => (n === null ? "—" : n.toLocaleString());
  return (
    <div className="table-wrap">
      <table className="compare" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col">Rows in the backup</th>
            <th scope="col">Rows now</th>
            <th scope="col">{last}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.table} data-testid="compare-row" data-table={r.table} className={r.internal ? "muted" : undefined}>
              <th scope="row">{r.table}</th>
              <td>{count(r.backup)}</td>
              <td>{count(r.now)}</td>
              <td>{r.words}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
