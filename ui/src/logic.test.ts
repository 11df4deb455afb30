import { describe, expect, it } from "vitest";

import { backupWhen, formatBytes, formatDateTime, formatDuration, formatRelative, formatRunTime, plural } from "./format";
import { nextRunText, problems, sourceStatus, type Status } from "./health";
import { passwordStrength } from "./password";
import { DEFAULT_FORM, formFromSchedule, sameSchedule, scheduleFromForm, scheduleKey } from "./scheduleForm";
import { FakeShell, installFake, ipcError, previewSchedule } from "./testing/fakeShell";
import { backupFileName, backupId, fullSetup, makeBackup, makeSource } from "./testing/fixtures";
import { runsPerDay, toPoints } from "./screens/HistoryCharts";
import { changeWords } from "./changes";
import { defaultName } from "./screens/firstRun/wizard";
import * as api from "./api";
import type { AppStateView, Schedule, SourceView } from "./types";

const NOW = Date.parse("2025-03-10T12:00:00Z");
const HOUR = 3600_000;

describe("format", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [1536, "1.5 KB"],
    [4_194_304, "4.0 MB"],
    [250 * 1024 * 1024, "250 MB"],
  ])("formatBytes(%d) = %s", (n, text) => expect(formatBytes(n)).toBe(text));

  it.each([
    [450, "450 ms"],
    [3_000, "3 s"],
    [80_000, "1 min 20 s"],
    [7_500_000, "2 h 5 min"],
  ])("formatDuration(%d) = %s", (n, text) => expect(formatDuration(n)).toBe(text));

  it("says times relative to now", () => {
    expect(formatRelative(new Date(NOW - 2 * HOUR).toISOString(), NOW)).toBe("2 hours ago");
    expect(formatRelative(new Date(NOW + 5 * HOUR).toISOString(), NOW)).toBe("in 5 hours");
    expect(formatRelative(new Date(NOW - 10_000).toISOString(), NOW)).toBe("just now");
    expect(formatRelative(new Date(NOW + 10_000).toISOString(), NOW)).toBe("just now");
    expect(formatRelative(new Date(NOW - 24 * HOUR).toISOString(), NOW)).toBe("yesterday");
  });

  it("pluralises", () => {
    expect(plural(1, "backup")).toBe("1 backup");
    expect(plural(3, "backup")).toBe("3 backups");
  });
});

