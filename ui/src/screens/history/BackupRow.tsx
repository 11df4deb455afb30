// One backup in History: when it was made, its content alerts and concerns, its type, kind and
// copies, sizes, whether it was checked, its note and tags, and its buttons (Verify, Restore,
// Look inside, Keep, Delete, the delete asked first or refused when later backups need it).

import { alertTitle } from "../../alerts";
import { Confirm } from "../../components/Confirm";
import { NEEDED_BY_LATER_WORDING } from "../../errors";
import { formatBytes, formatDateTime, formatPercent, formatRelative } from "../../format";
import type { Alert, BackupMetadata } from "../../types";
import { BACKUP_KIND_WORDS, CONCERN_WORDS, FULL_REASON_WORDS, TYPE_WORDS } from "../../words";

export function BackupRow({
  backup,
  note,
  alerts,
  copiedTo,
  full,
  neededByLater,
  seconds,
  busy,
  confirmingDelete,
  onVerify,
  onRestore,
  onLookInside,
  onPin,
  onDelete,
  onCancelDelete,
  onConfirmDelete,
}: {
  backup: BackupMetadata;
  /** Its description, in words (see `noteOf`). */
  note: string | null;
  /** The content alerts noticed in it. */
  alerts: Alert[];
  /** The destinations it is copied to, whole. */
  copiedTo: string[];
  /** For a changes-only backup: the full copy its chain starts from (when still listed). */
  full: BackupMetadata | undefined;
  /** Later changes-only backups are built on this one: deleting it alone is refused. */
  neededByLater: boolean;
  /** Another backup was made in the same minute: show the seconds to tell them apart. */
  seconds: boolean;
  busy: boolean;
  confirmingDelete: boolean;
  onVerify: () => void;
  onRestore: () => void;
  onLookInside: () => void;
  onPin: () => void;
  onDelete: () => void;
  onCancelDelete: () => void;
  onConfirmDelete: () => void;
}) {
  const made = formatDateTime(backup.created_at, seconds);
  const kind = BACKUP_KIND_WORDS[backup.kind];
  // A changes-only backup's size against its full copy's: "12% of a full copy's size".
  const share = full && full.stored_size > 0 ? backup.stored_size / full.stored_size : null;
  const shareWords = share === null ? null : share < 0.01 ? "under 1%" : formatPercent(share);
  return (
    <>
      <tr data-testid="backup-row" data-id={backup.id}>
        <td>
          <span title={backup.id}>{made}</span>
          <br />
          <span className="muted">{formatRelative(backup.created_at)}</span>
          {alerts.map((a) => (
            <span key={a.id} className={`alert-mark${a.dismissed_at ? " muted" : ""}`} data-testid="backup-alert" data-kind={a.kind}>
              <br />⚠ {alertTitle(a)}
              {a.dismissed_at ? " (you said this was you)" : ""}
            </span>
          ))}
          {backup.concern && (
            <>
              <br />
              <span className="concern" data-testid="backup-concern" data-concern={backup.concern}>
                {CONCERN_WORDS[backup.concern]}
              </span>
            </>
          )}
        </td>
        <td>
          {TYPE_WORDS[backup.backup_type]}
          {backup.encrypted && <span className="badge">Encrypted</span>}
          {copiedTo.map((d) => (
            <span key={d} className="badge badge-copied" data-testid="backup-copied" title={`A copy checked whole at ${d}`}>
              Copied to {d}
            </span>
          ))}
          {backup.pinned && (
            <span className="badge badge-pinned" data-testid="backup-pinned" title="Kept whatever the clean-up rules say, until you unpin it">
              Kept
            </span>
          )}
          <br />
          <span className="muted small" title={kind.hint} data-testid="backup-kind" data-kind={backup.kind}>
            {kind.label}
            {shareWords !== null && ` · ${shareWords} of a full copy's size`}
          </span>
          {backup.opaque && (
            <>
              <br />
              <span className="muted small" data-testid="backup-opaque">
                Kept whole: its app encrypts this file, so Keepsake checks the copy but cannot check inside it
              </span>
            </>
          )}
          {backup.copied_while_held && (
            <>
              <br />
              <span className="muted small" data-testid="backup-held">
                Copied from the app's files while it was open (checked whole)
              </span>
            </>
          )}
          {backup.full_reason && (
            <>
              <br />
              <span className="muted small" data-testid="backup-full-reason" data-reason={backup.full_reason}>
                Not changes only: {FULL_REASON_WORDS[backup.full_reason]}
              </span>
            </>
          )}
        </td>
        <td className="num">{formatBytes(backup.original_size)}</td>
        <td className="num">{formatBytes(backup.stored_size)}</td>
        <td data-testid="verification" data-status={backup.verification}>
          <Verification backup={backup} />
        </td>
        <td>
          {note && <span>{note}</span>}
          {backup.tags.length > 0 && (
            <span className="tags">
              {backup.tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </span>
          )}
        </td>
        <td className="actions">
          <button type="button" data-testid="verify-button" onClick={onVerify} disabled={busy} aria-label={`Verify the backup from ${made}`}>
            Verify
          </button>
          <button type="button" data-testid="restore-button" onClick={onRestore} disabled={busy} aria-label={`Restore the backup from ${made}`}>
            Restore
          </button>
          <button type="button" data-testid="inside-button" onClick={onLookInside} disabled={busy} aria-label={`Look inside the backup from ${made}`}>
            Look inside
          </button>
          <button type="button" data-testid="pin-button" className="quiet" onClick={onPin} disabled={busy} aria-label={`${backup.pinned ? "Stop keeping" : "Keep"} the backup from ${made}`}>
            {backup.pinned ? "Stop keeping" : "Keep"}
          </button>
          <button type="button" data-testid="delete-button" className="danger-quiet" onClick={onDelete} disabled={busy} aria-label={`Delete the backup from ${made}`}>
            Delete
          </button>
        </td>
      </tr>
      {confirmingDelete && neededByLater && (
        <tr>
          <td colSpan={7}>
            <div className="card delete-needed" role="status" data-testid="delete-needed">
              <strong>{NEEDED_BY_LATER_WORDING.title}.</strong>
              <p>{NEEDED_BY_LATER_WORDING.action}</p>
              <button type="button" className="quiet" onClick={onCancelDelete}>
                Keep it
              </button>
            </div>
          </td>
        </tr>
      )}
      {confirmingDelete && !neededByLater && (
        <tr>
          <td colSpan={7}>
            <Confirm danger confirmLabel="Delete this backup" onConfirm={onConfirmDelete} onCancel={onCancelDelete} busy={busy}>
              Delete the backup from {made}? Its file is removed from the backup folder and can't be brought back.
            </Confirm>
          </td>
        </tr>
      )}
    </>
  );
}

function Verification({ backup }: { backup: BackupMetadata }) {
  switch (backup.verification) {
    case "passed":
      return <span className="ok">✓ Verified{backup.verified_at ? ` ${formatRelative(backup.verified_at)}` : ""}</span>;
    case "failed":
      return <span className="bad">✕ Failed its check</span>;
    case "unverified":
      return <span className="muted">Not checked yet</span>;
  }
}
