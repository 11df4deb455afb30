// The form for a new copy elsewhere, beyond where it is (DestinationFields' part): what stays
// there, how fast it is sent, how often it is checked, when to tell the person it keeps failing,
// and which databases copy there; and that form as the shell's `Destination`.

import { EMPTY_WHERE, type WhereForm, whereOf } from "../../components/DestinationFields";
import type { Destination } from "../../types";

export interface DestinationForm extends WhereForm {
  /** What stays there: the database folder's rules, every copy, or the last N. */
  keep: "source" | "all" | "last";
  keepLast: string;
  /** KiB per second; empty: no limit. */
  limit: string;
  /** Read every copy back every N days; "0": only when asked. */
  verifyDays: string;
  /** Tell the person once copying there has failed for N hours; "0": never. */
  alertHours: string;
  sources: string[];
}

/** A new form: the place empty, the database folder's rules, no limit, checked monthly, told after a day. */
export const EMPTY_FORM: Omit<DestinationForm, "sources"> = { ...EMPTY_WHERE, keep: "source", keepLast: "10", limit: "", verifyDays: "30", alertHours: "24" };

/** A whole number typed in a field, or undefined when empty or not one. */
const count = (v: string): number | undefined => {
  const n = Number(v.trim());
  return v.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : undefined;
};

const NO_RULES = { keep_last: null, keep_within_days: null, keep_daily: null, keep_weekly: null, keep_monthly: null };

/** The form as the shell's `Destination`: where it is, plus what stays there, how fast it is sent and how often it is checked. */
export function destinationOf(f: DestinationForm): Destination {
  const d = whereOf(f);
  const retention =
    f.keep === "source" ? undefined : f.keep === "all" ? NO_RULES : { ...NO_RULES, keep_last: count(f.keepLast) ?? 10 };
  const limit = count(f.limit);
  return {
    ...d,
    retention,
    upload_limit_kib: limit === undefined || limit === 0 ? undefined : limit,
    verify_every_days: count(f.verifyDays) ?? 30,
    alert_after_hours: count(f.alertHours) ?? 24,
  };
}
