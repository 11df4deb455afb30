// Restore: pick a backup, see what restoring changes (tables and rows, backup against now), read
// that a safety backup comes first, confirm, follow the progress, and undo if it was a mistake.
// A backup that was not made by Keepsake on this computer, or that is not encrypted while this
// database's backups are, gets a warning step of its own before the usual confirmation: the
// person says they know where it comes from, and only then is the shell told to go ahead.
// The steps' state is a reducer (restore/wizard.ts); this screen runs the jobs and lays it out.

import { useCallback, useReducer } from "react";

import * as api from "../api";
import { Confirm } from "../components/Confirm";
import { JobProgress } from "../components/JobProgress";
import { OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { LoadError, Loading } from "../components/QueryState";
import { useShared } from "../context";
import { formatDateTime } from "../format";
import { useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { BackupMetadata, SourceView } from "../types";
import { Changes } from "./restore/Changes";
import { Done } from "./restore/Done";
import { RestoreWarning } from "./restore/RestoreWarning";
import { WhereTo } from "./restore/WhereTo";
import { WhichBackup } from "./restore/WhichBackup";
import {
  askedFor,
  canStart,
  choicesOf,
  chosenBackup,
  concernsOf,
  initialState,
  isLocked,
  refusalOf,
  requestOf,
  restoreReducer,
  targetPath,
  typedFor,
} from "./restore/wizard";

export function Restore({
  source,
  initialBackupId,
  foreign,
  navigate,
}: {
  source: SourceView;
  initialBackupId: string | null;
  /** A backup found in the folder but not made here, handed over by History (list_backups lacks it). */
  foreign: BackupMetadata | null;
  navigate: Navigate;
}) {
  const name = source.name;
  const { report } = useShared();
  const backups = useQuery(`backups:${name}`, () => api.listBackups(name));
  const [state, dispatch] = useReducer(restoreReducer, initialBackupId, initialState);
  const job = useJob();

  const list = backups.data ?? [];
  const choices = choicesOf(list, foreign);
  const chosen = chosenBackup(state, choices, list);
  const concerns = concernsOf(state, chosen, source);
  const locked = isLocked(state, chosen);
  const onOpened = useCallback((id: string, opened: boolean) => dispatch({ type: "compared", id, opened }), []);

  const restore = async (typedNow?: TypedPassword) => {
    if (!chosen) return;
    const backup = chosen;
    const typed = typedNow ?? typedFor(state, backup.id);
    dispatch({ type: "restoring", id: backup.id });
    const result = await job.start((jobId) => api.restoreBackup(requestOf(state, name, backup, jobId, typed)), {
      doing: "Restoring",
      onError: (error) => {
        const refusal = refusalOf(error, typed !== undefined);
        dispatch({ type: "refused", id: backup.id, refusal });
        if (refusal.kind === "other") report(error, "Restoring");
      },
    });
    if (result) dispatch({ type: "restored", result, backup });
  };

  const undo = async () => {
    const result = await job.start((jobId) => api.undoRestore({ source: name, jobId }), { doing: "Undoing the restore" });
    if (result) dispatch({ type: "undone", result });
  };

  const { step, outcome, undone } = state;
  const ask = chosen ? askedFor(state, chosen.id) : null;
  return (
    <section className="screen" aria-labelledby="restore-title">
      <h1 id="restore-title">Restore {name}</h1>

      <Done outcome={outcome} undone={undone} running={job.running} onUndo={() => void undo()} onAnother={() => dispatch({ type: "another" })} onFinished={() => navigate("home")} name={source.app ?? source.name} database={source.database} />
      <JobProgress job={job} label="Restoring" />

      {backups.loading && <Loading what="backups" />}
      {backups.error && <LoadError what="the backups" error={backups.error} retry={backups.reload} />}
      {backups.data && choices.length === 0 && (
        <div className="card empty">
          <p>There are no backups of {name} to restore yet.</p>
          <button type="button" onClick={() => navigate("home")}>
            Go to Home
          </button>
        </div>
      )}

      {chosen && !job.running && !outcome && !undone && (
        <>
          <WhichBackup choices={choices} list={list} chosen={chosen} source={source} onPick={(id) => dispatch({ type: "pick", id })} />

          <section className="card" aria-labelledby="changes-title">
            <h2 id="changes-title">2. What changes</h2>
            <Changes
              source={name}
              backup={chosen}
              typed={typedFor(state, chosen.id)}
              onTyped={(typed) => dispatch({ type: "password_typed", id: chosen.id, typed })}
              askedElsewhere={ask !== null}
              onOpened={onOpened}
            />
          </section>

          <WhereTo state={state} database={source.database} dispatch={dispatch} />

          {step === "warning" && (
            <RestoreWarning
              backup={chosen}
              source={source}
              concerns={concerns}
              onContinue={() => dispatch({ type: "go_ahead", concerns })}
              onCancel={() => dispatch({ type: "cancel" })}
            />
          )}
          {step === "confirm" && (
            <Confirm confirmLabel="Restore now" onConfirm={() => void restore()} onCancel={() => dispatch({ type: "cancel" })}>
              {targetPath(state) ? (
                <>
                  Put the backup from {formatDateTime(chosen.created_at, true)} in <span className="inline-path">{targetPath(state)}</span>?
                </>
              ) : (
                <>
                  Put {source.app ? `${source.app}'s data` : `${source.name}'s data`} back as it was on {formatDateTime(chosen.created_at, true)}?
                  Close {source.app ?? "the app that uses it"} first.
                </>
              )}
            </Confirm>
          )}
          {step === "choose" && ask && (
            <OtherPassword
              key={String(ask.tried)}
              made={formatDateTime(chosen.created_at, true)}
              tried={ask.tried}
              busy={job.running}
              action="Restore it"
              onSubmit={(typed) => {
                dispatch({ type: "password_typed", id: chosen.id, typed });
                void restore(typed);
              }}
            />
          )}
          {step === "choose" && (
            <div className="buttons">
              <button
                type="button"
                className="primary big"
                data-testid="restore-start"
                onClick={() => dispatch({ type: "start", concerns })}
                disabled={!canStart(state, chosen)}
                aria-describedby={locked ? "restore-locked" : undefined}
              >
                Restore…
              </button>
            </div>
          )}
          {/* Said beside the button it disables, and announced, so the person knows what to do. */}
          <p id="restore-locked" className="field-error" role="status" aria-live="polite" data-testid="restore-locked">
            {step === "choose" && locked
              ? "The saved password doesn't open this backup, so it can't be restored yet. Type the password it was made with in step 2, “What changes”, above."
              : ""}
          </p>
        </>
      )}
    </section>
  );
}
