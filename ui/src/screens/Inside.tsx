// Inside one backup, without restoring it: its tables (people's first; SQLite's own behind "Show
// internal tables"), a table's rows page by page with a search box, and "Take back this table":
// only that table's rows go back into the database, after a safety backup, with an Undo.

import { useEffect, useRef, useState } from "react";

import * as api from "../api";
import { Confirm } from "../components/Confirm";
import { JobProgress } from "../components/JobProgress";
import { needsOtherPassword, OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { LoadError, Loading } from "../components/QueryState";
import { useShared } from "../context";
import { wordingFor, type ApiError } from "../errors";
import { formatDateTime, plural } from "../format";
import { useDebounced, useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import { sinceWords } from "../changes";
import type { BackupMetadata, RestoreOutcome, SourceView, TableChange, TableSummary } from "../types";

const PAGE = 50;

export function Inside({ source, backupId, navigate }: { source: SourceView; backupId: string; navigate: Navigate }) {
  const { report } = useShared();
  const opening = useJob();
  const restoring = useJob();
  const [tables, setTables] = useState<TableSummary[] | null>(null);
  const [openError, setOpenError] = useState<ApiError | null>(null);
  const [askPassword, setAskPassword] = useState<{ tried: boolean } | null>(null);
  const [showInternal, setShowInternal] = useState(false);
  const [table, setTable] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState("");
  const searched = useDebounced(search.trim(), 250);
  const [confirming, setConfirming] = useState(false);
  const [references, setReferences] = useState<string[] | null>(null);
  const [restored, setRestored] = useState<RestoreOutcome | null>(null);
  const [undone, setUndone] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const started = useRef(false);

  const backups = useQuery(`backups:${source.name}`, () => api.listBackups(source.name));
  const backup = backups.data?.find((b) => b.id === backupId);
  const made = backup ? formatDateTime(backup.created_at, true) : "";

  const open = async (typed?: TypedPassword) => {
    setOpenError(null);
    const found = await opening.start(
      (jobId) =>
        api.openBackup({ source: source.name, id: backupId, jobId, password: typed?.password, rememberPassword: typed?.remember }),
      {
        refresh: false,
        onError: (e) => {
          if (needsOtherPassword(e.code)) setAskPassword({ tried: typed !== undefined });
          else setOpenError(e);
        },
      },
    );
    if (found) {
      setAskPassword(null);
      setTables(found);
      setTable((t) => t ?? found.find((s) => !s.internal)?.table ?? found[0]?.table ?? null);
    }
  };

  useEffect(() => {
    if (!started.current) {
      started.current = true;
      void open();
    }
    return () => {
      void api.closeBackup().catch(() => {});
    };
    // Opened once per backup (the screen is keyed by it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const rows = useQuery(tables && table ? `rows:${backupId}:${table}:${offset}:${searched}` : null, () =>
    api.backupRows({ source: source.name, id: backupId, table: table ?? "", offset, limit: PAGE, search: searched || null }),
  );

  const takeBack = async (names: string[], allowBrokenReferences = false) => {
    setConfirming(false);
    setReferences(null);
    setUndone(false);
    const outcome = await restoring.start(
      (jobId) =>
        api.restoreBackup({
          source: source.name,
          id: backupId,
          jobId,
          verifyFirst: true,
          tables: names,
          allowBrokenReferences,
        }),
      {
        doing: `Taking back ${names.join(", ")}`,
        onError: (e) => {
          if (e.code === "confirmation_required" && e.facts.reason === "broken_references") setReferences(e.facts.tables ?? []);
          else report(e, `Taking back ${names.join(", ")}`);
        },
      },
    );
    if (outcome) setRestored(outcome);
  };

  const exportAs = async (table: string, format: "csv" | "database") => {
    setExported(null);
    const folder = source.database.replace(/[^/]*$/, "");
    const suggested = `${folder}${table}${format === "csv" ? ".csv" : ".sqlite"}`;
    try {
      const target = await api.choosePath(format === "csv" ? "export_csv" : "export_database", suggested);
      if (!target) return;
      const rows = await api.exportTable({ source: source.name, id: backupId, table, format, target });
      setExported(`${plural(rows, "row")} of ${table} written to ${target}${format === "csv" ? ", as a spreadsheet" : ", as a database of its own"}.`);
    } catch (e) {
      report(e, `Exporting ${table}`);
    }
  };

  const undo = async () => {
    const done = await restoring.start((jobId) => api.undoRestore({ source: source.name, jobId }), { doing: "Undoing" });
    if (done) {
      setRestored(null);
      setUndone(true);
    }
  };

  const shown = (tables ?? []).filter((t) => showInternal || !t.internal);
  const hidden = (tables ?? []).length - shown.length;
  const current = tables?.find((t) => t.table === table) ?? null;

  return (
    <section className="screen inside" aria-labelledby="inside-title">
      <p>
        <button type="button" className="link" onClick={() => navigate("history")}>
          ← History
        </button>
      </p>
      <h1 id="inside-title">Inside the backup{made && ` of ${made}`}</h1>
      <p className="muted">
        Nothing here changes your database: Keepsake reads a private copy of the backup, removed when you leave this screen.
      </p>
      {backup && tables && backups.data && <CompareWith source={source} backup={backup} all={backups.data} />}
      <JobProgress job={opening} label="Opening the backup" />
      {askPassword && (
        <OtherPassword key={String(askPassword.tried)} made={made} tried={askPassword.tried} busy={opening.running} action="Open it" onSubmit={(typed) => void open(typed)} />
      )}
      {openError && <LoadError what="this backup" error={openError} retry={() => void open()} />}

      {tables && (
        <div className="inside-body">
          <nav className="card table-list" aria-label="Tables in this backup">
            <ul>
              {shown.map((t) => (
                <li key={t.table}>
                  <button
                    type="button"
                    data-testid="inside-table"
                    aria-current={t.table === table ? "true" : undefined}
                    className={t.internal ? "muted" : undefined}
                    onClick={() => {
                      setTable(t.table);
                      setOffset(0);
                      setSearch("");
                      setRestored(null);
                      setReferences(null);
                    }}
                  >
                    <span>{t.table}</span> <span className="muted small">{t.rows === null ? "–" : t.rows.toLocaleString()}</span>
                  </button>
                </li>
              ))}
            </ul>
            <label className="check small">
              <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} /> Show internal tables
              {hidden > 0 && !showInternal && ` (${hidden})`}: a search index and the like, kept up to date by the database itself
            </label>
          </nav>

          {current && (
            <div className="card table-rows">
              <div className="rows-head">
                <h2>{current.table}</h2>
                <input
                  type="search"
                  aria-label={`Search ${current.table}`}
                  placeholder="Search"
                  value={search}
                  onChange={(e) => {
                    setSearch(e.target.value);
                    setOffset(0);
                  }}
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
                    <span data-testid="inside-count">
                      {rows.data.total === 0
                        ? searched
                          ? `No rows with “${searched}”`
                          : "No rows"
                        : `Rows ${(rows.data.offset + 1).toLocaleString()}–${(rows.data.offset + rows.data.rows.length).toLocaleString()} of ${rows.data.total.toLocaleString()}${searched ? ` with “${searched}”` : ""}`}
                    </span>
                    <button type="button" onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
                      Previous
                    </button>
                    <button type="button" onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= rows.data.total}>
                      Next
                    </button>
                  </div>
                </>
              )}

              {!current.internal && !restored && !confirming && !references && (
                <p className="buttons">
                  <button type="button" data-testid="take-back" onClick={() => setConfirming(true)} disabled={restoring.running}>
                    Take back this table…
                  </button>
                  <button type="button" data-testid="export-csv" onClick={() => void exportAs(current.table, "csv")} disabled={restoring.running}>
                    Export as a spreadsheet…
                  </button>
                  <button type="button" data-testid="export-database" onClick={() => void exportAs(current.table, "database")} disabled={restoring.running}>
                    Export as a database…
                  </button>
                </p>
              )}
              {exported && (
                <p className="done" role="status" data-testid="exported">
                  {exported}
                </p>
              )}
              {confirming && (
                <Confirm confirmLabel={`Take back ${current.table}`} onConfirm={() => void takeBack([current.table])} onCancel={() => setConfirming(false)}>
                  Replace the rows of <strong>{current.table}</strong> in your database with the{" "}
                  {plural(current.rows ?? 0, "row")} in this backup? Every other table stays as it is. A safety backup of the whole
                  database is made first, so you can undo it.
                </Confirm>
              )}
              {references && (
                <div className="card warning" role="alertdialog" aria-label="Other tables refer to it" data-testid="take-back-references">
                  <p>{wordingFor("confirmation_required", { reason: "broken_references", tables: references }).title}.</p>
                  <div className="buttons">
                    <button type="button" onClick={() => setReferences(null)}>
                      Cancel
                    </button>
                    <button type="button" className="primary" onClick={() => void takeBack([current.table, ...references.filter((r) => r !== current.table)])}>
                      Take back {[current.table, ...references.filter((r) => r !== current.table)].join(" and ")}
                    </button>
                    <button type="button" onClick={() => void takeBack([current.table], true)}>
                      Only {current.table}
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
                  <button type="button" data-testid="take-back-undo" onClick={() => void undo()} disabled={restoring.running}>
                    Undo
                  </button>
                </div>
              )}
              {undone && (
                <p className="done" role="status">
                  Undone: the database is back as it was before.
                </p>
              )}
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** What changed between this backup and another one of the same database, table by table. */
function CompareWith({ source, backup, all }: { source: SourceView; backup: BackupMetadata; all: BackupMetadata[] }) {
  const job = useJob();
  const others = all.filter((b) => b.id !== backup.id && b.backup_type !== "safety");
  const [choice, setOther] = useState("");
  // The newest other backup until one is picked (the list may grow while the screen is open).
  const other = others.some((b) => b.id === choice) ? choice : (others[0]?.id ?? "");
  const [found, setFound] = useState<{ older: BackupMetadata; newer: BackupMetadata; changes: TableChange[] } | null>(null);
  if (others.length === 0) return null;
  const compare = async () => {
    const picked = others.find((b) => b.id === other);
    if (!picked) return;
    const [older, newer] = picked.created_at < backup.created_at ? [picked, backup] : [backup, picked];
    setFound(null);
    const changes = await job.start((jobId) => api.compareBackups({ source: source.name, older: older.id, newer: newer.id, jobId }), {
      doing: "Comparing two backups",
      refresh: false,
    });
    if (changes) setFound({ older, newer, changes });
  };
  const differing = found ? found.changes.filter((c) => !c.internal && sinceWords(c) !== null) : [];
  return (
    <div className="card compare-with" data-testid="compare-with">
      <label>
        Compare with another backup
        <select value={other} onChange={(e) => setOther(e.target.value)} disabled={job.running} data-testid="compare-with-choice">
          {others.map((b) => (
            <option key={b.id} value={b.id}>
              {formatDateTime(b.created_at, true)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void compare()} disabled={job.running} data-testid="compare-with-start">
        Compare
      </button>
      <JobProgress job={job} label="Comparing the two backups" />
      {found && (
        <div data-testid="compare-with-result">
          <p>
            From {formatDateTime(found.older.created_at, true)} to {formatDateTime(found.newer.created_at, true)}:{" "}
            {differing.length === 0 ? "the same rows in every table." : ""}
          </p>
          {differing.length > 0 && (
            <ul>
              {differing.map((c) => (
                <li key={c.table}>
                  <strong>{c.table}</strong>: {sinceWords(c)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

