// Step 2 of a restore: what restoring the backup changes, row by row. The backup is decoded and
// compared with the database now (a job, with progress); should that fail (a wrong password,
// say), the row counts recorded with the backup are shown instead, with why, and the password it
// was made with can be typed here.

import { useEffect, useState } from "react";

import * as api from "../../api";
import { JobProgress } from "../../components/JobProgress";
import { needsOtherPassword, OtherPassword, type TypedPassword } from "../../components/OtherPassword";
import { Loading } from "../../components/QueryState";
import { wordingFor, type ApiError } from "../../errors";
import { formatDateTime } from "../../format";
import { useJob } from "../../hooks";
import type { BackupMetadata, TableChange } from "../../types";
import { CountChanges, RowChanges } from "./Comparison";

type ChangesProps = {
  source: string;
  backup: BackupMetadata;
  /** The restore asks for this backup's password below: one question, not two. */
  askedElsewhere: boolean;
  /** A password typed for this backup (the saved one didn't open it). */
  typed: TypedPassword | undefined;
  onTyped: (typed: TypedPassword) => void;
  /** Whether the comparison could open the backup (false: no password it has opens it). */
  onOpened: (id: string, opened: boolean) => void;
};

export function Changes(props: ChangesProps) {
  // A file its app encrypts is kept whole: nothing inside it can be compared.
  if (props.backup.opaque) {
    return (
      <p data-testid="changes-kept-whole">
        Its app encrypts this file itself, so Keepsake can&apos;t show what changes inside it. Restoring puts the whole file back as it was
        on {formatDateTime(props.backup.created_at, true)}.
      </p>
    );
  }
  return <RowComparison {...props} />;
}

function RowComparison({
  source,
  backup,
  typed,
  onTyped,
  askedElsewhere,
  onOpened,
}: ChangesProps) {
  const job = useJob();
  const { start } = job;
  // What the comparison found, for which backup and typed password (`key`).
  const [found, setFound] = useState<{ key: string; rows?: TableChange[]; error?: ApiError } | null>(null);
  const password = typed?.password;
  const remember = typed?.remember;
  const key = `${backup.id}\n${password ?? ""}`;

  useEffect(() => {
    let active = true;
    const id = backup.id;
    const key = `${id}\n${password ?? ""}`;
    let running: string | null = null;
    void start((jobId) => {
      running = jobId;
      return api.compareRows({ source, id, jobId, password, rememberPassword: remember });
    }, {
      refresh: false,
      onSuccess: (rows) => {
        if (!active) return;
        setFound({ key, rows });
        onOpened(id, true);
      },
      onError: (error) => {
        if (!active) return;
        setFound({ key, error });
        onOpened(id, !needsOtherPassword(error.code));
      },
    });
    return () => {
      active = false;
      // Another backup was picked (or the screen left): stop decoding this one.
      if (running) void api.cancelJob(running).catch(() => undefined);
    };
  }, [start, source, backup.id, password, remember, onOpened]);

  if (!found || found.key !== key) {
    return job.running ? <JobProgress job={job} label="Comparing the backup with the database now" /> : <Loading what="the comparison" />;
  }
  if (found.error) {
    // A password this backup needs: one box, with its field, and nothing that cannot be known
    // without opening it (no counts table that would look like "nothing changed").
    if (needsOtherPassword(found.error.code)) {
      return askedElsewhere ? null : (
        <OtherPassword key={password ?? ""} made={formatDateTime(backup.created_at, true)} tried={password !== undefined} busy={job.running} action="Compare it" onSubmit={onTyped} />
      );
    }
    const wording = wordingFor(found.error.code, found.error.facts);
    return (
      <>
        <p className="warning small" data-testid="compare-rows-failed">
          Couldn't compare row by row: {wording.title}. {wording.action} Here are the row counts recorded with the backup instead.
        </p>
        <CountChanges source={source} backup={backup} />
      </>
    );
  }
  return <RowChanges rows={found.rows ?? []} backup={backup} />;
}
