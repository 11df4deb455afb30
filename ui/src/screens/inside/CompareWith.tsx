// Inside a backup: what changed between it and another backup of the same database, table by table.

import { useState } from "react";

import * as api from "../../api";
import { sinceWords } from "../../changes";
import { JobProgress } from "../../components/JobProgress";
import { formatDateTime } from "../../format";
import { useJob } from "../../hooks";
import type { BackupMetadata, SourceView, TableChange } from "../../types";

export function CompareWith({ source, backup, all }: { source: SourceView; backup: BackupMetadata; all: BackupMetadata[] }) {
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
