// Live progress of a running job: what it is doing, percent, speed, time left, and Cancel.

import { formatBytes, formatPercent, formatRemaining, formatSpeed } from "../format";
import type { Job } from "../hooks";
import { PHASE_WORDS } from "../words";

export function JobProgress({ job, label }: { job: Job; label: string }) {
  if (!job.running) return null;
  const { status } = job;
  const phase = status.phase ? PHASE_WORDS[status.phase] : label;
  const percent = status.fraction === null ? null : Math.round(status.fraction * 100);
  return (
    <div className="job" data-testid="job-progress" aria-live="polite">
      <div className="job-head">
        <span className="job-phase">{phase}…</span>
        <span className="job-percent">{status.fraction === null ? "Starting" : formatPercent(status.fraction)}</span>
      </div>
      <progress max={100} value={percent ?? undefined} aria-label={`${phase} progress`} />
      <div className="job-foot">
        <span>
          {status.total > 0 ? `${formatBytes(status.done)} of ${formatBytes(status.total)}` : "\u00a0"}
          {status.speed !== null && ` · ${formatSpeed(status.speed)}`}
          {status.remainingMs !== null && ` · about ${formatRemaining(status.remainingMs)} left`}
        </span>
        <button type="button" data-testid="cancel-job" onClick={job.cancel} disabled={job.cancelling}>
          {job.cancelling ? "Cancelling…" : "Cancel"}
        </button>
      </div>
    </div>
  );
}
