// History: every backup with Verify, Restore and Delete (and a mark when its file is missing or
// changed), what else is in the backup folder (backups not made here, files that can't be read),
// the runs that failed and why, and charts.

import { useState } from "react";

import { alertTitle } from "../alerts";
import * as api from "../api";
import { Confirm } from "../components/Confirm";
import { needsOtherPassword, OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { JobProgress } from "../components/JobProgress";
import { WeeklyReport } from "../components/WeeklyReport";
import { LoadError, Loading } from "../components/QueryState";
import { useShared } from "../context";
import { ERROR_WORDING, NEEDED_BY_LATER_WORDING } from "../errors";
import { formatBytes, formatDateTime, formatDuration, formatPercent, formatRelative, plural, sameMinute } from "../format";
import { useAction, useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type {
  Alert,
  BackupMetadata,
  CopyRecord,
  FolderFile,
  RunRecord,
  SourceView,
  Stats,
  VerifyReport,
} from "../types";
import { BACKUP_KIND_WORDS, CONCERN_WORDS, FILE_STATE_WORDS, FULL_REASON_WORDS, noteOf, OPERATION_WORDS, TYPE_WORDS } from "../words";
import { HistoryCharts } from "./HistoryCharts";

/**
 * What the changes-only backups saved: for each one, the size of its full copy minus its own.
 * `null` when there are none (or their full copies are gone from the list).
 */
export function spaceSaved(backups: BackupMetadata[]): { count: number; bytes: number } | null {
  const byId = new Map(backups.map((b) => [b.id, b]));
  let count = 0;
  let bytes = 0;
  for (const b of backups) {
    const full = b.chain ? byId.get(b.chain.full) : undefined;
    if (!full) continue;
    count += 1;
    bytes += Math.max(0, full.stored_size - b.stored_size);
  }
  return count > 0 ? { count, bytes } : null;
}

export function History({ source, navigate }: { source: SourceView; navigate: Navigate }) {
  const name = source.name;
  const backups = useQuery(`backups:${name}`, () => api.listBackups(name));
  const history = useQuery(`history:${name}`, () => api.getHistory(name, 500));
  // Content alerts, dismissed ones too: each marks the backup that showed the change.
  const alerts = useQuery(`alerts-all:${name}`, () => api.listAlerts(name, true));
  // Where each backup has been copied (copies elsewhere).
  const copies = useQuery(source.copies_to.length > 0 ? `copies:${name}` : null, () => api.backupCopies(name));
  const stats = useQuery(`stats:${name}`, () => api.getStats(name));
  const folder = useQuery(`folder:${name}`, () => api.scanFolder(name));
  const job = useJob();
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  // A backup the saved password didn't open, whose own password is asked for.
  const [ask, setAsk] = useState<{ id: string; tried: boolean } | null>(null);
  const { report: notify } = useShared();
  const pin = useAction((id: string, pinned: boolean) => api.pinBackup(name, id, pinned), { doing: "Keeping a backup" });
  const remove = useAction((id: string) => api.deleteBackup(name, id), {
    doing: "Deleting a backup",
    onSuccess: () => setDeleting(null),
  });

  const verify = async (id: string, typed?: TypedPassword) => {
    setReport(null);
    setAsk(null);
    const result = await job.start(
      (jobId) => api.verifyBackup({ source: name, id, jobId, password: typed?.password, rememberPassword: typed?.remember }),
      {
        doing: "Checking a backup",
        onError: (error) => {
          // The saved password doesn't open it: ask for the one it was made with, right here.
          if (needsOtherPassword(error.code)) setAsk({ id, tried: typed !== undefined });
          else notify(error, "Checking a backup");
        },
      },
    );
    if (result) {
      setReport(result);
      setAsk(null);
    }
  };

  const failedRuns = (history.data ?? []).filter((r) => r.status === "failed");
  const ours = (backups.data ?? []).filter((b) => b.backup_type !== "safety");
  const safety = (backups.data ?? []).filter((b) => b.backup_type === "safety");
  const rowProps: RowHandlers = {
    alerts: alerts.data ?? [],
    copies: copies.data ?? [],
    busy: job.running || remove.pending || pin.pending,
    deleting,
    onVerify: (id) => void verify(id),
    onRestore: (id) => navigate("restore", { backupId: id }),
    onLookInside: (id) => navigate("browse", { backupId: id }),
    onPin: (id) => {
      const backup = (backups.data ?? []).find((b) => b.id === id);
      void pin.run(id, !backup?.pinned);
    },
    onDelete: setDeleting,
    onCancelDelete: () => setDeleting(null),
    onConfirmDelete: (id) => void remove.run(id),
  };

  return (
    <section className="screen" aria-labelledby="history-title">
      <h1 id="history-title">History of {name}</h1>

      <WeeklyReport />

      {stats.data && <StatsLine stats={stats.data} saved={backups.data ? spaceSaved(backups.data) : null} />}

      <JobProgress job={job} label="Checking the backup" />
      {report && <VerifyResult report={report} onClose={() => setReport(null)} />}
      {ask && !job.running && (
        <OtherPassword
          key={`${ask.id}:${ask.tried}`}
          made={(() => {
            const b = backups.data?.find((x) => x.id === ask.id);
            return b ? formatDateTime(b.created_at, true) : undefined;
          })()}
          tried={ask.tried} busy={job.running} action="Check it" onSubmit={(typed) => void verify(ask.id, typed)} />
      )}

      <h2>Backups</h2>
      {backups.loading && <Loading what="backups" />}
      {backups.error && <LoadError what="the backups" error={backups.error} retry={backups.reload} />}
      {backups.data && backups.data.length === 0 && (
        <div className="card empty">
          <p>No backups of {name} yet. Go to Home and click Back up now to make the first one.</p>
          <button type="button" onClick={() => navigate("home")}>
            Go to Home
          </button>
        </div>
      )}
      {backups.data && ours.length > 0 && (
        <BackupTable caption={`Backups of ${name}, newest first`} rows={ours} all={backups.data} {...rowProps} />
      )}
      {backups.data && ours.length === 0 && safety.length > 0 && (
        <p className="muted">No backups of {name} besides the safety backups below. Go to Home and click Back up now.</p>
      )}
      {safety.length > 0 && backups.data && (
        <section aria-labelledby="safety-title" data-testid="safety-backups">
          <h2 id="safety-title">Safety backups made before a restore</h2>
          <p className="muted">
            Keepsake copied {name} as it was just before each restore, so a restore can be undone. They hold the data you
            restored over, so they don't count as backups of {name}.
          </p>
          <BackupTable caption={`Safety backups of ${name}, newest first`} rows={safety} all={backups.data} {...rowProps} />
        </section>
      )}

      {folder.error && <LoadError what="what else is in the backup folder" error={folder.error} retry={folder.reload} />}
      {folder.data && (folder.data.foreign.length > 0 || folder.data.files.length > 0) && (
        <FoundInFolder
          source={source}
          foreign={folder.data.foreign}
          files={folder.data.files}
          busy={job.running || remove.pending}
          onRestore={(backup) => navigate("restore", { foreign: { source: name, backup } })}
        />
      )}

      <h2>Runs that failed</h2>
      {history.loading && <Loading what="the run history" />}
      {history.error && <LoadError what="the run history" error={history.error} retry={history.reload} />}
      {history.data && failedRuns.length === 0 && <p className="muted">None. Every recorded run succeeded.</p>}
      {failedRuns.length > 0 && (
        <ul className="failed-runs">
          {failedRuns.map((run) => (
            <FailedRun key={run.id} run={run} />
          ))}
        </ul>
      )}

      <h2>Charts</h2>
      {backups.data && history.data && <HistoryCharts backups={backups.data} history={history.data} />}
    </section>
  );
}

/** What a row's buttons do, for the backup with that id. */
interface RowHandlers {
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
function BackupTable({ caption, rows, all, ...h }: { caption: string; rows: BackupMetadata[]; all: BackupMetadata[] } & RowHandlers) {
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

function StatsLine({ stats, saved }: { stats: Stats; saved: { count: number; bytes: number } | null }) {
  if (stats.count === 0) return null;
  const parts = [
    plural(stats.count, "backup"),
    `${formatBytes(stats.total_stored_size)} on disk (from ${formatBytes(stats.total_original_size)})`,
    `${stats.verified_count} verified`,
  ];
  if (stats.failed_count > 0) parts.push(`${stats.failed_count} failed their check`);
  if (stats.failed_runs > 0) parts.push(plural(stats.failed_runs, "failed run"));
  if (stats.average_compression_ratio !== null) {
    parts.push(`backups take ${formatPercent(stats.average_compression_ratio)} of the original size`);
  }
  if (saved && saved.bytes > 0) {
    parts.push(`${formatBytes(saved.bytes)} saved by ${plural(saved.count, "changes-only backup")}`);
  }
  return (
    <p className="stats" data-testid="stats">
      {parts.join(" · ")}
    </p>
  );
}

function BackupRow({
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

/** What a scan of the folder found besides the backups made here: foreign backups and unreadable files. */
function FoundInFolder({
  source,
  foreign,
  files,
  busy,
  onRestore,
}: {
  source: SourceView;
  foreign: BackupMetadata[];
  files: FolderFile[];
  busy: boolean;
  onRestore: (backup: BackupMetadata) => void;
}) {
  return (
    <section aria-labelledby="found-title" data-testid="found-in-folder">
      <h2 id="found-title">Found in the backup folder, not made here</h2>
      <p className="muted">
        Keepsake on this computer didn't make these files, though they are in {source.name}'s backup folder (
        <span className="inline-path">{source.backup_dir}</span>). Restore one only if you know where it comes from.
      </p>
      {foreign.length > 0 && (
        <div className="table-wrap">
          <table className="backups">
            <caption className="visually-hidden">Backups found in the folder that Keepsake didn't make here, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Made</th>
                <th scope="col">Size</th>
                <th scope="col">Why it's listed here</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {foreign.map((b) => {
                const made = formatDateTime(b.created_at);
                return (
                  <tr key={b.file_name} data-testid="foreign-row" data-id={b.id}>
                    <td>
                      <span title={b.file_name}>{made}</span>
                      <br />
                      <span className="muted">{formatRelative(b.created_at)}</span>
                    </td>
                    <td className="num">{formatBytes(b.stored_size)}</td>
                    <td>
                      <span className="concern" data-testid="foreign-concern" data-concern={b.concern ?? ""}>
                        {b.concern ? CONCERN_WORDS[b.concern] : "Not made by Keepsake on this computer"}
                      </span>
                      {b.encrypted ? <span className="badge">Encrypted</span> : <span className="badge">Not encrypted</span>}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        data-testid="foreign-restore"
                        onClick={() => onRestore(b)}
                        disabled={busy}
                        aria-label={`Restore the backup from ${made} that was not made here`}
                      >
                        Restore…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {files.length > 0 && (
        <>
          <h3>Files that can't be read</h3>
          <ul className="unreadable-files">
            {files.map((f) => (
              <li key={f.file_name} data-testid="unreadable-file" data-state={f.state}>
                <strong className="concern">{FILE_STATE_WORDS[f.state]}</strong>
                {" · "}
                {f.named_date ? `dated ${formatDateTime(f.named_date)} in its name` : "no date in its name"}
                {" · "}
                {formatBytes(f.size)}
                <br />
                <span className="muted small inline-path">{f.file_name}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
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

function FailedRun({ run }: { run: RunRecord }) {
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

function VerifyResult({ report, onClose }: { report: VerifyReport; onClose: () => void }) {
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
