// The end of a restore: what now holds the backup, the safety backup that makes Undo possible
// (or why there is nothing to undo), the undo's own result, and the way back to the picker.

import { formatDateTime } from "../../format";
import type { BackupMetadata, RestoreOutcome } from "../../types";

export function Done({
  outcome,
  undone,
  running,
  onUndo,
  onAnother,
  onFinished,
  name,
  database,
}: {
  /** The database's name ("Anki"), and its file: a restore over it is said with the name. */
  name: string;
  database: string;
  outcome: { result: RestoreOutcome; backup: BackupMetadata } | null;
  undone: RestoreOutcome | null;
  /** A job runs (the undo): its buttons wait. */
  running: boolean;
  onUndo: () => void;
  onAnother: () => void;
  /** "Done": back to Home. */
  onFinished: () => void;
}) {
  return (
    <>
      {outcome && (
        <div className="card tone-ok done-panel" role="status" data-testid="restore-done">
          <h2>Restored</h2>
          <p>
            {outcome.result.target === database ? (
              <>
                {name}&apos;s data is back as it was on {formatDateTime(outcome.backup.created_at, true)}.
              </>
            ) : (
              <>
                <span className="inline-path">{outcome.result.target}</span> now holds the backup from {formatDateTime(outcome.backup.created_at, true)}.
              </>
            )}
            {outcome.result.verified && " The backup was checked before it was used."}
          </p>
          {outcome.result.safety_backup_id ? (
            <p>The data as it was just before is kept as a safety backup, so you can still go back.</p>
          ) : (
            <p>There was nothing at that place before, so there is nothing to undo.</p>
          )}
          {!undone && (
            <div className="buttons">
              <button type="button" className="primary" data-testid="restore-finished" onClick={onFinished} disabled={running}>
                Done
              </button>
              {outcome.result.safety_backup_id && (
                <button type="button" data-testid="undo-restore" onClick={onUndo} disabled={running}>
                  Undo this restore
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {undone && (
        <div className="card tone-ok done-panel" role="status" data-testid="undo-done">
          <h2>Restore undone</h2>
          <p>{undone.target} is back as it was before the restore.</p>
        </div>
      )}
      {(outcome || undone) && !running && (
        <p>
          <button type="button" className="link" onClick={onAnother}>
            Restore another backup
          </button>
          {undone && (
            <>
              {" · "}
              <button type="button" className="link" data-testid="restore-finished" onClick={onFinished}>
                Back to Home
              </button>
            </>
          )}
        </p>
      )}
    </>
  );
}
