// "Forgot your password?" beside every place that asks for it: the recovery key from the
// emergency kit opens the backups instead, until Keepsake closes (it is never saved).

import { useState } from "react";

import * as api from "../api";
import { wordingFor } from "../errorWords";
import type { ApiError } from "../errors";
import { useAction } from "../hooks";

export function ForgotPassword({ onUsed }: { onUsed: () => void }) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const use = useAction(() => api.useRecoveryKey(key), {
    doing: "Using your recovery key",
    onSuccess: () => {
      setKey("");
      setOpen(false);
      onUsed();
    },
    onError: setError,
  });
  if (!open) {
    return (
      <button type="button" className="link small" onClick={() => setOpen(true)} data-testid="forgot-password">
        Forgot your password?
      </button>
    );
  }
  const wording = error ? wordingFor(error.code, error.facts) : null;
  const submit = () => {
    if (key.trim()) void use.run();
  };
  return (
    <div className="recovery-key" data-testid="recovery-key-box">
      <label htmlFor="recovery-key-input">
        Type the recovery key from your emergency kit (the letters and digits in large type). Keepsake uses it until it closes and
        never saves it.
      </label>
      <div className="row">
        <input
          id="recovery-key-input"
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              submit();
            }
          }}
          autoComplete="off"
          spellCheck={false}
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
          data-testid="recovery-key-input"
        />
        <button type="button" className="primary" onClick={submit} disabled={!key.trim() || use.pending} data-testid="recovery-key-use">
          Use the recovery key
        </button>
      </div>
      {wording && (
        <p className="field-error" role="alert" data-testid="recovery-key-error">
          {wording.title}. {wording.action}
        </p>
      )}
    </div>
  );
}
