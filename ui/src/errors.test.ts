import { describe, expect, it } from "vitest";

// The engine's own list, read from its source: a code added there without a wording here fails.
import engineErrors from "../../crates/engine/src/error.rs?raw";
import { ApiError } from "./api";
import { describeError, ERROR_WORDING } from "./errors";
import { ERROR_CODES } from "./types";

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

  it("says the wrong-password case plainly", () => {
    expect(ERROR_WORDING.wrong_password).toEqual({
      title: "That password doesn't open this backup",
      action: "Type the password you used when this backup was made.",
    });
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
