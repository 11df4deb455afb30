// Step 3 of a restore: replace the database, or write another file chosen in the shell's file
// dialog (a path it did not answer is refused, and said beside the field); whether to check the
// backup first; and the safety backup that comes before anything is replaced.

import type { Dispatch } from "react";

import { ChooseButton } from "../../components/ChooseButton";
import { NOT_PICKED_WORDING } from "../../errors";
import type { RestoreAction, RestoreState } from "./wizard";

export function WhereTo({ state, database, dispatch }: { state: RestoreState; database: string; dispatch: Dispatch<RestoreAction> }) {
  const { elsewhere, target, targetNotPicked } = state;
  return (
    <fieldset className="card">
      <legend>3. Where to</legend>
      <label className="check">
        <input type="radio" name="where" checked={!elsewhere} onChange={() => dispatch({ type: "where", elsewhere: false })} />
        <span title={database}>Put it back in place of the data there now</span>
      </label>
      <label className="check">
        <input type="radio" name="where" checked={elsewhere} onChange={() => dispatch({ type: "where", elsewhere: true })} />
        Save it as a separate file (the data there now stays as it is)
      </label>
      {elsewhere && (
        <>
          <label htmlFor="restore-target">Other file</label>
          <div className="row">
            {/* Read-only: the shell writes only where its own file dialog was answered. */}
            <input
              id="restore-target"
              value={target}
              readOnly
              placeholder="No file chosen yet"
              data-testid="restore-target"
              spellCheck={false}
              aria-invalid={targetNotPicked}
              aria-describedby="restore-target-help restore-target-error"
            />
            <ChooseButton
              kind="restore_to"
              current={target}
              onChosen={(path) => dispatch({ type: "target_chosen", path })}
              label="Choose the file to restore to"
              testId="restore-target-choose"
            />
          </div>
          <p id="restore-target-help" className="muted small">
            Use Choose… to name a new file, or to pick an existing database file to replace.
          </p>
          {targetNotPicked && (
            <p id="restore-target-error" className="field-error" role="alert" data-testid="restore-target-error">
              {NOT_PICKED_WORDING.action}
            </p>
          )}
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={state.verifyFirst} onChange={(e) => dispatch({ type: "verify_first", on: e.target.checked })} />
        Check the backup before restoring it (recommended)
      </label>
      <p className="safety" data-testid="safety-note">
        Before anything is replaced, Keepsake makes a safety backup of {elsewhere ? "that file (if it exists)" : "the database"} as it
        is now, so you can undo this restore.
      </p>
    </fieldset>
  );
}
