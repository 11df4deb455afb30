// Home's cards about the key of encrypted backups: the emergency kit until there is one (right
// after setup, and until it is made), and every few weeks "Do you still know your password?".

import { useState } from "react";

import * as api from "../../api";
import { EmergencyKit } from "../../components/EmergencyKit";
import { useAction } from "../../hooks";
import type { Navigate } from "../../navigation";
import type { AppStateView } from "../../types";

/** The kit card: shown while encrypted backups have no kit (dismissed for this session with "Later"). */
export function KitCard({ state }: { state: AppStateView }) {
  const [later, setLater] = useState(false);
  const [made, setMade] = useState(false);
  const encrypts = state.sources.some((s) => s.encrypt);
  if (!made && (later || !encrypts || state.key.kit_made_at !== null)) return null;
  return (
    <section className="card kit-card" aria-labelledby="kit-card-title" data-testid="kit-card">
      <h2 id="kit-card-title">{made ? "Your emergency kit" : "One more step: your emergency kit"}</h2>
      <EmergencyKit hasKit={false} onDone={() => setMade(true)} />
      {!made && (
        <div className="buttons">
          <button type="button" className="link small" onClick={() => setLater(true)} data-testid="kit-later">
            Later
          </button>
        </div>
      )}
    </section>
  );
}

/** "Do you still know your password?": typed once, checked on this computer, nothing sent. */
export function PasswordCheck({ state, navigate }: { state: AppStateView; navigate: Navigate }) {
  const [password, setPassword] = useState("");
  const [result, setResult] = useState<boolean | null>(null);
  const [hidden, setHidden] = useState(false);
  const check = useAction(() => api.checkPassword(password), {
    doing: "Checking your password",
    onSuccess: (right) => {
      setResult(right);
      setPassword("");
    },
  });
  if (hidden || (!state.password_check_due && result === null) || !state.key.has_key) return null;
  return (
    <section className="card" aria-labelledby="password-check-title" data-testid="password-check">
      <h2 id="password-check-title">Do you still know your backup password?</h2>
      {result === true ? (
        <p className="done" role="status" data-testid="password-check-right">
          That&apos;s it. Keepsake will ask again in a few weeks.
        </p>
      ) : (
        <>
          <p className="small">
            It opens your backups. Type it once to check you remember it: it is checked on this computer, and nothing is sent
            anywhere.
          </p>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (password) void check.run();
            }}
          >
            <input
              type="password"
              aria-label="Your backup password"
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setResult(null);
              }}
              autoComplete="off"
              data-testid="password-check-input"
            />
            <button type="submit" className="primary" disabled={!password || check.pending} data-testid="password-check-submit">
              Check
            </button>
            <button type="button" onClick={() => setHidden(true)} data-testid="password-check-later">
              Not now
            </button>
          </form>
          {result === false && (
            <div role="alert" className="warning" data-testid="password-check-wrong">
              <p>That isn&apos;t it. Try again, or if it is gone, your emergency kit opens everything and lets you set a new password.</p>
              <button type="button" className="link" onClick={() => navigate("settings")} data-testid="password-check-kit">
                Go to the emergency kit and password settings
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
