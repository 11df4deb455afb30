import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";

import * as api from "./api";
import { ApiError, toApiError } from "./api";

describe("toApiError", () => {
  it("keeps the shell's code, message and facts", () => {
    const e = toApiError({ code: "wrong_password", message: "backup_1.keepsake: bad tag", facts: { backup_id: "backup_1" } }, "verify_backup");
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe("wrong_password");
    expect(e.message).toBe("backup_1.keepsake: bad tag");
    expect(e.facts.backup_id).toBe("backup_1");
    expect(e.command).toBe("verify_backup");
  });

  it("accepts the shell's own codes", () => {
    expect(toApiError({ code: "keyring_unavailable", message: "", facts: {} }, "x").code).toBe("keyring_unavailable");
    expect(toApiError({ code: "no_source", message: "", facts: {} }, "x").code).toBe("no_source");
  });

  it("turns an unknown code into io and keeps the code in the message", () => {
    const e = toApiError({ code: "quantum_flux", message: "odd", facts: {} }, "x");
    expect(e.code).toBe("io");
    expect(e.message).toBe("quantum_flux: odd");
  });

  it("turns a plain string (a Tauri-level failure) into io", () => {
    const e = toApiError("command create_backupp not found", "create_backupp");
    expect(e.code).toBe("io");
    expect(e.message).toBe("command create_backupp not found");
  });

  it("turns an Error into io", () => {
    expect(toApiError(new TypeError("boom"), "x")).toMatchObject({ code: "io", message: "boom" });
  });

  it("passes an ApiError through unchanged", () => {
    const original = new ApiError("busy", "m", {}, "c");
    expect(toApiError(original, "other")).toBe(original);
  });
});

describe("commands", () => {
  it("send the contract's argument names (one request where a command takes more than one value) and reject with ApiError", async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      if (cmd === "restore_backup") throw { code: "target_busy", message: "notes.db is locked", facts: {} };
      return null;
    });
    await api.createBackup({ source: "Notes", jobId: "j1", description: "d", tags: ["a"] });
    await api.updateSource("Notes", { keep_last: null });
    await api.previewSchedule({ kind: "daily", time: "02:00" });
    await api.setSchedule("Notes", { kind: "weekly", weekday: "friday", time: "23:15" });
    await api.setSchedule("Notes", null);
    await api.addSource({ name: "Shop", database: "/srv/shop.db", schedule: { kind: "monthly", day: "last", time: "04:00" } });
    await api.scanFolder("Notes");
    await api.choosePath("database", " /srv/shop.db ");
    const failure = await api
      .restoreBackup({ source: "Notes", id: "b1", jobId: "j2", verifyFirst: true, allowForeign: true })
      .catch((e: unknown) => e);
    expect(seen).toEqual([
      { cmd: "create_backup", args: { request: { source: "Notes", jobId: "j1", description: "d", tags: ["a"] } } },
      { cmd: "update_source", args: { request: { name: "Notes", patch: { keep_last: null } } } },
      { cmd: "preview_schedule", args: { request: { schedule: { kind: "daily", time: "02:00" }, count: 5 } } },
      { cmd: "set_schedule", args: { request: { name: "Notes", schedule: { kind: "weekly", weekday: "friday", time: "23:15" } } } },
      { cmd: "set_schedule", args: { request: { name: "Notes", schedule: null } } },
      {
        cmd: "add_source",
        args: { request: { name: "Shop", database: "/srv/shop.db", schedule: { kind: "monthly", day: "last", time: "04:00" } } },
      },
      { cmd: "scan_folder", args: { source: "Notes" } },
      { cmd: "choose_path", args: { request: { kind: "database", start: "/srv/shop.db" } } },
      { cmd: "restore_backup", args: { request: { source: "Notes", id: "b1", jobId: "j2", verifyFirst: true, allowForeign: true } } },
    ]);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: "target_busy", message: "notes.db is locked", command: "restore_backup" });
  });

  it("deliver job-progress events to listeners", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const got: number[] = [];
    const unsubscribe = await api.onJobProgress((p) => got.push(p.done));
    const { emit } = await import("@tauri-apps/api/event");
    await emit("job-progress", { job_id: "j", phase: "backup", done: 5, total: 10 });
    unsubscribe();
    await emit("job-progress", { job_id: "j", phase: "backup", done: 10, total: 10 });
    expect(got).toEqual([5]);
  });

  it("are typed by the generated contract", () => {
    // Compile-time checks (tsc runs over the tests): never called, so nothing is sent.
    const typos = () => {
      // @ts-expect-error: not a command of the shell
      void api.call("create_backupp", { source: "Notes", jobId: "j" });
      // @ts-expect-error: the schedule is structured data, not a phrase
      void api.previewSchedule("daily 02:00");
      // @ts-expect-error: restore_backup takes one request, which has no safetyBackup any more
      void api.call("restore_backup", { request: { source: "Notes", id: "b", jobId: "j", verifyFirst: true, safetyBackup: false } });
      // @ts-expect-error: update_source does not take the schedule
      void api.updateSource("Notes", "schedule", "daily 02:00");
      // @ts-expect-error: choose_path asks for a database or a folder
      void api.choosePath("file");
    };
    expect(typeof typos).toBe("function");
  });

  it("make distinct job ids", () => {
    expect(api.newJobId()).not.toBe(api.newJobId());
  });
});
