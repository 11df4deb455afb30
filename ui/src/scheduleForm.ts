// The schedule editor's form model: turns the schedule text the engine stores ("daily 02:00",
// "weekly mon 02:00", "monthly last 02:00", "hourly :15" or a cron expression) into the preset a
// person picks, and back. Anything the presets cannot show opens in the advanced (cron) field.

export type ScheduleKind = "off" | "hourly" | "daily" | "weekly" | "monthly" | "advanced";

export const WEEKDAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
] as const;

export type WeekdayCode = (typeof WEEKDAYS)[number][0];

export interface ScheduleForm {
  kind: ScheduleKind;
  /** Minute past the hour, for hourly. */
  minute: number;
  /** HH:MM, for daily, weekly and monthly. */
  time: string;
  weekday: WeekdayCode;
  /** 1-28 or "last". */
  monthDay: string;
  /** Five-field cron expression, for advanced. */
  cron: string;
}

export const DEFAULT_FORM: ScheduleForm = {
  kind: "daily",
  minute: 0,
  time: "02:00",
  weekday: "mon",
  monthDay: "1",
  cron: "0 2 * * *",
};

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function normaliseTime(text: string): string | null {
  const m = TIME.exec(text);
  return m ? `${m[1]!.padStart(2, "0")}:${m[2]}` : null;
}

function weekdayCode(word: string): WeekdayCode | null {
  const prefix = word.slice(0, 3).toLowerCase();
  return WEEKDAYS.some(([code]) => code === prefix) ? (prefix as WeekdayCode) : null;
}

/** Reads the stored schedule into the form; unknown shapes become "advanced" with the text kept. */
export function parseSchedule(schedule: string | null): ScheduleForm {
  if (schedule === null || schedule.trim() === "") return { ...DEFAULT_FORM, kind: "off" };
  const text = schedule.trim();
  const words = text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "at" && w !== "on");
  const [kind, ...args] = words;
  if (kind === "hourly") {
    const minute = args.length === 0 ? 0 : Number((args[0] ?? "").replace(/^:/, ""));
    if (args.length <= 1 && Number.isInteger(minute) && minute >= 0 && minute <= 59) {
      return { ...DEFAULT_FORM, kind: "hourly", minute };
    }
  }
  if (kind === "daily" && args.length === 1) {
    const time = normaliseTime(args[0]!);
    if (time) return { ...DEFAULT_FORM, kind: "daily", time };
  }
  if (kind === "weekly" && args.length === 2) {
    const weekday = weekdayCode(args[0]!);
    const time = normaliseTime(args[1]!);
    if (weekday && time) return { ...DEFAULT_FORM, kind: "weekly", weekday, time };
  }
  if (kind === "monthly") {
    const rest = args[0] === "day" ? args.slice(1) : args;
    if (rest.length === 2) {
      const day = rest[0]!;
      const time = normaliseTime(rest[1]!);
      const n = Number(day);
      if (time && (day === "last" || (Number.isInteger(n) && n >= 1 && n <= 28))) {
        return { ...DEFAULT_FORM, kind: "monthly", monthDay: day === "last" ? "last" : String(n), time };
      }
    }
  }
  return { ...DEFAULT_FORM, kind: "advanced", cron: text };
}

/** The schedule text to send, or null for "no schedule". */
export function scheduleExpression(form: ScheduleForm): string | null {
  switch (form.kind) {
    case "off":
      return null;
    case "hourly":
      return `hourly :${String(form.minute).padStart(2, "0")}`;
    case "daily":
      return `daily ${form.time}`;
    case "weekly":
      return `weekly ${form.weekday} ${form.time}`;
    case "monthly":
      return `monthly ${form.monthDay} ${form.time}`;
    case "advanced":
      return form.cron.trim();
  }
}
