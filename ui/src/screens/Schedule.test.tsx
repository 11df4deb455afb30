import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, fullSetup, ipcError } from "../testing/fakeShell";
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
    await user.selectOptions(screen.getByRole("combobox", { name: "Day of the week" }), "wed");
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("Every Wednesday at 02:00"));
    const runs = screen.getAllByTestId("next-run").map((li) => new Date(li.getAttribute("data-time")!).getDay());
    expect(runs).toEqual([3, 3, 3, 3, 3]);
    await user.click(screen.getByTestId("schedule-save"));
    await waitFor(() =>
      expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", field: "schedule", value: "weekly wed 02:00" }),
    );
    expect(await screen.findByText("Saved.")).toBeTruthy();
  });

  it("checks a cron expression as it is typed and explains what is wrong", async () => {
    const { user } = await openSchedule(new FakeShell(fullSetup()));
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
    await waitFor(() => expect(screen.getByTestId("schedule-description").textContent).toBe("At 02:00 every day"));
    expect(screen.queryByTestId("schedule-error")).toBeNull();
  });

  it("turns the schedule off", async () => {
    const { user, fake } = await openSchedule(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("preset-off"));
    expect(screen.getByTestId("schedule-description").textContent).toContain("only when you ask");
    await user.click(screen.getByTestId("schedule-save"));
    await waitFor(() => expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", field: "schedule", value: "none" }));
  });

  it("shows a failed save in words", async () => {
    const { user } = await openSchedule(new FakeShell(fullSetup()).fail("update_source", ipcError("io")));
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
      const updates = fake.callsOf("update_source");
      expect(updates).toContainEqual({ name: "Notes", field: "keep_last", value: "5" });
      expect(updates).toContainEqual({ name: "Notes", field: "keep_daily", value: "none" });
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
      expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", field: "verify_after_backup", value: "false" }),
    );
    await waitFor(() => expect((screen.getByTestId("verify-after-backup") as HTMLInputElement).checked).toBe(false));
  });
});
