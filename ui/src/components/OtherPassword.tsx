// Asks, where it is needed, for the password of a backup the saved one doesn't open (made
// elsewhere, or by an older Keepsake before a change), or the kit's recovery key: the saved password stays as it is; the typed one is used for this backup only, or until
// Keepsake closes when the person asks to remember it (the shell keeps it in memory only).

import { useState } from "react";

import type { Code } from "../types";
import { ForgotPassword } from "./ForgotPassword";

/** A password typed for a backup, and whether to remember it until Keepsake closes. */
export interface TypedPassword {
  password: string;
  remember: boolean;
}

/** The codes that mean "the saved password doesn't open this backup": answered by typing one. */
export function needsOtherPassword(code: Code): boolean {
  return code === "wrong_password" || code === "password_required";
}

export function OtherPassword({
  made,
  tried,
  busy,
  action,
  onSubmit,
}: {
  /** When the backup was made, in words ("Nov 29, 2026, 07:01"): says which backup it is about. */
  made?: string | undefined;
  /** A typed password was tried already and didn't open it either. */
  tried: boolean;
  busy: boolean;
  /** The button's words: "Check it", "Compare it", "Restore it". */
  action: string;
  onSubmit: (typed: TypedPassword) => void;
}) {
  const [password, setPassword] = useState("");
  const [remember, setRemember] = useState(false);
  return (
    <form
      className="card other-password"
      data-testid="other-password"
      data-tried={tried}
      onSubmit={(e) => {
        e.preventDefault();
        if (password) onSubmit({ password, remember });
      }}
    >
      <strong>
        {tried ? "That password doesn't open this backup either" : "The saved password doesn't open this backup"}
        {made ? ` (made ${made})` : ""}
      </strong>
      <p className="small">
        It was made with another password (on another computer, or by an older Keepsake before a change). Type that password, or use
        your emergency kit; the saved password stays as it is.
      </p>
      <div className="buttons">
        <input
          type="password"
          aria-label="Password of this backup"
          data-testid="other-password-input"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="off"
          autoFocus
        />
        <button type="submit" className="primary" disabled={!password || busy} data-testid="other-password-submit">
          {action}
        </button>
      </div>
      <label className="check small">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} data-testid="other-password-remember" />
        Remember it until Keepsake closes (it is never saved)
      </label>
      <ForgotPassword onUsed={() => onSubmit({ password: "", remember: false })} />
    </form>
  );
}
