import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { fullSetup, makeSource } from "../testing/fixtures";
import { renderApp } from "../testing/render";

async function openSchedule(setup: FakeShell) {
  const rendered = renderApp(setup);
  await rendered.user.click(await screen.findByTestId("nav-schedule"));
  await screen.findByRole("heading", { name: "Schedule for Notes" });
  return rendered;
}

describe("Schedule", () => {
  it("asks for a database first when there is none", async () => {
    const { user } = renderApp(new FakeShell());
    await user.click(await screen.findByTestId("nav-schedule"));
    expect(await screen.findByText(/Add a database first/)).toBeTruthy();
  });

  it("shows the current schedule in words with the next five runs", async () => {
    await openSchedule(new FakeShell(fullSetup()));
    expect((screen.getByTestId("preset-daily") as HTMLInputElement).checked).toBe(true);
    expect((await screen.findByTestId("schedule-description")).textContent).toBe("Every day at 02:00");
    expect(screen.getAllByTestId("next-run")).toHaveLength(5);
  });

  it("says it is checking while the preview is on its way", async () => {
    await openSchedule(new FakeShell(fullSetup()).hang("preview_schedule"));
    expect(await screen.findByText("Checking…")).toBeTruthy();
  });

  it("saves a weekly preset", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("preset-weekly"));
    await user.selectOptions(screen.getByRole("combobox", { name: "Day of the week" }), "wednesday");
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("Every Wednesday at 02:00"));
    const runs = screen.getAllByTestId("next-run").map((li) => new Date(li.getAttribute("data-time")!).getDay());
    expect(runs).toEqual([3, 3, 3, 3, 3]);
    await user.click(screen.getByTestId("schedule-save"));
    await waitFor(() =>
      expect(fake.callsOf("set_schedule")).toEqual([{ name: "Notes", schedule: { kind: "weekly", weekday: "wednesday", time: "02:00" } }]),
    );
    expect(await screen.findByText("Saved.")).toBeTruthy();
    // The preview was asked about the structured schedule, never a phrase.
    expect(fake.callsOf("preview_schedule")).toContainEqual({ schedule: { kind: "weekly", weekday: "wednesday", time: "02:00" }, count: 5 });
    expect(fake.callsOf("update_source")).toEqual([]);
    expect(fake.state.sources[0]?.schedule).toEqual({ kind: "weekly", weekday: "wednesday", time: "02:00" });
  });

  it("checks a cron expression as it is typed and explains what is wrong", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("preset-advanced"));
    const input = screen.getByTestId("cron-input");
    await user.clear(input);
    await user.type(input, "0 2 * *");
    const error = await screen.findByTestId("schedule-error");
    expect(error.textContent).toBe(
      "Not a valid schedule: a cron expression has 5 fields (minute hour day month weekday); this one has 4",
    );
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect((screen.getByTestId("schedule-save") as HTMLButtonElement).disabled).toBe(true);
    await user.type(input, " 1-5");
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("At 02:00 on weekdays"));
    expect(screen.queryByTestId("schedule-error")).toBeNull();
    await user.click(screen.getByTestId("schedule-save"));
    await waitFor(() => expect(fake.callsOf("set_schedule")).toEqual([{ name: "Notes", schedule: { kind: "cron", expr: "0 2 * * 1-5" } }]));
  });

  it("opens a saved schedule in its preset: monthly on the last day", async () => {
    const setup = fullSetup();
    setup.state = {
      sources: [makeSource({ schedule: { kind: "monthly", day: "last", time: "04:30" }, schedule_description: "On the last day of every month at 04:30" })],
    };
    await openSchedule(new FakeShell(setup));
    expect((screen.getByTestId("preset-monthly") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("combobox", { name: "Day of the month" }) as HTMLSelectElement).value).toBe("last");
    expect((await screen.findByTestId("schedule-description")).textContent).toBe("On the last day of every month at 04:30");
    expect((screen.getByTestId("schedule-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("opens a cron schedule in the advanced field", async () => {
    const setup = fullSetup();
    setup.state = { sources: [makeSource({ schedule: { kind: "cron", expr: "30 14 * * *" } })] };
    await openSchedule(new FakeShell(setup));
    expect((screen.getByTestId("preset-advanced") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("cron-input") as HTMLInputElement).value).toBe("30 14 * * *");
    expect((await screen.findByTestId("schedule-description")).textContent).toBe("Every day at 14:30");
  });

  it("keeps a schedule the presets can't show, as it is", async () => {
    const setup = fullSetup();
    setup.state = { sources: [makeSource({ schedule: { kind: "every_seconds", seconds: 5 }, schedule_description: "Every 5 seconds" })] };
    const { user, fake } = await openSchedule(new FakeShell(setup));
    expect((screen.getByTestId("preset-other") as HTMLInputElement).checked).toBe(true);
    expect((await screen.findByTestId("schedule-description")).textContent).toBe("Every 5 seconds");
    await user.click(screen.getByTestId("preset-daily"));
    await user.click(screen.getByTestId("preset-other"));
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("Every 5 seconds"));
    expect((screen.getByTestId("schedule-save") as HTMLButtonElement).disabled).toBe(true);
    expect(fake.callsOf("set_schedule")).toEqual([]);
  });

  it("turns the schedule off", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("preset-off"));
    expect(screen.getByTestId("schedule-description").textContent).toContain("only when you ask");
    await user.click(screen.getByTestId("schedule-save"));
    await waitFor(() => expect(fake.callsOf("set_schedule")).toEqual([{ name: "Notes", schedule: null }]));
    await waitFor(() => expect(fake.state.sources[0]?.schedule).toBeNull());
  });

  it("shows a failed save in words", async () => {
    const { user } = await openSchedule(new FakeShell(fullSetup()).fail("set_schedule", ipcError("io")));
    await user.click(screen.getByTestId("preset-hourly"));
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("Every hour at :00"));
    await user.click(screen.getByTestId("schedule-save"));
    expect((await screen.findByTestId("error-message")).textContent).toContain("Saving the schedule");
  });

  it("saves retention rules, previews a cleanup and applies it", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByRole("checkbox", { name: "Keep one backup a day for" }));
    const keepLast = screen.getByRole("spinbutton", { name: /Keep the newest/ });
    await user.clear(keepLast);
    await user.type(keepLast, "5");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => {
      // Every rule changed, in one patch (saved together or not at all).
      expect(fake.callsOf("update_source")).toEqual([{ name: "Notes", patch: { keep_last: 5, keep_daily: null } }]);
    });
    await user.click(await screen.findByRole("button", { name: "Show what would be deleted now" }));
    const plan = await screen.findByTestId("cleanup-plan");
    expect(plan.textContent).toContain("keep 5 backups and would delete 2 backups");
    await user.click(screen.getByRole("button", { name: "Delete them now" }));
    await user.click(screen.getByRole("button", { name: "Delete 2 backups" }));
    expect(await screen.findByText("Deleted 2 old backups.")).toBeTruthy();
    expect(fake.backups.Notes).toHaveLength(5);
  });

  it("turns checking after each backup off", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("verify-after-backup"));
    await waitFor(() =>
      expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", patch: { verify_after_backup: false } }),
    );
    await waitFor(() => expect((screen.getByTestId("verify-after-backup") as HTMLInputElement).checked).toBe(false));
  });
});
