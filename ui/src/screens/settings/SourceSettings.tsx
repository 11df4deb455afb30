// One database in Settings: its name, file and backup folder; whether it is backed up, encrypted
// and compressed (and how much); saving space with changes-only backups; when lost rows are
// worth an alert; and removing it from Keepsake (asked first; its backups stay).

import { useState } from "react";

import * as api from "../../api";
import { Confirm } from "../../components/Confirm";
import { EditableText } from "../../components/EditableText";
import { useAction } from "../../hooks";
import type { SourcePatch, SourceView } from "../../types";
import { CompressionLevel, RowLossAlert, SaveSpace } from "./SourceChoices";

export function SourceSettings({ source, onRenamed }: { source: SourceView; onRenamed: (name: string) => void }) {
  const [removing, setRemoving] = useState(false);
  const set = useAction((patch: SourcePatch) => api.updateSource(source.name, patch),
    { doing: `Changing ${source.name}` },
  );
  const rename = useAction((name: string) => api.updateSource(source.name, { name }), {
    doing: `Renaming ${source.name}`,
    onSuccess: (s) => onRenamed(s.name),
  });
  const remove = useAction(() => api.removeSource(source.name), { doing: `Removing ${source.name}` });
  const busy = set.pending || rename.pending || remove.pending;

  return (
    <fieldset className="card source-settings" data-testid="source-settings">
      <legend>{source.name}</legend>
      {source.app && (
        <p className="muted small" data-testid="source-app-files">
          {source.app}'s files: {1 + source.also.length}
        </p>
      )}
      <EditableText label="Name" value={source.name} onSave={(v) => void rename.run(v)} busy={busy} testId="source-name" />
      <EditableText
        label="Database file"
        value={source.database}
        onSave={(v) => void set.run({ database: v })}
        busy={busy}
        placeholder="/home/me/app/data.db"
        testId="source-database"
        choose="database"
      />
      <EditableText
        label="Backup folder"
        value={source.backup_dir}
        onSave={(v) => void set.run({ backup_dir: v })}
        busy={busy}
        help="New backups go here. Backups already made stay where they are."
        testId="source-backup-dir"
        choose="folder"
      />
      <label className="check">
        <input type="checkbox" checked={source.enabled} onChange={(e) => void set.run({ enabled: e.target.checked })} disabled={busy} />
        Back up this database
      </label>
      <label className="check">
        <input type="checkbox" checked={source.encrypt} onChange={(e) => void set.run({ encrypt: e.target.checked })} disabled={busy} />
        Encrypt its backups with the backup password
      </label>
      {!source.encrypt && (
        <p className="warning small">Without encryption, anyone who gets a copy of a backup file can read the data in it.</p>
      )}
      <label className="check">
        <input type="checkbox" checked={source.compress} onChange={(e) => void set.run({ compress: e.target.checked })} disabled={busy} />
        Compress its backups
      </label>
      {source.compress && <CompressionLevel source={source} onChange={(level) => void set.run({ level })} busy={busy} />}
      <SaveSpace source={source} onChange={(value) => void set.run({ incremental: value })} busy={busy} />
      <RowLossAlert source={source} onChange={(value) => void set.run({ row_loss_alert_percent: value })} busy={busy} />
      {removing ? (
        <Confirm danger confirmLabel={`Remove ${source.name}`} onConfirm={() => void remove.run()} onCancel={() => setRemoving(false)} busy={busy}>
          Stop protecting {source.name}? Its backups stay in {source.backup_dir}; the database itself is not touched.
        </Confirm>
      ) : (
        <button type="button" className="danger-quiet" onClick={() => setRemoving(true)} disabled={busy}>
          Remove from Keepsake
        </button>
      )}
    </fieldset>
  );
}
