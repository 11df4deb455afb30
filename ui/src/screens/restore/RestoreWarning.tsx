// The extra step for a backup Keepsake can't vouch for: why, in plain words, and an explicit
// "I know where this backup comes from" before the usual confirmation.

import { useState } from "react";

import type { ConfirmationReasons } from "../../errors";
import type { BackupMetadata, SourceView } from "../../types";
import { CONCERN_WORDS } from "../../words";

export function RestoreWarning({
  backup,
  source,
  concerns,
  onContinue,
  onCancel,
}: {
  backup: BackupMetadata;
  source: SourceView;
  concerns: ConfirmationReasons;
  onContinue: () => void;
  onCancel: () => void;
}) {
  const [sure, setSure] = useState(false);
  const why = backup.origin === "foreign" && backup.concern ? ` (${CONCERN_WORDS[backup.concern].toLowerCase()})` : "";
  return (
    <div className="card warning-step" role="alertdialog" aria-labelledby="restore-warning-title" data-testid="restore-warning">
      <h2 id="restore-warning-title">Before you restore this backup</h2>
      {concerns.foreign && (
        <p data-testid="restore-warning-foreign">
          <strong>This backup wasn't made by Keepsake on this computer{why}.</strong> It was found in the backup folder. A file
          someone else put there could hold anything, so restore it only if you know where it comes from.
        </p>
      )}
      {concerns.unencrypted && (
        <p data-testid="restore-warning-unencrypted">
          <strong>This backup isn't encrypted,</strong> while Keepsake encrypts the backups of {source.name}. Anyone who could
          write to the backup folder could have made or changed it.
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} data-testid="restore-warning-ack" />
        I know where this backup comes from
      </label>
      <div className="buttons">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onContinue} disabled={!sure} data-testid="restore-warning-continue">
          Use this backup anyway
        </button>
      </div>
    </div>
  );
}
