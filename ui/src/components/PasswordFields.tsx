// The password typed twice, with a strength hint and the "I have stored it somewhere safe"
// promise: shared by first run and Settings.

import { useId } from "react";

import { MIN_PASSWORD_LENGTH, passwordStrength, STRENGTH_WORDS } from "../password";

export interface PasswordValue {
  password: string;
  confirm: string;
  stored: boolean;
}

export const EMPTY_PASSWORD: PasswordValue = { password: "", confirm: "", stored: false };

/** Why the password can't be used yet, or null when it can. */
export function passwordProblem(value: PasswordValue): string | null {
  if (value.password.length < MIN_PASSWORD_LENGTH) {
    return `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (value.password !== value.confirm) return "The two passwords don't match yet.";
  if (!value.stored) return "Tick the box once the password is stored somewhere safe.";
  return null;
}

export function PasswordFields({
  value,
  onChange,
  label = "Password",
}: {
  value: PasswordValue;
  onChange: (value: PasswordValue) => void;
  label?: string;
}) {
  const id = useId();
  const strength = passwordStrength(value.password);
  const words = STRENGTH_WORDS[strength];
  const mismatch = value.confirm.length > 0 && value.confirm !== value.password;
  return (
    <div className="password-fields">
      <label htmlFor={`${id}-pw`}>{label}</label>
      <input
        id={`${id}-pw`}
        type="password"
        autoComplete="new-password"
        data-testid="password"
        value={value.password}
        onChange={(e) => onChange({ ...value, password: e.target.value })}
        aria-describedby={`${id}-strength`}
      />
      <div id={`${id}-strength`} className={`strength strength-${strength}`} aria-live="polite">
        <meter min={0} max={4} low={2} high={3} optimum={4} value={STRENGTH_LEVEL[strength]} aria-hidden="true" />
        {words.label && <strong>{words.label}. </strong>}
        {words.hint}
      </div>
      <label htmlFor={`${id}-confirm`}>Type it again</label>
      <input
        id={`${id}-confirm`}
        type="password"
        autoComplete="new-password"
        data-testid="password-confirm"
        value={value.confirm}
        aria-invalid={mismatch}
        aria-describedby={mismatch ? `${id}-mismatch` : undefined}
        onChange={(e) => onChange({ ...value, confirm: e.target.value })}
      />
      {mismatch && (
        <p id={`${id}-mismatch`} className="field-error">
          The two passwords don't match.
        </p>
      )}
      <label className="check">
        <input
          type="checkbox"
          data-testid="password-stored"
          checked={value.stored}
          onChange={(e) => onChange({ ...value, stored: e.target.checked })}
        />
        I have stored this password somewhere safe (a password manager, or on paper). Without it, encrypted
        backups can't be opened by anyone, including Keepsake.
      </label>
    </div>
  );
}

const STRENGTH_LEVEL = { empty: 0, too_short: 1, weak: 1, fair: 3, strong: 4 } as const;
