// The lost-computer restore, offered on the first run: the person says where the copies are (a
// bucket, a WebDAV folder, an SFTP server, a disk) and the backup password; Keepsake lists the
// backups from what is there alone (nothing about them is recorded on this new computer), and
// restores the chosen one, checked whole first, into a new file chosen in the system's save dialog
// (the shell writes nowhere else; the dialog opens on where the database was). Then the first run
// goes on with that database, and can keep copying to the same place. Its state is a reducer
// (fromCopy/wizard.ts).

import { useReducer } from "react";

import * as api from "../api";
import { ForgotPassword } from "../components/ForgotPassword";
import { ChooseButton } from "../components/ChooseButton";
import { DestinationFields } from "../components/DestinationFields";
import { JobProgress } from "../components/JobProgress";
import { backupWhen, formatBytes, plural } from "../format";
import { useAction, useJob } from "../hooks";
import {
  canRestore,
  destinationOf,
  found as foundOf,
  fromCopyReducer,
  initialState,
  lockedCount,
  passwordOf,
  problemWords,
  secretOf,
  type Restored,
} from "./fromCopy/wizard";

function lastPart(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function RestoreFromCopy({ onRestored, onCancel }: { onRestored: (r: Restored) => void; onCancel: () => void }) {
  const [state, dispatch] = useReducer(fromCopyReducer, initialState);
  const { form, password, report, chosen, target, suggested } = state;
  const secret = secretOf(state);
  const find = useAction(() => api.remoteBackups({ destination: destinationOf(state), secret, password: passwordOf(state) }), {
    refresh: false,
    onSuccess: (r) => dispatch({ type: "found", report: r }),
    onError: (error) => dispatch({ type: "not_found", error }),
  });
  const job = useJob();
  const found = foundOf(state);
  const locked = lockedCount(state);
  const problem = problemWords(state);
  const restore = () => {
    if (chosen === null || !canRestore(state)) return;
    const destination = destinationOf(state);
    void job.start(
      (jobId) => api.restoreFromCopy({ jobId, destination, secret, password: passwordOf(state), id: chosen, target: target.trim() }),
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
          <DestinationFields form={form} set={(patch) => dispatch({ type: "where", patch })} />
          <label>
            Backup password (empty if the backups are not encrypted)
            <input
              type="password"
              value={password}
              onChange={(e) => dispatch({ type: "password", text: e.target.value })}
              autoComplete="off"
              data-testid="from-copy-password"
            />
          </label>
          <ForgotPassword onUsed={() => void find.run()} />
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
            {found.map((b, _i, all) => (
              <li key={b.id}>
                <label className="check">
                  <input
                    type="radio"
                    name="from-copy-backup"
                    checked={chosen === b.id}
                    onChange={() => dispatch({ type: "chosen", backup: b })}
                    data-testid="from-copy-backup"
                    data-id={b.id}
                  />
                  {backupWhen(b, all)} · {lastPart(b.source_path)} · {formatBytes(b.original_size)}
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
              onChosen={(path) => dispatch({ type: "target_chosen", path })}
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
              disabled={job.running || !canRestore(state)}
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
