// History: every backup with Verify, Restore and Delete (and a mark when its file is missing or
// changed), what else is in the backup folder (backups not made here, files that can't be read),
// the runs that failed and why, and charts. The pieces (a backup's row, the folder's other files,
// a check's result, a failed run, the statistics line) are in history/.

import { useState } from "react";

import * as api from "../api";
import { JobProgress } from "../components/JobProgress";
import { needsOtherPassword, OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { LoadError, Loading } from "../components/QueryState";
import { WeeklyReport } from "../components/WeeklyReport";
import { useShared } from "../context";
import { formatDateTime } from "../format";
import { useAction, useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { SourceView, VerifyReport } from "../types";
import { BackupTable, type RowHandlers } from "./history/BackupTable";
import { FoundInFolder } from "./history/FoundInFolder";
import { FailedRun, VerifyResult } from "./history/Outcomes";
import { spaceSaved, StatsLine } from "./history/StatsLine";
import { HistoryCharts } from "./HistoryCharts";

export function History({ source, navigate }: { source: SourceView; navigate: Navigate }) {
  const name = source.name;
  const backups = useQuery(`backups:${name}`, () => api.listBackups(name));
  const history = useQuery(`history:${name}`, () => api.getHistory(name, 500));
  // Content alerts, dismissed ones too: each marks the backup that showed the change.
  const alerts = useQuery(`alerts-all:${name}`, () => api.listAlerts(name, true));
  // Where each backup has been copied (copies elsewhere).
  const copies = useQuery(
    source.copies_to.length > 0 ? `copies:${name}` : null,
    () => api.backupCopies(name),
    "copies",
  );
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
