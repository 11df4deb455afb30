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

/** What each check of a verification proves, in a person's words (the technical terms are under Details). */
const CHECK_WORDS: Record<string, { passed: string; failed: string; skipped: string }> = {
  exists: { passed: "Every file it needs is there", failed: "A file it needs is missing or changed", skipped: "Its files were not looked at" },
  checksum: {
    passed: "Nothing in it changed since it was made",
    failed: "It changed since it was made",
    skipped: "Made elsewhere: nothing recorded to compare it with",
  },
  decrypt: { passed: "It opens with your password", failed: "It does not open whole", skipped: "Not protected with a password" },
  decompress: { passed: "Every part of it unpacks whole", failed: "A part of it is damaged", skipped: "Not reached" },
  integrity: {
    passed: "The data inside is sound",
    failed: "The data inside is damaged",
    skipped: "The data inside was not checked",
  },
};

function checkWords(c: VerifyReport["checks"][number]): string {
  if (c.name === "integrity" && c.status === "skipped" && c.message.includes("cannot check inside")) {
    return "Its app encrypts this file: Keepsake can't look inside it";
  }
  return CHECK_WORDS[c.name]?.[c.status] ?? c.message ?? c.name;
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
          <li key={c.name} className={c.status} data-testid="verify-check" data-check={c.name}>
            {c.status === "passed" ? "✓" : c.status === "failed" ? "✕" : "–"} {checkWords(c)}
          </li>
        ))}
      </ul>
      <details className="small" data-testid="verify-details">
        <summary>Details</summary>
        <ul className="checks">
          {report.checks.map((c) => (
            <li key={c.name} className={c.status}>
              {c.name}: {c.status}
              {c.message ? ` (${c.message})` : ""}
            </li>
          ))}
        </ul>
      </details>
      <button type="button" className="quiet" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
