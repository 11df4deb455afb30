import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, fullSetup, ipcError, makeSource } from "../testing/fakeShell";
import { renderApp } from "../testing/render";

async function openHistory(setup: FakeShell) {
  const rendered = renderApp(setup);
  await rendered.user.click(await screen.findByTestId("nav-history"));
  await screen.findByRole("heading", { name: "History of Notes" });
  return rendered;
}

describe("History", () => {
  it("shows loading while backups load", async () => {
    await openHistory(new FakeShell(fullSetup()).hang("list_backups"));
    expect(screen.getByText("Loading backups…")).toBeTruthy();
  });

  it("says there are no backups yet", async () => {
    await openHistory(new FakeShell({ state: { sources: [makeSource({ health: "never" })] } }));
    expect(await screen.findByText(/No backups of Notes yet/)).toBeTruthy();
    expect(await screen.findByText("None. Every recorded run succeeded.")).toBeTruthy();
  });

  it("shows why the backups couldn't be listed", async () => {
    await openHistory(new FakeShell(fullSetup()).fail("list_backups", ipcError("destination_read_only")));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Couldn't load the backups: Keepsake can't write to the backup folder");
  });

  it("lists every backup with its facts, the failed runs and the charts", async () => {
    await openHistory(new FakeShell(fullSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    expect(rows).toHaveLength(7);
    const first = rows[0]!;
    expect(first.textContent).toContain("4.0 MB");
    expect(first.textContent).toContain("1.3 MB");
    expect(first.textContent).toContain("Scheduled");
    expect(first.textContent).toContain("Verified");
    expect(rows[3]!.textContent).toContain("Before the big import");
    expect(rows[3]!.textContent).toContain("import");
    expect(rows[5]!.textContent).toContain("Not checked yet");

    const failed = await screen.findByTestId("failed-run");
    expect(failed.textContent).toContain("The backup disk is full");
    expect(failed.textContent).toContain("No space left on device");

    expect((await screen.findByTestId("stats")).textContent).toContain("7 backups");
    expect(screen.getByTestId("chart-size").getAttribute("data-points")).toBe("7");
    expect(screen.getByTestId("chart-runs").textContent).toContain("7 succeeded and 1 failed");
  });

  it("verifies a backup and shows the result", async () => {
    const { user, fake } = await openHistory(new FakeShell(fullSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[5]!).getByTestId("verify-button"));
    const result = await screen.findByTestId("verify-result");
    expect(result.getAttribute("data-ok")).toBe("true");
    expect(result.textContent).toContain("passed all 6 checks");
    expect(fake.callsOf("verify_backup")[0]).toMatchObject({ source: "Notes", id: rows[5]!.getAttribute("data-id") });
  });

  it("explains a backup that fails its check", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = await openHistory(fake);
    const rows = await screen.findAllByTestId("backup-row");
    fake.damaged.set(rows[0]!.getAttribute("data-id")!, "backup_damaged");
    await user.click(within(rows[0]!).getByTestId("verify-button"));
    const result = await screen.findByTestId("verify-result");
    expect(result.getAttribute("data-ok")).toBe("false");
    expect(result.textContent).toContain("This backup is damaged");
    expect(result.textContent).toContain("SHA-256 does not match");
  });

  it("deletes a backup after asking", async () => {
    const { user, fake } = await openHistory(new FakeShell(fullSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[6]!).getByRole("button", { name: /^Delete/ }));
    await user.click(screen.getByRole("button", { name: "Delete this backup" }));
    await waitFor(() => expect(screen.getAllByTestId("backup-row")).toHaveLength(6));
    expect(fake.callsOf("delete_backup")).toHaveLength(1);
  });

  it("shows a failed delete in words", async () => {
    const { user } = await openHistory(new FakeShell(fullSetup()).fail("delete_backup", ipcError("busy")));
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[0]!).getByRole("button", { name: /^Delete/ }));
    await user.click(screen.getByRole("button", { name: "Delete this backup" }));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Deleting a backup: Keepsake is already working on this database");
  });

  it("sends Restore to the restore screen with that backup picked", async () => {
    const { user } = await openHistory(new FakeShell(fullSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[2]!).getByTestId("restore-button"));
    await screen.findByRole("heading", { name: "Restore Notes" });
    const choices = await screen.findAllByTestId("restore-choice");
    expect((within(choices[2]!).getByRole("radio") as HTMLInputElement).checked).toBe(true);
  });
});
