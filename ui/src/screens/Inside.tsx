// Inside one backup, without restoring it: its tables (people's first; SQLite's own behind "Show
// internal tables"), a table's rows page by page with a search box, and "Take back this table":
// only that table's rows go back into the database, after a safety backup, with an Undo.
// What is open, shown and asked is a reducer (inside/wizard.ts); this screen runs the jobs.

import { useEffect, useEffectEvent, useReducer, useRef } from "react";

import * as api from "../api";
import { JobProgress } from "../components/JobProgress";
import { OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { LoadError } from "../components/QueryState";
import { useShared } from "../context";
import { formatDateTime } from "../format";
import { useDebounced, useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { SourceView } from "../types";
import { CompareWith } from "./inside/CompareWith";
import { Rows } from "./inside/Rows";
import { TableList } from "./inside/TableList";
import { TakeBack } from "./inside/TakeBack";
import { currentTable, exportDialog, initialState, insideReducer, PAGE, referencesOf, type ExportFormat } from "./inside/wizard";

export function Inside({ source, backupId, navigate }: { source: SourceView; backupId: string; navigate: Navigate }) {
  const { report } = useShared();
  const opening = useJob();
  const restoring = useJob();
  const [state, dispatch] = useReducer(insideReducer, initialState);
  const { tables, table, offset } = state;
  const searched = useDebounced(state.search.trim(), 250);
  const started = useRef(false);

  const backups = useQuery(`backups:${source.name}`, () => api.listBackups(source.name));
  const backup = backups.data?.find((b) => b.id === backupId);
  const made = backup ? formatDateTime(backup.created_at, true) : "";

  const open = async (typed?: TypedPassword) => {
    dispatch({ type: "opening" });
    const found = await opening.start(
      (jobId) =>
        api.openBackup({ source: source.name, id: backupId, jobId, password: typed?.password, rememberPassword: typed?.remember }),
      { refresh: false, onError: (error) => dispatch({ type: "open_failed", error, typed: typed !== undefined }) },
    );
    if (found) dispatch({ type: "opened", tables: found });
  };

  // Opened once per backup (the screen is keyed by it), closed when the screen goes.
  const openOnce = useEffectEvent(() => {
    if (started.current) return;
    started.current = true;
    void open();
  });
  useEffect(() => {
    openOnce();
    return () => {
      void api.closeBackup().catch(() => {});
    };
  }, []);

  const rows = useQuery(tables && table ? `rows:${backupId}:${table}:${offset}:${searched}` : null, () =>
    api.backupRows({ source: source.name, id: backupId, table: table ?? "", offset, limit: PAGE, search: searched || null }),
  );

  const takeBack = async (names: string[], allowBrokenReferences = false) => {
    dispatch({ type: "taking_back" });
    const doing = `Taking back ${names.join(", ")}`;
    const outcome = await restoring.start(
      (jobId) => api.takeBackTables({ source: source.name, id: backupId, jobId, verifyFirst: true, tables: names, allowBrokenReferences }),
      {
        doing,
        onError: (error) => {
          const references = referencesOf(error);
          if (references) dispatch({ type: "references_found", tables: references });
          else report(error, doing);
        },
      },
    );
    if (outcome) dispatch({ type: "taken_back", outcome });
  };

  const exportAs = async (table: string, format: ExportFormat) => {
    dispatch({ type: "exporting" });
    const { kind, suggested } = exportDialog(source.database, table, format);
    try {
      const target = await api.choosePath(kind, suggested);
      if (!target) return;
      const rows = await api.exportTable({ source: source.name, id: backupId, table, format, target });
      dispatch({ type: "exported", rows, table, target, format });
    } catch (e) {
      report(e, `Exporting ${table}`);
    }
  };

  const undo = async () => {
    const done = await restoring.start((jobId) => api.undoRestore({ source: source.name, jobId }), { doing: "Undoing" });
    if (done) dispatch({ type: "undone" });
  };

  const current = currentTable(state);
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
      {state.askPassword && (
        <OtherPassword
          key={String(state.askPassword.tried)}
          made={made}
          tried={state.askPassword.tried}
          busy={opening.running}
          action="Open it"
          onSubmit={(typed) => void open(typed)}
        />
      )}
      {state.openError && <LoadError what="this backup" error={state.openError} retry={() => void open()} />}

      {tables && (
        <div className="inside-body">
          <TableList state={state} dispatch={dispatch} />
          {current && (
            <div className="card table-rows">
              <Rows table={current} rows={rows} searched={searched} state={state} dispatch={dispatch} />
              <TakeBack
                table={current}
                state={state}
                dispatch={dispatch}
                restoring={restoring}
                onTakeBack={(names, allow) => void takeBack(names, allow)}
                onExport={(format) => void exportAs(current.table, format)}
                onUndo={() => void undo()}
              />
            </div>
          )}
        </div>
      )}
    </section>
  );
}