describe("schedule form", () => {
  const schedules: Schedule[] = [
    { kind: "hourly", minute: 15 },
    { kind: "hourly", minute: 0 },
    { kind: "daily", time: "02:30" },
    { kind: "weekly", weekday: "friday", time: "23:15" },
    { kind: "monthly", day: 1, time: "02:00" },
    { kind: "monthly", day: "last", time: "04:00" },
    { kind: "cron", expr: "0 2 * * 1-5" },
    { kind: "every_seconds", seconds: 5 },
  ];

  it.each(schedules.map((s) => [scheduleKey(s), s] as const))("%s survives the form unchanged", (_, schedule) => {
    const back = scheduleFromForm(formFromSchedule(schedule));
    expect(back).toEqual(schedule);
    expect(sameSchedule(back, schedule)).toBe(true);
  });

  it("shows each schedule as its preset", () => {
    expect(schedules.map((s) => formFromSchedule(s).kind)).toEqual([
      "hourly",
      "hourly",
      "daily",
      "weekly",
      "monthly",
      "monthly",
      "advanced",
      "other",
    ]);
  });

  it("reads no schedule as off, and off as no schedule", () => {
    expect(formFromSchedule(null).kind).toBe("off");
    expect(scheduleFromForm(formFromSchedule(null))).toBeNull();
  });

  it("builds the schedule from the preset's own fields", () => {
    const form = { ...DEFAULT_FORM, minute: 45, time: "06:10", weekday: "sunday" as const, monthDay: "last" as const, cron: "  30  14 * * * " };
    expect(scheduleFromForm({ ...form, kind: "hourly" })).toEqual({ kind: "hourly", minute: 45 });
    expect(scheduleFromForm({ ...form, kind: "daily" })).toEqual({ kind: "daily", time: "06:10" });
    expect(scheduleFromForm({ ...form, kind: "weekly" })).toEqual({ kind: "weekly", weekday: "sunday", time: "06:10" });
    expect(scheduleFromForm({ ...form, kind: "monthly" })).toEqual({ kind: "monthly", day: "last", time: "06:10" });
    // Spaces as the engine writes them back, so a saved expression compares equal.
    expect(scheduleFromForm({ ...form, kind: "advanced" })).toEqual({ kind: "cron", expr: "30 14 * * *" });
  });

  it("compares schedules by what they mean, whatever the key order", () => {
    const a: Schedule = { kind: "weekly", weekday: "monday", time: "02:00" };
    const b = JSON.parse('{"time":"02:00","weekday":"monday","kind":"weekly"}') as Schedule;
    expect(sameSchedule(a, b)).toBe(true);
    expect(sameSchedule(a, { ...a, weekday: "tuesday" })).toBe(false);
    expect(sameSchedule(null, null)).toBe(true);
    expect(sameSchedule(a, null)).toBe(false);
  });

  it("round-trips through the fake shell's set_schedule", async () => {
    const fake = installFake(new FakeShell(fullSetup()));
    for (const schedule of schedules) {
      const source = await api.setSchedule("Notes", schedule);
      expect(source.schedule).toEqual(schedule);
      expect(formFromSchedule(source.schedule)).toEqual(formFromSchedule(schedule));
    }
    expect((await api.setSchedule("Notes", null)).schedule).toBeNull();
    expect(fake.callsOf("update_source")).toEqual([]);
  });
});

describe("fake shell", () => {
  it("names backups as the engine does", () => {
    const id = backupId("2026-11-29T03:10:00Z");
    expect(id).toMatch(/^backup_20261129_031000_[0-9a-f]{8}$/);
    expect(backupFileName(id, true)).toBe(`${id}.keepsake`);
    expect(backupFileName(id, false)).toBe(`${id}.db.gz`);
    expect(makeBackup({ created_at: "2026-11-29T03:10:00Z", encrypted: false }).file_name).toBe(`${id}.db.gz`);
    expect(makeBackup({ created_at: "2026-11-29T03:10:00Z" }).file_name).toBe(`${id}.keepsake`);
  });

  it("rejects as the shell does: unknown commands, phrases, schedules through update_source", async () => {
    const fake = installFake(new FakeShell(fullSetup()));
    await expect(fake.handle("preview_schedules", {})).rejects.toMatchObject({ code: "invalid_input" });
    await expect(api.updateSource("Notes", { schedule: "daily 02:00" } as never)).rejects.toMatchObject({ code: "invalid_input" });
    await expect(api.previewSchedule({ kind: "cron", expr: "0 2 * *" })).rejects.toMatchObject({
      code: "invalid_input",
      message: "a cron expression has 5 fields (minute hour day month weekday); this one has 4",
      facts: {},
    });
    await expect(api.previewSchedule({ kind: "monthly", day: 31, time: "02:00" })).rejects.toMatchObject({ code: "invalid_input" });
    expect(() => previewSchedule({ kind: "daily", time: "25:00" }, 1)).toThrow();
    fake.fail("get_stats", ipcError("busy", "m", { path: "/x" }));
    await expect(api.getStats("Notes")).rejects.toMatchObject({ code: "busy", message: "m", facts: { path: "/x" } });
  });

  it("describes schedules in the engine's words", () => {
    const now = Date.parse("2026-03-02T12:00:00Z"); // a Monday
    expect(previewSchedule({ kind: "cron", expr: "30 14 * * *" }, 1, now).description).toBe("Every day at 14:30");
    const weekdays = previewSchedule({ kind: "cron", expr: "0 2 * * 1-5" }, 5, now);
    expect(weekdays.description).toBe("At 02:00 on weekdays");
    expect(weekdays.next_runs.map((t) => new Date(t).getUTCDay())).toEqual([2, 3, 4, 5, 1]);
    expect(previewSchedule({ kind: "weekly", weekday: "sunday", time: "09:00" }, 1, now).next_runs).toEqual(["2026-03-08T09:00:00.000Z"]);
  });
});

