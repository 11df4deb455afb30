// The emergency kit: a recovery key that opens every backup without the password, on a page to
// print or keep (a PDF and the same page as a picture, saved in Documents). The key counts only
// once the person types its last group back: then it is adopted, and Keepsake forgets it.

import { useState } from "react";

import * as api from "../api";
import { wordingFor } from "../errorWords";
import { useAction } from "../hooks";
import type { ApiError } from "../errors";
import type { KitDraft } from "../types";

export function EmergencyKit({ hasKit, onDone }: { hasKit: boolean; onDone?: () => void }) {
  const [draft, setDraft] = useState<KitDraft | null>(null);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const make = useAction(api.makeRecoveryKit, {
    doing: "Making your emergency kit",
    onSuccess: (d) => {
      setDraft(d);
      setTyped("");
      setError(null);
      setDone(false);
    },
  });
  const confirm = useAction(() => api.confirmRecoveryKit(typed), {
    doing: "Confirming your recovery key",
    onSuccess: () => {
      setDraft(null);
      setDone(true);
      onDone?.();
    },
    onError: setError,
  });
  const open = useAction(api.openRecoveryKit, { doing: "Opening the kit", refresh: false });

  if (done) {
    return (
      <p className="done" role="status" data-testid="kit-done">
        Your emergency kit is ready. Keep it on paper or somewhere safe away from this computer: with it, a forgotten password or a
        lost computer loses nothing.
      </p>
    );
  }
  if (!draft) {
    return (
      <div className="kit-start">
        <p className="small">
          If you forget your password, or lose this computer with its keyring, the recovery key on this page still opens every
          backup. Keepsake never keeps a copy of it.
        </p>
        {hasKit && (
          <p className="small muted">
            A new kit replaces the one you have: the old key will still open the backups made until now, and none made after.
          </p>
        )}
        <div className="buttons">
          <button type="button" className="primary" onClick={() => void make.run()} disabled={make.pending} data-testid="kit-make">
            {make.pending ? "Making it…" : hasKit ? "Make a new kit" : "Make my emergency kit"}
          </button>
        </div>
      </div>
    );
  }
  const groups = draft.key.split("-");
  const half = Math.ceil(groups.length / 2);
  const wording = error ? wordingFor(error.code, error.facts) : null;
  return (
    <div className="kit" data-testid="kit-draft">
      <p className="small">Your recovery key:</p>
      <p className="kit-key" data-testid="kit-key" aria-label={`Recovery key ${draft.key}`}>
        <span>{groups.slice(0, half).join("-")}</span>
        <span>{groups.slice(half).join("-")}</span>
      </p>
      <p className="small">
        The kit with this key, its code to scan and the steps to restore is saved as{" "}
        <span className="inline-path" data-testid="kit-pdf">
          {draft.pdf}
        </span>{" "}
        (and the same page as a picture beside it). Print it or keep it somewhere safe.
      </p>
      <div className="buttons">
        <button type="button" onClick={() => void open.run()} disabled={open.pending} data-testid="kit-open">
          Open the kit to print it
        </button>
      </div>
      <form
        className="kit-confirm"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) void confirm.run();
        }}
      >
        <label htmlFor="kit-typed">To show you have it, type the last group of the key (the 4 characters after the last dash):</label>
        <div className="row">
          <input
            id="kit-typed"
            value={typed}
            onChange={(e) => {
              setTyped(e.target.value);
              setError(null);
            }}
            autoComplete="off"
            spellCheck={false}
            maxLength={8}
            data-testid="kit-typed"
          />
          <button type="submit" className="primary" disabled={!typed.trim() || confirm.pending} data-testid="kit-confirm">
            Confirm
          </button>
        </div>
        {wording && (
          <p className="field-error" role="alert" data-testid="kit-error">
            {error?.facts.reason === "recovery_key_typo" ? "That isn't the last group of the key. Look at it again and retype it." : `${wording.title}. ${wording.action}`}
          </p>
        )}
      </form>
    </div>
  );
}
