// The lost-computer restore, offered on the first run: the person says where the copies are (a
// bucket, a WebDAV folder, an SFTP server, a disk) and the backup password; Keepsake lists the
// backups from what is there alone (nothing about them is recorded on this new computer), and
// restores the chosen one, checked whole first, into a new file chosen in the system's save dialog
// (the shell writes nowhere else; the dialog opens on where the database was). Then the first run
// goes on with that database, and can keep copying to the same place.

import { useState } from "react";

import * as api from "../api";
import { ChooseButton } from "../components/ChooseButton";
import { DestinationFields, EMPTY_WHERE, type WhereForm, whereOf } from "../components/DestinationFields";
import { JobProgress } from "../components/JobProgress";
import { connectionFailureWords } from "../copies";
import { formatBytes, formatDateTime, plural } from "../format";
import { useAction, useJob } from "../hooks";
import type { BackupMetadata, Destination, FolderReport } from "../types";

/** What was restored, and from where (to keep copying there). */
export interface Restored {
  target: string;
  destination: Destination;
  secret: string | undefined;
  password: string;
}

/** The backups found, newest first: those this computer recorded (none on a new one) and the others. */
export function foundBackups(report: FolderReport): BackupMetadata[] {
  return [...report.backups, ...report.foreign]
    .filter((b) => b.concern === null || b.concern === undefined || b.origin === "foreign")
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

function lastPart(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function RestoreFromCopy({ onRestored, onCancel }: { onRestored: (r: Restored) => void; onCancel: () => void }) {
  const [form, setForm] = useState<WhereForm>({ ...EMPTY_WHERE, name: "offsite" });
  const [password, setPassword] = useState("");
  const [report, setReport] = useState<FolderReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  // The new file, as answered by the save dialog ("" until then), and where the dialog opens.
  const [target, setTarget] = useState("");
  const [suggested, setSuggested] = useState("");
  const set = (patch: Partial<WhereForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setReport(null);
    setProblem(null);
  };
  const secret = form.secret === "" ? undefined : form.secret;
  const find = useAction(() => api.remoteBackups({ destination: whereOf(form), secret, password: password || undefined }), {
    refresh: false,
    onSuccess: (r) => {
      setReport(r);
      setProblem(null);
      const first = foundBackups(r)[0];
      setChosen(first?.id ?? null);
      setSuggested(first ? first.source_path : "");
    },
    onError: (e) => {
      setReport(null);
      setProblem(connectionFailureWords(e));
    },
  });
  const job = useJob();
  const found = report ? foundBackups(report) : [];
  const locked = report ? report.files.filter((f) => f.state === "locked").length : 0;
  const restore = () => {
    if (chosen === null || target.trim() === "") return;
    const destination = whereOf(form);
    void job.start(
      (jobId) => api.restoreFromCopy({ jobId, destination, secret, password: password || undefined, id: chosen, target: target.trim() }),
      {
        doing: "Restoring from a copy elsewhere",
        onSuccess: (outcome) => onRestored({ target: outcome.target, destination, secret, password }),
      },
    );
  };

  return (
    <section className="card" aria-labelledby="from-copy-title" data-testid="restore-from-copy">
      <h2 id="from-copy-title">Restore from a copy elsewhere</h2>
      <p className="muted">
        New computer? If Keepsake copied your backups somewhere else (a cloud bucket, a NAS, another disk), tell it where, and it
        finds them there and puts your database back.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void find.run();
        }}
      >
        <fieldset>
          <legend>Where are the copies?</legend>
          <DestinationFields form={form} set={set} />
          <label>
            Backup password (empty if the backups are not encrypted)
            <input
              type="password"
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setReport(null);
              }}
              autoComplete="off"
              data-testid="from-copy-password"
            />
          </label>
        </fieldset>
        <div className="buttons">
          <button type="submit" className="primary" disabled={find.pending} data-testid="from-copy-find">
            {find.pending ? "Looking…" : "Find my backups"}
          </button>
          <button type="button" onClick={onCancel} data-testid="from-copy-cancel">
            Back
          </button>
        </div>
      </form>
      {problem && (
        <p className="field-error" role="alert" data-testid="from-copy-problem">
          {problem}
        </p>
      )}
      {report && found.length === 0 && (
        <p className="warning" role="status" data-testid="from-copy-none">
          {locked > 0
            ? `Keepsake found ${plural(locked, "backup")} there that this password doesn't open. Check the password.`
            : "There are no Keepsake backups there. Check the address and the folder inside it."}
        </p>
      )}
      {found.length > 0 && (
        <div data-testid="from-copy-found">
          <p>
            {plural(found.length, "backup")} found. Choose the one to restore (the newest is chosen):
          </p>
          <ul className="choices">
            {found.map((b) => (
              <li key={b.id}>
                <label className="check">
                  <input
                    type="radio"
                    name="from-copy-backup"
                    checked={chosen === b.id}
                    onChange={() => {
                      setChosen(b.id);
                      setSuggested(b.source_path);
                    }}
                    data-testid="from-copy-backup"
                    data-id={b.id}
                  />
                  {formatDateTime(b.created_at)} · {lastPart(b.source_path)} · {formatBytes(b.original_size)}
                </label>
              </li>
            ))}
          </ul>
          <label htmlFor="from-copy-target">Put the database here (a new file)</label>
          <div className="row">
            <input
              id="from-copy-target"
              value={target}
              readOnly
              placeholder={suggested ? `Choose… (it was ${suggested})` : "No file chosen yet"}
              spellCheck={false}
              data-testid="from-copy-target"
            />
            <ChooseButton
              kind="restore_to"
              current={target || suggested}
              onChosen={setTarget}
              label="Choose the new file for the database"
              testId="from-copy-choose"
            />
          </div>
          <p className="muted small">Keepsake checks the backup whole before it writes anything, and never replaces a file that is already there.</p>
          <JobProgress job={job} label="Restoring" />
          <div className="buttons">
            <button
              type="button"
              className="primary"
              onClick={restore}
              disabled={job.running || chosen === null || target.trim() === ""}
              data-testid="from-copy-restore"
            >
              Restore this backup
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
