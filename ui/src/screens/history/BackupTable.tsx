// History's tables of backups (the backups of a database, and the safety backups made before
// a restore): each row read against the whole list, and what its buttons do.

import { sameMinute } from "../../format";
import type { Alert, BackupMetadata, CopyRecord } from "../../types";
import { noteOf } from "../../words";
import { BackupRow } from "./BackupRow";

/** What a row's buttons do, for the backup with that id. */
export interface RowHandlers {
  /** Content alerts of this source: the backup each was noticed in gets a marker. */
  alerts: Alert[];
  /** Its copies elsewhere: each backup shows where it is. */
  copies: CopyRecord[];
  busy: boolean;
  /** The backup whose Delete is being confirmed. */
  deleting: string | null;
  onVerify: (id: string) => void;
  onRestore: (id: string) => void;
  onLookInside: (id: string) => void;
  onPin: (id: string) => void;
  onDelete: (id: string) => void;
  onCancelDelete: () => void;
  onConfirmDelete: (id: string) => void;
}

/** A table of backups (`rows`), each read against the whole list (`all`: chains, same-minute times). */
export function BackupTable({ caption, rows, all, ...h }: { caption: string; rows: BackupMetadata[]; all: BackupMetadata[] } & RowHandlers) {
  const withSeconds = sameMinute(all.map((b) => b.created_at));
  return (
    <div className="table-wrap">
      <table className="backups">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Made</th>
            <th scope="col">Type</th>
            <th scope="col">Size</th>
            <th scope="col">Stored</th>
            <th scope="col">Checked</th>
            <th scope="col">Note</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <BackupRow
              key={b.id}
              backup={b}
              note={noteOf(b, all)}
              alerts={h.alerts.filter((a) => a.backup_id === b.id)}
              copiedTo={h.copies.filter((c) => c.backup_id === b.id).map((c) => c.destination)}
              full={b.chain ? all.find((f) => f.id === b.chain?.full) : undefined}
              neededByLater={all.some((later) => later.chain?.base === b.id)}
              seconds={withSeconds.has(b.created_at)}
              busy={h.busy}
              confirmingDelete={h.deleting === b.id}
              onVerify={() => h.onVerify(b.id)}
              onRestore={() => h.onRestore(b.id)}
              onLookInside={() => h.onLookInside(b.id)}
              onPin={() => h.onPin(b.id)}
              onDelete={() => h.onDelete(b.id)}
              onCancelDelete={h.onCancelDelete}
              onConfirmDelete={() => h.onConfirmDelete(b.id)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