describe("password strength", () => {
  it.each([
    ["", "empty"],
    ["abc", "too_short"],
    ["password", "weak"],
    ["aaaaaaaaaa", "weak"],
    ["sunflower", "weak"],
    ["Sunflower77", "fair"],
    ["correct horse battery staple", "strong"],
    ["Tr0ub4dor&3xyz", "strong"],
  ])("%s is %s", (pw, strength) => expect(passwordStrength(pw)).toBe(strength));
});

describe("a backup's name", () => {
  it("tells every backup apart: seconds when two share a minute, a count when they share a second", () => {
    const at = (iso: string, id: string) => ({ id, created_at: iso });
    const a = at("2026-12-07T03:11:05Z", "a");
    const b = at("2026-12-07T03:11:40Z", "b");
    const c = at("2026-12-07T03:11:40.5Z", "c");
    const d = at("2026-12-07T09:00:00Z", "d");
    const all = [a, b, c, d];
    const names = all.map((x) => backupWhen(x, all));
    expect(new Set(names).size).toBe(4);
    expect(names[3]).toBe(formatDateTime(d.created_at));
    expect(names[0]).toBe(formatDateTime(a.created_at, true));
    expect(names[1]).toBe(`${formatDateTime(b.created_at, true)} (1 of 2)`);
    expect(names[2]).toBe(`${formatDateTime(c.created_at, true)} (2 of 2)`);
  });
});

