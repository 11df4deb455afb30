// The schedule editor's form model and its mapping to and from the structured `Schedule` the
// shell sends and takes: the preset a person picks (off, hourly, daily, weekly, monthly, or an
// advanced cron expression) and its fields. The window never parses or writes schedule phrases;
// what a schedule means in words, and when it runs next, comes from `preview_schedule`.

import type { MonthDay, Schedule, Weekday } from "./types";

export type ScheduleKind = "off" | "hourly" | "daily" | "weekly" | "monthly" | "advanced" | "other";

export const WEEKDAYS: readonly (readonly [Weekday, string])[] = [
  ["monday", "Monday"],
  ["tuesday", "Tuesday"],
  ["wednesday", "Wednesday"],
  ["thursday", "Thursday"],
  ["friday", "Friday"],
  ["saturday", "Saturday"],
  ["sunday", "Sunday"],
];

export interface ScheduleForm {
  /** The preset; "other" is a schedule the presets cannot show (set in the config file), kept as it is. */
  kind: ScheduleKind;
  /** Minute past the hour, for hourly. */
  minute: number;
  /** HH:MM, for daily, weekly and monthly. */
  time: string;
  weekday: Weekday;
  /** 1-28 or "last". */
  monthDay: MonthDay;
  /** Five-field cron expression, for advanced. */
  cron: string;
  /** The schedule kept unchanged when `kind` is "other". */
  other: Schedule | null;
}

export const DEFAULT_FORM: ScheduleForm = {
  kind: "daily",
  minute: 0,
  time: "02:00",
  weekday: "monday",
  monthDay: 1,
  cron: "0 2 * * *",
  other: null,
};

/** The form showing `schedule` (`null`: no schedule). */
export function formFromSchedule(schedule: Schedule | null): ScheduleForm {
  if (schedule === null) return { ...DEFAULT_FORM, kind: "off" };
  switch (schedule.kind) {
    case "hourly":
      return { ...DEFAULT_FORM, kind: "hourly", minute: schedule.minute };
    case "daily":
      return { ...DEFAULT_FORM, kind: "daily", time: schedule.time };
    case "weekly":
      return { ...DEFAULT_FORM, kind: "weekly", weekday: schedule.weekday, time: schedule.time };
    case "monthly":
      return { ...DEFAULT_FORM, kind: "monthly", monthDay: schedule.day, time: schedule.time };
    case "cron":
      return { ...DEFAULT_FORM, kind: "advanced", cron: schedule.expr };
    case "every_seconds":
      return { ...DEFAULT_FORM, kind: "other", other: schedule };
  }
}

/** The schedule the form describes, or `null` for "no schedule". */
export function scheduleFromForm(form: ScheduleForm): Schedule | null {
  switch (form.kind) {
    case "off":
      return null;
    case "hourly":
      return { kind: "hourly", minute: form.minute };
    case "daily":
      return { kind: "daily", time: form.time };
    case "weekly":
      return { kind: "weekly", weekday: form.weekday, time: form.time };
    case "monthly":
      return { kind: "monthly", day: form.monthDay, time: form.time };
    case "advanced":
      return { kind: "cron", expr: form.cron.trim().split(/\s+/).join(" ") };
    case "other":
      return form.other;
  }
}

/** A stable text for a schedule (field order fixed), to compare schedules and to key queries. */
export function scheduleKey(schedule: Schedule | null): string {
  if (schedule === null) return "off";
  switch (schedule.kind) {
    case "hourly":
      return `hourly|${schedule.minute}`;
    case "daily":
      return `daily|${schedule.time}`;
    case "weekly":
      return `weekly|${schedule.weekday}|${schedule.time}`;
    case "monthly":
      return `monthly|${schedule.day}|${schedule.time}`;
    case "cron":
      return `cron|${schedule.expr}`;
    case "every_seconds":
      return `every_seconds|${schedule.seconds}`;
  }
}

export function sameSchedule(a: Schedule | null, b: Schedule | null): boolean {
  return scheduleKey(a) === scheduleKey(b);
}

/** "monthDay" as the day-of-month select holds it, and back. */
export function monthDayFromText(text: string): MonthDay {
  return text === "last" ? "last" : Number(text);
}
