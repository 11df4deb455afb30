import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { foreignSetup, fullSetup, makeBackup, makeSource } from "../testing/fixtures";
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

  it("says a changes-only backup is read with the ones it builds on", async () => {
    const setup = fullSetup();
    const backups = setup.backups!.Notes!;
    backups[0] = { ...backups[0]!, kind: "increment", chain: { base: backups[1]!.id, full: backups[2]!.id, seq: 2, base_checksum: "ef".repeat(32) } };
    await openRestore(new FakeShell(setup));
    const choices = await screen.findAllByTestId("restore-choice");
    expect(choices[0]!.textContent).toContain("changes only, read with the 2 backups it builds on");
    expect(choices[1]!.textContent).not.toContain("changes only");
  });

  it("says a file its app encrypts is put back whole, compares nothing inside it, and restores it", async () => {
    const setup = fullSetup();
    const backups = setup.backups!.Notes!;
    backups[0] = { ...backups[0]!, opaque: [{ suffix: "", length: 1_048_576 }, { suffix: "-wal", length: 4152 }] };
    const { user, fake } = await openRestore(new FakeShell(setup));
    const kept = await screen.findByTestId("changes-kept-whole");
    expect(kept.textContent).toMatch(/^Its app encrypts this file itself, so Keepsake can't show what changes inside it\. Restoring puts the whole file back as it was on /);
    expect(fake.callsOf("compare_rows")).toEqual([]);
    expect(screen.queryByTestId("compare-table")).toBeNull();
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    expect((await screen.findByTestId("restore-done")).textContent).toMatch(/^RestoredNotes.s data is back as it was on /);
  });

  it("compares, warns about the safety backup, restores and undoes", async () => {
    const { user, fake } = await openRestore(new FakeShell(fullSetup()));
    const table = await screen.findByTestId("compare-table");
    const row = (t: string) => table.querySelector(`[data-table="${t}"]`)?.textContent ?? "";
    expect(row("notes")).toContain("50 rows added since go");
    expect(row("attachments")).toContain("5 rows come back");
    expect(row("drafts")).toContain("Removed: it was added since the backup (3 rows)");
    expect(row("tags")).toContain("No change");
    expect(screen.getByTestId("changes-summary").textContent).toMatch(/^Restoring puts the data back as it was on .*\. notes: 50 rows added since go; attachments: 5 rows come back; drafts: removed/);
    expect(fake.callsOf("compare_rows")[0]).toMatchObject({ source: "Notes" });
    // A table added since is a change of layout: said plainly before restoring.
    expect(screen.getByTestId("layout-changed").textContent).toMatch(/^The layout of the database changed since this backup \(drafts\)/);
    expect(screen.getByTestId("safety-note").textContent).toContain("makes a safety backup");

    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const done = await screen.findByTestId("restore-done");
    expect(done.textContent).toMatch(/Notes.s data is back as it was on /);
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]).toMatchObject({ source: "Notes", verifyFirst: true });
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]?.target).toBeUndefined();

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
    await user.click(await screen.findByRole("radio", { name: /Save it as a separate file/ }));
    expect((screen.getByTestId("restore-start") as HTMLButtonElement).disabled).toBe(true);
    // Not typed: the shell writes only where its file dialog was answered.
    expect((screen.getByTestId("restore-target") as HTMLInputElement).readOnly).toBe(true);
    fake.chosenPath = "/tmp/copy.db";
    await user.click(screen.getByTestId("restore-target-choose"));
    await waitFor(() => expect((screen.getByTestId("restore-target") as HTMLInputElement).value).toBe("/tmp/copy.db"));
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const done = await screen.findByTestId("restore-done");
    expect(done.textContent).toContain("/tmp/copy.db");
    expect(screen.queryByTestId("undo-restore")).toBeNull();
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]).toMatchObject({ target: "/tmp/copy.db" });
  });

  it("asks once for the password a backup needs, with no table it can't know", async () => {
    await openRestore(new FakeShell(fullSetup()).fail("compare_rows", ipcError("wrong_password")));
    const ask = await screen.findByTestId("other-password");
    expect(ask.textContent).toContain("The saved password doesn't open this backup");
    // One box: no second warning saying the same, no recorded counts that would look like "no change".
    expect(screen.queryByTestId("compare-rows-failed")).toBeNull();
    expect(screen.queryByTestId("compare-table")).toBeNull();
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("shows another failure to compare in plain words, and the recorded counts instead", async () => {
    await openRestore(new FakeShell(fullSetup()).fail("compare_rows", ipcError("backup_damaged")));
    const failed = await screen.findByTestId("compare-rows-failed");
    expect(failed.textContent).toMatch(/^Couldn't compare row by row: /);
    expect((await screen.findByTestId("compare-table")).textContent).toContain("50 rows fewer");
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("says rows changed in place, which counts alone can't, and hides internal tables", async () => {
    const setup = fullSetup();
    const backups = setup.backups!.Notes!;
    backups[0] = { ...backups[0]!, row_counts: { ...backups[0]!.row_counts, notes_fts_data: 12, notes_fts_idx: 3 } };
    setup.current!.Notes = { notes: 1200, tags: 40, attachments: 85, notes_fts_data: 14, notes_fts_idx: 3 };
    const fake = new FakeShell(setup);
    fake.changedRows = { tags: 9 };
    const { user } = await openRestore(fake);
    const table = await screen.findByTestId("compare-table");
    expect(table.querySelector('[data-table="tags"]')?.textContent).toContain("40409 rows get their earlier values back");
    expect(screen.getByTestId("changes-summary").textContent).toContain("tags: 9 rows get their earlier values back");
    expect(table.querySelector('[data-table="notes_fts_data"]')).toBeNull();
    const toggle = screen.getByRole("checkbox", { name: /Show 2 internal tables/ });
    await user.click(toggle);
    expect(screen.getByTestId("compare-table").querySelector('[data-table="notes_fts_data"]')?.textContent).toContain("2 rows added since go");
    expect(screen.getByTestId("changes-summary").textContent).not.toContain("notes_fts");
  });

  it("shows a failed restore in plain words", async () => {
    const { user } = await openRestore(new FakeShell(fullSetup()).fail("restore_backup", ipcError("target_busy")));
    await user.click(await screen.findByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Restoring: The database is in use, so it wasn't replaced");
    await waitFor(() => expect(screen.queryByTestId("restore-done")).toBeNull());
  });

  it("asks for an explicit go-ahead before restoring a backup not made here", async () => {
    const fake = new FakeShell(foreignSetup());
    const foreign = fake.foreign.Notes![0]!;
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-history"));
    await user.click(within((await screen.findAllByTestId("foreign-row"))[0]!).getByTestId("foreign-restore"));
    await screen.findByRole("heading", { name: "Restore Notes" });
    await screen.findByTestId("compare-table");

    await user.click(screen.getByTestId("restore-start"));
    const warning = await screen.findByTestId("restore-warning");
    expect(warning.textContent).toContain("This backup wasn't made by Keepsake on this computer (made on another computer)");
    expect(warning.textContent).not.toContain("isn't encrypted");
    // Not the usual confirmation yet, and no way on without ticking the box.
    expect(screen.queryByRole("button", { name: "Restore now" })).toBeNull();
    const go = screen.getByTestId("restore-warning-continue") as HTMLButtonElement;
    expect(go.disabled).toBe(true);
    await user.click(screen.getByRole("checkbox", { name: "I know where this backup comes from" }));
    expect(go.disabled).toBe(false);
    await user.click(go);
    await user.click(await screen.findByRole("button", { name: "Restore now" }));

    const done = await screen.findByTestId("restore-done");
    expect(done.textContent).toMatch(/Notes.s data is back as it was on /);
    expect(fake.callsOf("restore_backup").map((c) => c.request)).toEqual([
      expect.objectContaining({ source: "Notes", id: foreign.id, allowForeign: true, allowUnencrypted: undefined }),
    ]);
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("warns about an unencrypted backup of a database whose backups are encrypted", async () => {
    const setup = fullSetup();
    const plain = makeBackup({ created_at: new Date(Date.now() - 60_000).toISOString(), encrypted: false, backup_type: "manual" });
    setup.backups!.Notes!.unshift(plain);
    const fake = new FakeShell(setup);
    const { user } = await openRestore(fake);
    const choices = await screen.findAllByTestId("restore-choice");
    expect(choices[0]!.textContent).toContain("not encrypted");
    await user.click(screen.getByTestId("restore-start"));
    const warning = await screen.findByTestId("restore-warning");
    expect(warning.textContent).toContain("This backup isn't encrypted, while Keepsake encrypts the backups of Notes");
    expect(warning.textContent).not.toContain("wasn't made by Keepsake");

    // Cancel goes back to the plain Restore… button; picking another backup needs no warning.
    await user.click(within(warning).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("restore-warning")).toBeNull();
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByTestId("restore-warning-ack"));
    await user.click(screen.getByTestId("restore-warning-continue"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    await screen.findByTestId("restore-done");
    expect(fake.callsOf("restore_backup").map((c) => c.request)).toEqual([
      expect.objectContaining({ id: plain.id, allowUnencrypted: true, allowForeign: undefined }),
    ]);
  });

  it("needs no warning for an encrypted backup made here", async () => {
    const { user, fake } = await openRestore(new FakeShell(fullSetup()));
    await user.click(await screen.findByTestId("restore-start"));
    expect(screen.queryByTestId("restore-warning")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    await screen.findByTestId("restore-done");
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]?.allowForeign).toBeUndefined();
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]?.allowUnencrypted).toBeUndefined();
  });

  it("shows the warning step when the shell still asks for a go-ahead, then retries with it", async () => {
    const fake = new FakeShell(fullSetup());
    const restore = fake.handlers.restore_backup;
    let asked = false;
    fake.handlers.restore_backup = (args) => {
      const { id } = args.request;
      if (!asked) {
        asked = true;
        throw ipcError("confirmation_required", `backup ${id} is not encrypted`, { backup_id: id, reason: "unencrypted" });
      }
      return restore(args);
    };
    const { user } = await openRestore(fake);
    await user.click(await screen.findByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const warning = await screen.findByTestId("restore-warning");
    expect(warning.textContent).toContain("This backup isn't encrypted");
    expect(screen.queryByTestId("error-message")).toBeNull();
    await user.click(screen.getByTestId("restore-warning-ack"));
    await user.click(screen.getByTestId("restore-warning-continue"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    await screen.findByTestId("restore-done");
    const calls = fake.callsOf("restore_backup").map((c) => c.request);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.allowUnencrypted).toBeUndefined();
    expect(calls[1]).toMatchObject({ id: calls[0]?.id, allowUnencrypted: true });
  });

  it("says to choose the file in the dialog when the shell refuses it as not picked", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = await openRestore(fake);
    await user.click(await screen.findByRole("radio", { name: /Save it as a separate file/ }));
    fake.chosenPath = "/home/ada/old-copy.db";
    await user.click(screen.getByRole("button", { name: "Choose the file to restore to" }));
    await waitFor(() => expect((screen.getByTestId("restore-target") as HTMLInputElement).value).toBe("/home/ada/old-copy.db"));
    expect(fake.callsOf("choose_path")).toEqual([{ kind: "restore_to", start: undefined }]);
    // The shell forgot the pick (another session of the app, say).
    fake.picked.clear();
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const error = await screen.findByTestId("restore-target-error");
    expect(error.textContent).toBe("Keepsake writes only to a file chosen with the Choose… button: choose the file there.");
    expect(screen.queryByTestId("restore-done")).toBeNull();
    expect(screen.queryByTestId("error-message")).toBeNull();

    // Picked in the dialog again, the file may be written.
    await user.click(screen.getByRole("button", { name: "Choose the file to restore to" }));
    await waitFor(() => expect(screen.queryByTestId("restore-target-error")).toBeNull());
    expect(fake.callsOf("choose_path")[1]).toEqual({ kind: "restore_to", start: "/home/ada/old-copy.db" });
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    expect((await screen.findByTestId("restore-done")).textContent).toContain("/home/ada/old-copy.db");
    expect(fake.callsOf("restore_backup").map((c) => c.request)).toHaveLength(2);
  });

  it("takes the other file from the system's file dialog", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = await openRestore(fake);
    await user.click(await screen.findByRole("radio", { name: /Save it as a separate file/ }));
    fake.chosenPath = "/media/usb/notes-copy.db";
    await user.click(screen.getByTestId("restore-target-choose"));
    await waitFor(() => expect((screen.getByTestId("restore-target") as HTMLInputElement).value).toBe("/media/usb/notes-copy.db"));
    expect(fake.callsOf("choose_path")).toEqual([{ kind: "restore_to", start: undefined }]);
  });

  it("asks for the password of a backup made before the password changed, then compares and restores with it", async () => {
    const setup = fullSetup();
    const fake = new FakeShell(setup);
    const newest = setup.backups!.Notes![0]!;
    fake.oldPasswords.set(newest.id, "the old password");
    const { user } = await openRestore(fake);
    const ask = await screen.findByTestId("other-password");
    expect(ask.textContent).toContain("The saved password doesn't open this backup");
    // Nothing that cannot be known before it opens.
    expect(screen.queryByTestId("compare-table")).toBeNull();
    await user.type(within(ask).getByLabelText("Password of this backup"), "the old password");
    await user.click(within(ask).getByRole("checkbox", { name: /Remember it until Keepsake closes/ }));
    await user.click(within(ask).getByRole("button", { name: "Compare it" }));
    await waitFor(() => expect(screen.getByTestId("compare-table").textContent).toContain("50 rows added since go"));
    expect(screen.queryByTestId("other-password")).toBeNull();
    expect(fake.callsOf("compare_rows").at(-1)).toMatchObject({ password: "the old password", rememberPassword: true });

    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    await screen.findByTestId("restore-done");
    expect(fake.callsOf("restore_backup").map((c) => c.request)[0]).toMatchObject({ id: newest.id, password: "the old password" });
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("offers no restore of a backup the saved password can't open, and says why beside the button", async () => {
    const setup = fullSetup();
    const fake = new FakeShell(setup);
    const newest = setup.backups!.Notes![0]!;
    fake.oldPasswords.set(newest.id, "the old password");
    const { user } = await openRestore(fake);
    const ask = await screen.findByTestId("other-password");
    const start = screen.getByTestId("restore-start") as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(true));
    const why = screen.getByTestId("restore-locked");
    expect(why.getAttribute("role")).toBe("status");
    expect(why.textContent).toContain("The saved password doesn't open this backup, so it can't be restored yet.");
    expect(start.getAttribute("aria-describedby")).toBe("restore-locked");
    // A wrong password typed keeps it locked; the right one opens it and the restore is offered.
    await user.type(within(ask).getByLabelText("Password of this backup"), "not it");
    await user.click(within(ask).getByRole("button", { name: "Compare it" }));
    await waitFor(() => expect(screen.getByTestId("other-password").dataset.tried).toBe("true"));
    expect(start.disabled).toBe(true);
    const again = screen.getByTestId("other-password");
    await user.type(within(again).getByLabelText("Password of this backup"), "the old password");
    await user.click(within(again).getByRole("button", { name: "Compare it" }));
    await waitFor(() => expect((screen.getByTestId("restore-start") as HTMLButtonElement).disabled).toBe(false));
    expect(screen.getByTestId("restore-locked").textContent).toBe("");
    expect(fake.callsOf("restore_backup").map((c) => c.request)).toEqual([]);
  });

  it("asks for the password when the restore itself finds the saved one doesn't open the backup", async () => {
    const setup = fullSetup();
    const fake = new FakeShell(setup);
    const newest = setup.backups!.Notes![0]!;
    const { user } = await openRestore(fake);
    await screen.findByTestId("compare-table");
    fake.oldPasswords.set(newest.id, "the old password");
    await user.click(screen.getByTestId("restore-start"));
    await user.click(screen.getByRole("button", { name: "Restore now" }));
    const ask = await screen.findByTestId("other-password");
    await user.type(within(ask).getByLabelText("Password of this backup"), "the old password");
    await user.click(within(ask).getByRole("button", { name: "Restore it" }));
    await screen.findByTestId("restore-done");
    expect(fake.callsOf("restore_backup").map((c) => c.request).map((c) => c.password ?? null)).toEqual([null, "the old password"]);
  });
});
