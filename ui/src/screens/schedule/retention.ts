// The retention rules as the editor shows them: each rule's words around its number and the
// number offered when it is ticked, and the editor's draft (ticked or not, the number as typed).

import type { RetentionPolicy } from "../../types";

export const RULES: { field: keyof RetentionPolicy; before: string; after: string; fallback: number }[] = [
  { field: "keep_last", before: "Keep the newest", after: "backups", fallback: 10 },
  { field: "keep_within_days", before: "Keep every backup from the last", after: "days", fallback: 30 },
  { field: "keep_daily", before: "Keep one backup a day for", after: "days", fallback: 7 },
  { field: "keep_weekly", before: "Keep one backup a week for", after: "weeks", fallback: 4 },
  { field: "keep_monthly", before: "Keep one backup a month for", after: "months", fallback: 12 },
];

/** The typed text is kept as typed (so clearing the field to type a new number works). */
export type RuleDraft = Record<keyof RetentionPolicy, { on: boolean; value: string }>;

/** The number of a rule as typed, or null when it isn't a whole number from 1 to 9999. */
export function ruleNumber(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isInteger(n) && n >= 1 && n <= 9999 ? n : null;
}

/** The draft of the rules saved for a database. */
export function draftOf(retention: RetentionPolicy): RuleDraft {
  const entries = RULES.map((r) => {
    const current = retention[r.field];
    return [r.field, { on: current !== null, value: String(current ?? r.fallback) }] as const;
  });
  return Object.fromEntries(entries) as RuleDraft;
}
