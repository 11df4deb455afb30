// The emergency kit in Settings: whether there is one (and from when), making a new one, and
// whether Keepsake asks every few weeks if the password is still remembered.

import * as api from "../../api";
import { EmergencyKit } from "../../components/EmergencyKit";
import { formatDateTime } from "../../format";
import { useAction } from "../../hooks";
import type { AppStateView } from "../../types";

export function KeySettings({ state }: { state: AppStateView }) {
  const ask = useAction(api.setPasswordCheck, { doing: "Saving when to ask for the password" });
  const made = state.key.kit_made_at;
  return (
    <section className="card" aria-labelledby="kit-title" data-testid="kit-settings">
      <h2 id="kit-title">Emergency kit</h2>
      <p data-testid="kit-status">
        {made
          ? `Your emergency kit was made on ${formatDateTime(made)}. Its recovery key opens every backup, here and wherever copies are.`
          : "You have no emergency kit yet. Without one, a forgotten password means backups that can't be opened."}
      </p>
      <EmergencyKit hasKit={made !== null} />
      <label className="check">
        <input
          type="checkbox"
          checked={state.password_check}
          onChange={(e) => void ask.run(e.target.checked)}
          disabled={ask.pending}
          data-testid="password-check-setting"
        />
        Every few weeks, ask me to type the password once, so I don&apos;t forget it (checked on this computer, nothing is sent)
      </label>
    </section>
  );
}
