// Restore: pick a backup, see what restoring changes (tables and rows, backup against now), read
// that a safety backup comes first, confirm, follow the progress, and undo if it was a mistake.

import { useState } from "react";

import * as api from "../api";
import { Confirm } from "../components/Confirm";
import { JobProgress } from "../components/JobProgress";
import { LoadError, Loading } from "../components/QueryState";
import { formatBytes, formatDateTime, formatRelative, plural } from "../format";
import { useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { BackupMetadata, RestoreOutcome, SourceView, TableComparison } from "../types";
import { TYPE_WORDS } from "./History";

export function Restore({
  source,
  initialBackupId,
  navigate,
}: {
  source: SourceView;
  initialBackupId: string | null;
  navigate: Navigate;
}) {
  const name = source.name;
  const backups = useQuery(`backups:${name}`, () => api.listBackups(name));
  const [picked, setPicked] = useState<string | null>(initialBackupId);
  const [elsewhere, setElsewhere] = useState(false);
  const [target, setTarget] = useState("");
  const [verifyFirst, setVerifyFirst] = useState(true);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ result: RestoreOutcome; backup: BackupMetadata } | null>(null);
  const [undone, setUndone] = useState<RestoreOutcome | null>(null);
  const job = useJob();

  const list = backups.data ?? [];
  // By default the newest backup that isn't a safety backup (restoring that one is what Undo is for).
  const chosen = list.find((b) => b.id === picked) ?? list.find((b) => b.backup_type !== "safety") ?? list[0] ?? null;
  const targetPath = elsewhere ? target.trim() : "";

  const restore = async () => {
    if (!chosen) return;
    const backup = chosen;
    // Keep the choice when the list refreshes with the new safety backup on top.
    setPicked(backup.id);
    setConfirming(false);
    setUndone(null);
    const result = await job.start(
      (jobId) =>
        api.restoreBackup({
          source: name,
          id: chosen.id,
          jobId,
          verifyFirst,
          target: targetPath || undefined,
        }),
      { doing: "Restoring" },
    );
    if (result) setOutcome({ result, backup });
  };

  const undo = async () => {
    const result = await job.start((jobId) => api.undoRestore({ source: name, jobId }), { doing: "Undoing the restore" });
    if (result) {
      setUndone(result);
      setOutcome(null);
    }
  };

  return (
    <section className="screen" aria-labelledby="restore-title">
      <h1 id="restore-title">Restore {name}</h1>

      {outcome && (
        <div className="card tone-ok done-panel" role="status" data-testid="restore-done">
          <h2>Restored</h2>
          <p>
            {outcome.result.target} now holds the backup from {formatDateTime(outcome.backup.created_at)}.
            {outcome.result.verified && " The backup was checked before it was used."}
          </p>
          {outcome.result.safety_backup_id ? (
            <>
              <p>The database as it was just before is kept as a safety backup, so you can go back.</p>
              <button type="button" className="primary" data-testid="undo-restore" onClick={() => void undo()} disabled={job.running}>
                Undo this restore
              </button>
            </>
          ) : (
            <p>There was no database at that place before, so there is nothing to undo.</p>
          )}
        </div>
      )}
      {undone && (
        <div className="card tone-ok done-panel" role="status" data-testid="undo-done">
          <h2>Restore undone</h2>
          <p>{undone.target} is back as it was before the restore.</p>
        </div>
      )}
      {(outcome || undone) && !job.running && (
        <div className="buttons">
          <button
            type="button"
            onClick={() => {
              setOutcome(null);
              setUndone(null);
            }}
          >
            Restore another backup
          </button>
        </div>
      )}
      <JobProgress job={job} label="Restoring" />

      {backups.loading && <Loading what="backups" />}
      {backups.error && <LoadError what="the backups" error={backups.error} retry={backups.reload} />}
      {backups.data && list.length === 0 && (
        <div className="card empty">
          <p>There are no backups of {name} to restore yet.</p>
          <button type="button" onClick={() => navigate("home")}>
            Go to Home
          </button>
        </div>
      )}

      {chosen && !job.running && !outcome && !undone && (
        <>
          <fieldset className="card">
            <legend>1. Which backup?</legend>
            <div className="backup-picker" role="radiogroup" aria-label="Backup to restore">
              {list.map((b) => (
                <BackupChoice key={b.id} backup={b} checked={b.id === chosen.id} onPick={() => setPicked(b.id)} />
              ))}
            </div>
          </fieldset>

          <section className="card" aria-labelledby="changes-title">
            <h2 id="changes-title">2. What changes</h2>
            <Changes source={name} backup={chosen} />
          </section>

          <fieldset className="card">
            <legend>3. Where to</legend>
            <label className="check">
              <input type="radio" name="where" checked={!elsewhere} onChange={() => setElsewhere(false)} />
              Replace the database ({source.database})
            </label>
            <label className="check">
              <input type="radio" name="where" checked={elsewhere} onChange={() => setElsewhere(true)} />
              Restore to another location (the database stays as it is)
            </label>
            {elsewhere && (
              <label>
                New file
                <input
                  value={target}
                  onChange={(e) => setTarget(e.target.value)}
                  placeholder="/home/me/restored.db"
                  data-testid="restore-target"
                  spellCheck={false}
                />
              </label>
            )}
            <label className="check">
              <input type="checkbox" checked={verifyFirst} onChange={(e) => setVerifyFirst(e.target.checked)} />
              Check the backup before restoring it (recommended)
            </label>
            <p className="safety" data-testid="safety-note">
              Before anything is replaced, Keepsake makes a safety backup of {elsewhere ? "that file (if it exists)" : "the database"} as it
              is now, so you can undo this restore.
            </p>
          </fieldset>

          {confirming ? (
            <Confirm confirmLabel="Restore now" onConfirm={() => void restore()} onCancel={() => setConfirming(false)}>
              Replace {targetPath || source.database} with the backup from {formatDateTime(chosen.created_at)}? Close the
              app that uses the database first.
            </Confirm>
          ) : (
            <div className="buttons">
              <button
                type="button"
                className="primary big"
                data-testid="restore-start"
                onClick={() => setConfirming(true)}
                disabled={elsewhere && targetPath === ""}
              >
                Restore…
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function BackupChoice({ backup, checked, onPick }: { backup: BackupMetadata; checked: boolean; onPick: () => void }) {
  return (
    <label className={`choice ${checked ? "checked" : ""}`} data-testid="restore-choice">
      <input type="radio" name="backup" checked={checked} onChange={onPick} />
      <span>
        <strong>{formatDateTime(backup.created_at)}</strong> <span className="muted">({formatRelative(backup.created_at)})</span>
        <br />
        <span className="muted small">
          {TYPE_WORDS[backup.backup_type]} · {formatBytes(backup.original_size)}
          {backup.verification === "passed" ? " · verified" : backup.verification === "failed" ? " · failed its check" : ""}
          {backup.description ? ` · ${backup.description}` : ""}
        </span>
      </span>
    </label>
  );
}

function Changes({ source, backup }: { source: string; backup: BackupMetadata }) {
  const compare = useQuery(`compare:${source}:${backup.id}`, () => api.compareBackup(source, backup.id));
  if (compare.loading) return <Loading what="the comparison" />;
  if (compare.error) return <LoadError what="the comparison" error={compare.error} retry={compare.reload} />;
  const rows = compare.data ?? [];
  if (rows.length === 0) return <p>The backup holds no tables.</p>;
  return (
    <>
      <p>{summarise(rows, backup)}</p>
      <div className="table-wrap">
        <table className="compare" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Rows in the backup</th>
              <th scope="col">Rows now</th>
              <th scope="col">After restoring</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.table}>
                <th scope="row">{r.table}</th>
                <td>{r.backup_rows.toLocaleString()}</td>
                <td>{r.current_rows === null ? "—" : r.current_rows.toLocaleString()}</td>
                <td>{changeWords(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function changeWords(r: TableComparison): string {
  if (r.current_rows === null) return "Comes back (not in the database now)";
  const diff = r.backup_rows - r.current_rows;
  if (diff === 0) return "Same number of rows";
  return diff > 0 ? `${plural(diff, "row")} more` : `${plural(-diff, "row")} fewer`;
}

function summarise(rows: TableComparison[], backup: BackupMetadata): string {
  const changed = rows.filter((r) => r.current_rows !== r.backup_rows).length;
  const when = formatDateTime(backup.created_at);
  if (changed === 0) return `Every table has the same number of rows now as in the backup from ${when}.`;
  return `Restoring puts ${plural(rows.length, "table")} back as they were on ${when}; ${plural(changed, "table")} ${
    changed === 1 ? "differs" : "differ"
  } from now. Rows added since then will be gone.`;
}
