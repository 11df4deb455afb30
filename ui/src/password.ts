// A rough password strength hint for the first-run and change-password forms. It is a nudge
// towards longer passwords, not a security measure: the engine's key derivation does the work.

export type Strength = "empty" | "too_short" | "weak" | "fair" | "strong";

export const MIN_PASSWORD_LENGTH = 8;

const COMMON = new Set([
  "password",
  "password1",
  "12345678",
  "123456789",
  "1234567890",
  "qwertyuiop",
  "iloveyou",
  "letmein1",
  "11111111",
  "abcdefgh",
  "keepsake",
]);

export function passwordStrength(password: string): Strength {
  if (password.length === 0) return "empty";
  if (password.length < MIN_PASSWORD_LENGTH) return "too_short";
  if (COMMON.has(password.toLowerCase()) || /^(.)\1+$/.test(password)) return "weak";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const words = password.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 3).length;
  if (password.length >= 16 || (password.length >= 12 && classes >= 3) || words >= 4) return "strong";
  if (password.length >= 12 || classes >= 3) return "fair";
  return "weak";
}

export const STRENGTH_WORDS: Record<Strength, { label: string; hint: string }> = {
  empty: { label: "", hint: "Pick something you can remember but others can't guess." },
  too_short: {
    label: "Too short",
    hint: `Use at least ${MIN_PASSWORD_LENGTH} characters. Four unrelated words make a strong, memorable password.`,
  },
  weak: { label: "Weak", hint: "Easy to guess. Make it longer, or use four unrelated words." },
  fair: { label: "Fair", hint: "Not bad. A few more characters or another word would make it strong." },
  strong: { label: "Strong", hint: "Strong password." },
};
