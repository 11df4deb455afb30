// Screens against the real shell: real engines, real SQLite files in a temporary folder (see
// testing/realShell.ts). What the fake shell stands in for everywhere else, checked for real here.

import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { App } from "../App";
import { startRealShell, type RealShell } from "../testing/realShell";

let shell: RealShell;

beforeEach(() => {
  shell = startRealShell();
});

afterEach(() => {
  cleanup();
  shell.stop();
});

describe("On the real shell", () => {
  it("sets up the demo database with a password, backs it up now, and lists the backup in History", async () => {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole("heading", { name: "Welcome to Keepsake" }, { timeout: 20_000 });
    await user.click(screen.getByTestId("first-run-demo"));
    await user.type(screen.getByTestId("password"), "correct horse battery staple");
    await user.type(screen.getByTestId("password-confirm"), "correct horse battery staple");
    await user.click(screen.getByTestId("password-stored"));
    await user.click(screen.getByTestId("first-run-finish"));
    await user.click(await screen.findByTestId("backup-now", {}, { timeout: 20_000 }));
    const done = await screen.findByText(/^Done:/, {}, { timeout: 60_000 });
    expect(done.textContent).toContain("verified");
    await user.click(screen.getByTestId("nav-history"));
    const rows = await screen.findAllByTestId("backup-row", {}, { timeout: 20_000 });
    expect(rows).toHaveLength(1);
    const row = within(rows[0] as HTMLElement);
    expect(row.getByTestId("verification").dataset.status).toBe("passed");
    // Inside it: the tables the engine decoded from the real, encrypted file.
    await user.click(row.getByTestId("inside-button"));
    const tables = await screen.findAllByTestId("inside-table", {}, { timeout: 60_000 });
    const names = tables.map((t) => t.textContent ?? "");
    expect(names.some((n) => n.includes("birth_charts"))).toBe(true);
    expect(names.some((n) => n.includes("users"))).toBe(true);
  }, 120_000);
});
