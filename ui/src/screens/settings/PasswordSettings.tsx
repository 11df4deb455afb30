// Setting or changing the backup password (kept in the system's keyring); a notice asking for it
// is answered once it is saved.

import { useState } from "react";

import * as api from "../../api";
import { ForgotPassword } from "../../components/ForgotPassword";
import { EMPTY_PASSWORD, PasswordFields, passwordProblem, type PasswordValue } from "../../components/PasswordFields";
import { useShared } from "../../context";
import { useAction } from "../../hooks";
import type { AppStateView } from "../../types";

export function PasswordSettings({ keyring }: { keyring: AppStateView["keyring"] }) {
  const [value, setValue] = useState<PasswordValue>(EMPTY_PASSWORD);
  const [done, setDone] = useState(false);
  const { settle } = useShared();
  const [refused, setRefused] = useState(false);
  const save = useAction(() => api.setPassword(value.password), {
    doing: "Saving the password",
    onError: (e) => setRefused(e.code === "wrong_password" || e.code === "password_required"),
    onSuccess: () => {
      setRefused(false);
      setValue(EMPTY_PASSWORD);
      setDone(true);
      // "Keepsake needs your backup password" is answered now.
      settle({ codes: ["password_required"] });
    },
  });
  const problem = passwordProblem(value);
  const hasPassword = keyring === "ok" || keyring === "locked";
  return (
    <form
      className="card"
      aria-labelledby="password-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) void save.run();
      }}
    >
      <h2 id="password-title">{hasPassword ? "Change the backup password" : "Set the backup password"}</h2>
      <p className="muted small">
        The password is kept in your system&apos;s keyring so scheduled backups run without asking. After a change, every backup
        (here and wherever copies are) opens with the new password, and the old one opens nothing made after it.
      </p>
      <PasswordFields
        value={value}
        onChange={(v) => {
          setDone(false);
          setValue(v);
        }}
        label="New password"
      />
      <div className="buttons">
        <button type="submit" className="primary" disabled={problem !== null || save.pending} data-testid="password-save">
          Save password
        </button>
        {done && (
          <span role="status" className="ok" data-testid="password-saved">
            Password saved.
          </span>
        )}
      </div>
      {refused && (
        <div className="warning" role="alert" data-testid="password-refused">
          <p>Keepsake needs the current password to change it, and the saved one doesn&apos;t work.</p>
          <ForgotPassword onUsed={() => void save.run()} />
        </div>
      )}
    </form>
  );
}
