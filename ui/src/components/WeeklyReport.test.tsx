import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";
import { weekLines } from "./WeeklyReport";

describe("The weekly summary", () => {
  it("is shown in History, database by database, and a clicked notification opens it", async () => {
    const fake = new FakeShell(fullSetup());
    fake.pendingScreen = "history";
    const notes = fake.state.sources[0];
    if (notes) notes.copies_to = ["Backblaze"];
    fake.weeklyFailed = 1;
    renderApp(fake);
    // The window opens on History, as the notification asked.
    const card = await screen.findByTestId("weekly-report");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toMatch(/^History of/);
    const made = (fake.backups["Notes"] ?? []).filter((b) => Date.now() - Date.parse(b.created_at) < 7 * 86_400_000).length;
    const notesWeek = within(card).getAllByTestId("weekly-source").find((e) => e.getAttribute("data-source") === "Notes");
    expect(notesWeek?.textContent).toContain(`${made} backups made`);
    expect(notesWeek?.textContent).toContain("1 backup failed");
    expect(notesWeek?.textContent).toContain(`Copied elsewhere: ${made} to Backblaze`);
    expect(fake.callsOf("take_pending_screen").length).toBeGreaterThan(0);
  });

  it("words a week with nothing made, and a folder that can't be read", () => {
    const empty = weekLines({
      source: "Notes",
      report: {
        database: "/n.db",
        since: "",
        until: "",
        made: 0,
        failed: 0,
        verified: 0,
        verify_failed: 0,
        space_used: 0,
        backups_kept: 0,
        last_backup_at: null,
        copies: {},
        alerts: [],
      },
      error: null,
    });
    expect(empty[0]).toEqual({ text: "0 backups made", tone: "warn" });
    expect(weekLines({ source: "X", report: null, error: "no such folder" })[0]?.tone).toBe("bad");
  });
});
