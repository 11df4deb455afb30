import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, fullSetup, ipcError, makeSource } from "../testing/fakeShell";
import { renderApp } from "../testing/render";

async function openRestore(setup: FakeShell) {
  const rendered = renderApp(setup);
  await rendered.user.click(await screen.findByTestId("nav-restore"));
  await screen.findByRole("heading", { name: "Restore Notes" });
  return rendered;
}

describe("Restore", () => {
  it("shows loading while backups load", async () => {
    await openRestore(new FakeShell(fullSetup()).hang("list_backups"));
    expect(screen.getByText("Loading backups…")).toBeTruthy();
  });

  it("says there is nothing to restore", async () => {
    await openRestore(new FakeShell({ state: { sources: [makeSource({ health: "never" })] } }));
    expect(await screen.findByText("There are no backups of Notes to restore yet.")).toBeTruthy();
  });

  it("shows why the backups couldn't be listed", async () => {
    await openRestore(new FakeShell(fullSetup()).fail("list_backups", ipcError("no_source")));
    expect((await screen.findByTestId("error-message")).textContent).toContain("Keepsake doesn't know that database");
  });

  it("compares, warns about the safety backup, restores and undoes", async () => {
    const { user, fake } = await openRestore(new FakeShell(fullSetup()));
    const table = await screen.findByTestId("compare-table");
    expect(table.textContent).toContain("notes");
    expect(table.textContent).toContain("50 rows fewer");
    expect(table.textContent).toContain("5 rows more");
    expect(screen.getByTestId("safety-note").textContent).toContain("makes a safety backup");

    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const done = await screen.findByTestId("restore-done");
    expect(done.textContent).toContain("/home/ada/notes.db now holds the backup");
    expect(fake.callsOf("restore_backup")[0]).toMatchObject({ source: "Notes", verifyFirst: true });
    expect(fake.callsOf("restore_backup")[0]?.target).toBeUndefined();

    expect(done.textContent).not.toContain("backup_");
    expect(screen.queryByTestId("restore-start")).toBeNull();

    await user.click(screen.getByTestId("undo-restore"));
    expect((await screen.findByTestId("undo-done")).textContent).toContain("back as it was before the restore");
    expect(fake.callsOf("undo_restore")).toHaveLength(1);

    // Back to the picker: the safety backup is listed but not picked by default.
    await user.click(screen.getByRole("button", { name: "Restore another backup" }));
    const choices = await screen.findAllByTestId("restore-choice");
    expect(choices[0]!.textContent).toContain("Safety");
    expect((choices[0]!.querySelector("input") as HTMLInputElement).checked).toBe(false);
  });

  it("restores to another location without touching the database", async () => {
    const { user, fake } = await openRestore(new FakeShell(fullSetup()));
    await user.click(await screen.findByRole("radio", { name: /Restore to another location/ }));
    expect((screen.getByTestId("restore-start") as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByTestId("restore-target"), "/tmp/copy.db");
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const done = await screen.findByTestId("restore-done");
    expect(done.textContent).toContain("/tmp/copy.db");
    expect(screen.queryByTestId("undo-restore")).toBeNull();
    expect(fake.callsOf("restore_backup")[0]).toMatchObject({ target: "/tmp/copy.db" });
  });

  it("shows a wrong password in plain words when comparing", async () => {
    await openRestore(new FakeShell(fullSetup()).fail("compare_backup", ipcError("wrong_password")));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("That password doesn't open this backup");
    expect(error.textContent).toContain("Type the password you used when this backup was made.");
  });

  it("shows a failed restore in plain words", async () => {
    const { user } = await openRestore(new FakeShell(fullSetup()).fail("restore_backup", ipcError("target_busy")));
    await user.click(await screen.findByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Restoring: The database is in use, so it wasn't replaced");
    await waitFor(() => expect(screen.queryByTestId("restore-done")).toBeNull());
  });
});
