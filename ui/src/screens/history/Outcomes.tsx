// What History says about checks and runs: the result of a Verify (every check, or the ones that
// failed and what to do), and a run that failed, with why in plain words.

import { ERROR_WORDING } from "../../errors";
import { formatDateTime, formatDuration, plural } from "../../format";
import type { RunRecord, VerifyReport } from "../../types";
import { OPERATION_WORDS, TYPE_WORDS } from "../../words";

export function FailedRun({ run }: { run: RunRecord }) {
  const wording = run.error_code ? ERROR_WORDING[run.error_code] : null;
  return (
    <li className="card failed-run" data-testid="failed-run">
      <strong>
        {OPERATION_WORDS[run.operation]} failed {formatDateTime(run.started_at)}
        {run.backup_type ? ` (${TYPE_WORDS[run.backup_type].toLowerCase()})` : ""}
      </strong>
      <p>{wording ? `${wording.title}. ${wording.action}` : "No reason was recorded."}</p>
      {run.message && <p className="muted small">{run.message}</p>}
    </li>
  );
}

export function VerifyResult({ report, onClose }: { report: VerifyReport; onClose: () => void }) {
  const failed = report.checks.filter((c) => c.status === "failed");
  const wording = report.code ? ERROR_WORDING[report.code] : null;
  return (
    <div className={`card verify-result tone-${report.ok ? "ok" : "bad"}`} role="status" data-testid="verify-result" data-ok={report.ok}>
      <strong>
        {report.ok
          ? `The backup passed all ${plural(report.checks.filter((c) => c.status === "passed").length, "check")} in ${formatDuration(report.duration_ms)}.`
          : `The backup failed its check${wording ? `: ${wording.title}` : ""}.`}
      </strong>
      {wording && !report.ok && <p>{wording.action}</p>}
      <ul className="checks">
        {(report.ok ? report.checks : failed).map((c) => (
          <li key={c.name} className={c.status}>
            {c.status === "passed" ? "✓" : c.status === "failed" ? "✕" : "–"} {c.message || c.name}
          </li>
        ))}
      </ul>
      <button type="button" className="quiet" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