describe("health words", () => {
  const backup = makeBackup({ created_at: new Date(NOW - 2 * HOUR).toISOString() });

  const RUNS = { autostart: true, paused: false };

  it("says protected only when it is her data, backed up, checked, on a schedule that will run, with a copy off this disk", () => {
    expect(sourceStatus(makeSource({ last_backup: backup }), NOW, RUNS)).toEqual({
      tone: "ok",
      headline: "Protected: last backup 2 hours ago, verified, a copy on Backup disk",
    });
    expect(sourceStatus(makeSource({ last_backup: { ...backup, verification: "unverified" } }), NOW, RUNS).headline).toBe(
      "Protected: last backup 2 hours ago, not verified yet, a copy on Backup disk",
    );
  });

  it("says the honest middle state when any condition of protection is false", () => {
    const status = (overrides: Partial<SourceView>, runs = RUNS) => sourceStatus(makeSource({ last_backup: backup, ...overrides }), NOW, runs);
    const cases: [Status, Status["tone"], string][] = [
      [status({ demo: true }), "idle", "A tour with sample data: this is not your data, and nothing of yours is protected yet"],
      [status({ second_place: null }), "warn", "Backed up on this computer only: add a second place (last backup 2 hours ago)"],
      [
        status({ second_place: { kind: "online", name: "Cloud", has_newest: false } }),
        "warn",
        "Backed up on this computer; the copy on Cloud isn't there yet (last backup 2 hours ago)",
      ],
      [status({ schedule: null }), "warn", "Backed up only when you click Back up now: last backup 2 hours ago"],
      [status({ paused: true }), "warn", "Scheduled backups are paused: last backup 2 hours ago"],
      [status({}, { autostart: true, paused: true }), "warn", "Scheduled backups are paused: last backup 2 hours ago"],
      [
        status({}, { autostart: false, paused: false }),
        "warn",
        "Backups stop when you log out: Keepsake doesn't start when you log in (last backup 2 hours ago)",
      ],
      [status({ enabled: false }), "idle", "Turned off: Keepsake is not backing up this database"],
    ];
    for (const [got, tone, headline] of cases) {
      expect(got).toEqual({ tone, headline });
      expect(got.headline).not.toMatch(/^Protected/);
    }
  });

  it("says overdue, never and failed plainly", () => {
    expect(sourceStatus(makeSource({ last_backup: backup, health: { overdue_days: 3 } }), NOW, RUNS).headline).toBe(
      "Overdue: last backup 2 hours ago",
    );
    expect(sourceStatus(makeSource({ health: "never" }), NOW, RUNS).headline).toBe("Not protected yet: no backup so far");
    expect(sourceStatus(makeSource({ last_backup: { ...backup, verification: "failed" } }), NOW, RUNS).tone).toBe("bad");
  });

  it("describes the next run, and never promises one nothing will run", () => {
    const source = makeSource({ next_run: new Date(NOW + 5 * HOUR).toISOString() });
    expect(nextRunText(source, RUNS, NOW)).toMatch(/^Next backup .*\(in 5 hours\)\.$/);
    expect(nextRunText(source, { autostart: false, paused: false }, NOW)).toMatch(/^Next backup .*\(in 5 hours\), if Keepsake is still running then\.$/);
    expect(nextRunText(source, { autostart: true, paused: true }, NOW)).toBe("Scheduled backups are paused.");
    expect(nextRunText(makeSource({ schedule: null }), RUNS, NOW)).toMatch(/when you click Back up now/);
  });

  it("lists problems worst first", () => {
    const state: AppStateView = {
      first_run: false,
      keyring: "locked",
      notification_level: "all",
      autostart: true,
      paused: true,
      backups_root: "/b",
      copies_held: false, key: { has_key: false, made_at: null, kit_made_at: null, kit: null }, password_check: true, password_check_due: false,
      sources: [makeSource({ name: "A", health: { overdue_days: 4 }, last_backup: backup })],
    };
    const list = problems(state);
    expect(list.map((p) => p.key)).toEqual(["keyring-locked", "overdue-A", "paused"]);
    expect(list[1]?.title).toBe("A hasn't been backed up for 4 days");
  });

  it("reports a failed scheduled run until a backup succeeds after it", () => {
    const run = {
      id: 1,
      operation: "backup" as const,
      backup_type: "scheduled" as const,
      backup_id: null,
      source_path: null,
      started_at: new Date(NOW - HOUR).toISOString(),
      duration_ms: 5,
      status: "failed" as const,
      error_code: "source_busy" as const,
      message: "locked",
      safety_backup_id: null,
    };
    const base: AppStateView = { first_run: false, keyring: "ok", notification_level: "all", autostart: true, paused: false, backups_root: "/b", copies_held: false, key: { has_key: false, made_at: null, kit_made_at: null, kit: null }, password_check: true, password_check_due: false, sources: [] };
    const failed = problems({ ...base, sources: [makeSource({ name: "A", last_backup: backup, last_run: run })] });
    expect(failed.map((p) => p.title)).toEqual(["The last scheduled backup of A failed: Another program is busy with the database"]);
    const later = makeBackup({ created_at: new Date(NOW - 60_000).toISOString() });
    expect(problems({ ...base, sources: [makeSource({ last_backup: later, last_run: run })] })).toEqual([]);
  });

  it("says when Keepsake doesn't start at login while something is scheduled, with the fix", () => {
    const base: AppStateView = { first_run: false, keyring: "ok", notification_level: "all", autostart: false, paused: false, backups_root: "/b", copies_held: false, key: { has_key: false, made_at: null, kit_made_at: null, kit: null }, password_check: true, password_check_due: false, sources: [] };
    const found = problems({ ...base, sources: [makeSource()] });
    expect(found.map((p) => [p.key, p.fix])).toEqual([["autostart", "autostart"]]);
    expect(problems({ ...base, sources: [makeSource({ schedule: null })] })).toEqual([]);
    expect(problems({ ...base, sources: [makeSource({ demo: true })] })).toEqual([]);
    expect(problems({ ...base, autostart: true, sources: [makeSource()] })).toEqual([]);
  });

  it("mentions a locked or missing keyring only when something encrypts", () => {
    for (const keyring of ["locked", "unavailable"] as const) {
      const base: AppStateView = { first_run: false, keyring, notification_level: "all", autostart: true, paused: false, backups_root: "/b", copies_held: false, key: { has_key: false, made_at: null, kit_made_at: null, kit: null }, password_check: true, password_check_due: false, sources: [] };
      expect(problems({ ...base, sources: [makeSource({ encrypt: false, last_backup: backup })] })).toEqual([]);
      expect(problems({ ...base, sources: [makeSource({ last_backup: backup })] })).toHaveLength(1);
    }
  });

  it("asks for a password only when something encrypts", () => {
    const base: AppStateView = { first_run: false, keyring: "no_password", notification_level: "all", autostart: true, paused: false, backups_root: "/b", copies_held: false, key: { has_key: false, made_at: null, kit_made_at: null, kit: null }, password_check: true, password_check_due: false, sources: [] };
    expect(problems({ ...base, sources: [makeSource({ encrypt: false, last_backup: backup })] })).toEqual([]);
    expect(problems({ ...base, sources: [makeSource({ last_backup: backup })] }).map((p) => p.key)).toEqual(["no-password"]);
  });
});

