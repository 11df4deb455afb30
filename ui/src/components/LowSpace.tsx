// The backup disk running out of room: how much the next backup leaves (or that it won't fit),
// and the question that makes room ("Delete the 12 oldest backups to free 3.1 GB?"), answered
// with one click. The shell says how it stands and which backups; the words are here.

import { useState } from "react";

import * as api from "../api";
import { formatBytes } from "../format";
import { useAction } from "../hooks";
import type { SourceView } from "../types";

export function LowSpace({ source }: { source: SourceView }) {
  const space = source.space;
  const [deleted, setDeleted] = useState<number | null>(null);
  const free = useAction((ids: string[]) => api.freeUpSpace(source.name, ids), { doing: "Deleting old backups", onSuccess: setDeleted });
  if (!space || space.state === "enough") {
    return deleted !== null ? (
      <p className="done" role="status" data-testid="low-space-freed">
        Deleted {deleted} old backup{deleted === 1 ? "" : "s"}: there is room for the next backups again.
      </p>
    ) : null;
  }
  const full = space.state === "no_room";
  const offer = space.free_up;
  const left = Math.max(0, space.free - space.estimate);
  return (
    <section className={`problem tone-${full ? "bad" : "warn"} low-space`} role={full ? "alert" : "status"} data-testid="low-space" data-state={space.state}>
      <div>
        <strong>
          <span className={`icon ${full ? "icon-bad" : "icon-warn"}`} aria-hidden="true">
            {full ? "✕" : "!"}
          </span>{" "}
          {full ? "The next backup won't fit on the disk" : "The backup disk is almost full"}
        </strong>
        <p>
          {full
            ? `The disk with the backups (${space.folder}) has ${formatBytes(space.free)} free; the next backup of ${source.name} needs about ${formatBytes(space.needed)}, so it won't be made.`
            : left < space.margin
              ? `After the next backup of ${source.name}, about ${formatBytes(left)} will be left on the disk with the backups (${space.folder}), less than the ${formatBytes(space.margin)} Keepsake keeps free.`
              : `After the next backup of ${source.name}, about ${formatBytes(left)} will be left on the disk with the backups (${space.folder}): not enough for the backup after it.`}
        </p>
        {offer?.enough && (
          <p data-testid="low-space-offer">
            Delete the {offer.ids.length === 1 ? "oldest backup" : `${offer.ids.length} oldest backups`} to free {formatBytes(offer.bytes)}? The newest
            backups, pinned ones and those later ones build on are kept.
          </p>
        )}
        {offer && !offer.enough && (
          <p data-testid="low-space-offer">
            Deleting {offer.ids.length === 1 ? "the oldest backup" : `the ${offer.ids.length} oldest backups`} would free only {formatBytes(offer.bytes)}. Free space on the disk, or choose a bigger one for
            the backups in Settings.
          </p>
        )}
        {!offer && <p>Free space on the disk, or choose a bigger one for the backups in Settings.</p>}
      </div>
      {offer?.enough && (
        <button type="button" onClick={() => void free.run(offer.ids)} disabled={free.pending} data-testid="low-space-delete">
          {offer.ids.length === 1 ? "Delete it" : "Delete them"}
        </button>
      )}
    </section>
  );
}
