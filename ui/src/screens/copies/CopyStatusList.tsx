// On Home: how each copy elsewhere of the selected database stands, the background copier's
// progress while it sends something (with Stop), and a way to resume copying once stopped.

import { useEffect, useState } from "react";

import * as api from "../../api";
import { COPY_JOB, copyStatusLine } from "../../copies";
import { formatPercent } from "../../format";
import { useAction, useNow, useQuery } from "../../hooks";
import type { SourceView } from "../../types";

/** On Home: how each copy elsewhere of `source` stands. */
export function CopyStatusList({ source, held }: { source: SourceView; held: boolean }) {
  const status = useQuery(source.copies_to.length > 0 ? "copy-status" : null, api.copyStatus, "copies");
  const now = useNow();
  const copying = useBackgroundCopy();
  const stop = useAction(api.stopCopies, { doing: "Stopping the copy" });
  const copyNow = useAction(api.copyNow, { doing: "Copying now" });
  const lines = (status.data ?? []).filter((s) => s.source === source.name);
  if (lines.length === 0) return null;
  return (
    <ul className="copies" aria-label="Copies elsewhere" data-testid="home-copies">
      {lines.map((s) => {
        const line = copyStatusLine(s, now);
        return (
          <li key={s.destination} className={`tone-${line.tone}`} data-testid="home-copy" data-tone={line.tone}>
            {line.text}
          </li>
        );
      })}
      {copying && !held && (
        <li className="tone-warn" data-testid="home-copying">
          Copying elsewhere… {formatPercent(copying.total > 0 ? copying.done / copying.total : 0)}{" "}
          <button type="button" className="link" onClick={() => void stop.run()} disabled={stop.pending} data-testid="stop-copies">
            Stop
          </button>
        </li>
      )}
      {held && (
        <li className="tone-warn" data-testid="home-copies-stopped">
          Copying elsewhere is stopped.{" "}
          <button type="button" className="link" onClick={() => void copyNow.run()} disabled={copyNow.pending} data-testid="resume-copies">
            Copy now
          </button>
        </li>
      )}
    </ul>
  );
}

/** The background copier's progress while it sends something (its events stop when it is done). */
function useBackgroundCopy(): { done: number; total: number } | null {
  const [progress, setProgress] = useState<{ done: number; total: number; at: number } | null>(null);
  useEffect(() => {
    let unsubscribe: api.Unsubscribe | undefined;
    let cancelled = false;
    void api
      .onJobProgress((p) => {
        if (p.job_id !== COPY_JOB) return;
        setProgress(p.total > 0 && p.done >= p.total ? null : { done: p.done, total: p.total, at: Date.now() });
      })
      .then((u) => {
        if (cancelled) u();
        else unsubscribe = u;
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, []);
  const now = useNow(1000);
  if (progress === null || now - progress.at > 5000) return null;
  return progress;
}