describe("chart data", () => {
  it("orders points by time and computes ratios", () => {
    const points = toPoints([
      makeBackup({ created_at: "2025-03-02T00:00:00Z", original_size: 100, stored_size: 30 }),
      makeBackup({ created_at: "2025-03-01T00:00:00Z", original_size: 0, stored_size: 0 }),
    ]);
    expect(points.map((p) => p.ratio)).toEqual([null, 0.3]);
  });

  it("counts backup runs per day", () => {
    const run = (at: string, status: "success" | "failed" | "cancelled", operation: "backup" | "verify" = "backup") => ({
      id: 1,
      operation,
      backup_type: null,
      backup_id: null,
      source_path: null,
      started_at: at,
      duration_ms: 1,
      status,
      error_code: null,
      message: null,
      safety_backup_id: null,
    });
    expect(
      runsPerDay([
        run("2025-03-02T10:00:00Z", "success"),
        run("2025-03-02T11:00:00Z", "failed"),
        run("2025-03-01T10:00:00Z", "success"),
        run("2025-03-01T11:00:00Z", "cancelled"),
        run("2025-03-01T12:00:00Z", "failed", "verify"),
      ]),
    ).toEqual([
      { day: "2025-03-01", succeeded: 1, failed: 0 },
      { day: "2025-03-02", succeeded: 1, failed: 1 },
    ]);
  });
});

describe("small words", () => {
  it("says what a restore changes per table", () => {
    expect(changeWords({ table: "t", backup_rows: 10, current_rows: 12 })).toBe("2 rows fewer");
    expect(changeWords({ table: "t", backup_rows: 11, current_rows: 10 })).toBe("1 row more");
    expect(changeWords({ table: "t", backup_rows: 5, current_rows: 5 })).toBe("Same number of rows");
    expect(changeWords({ table: "t", backup_rows: 5, current_rows: null })).toMatch(/Comes back/);
  });

  it("names a database after its file", () => {
    expect(defaultName("/home/ada/notes.db")).toBe("notes");
    expect(defaultName("C:\\data\\shop.sqlite3")).toBe("shop");
    expect(defaultName("")).toBe("My database");
  });
});

describe("times", () => {
  it("read on the 24-hour clock everywhere, like the schedule's own words", () => {
    const afternoon = new Date(2026, 2, 2, 14, 30).toISOString();
    const night = new Date(2026, 2, 3, 2, 5).toISOString();
    expect(formatDateTime(afternoon)).toContain("14:30");
    expect(formatRunTime(afternoon)).toContain("14:30");
    expect(formatRunTime(night)).toContain("02:05");
    for (const text of [formatDateTime(afternoon), formatRunTime(afternoon), formatRunTime(night)]) {
      expect(text).not.toMatch(/AM|PM/i);
    }
  });
});
