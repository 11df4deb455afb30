import { describe, expect, it } from "vitest";

// The engine's own list, read from its source: a code added there without a wording here fails.
import engineErrors from "../../crates/model/src/error.rs?raw";
import { ApiError } from "./api";
import { formatDateTime } from "./format";
import { describeError, ERROR_CODES, ERROR_WORDING, isErrorCode, toApiError, wordingFor } from "./errors";
import type { Code } from "./types";

describe("error wording", () => {
  it("exists for every code, with a title and an action", () => {
    for (const code of ERROR_CODES) {
      const wording = ERROR_WORDING[code];
      expect(wording, code).toBeDefined();
      expect(wording.title.length, code).toBeGreaterThan(5);
      expect(wording.action.length, code).toBeGreaterThan(10);
      // Plain language: no snake_case codes or CLI flags leak into what people read.
      expect(`${wording.title} ${wording.action}`, code).not.toMatch(/_|--|`/);
    }
    expect(Object.keys(ERROR_WORDING).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("gives every code its own title", () => {
    const titles = ERROR_CODES.map((c) => ERROR_WORDING[c].title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("covers every code the engine defines", () => {
    const engineCodes = [...engineErrors.matchAll(/ErrorCode::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
    expect(engineCodes.length).toBeGreaterThanOrEqual(18);
    for (const code of engineCodes) expect(ERROR_CODES as readonly string[]).toContain(code);
  });

  it("knows exactly the contract's codes at run time", () => {
    // ERROR_WORDING is a Record<Code, Wording>, so its keys are the generated Code, no more, no less.
    const app: Code[] = ["keyring_unavailable", "no_source", "dialog_unavailable"];
    for (const code of app) expect(ERROR_CODES).toContain(code);
    expect(isErrorCode("confirmation_required")).toBe(true);
    expect(isErrorCode("target_not_a_database")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode("quantum_flux")).toBe(false);
  });

  it("says the wrong-password case plainly", () => {
    expect(ERROR_WORDING.wrong_password).toEqual({
      title: "That password doesn't open this backup",
      action: "Type the password you used when this backup was made.",
    });
  });

  it("words a restore that needs a go-ahead by its reason", () => {
    expect(wordingFor("confirmation_required", { reason: "foreign" }).title).toBe(
      "This backup wasn't made by Keepsake on this computer",
    );
    expect(wordingFor("confirmation_required", { reason: "unencrypted" }).title).toBe(
      "This backup isn't encrypted, while this database's backups are",
    );
    expect(wordingFor("confirmation_required", { reason: "foreign_unencrypted" }).title).toBe(
      "This backup wasn't made by Keepsake on this computer, and it isn't encrypted",
    );
    expect(wordingFor("confirmation_required").title).toMatch(/wasn't made by Keepsake/);
    expect(wordingFor("invalid_input", { reason: "needed_by_later" }).title).toBe("Later backups are built on this one");
    expect(wordingFor("invalid_input").title).toBe("That value isn't accepted");
    expect(wordingFor("target_not_a_database").title).toBe("That file isn't a database, so Keepsake won't replace it");
  });

  it("names the app that has its files open, and the app no longer found where it was", () => {
    expect(wordingFor("target_busy", { reason: "held_by_app", app: "Firefox" })).toEqual({
      title: "Close Firefox first: it has these files open",
      action: "Keepsake puts them back once it is closed; nothing was changed.",
    });
    const error = toApiError({ code: "target_busy", message: "Firefox has places.sqlite open", facts: { reason: "held_by_app" } }, "restore_backup");
    expect(describeError(error).title).toBe("Close the app first: it has these files open");
    expect(wordingFor("target_busy").title).toBe("The database is in use, so it wasn't replaced");
    expect(wordingFor("source_not_found", { reason: "not_picked", path: "/home/ada/Zotero" }).title).toBe(
      "Keepsake no longer finds the app's files there",
    );
  });

  it("words a path that was not picked in the dialog", () => {
    const error = toApiError(
      { code: "invalid_input", message: "/tmp/x.db was not chosen in the file dialog", facts: { path: "/tmp/x.db", reason: "not_picked" } },
      "restore_backup",
    );
    expect(describeError(error)).toMatchObject({
      code: "invalid_input",
      title: "That file wasn't chosen in the file dialog",
      action: "Keepsake writes only to a file chosen with the Choose… button: choose the file there.",
    });
  });

  it("says the details in words: the file, the backup by its date, the space, then Keepsake's message", () => {
    const error = new ApiError("target_not_a_database", "it is not a SQLite database", { path: "/home/ada/notes.txt" }, "c");
    expect(describeError(error).detail).toBe("File: /home/ada/notes.txt\nKeepsake's message: it is not a SQLite database");
    const full = new ApiError(
      "destination_full",
      "not enough space for backup_20261101_090000_01020304",
      { backup_id: "backup_20261101_090000_01020304", needed_bytes: 3_000_000, available_bytes: 1_000_000 },
      "c",
    );
    expect(describeError(full).detail).toBe(
      `Backup made ${formatDateTime("2026-11-01T09:00:00Z", true)}\nSpace needed: 2.9 MB; free: 977 KB\nKeepsake's message: not enough space for backup_20261101_090000_01020304`,
    );
  });

  it("describes any thrown value", () => {
    expect(describeError(new ApiError("destination_full", "disk full", {}, "c"))).toMatchObject({
      code: "destination_full",
      title: "The backup disk is full",
      detail: "disk full",
    });
    expect(describeError("weird")).toMatchObject({ code: "io", detail: "weird" });
  });
});
