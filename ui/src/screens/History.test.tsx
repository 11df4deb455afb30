import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { formatDateTime } from "../format";
import { FakeShell, ipcError } from "../testing/fakeShell";
import { foreignSetup, fullSetup, makeBackup, makeSource, type FakeSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";

/** The week of backups where the four newest are changes only, a chain on the fifth. */
function chainSetup(): FakeSetup {
  const setup = fullSetup();
  const backups = setup.backups!.Notes!;
  const full = backups[4]!;
  for (let i = 3; i >= 0; i--) {
    backups[i] = {
      ...backups[i]!,
      kind: "increment",
      stored_size: 136_000,
      chain: { base: backups[i + 1]!.id, full: full.id, seq: 4 - i, base_checksum: "ef".repeat(32) },
    };
  }
  return setup;
}

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
    // In plain words; the technical terms only under Details.
    const checks = within(result).getAllByTestId("verify-check").map((c) => c.textContent);
    expect(checks).toEqual(["✕ It changed since it was made"]);
    expect(within(result).getByTestId("verify-details").textContent).toContain("SHA-256 does not match");
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

  it("shows apart what the folder holds that wasn't made here, in plain words", async () => {
    const fake = new FakeShell(foreignSetup());
    await openHistory(fake);
    const section = await screen.findByTestId("found-in-folder");
    expect(within(section).getByRole("heading", { name: "Found in the backup folder, not made here" })).toBeTruthy();
    // Below the backups made here, which stay as they were.
    const rows = screen.getAllByTestId("backup-row");
    expect(rows).toHaveLength(7);
    expect(rows[6]!.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const foreign = within(section).getAllByTestId("foreign-row");
    expect(foreign).toHaveLength(2);
    expect(foreign[0]!.textContent).toContain("Made on another computer");
    expect(foreign[0]!.textContent).toContain("1.3 MB");
    expect(foreign[0]!.textContent).toContain("3 days ago");
    expect(foreign[1]!.textContent).toContain("Copied in by hand, or made by an older Keepsake");
    expect(foreign[1]!.textContent).toContain("Not encrypted");

    const files = within(section).getAllByTestId("unreadable-file");
    expect(files.map((f) => f.getAttribute("data-state"))).toEqual(["locked", "damaged"]);
    expect(files[0]!.textContent).toContain("Locked: made with another password");
    expect(files[0]!.textContent).toMatch(/dated .* in its name/);
    expect(files[0]!.textContent).toContain("1.2 MB");
    expect(files[1]!.textContent).toContain("Damaged");
    expect(files[1]!.textContent).toContain("86 KB");

    // Plain words only: no codes.
    expect(section.textContent).not.toMatch(/other_installation|not_recorded|name_mismatch|id_taken|future_dated|origin|concern/);
    expect(fake.callsOf("scan_folder")).toEqual([{ source: "Notes" }]);
  });

  it("words every concern a foreign backup can have", async () => {
    const setup = foreignSetup();
    const [first] = setup.foreign?.Notes ?? [];
    const concerns = ["name_mismatch", "id_taken", "future_dated"] as const;
    setup.foreign = { Notes: concerns.map((concern, i) => ({ ...first!, id: `f${i}`, file_name: `f${i}.keepsake`, concern })) };
    await openHistory(new FakeShell(setup));
    const rows = await screen.findAllByTestId("foreign-row");
    expect(rows.map((r) => within(r).getByTestId("foreign-concern").textContent)).toEqual([
      "Its label names another backup",
      "Has the same name as a backup made here",
      "Dated in the future",
    ]);
  });

  it("leaves the section out when the folder holds only what was made here", async () => {
    await openHistory(new FakeShell(fullSetup()));
    await screen.findAllByTestId("backup-row");
    await waitFor(() => expect(screen.queryByText("Runs that failed")).toBeTruthy());
    expect(screen.queryByTestId("found-in-folder")).toBeNull();
  });

  it("marks a backup whose file is missing or changed", async () => {
    const setup = fullSetup();
    const backups = setup.backups!.Notes!;
    backups[1] = { ...backups[1]!, concern: "missing" };
    backups[2] = { ...backups[2]!, concern: "changed" };
    await openHistory(new FakeShell(setup));
    const rows = await screen.findAllByTestId("backup-row");
    expect(within(rows[0]!).queryByTestId("backup-concern")).toBeNull();
    expect(within(rows[1]!).getByTestId("backup-concern").textContent).toBe("File missing");
    expect(within(rows[2]!).getByTestId("backup-concern").textContent).toBe("File changed since it was made");
  });

  it("sends a foreign backup's Restore to the restore screen with it picked", async () => {
    const fake = new FakeShell(foreignSetup());
    const { user } = await openHistory(fake);
    const [row] = await screen.findAllByTestId("foreign-row");
    await user.click(within(row!).getByTestId("foreign-restore"));
    await screen.findByRole("heading", { name: "Restore Notes" });
    const choices = await screen.findAllByTestId("restore-choice");
    const picked = choices.find((c) => (within(c).getByRole("radio") as HTMLInputElement).checked);
    expect(picked?.getAttribute("data-origin")).toBe("foreign");
    expect(picked?.textContent).toContain("Not made here");
  });

  it("says which backups are full copies and what the changes-only ones save", async () => {
    await openHistory(new FakeShell(chainSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    const kinds = rows.map((r) => within(r).getByTestId("backup-kind"));
    expect(kinds.map((k) => k.getAttribute("data-kind"))).toEqual(["increment", "increment", "increment", "increment", "full", "full", "full"]);
    // 136 KB against its full copy's 1.3 MB.
    expect(kinds[0]!.textContent).toBe("Changes only · 10% of a full copy's size");
    expect(kinds[0]!.getAttribute("title")).toContain("also reads the backups it builds on");
    expect(kinds[4]!.textContent).toBe("Full copy");
    expect((await screen.findByTestId("stats")).textContent).toMatch(/4\.\d MB saved by 4 changes-only backups/);
  });

  it("says a tiny changes-only backup is under 1% of its full copy", async () => {
    const setup = chainSetup();
    setup.backups!.Notes![0]!.stored_size = 2_700;
    await openHistory(new FakeShell(setup));
    const [newest] = await screen.findAllByTestId("backup-row");
    expect(within(newest!).getByTestId("backup-kind").textContent).toBe("Changes only · under 1% of a full copy's size");
  });

  it("says why a backup is a full copy when changes only were asked for", async () => {
    const setup = chainSetup();
    setup.backups!.Notes![4]!.full_reason = "chain_large";
    await openHistory(new FakeShell(setup));
    const rows = await screen.findAllByTestId("backup-row");
    const why = within(rows[4]!).getByTestId("backup-full-reason");
    expect(why.getAttribute("data-reason")).toBe("chain_large");
    expect(why.textContent).toBe("Not changes only: the changes since the last full copy added up to more than 60% of it");
    expect(within(rows[0]!).queryByTestId("backup-full-reason")).toBeNull();
  });

  it("explains instead of deleting a backup that later ones build on", async () => {
    const { user, fake } = await openHistory(new FakeShell(chainSetup()));
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[4]!).getByRole("button", { name: /^Delete/ }));
    const note = await screen.findByTestId("delete-needed");
    expect(note.textContent).toContain("Later backups are built on this one");
    expect(note.textContent).toContain("Delete the backups made after it first");
    expect(screen.queryByRole("button", { name: "Delete this backup" })).toBeNull();
    await user.click(within(note).getByRole("button", { name: "Keep it" }));
    expect(screen.queryByTestId("delete-needed")).toBeNull();
    expect(fake.callsOf("delete_backup")).toHaveLength(0);
    // The newest link is needed by none: it is deleted after the usual question.
    await user.click(within(rows[0]!).getByRole("button", { name: /^Delete/ }));
    await user.click(screen.getByRole("button", { name: "Delete this backup" }));
    await waitFor(() => expect(screen.getAllByTestId("backup-row")).toHaveLength(6));
  });

  it("words the shell's refusal to delete a needed link", async () => {
    // The list may be stale (another window, the CLI): the shell's answer is worded too.
    const setup = chainSetup();
    const fake = new FakeShell(setup).fail(
      "delete_backup",
      ipcError("invalid_input", "backup x is needed by y", { backup_id: "x", reason: "needed_by_later" }),
    );
    const { user } = await openHistory(fake);
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[0]!).getByRole("button", { name: /^Delete/ }));
    await user.click(screen.getByRole("button", { name: "Delete this backup" }));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Deleting a backup: Later backups are built on this one");
  });

  it("shows safety backups apart, named in words by the backup they were made before", async () => {
    const setup = fullSetup();
    const backups = setup.backups!.Notes!;
    const restored = backups[2]!;
    const at = new Date(Date.parse(backups[0]!.created_at) + 60_000).toISOString();
    backups.unshift(
      makeBackup({ created_at: at, backup_type: "safety", description: `Before restoring ${restored.id}` }),
      // One whose restored backup is gone from the list: its date comes from the id.
      makeBackup({ created_at: at, id: "backup_20261101_101500_0a0b0c0d", backup_type: "safety", description: "Before restoring backup_20261101_090000_01020304" }),
    );
    await openHistory(new FakeShell(setup));
    const section = await screen.findByTestId("safety-backups");
    const safetyRows = within(section).getAllByTestId("backup-row");
    expect(safetyRows).toHaveLength(2);
    expect(safetyRows[0]!.textContent).toContain(`Before restoring the backup from ${formatDateTime(restored.created_at)}`);
    expect(safetyRows[1]!.textContent).toContain(`Before restoring the backup from ${formatDateTime("2026-11-01T09:00:00Z")}`);
    expect(section.textContent).not.toMatch(/backup_\d{8}/);
    // The backups of the database come first, without them.
    const all = screen.getAllByTestId("backup-row");
    expect(all).toHaveLength(9);
    expect(all.slice(0, 7).every((r) => !section.contains(r))).toBe(true);
    // Two made in the same minute show their seconds.
    expect(within(safetyRows[0]!).getByTitle(safetyRows[0]!.getAttribute("data-id")!).textContent).toBe(formatDateTime(at, true));
    expect(within(all[0]!).getByTitle(all[0]!.getAttribute("data-id")!).textContent).toBe(formatDateTime(backups[2]!.created_at));
  });

  it("takes back a failed check's notice once the same check works", async () => {
    const fake = new FakeShell(fullSetup()).fail("verify_backup", ipcError("io", "reading x: input/output error"));
    const { user } = await openHistory(fake);
    const rows = await screen.findAllByTestId("backup-row");
    await user.click(within(rows[0]!).getByTestId("verify-button"));
    expect((await screen.findByTestId("error-message")).textContent).toContain("Checking a backup: Something went wrong");
    fake.failures.delete("verify_backup");
    await user.click(within(rows[0]!).getByTestId("verify-button"));
    await screen.findByTestId("verify-result");
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("asks for the password of a backup made before the password changed, right where it is checked", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = await openHistory(fake);
    const rows = await screen.findAllByTestId("backup-row");
    const old = rows[6]!.getAttribute("data-id")!;
    fake.oldPasswords.set(old, "the old password");
    await user.click(within(rows[6]!).getByTestId("verify-button"));
    const ask = await screen.findByTestId("other-password");
    expect(ask.textContent).toContain("The saved password doesn't open this backup");
    expect(screen.queryByTestId("error-message")).toBeNull();
    await user.type(within(ask).getByLabelText("Password of this backup"), "a guess");
    await user.click(within(ask).getByRole("button", { name: "Check it" }));
    await waitFor(() => expect(screen.getByTestId("other-password").getAttribute("data-tried")).toBe("true"));
    expect(screen.getByTestId("other-password").textContent).toContain("That password doesn't open this backup either");
    await user.type(screen.getByLabelText("Password of this backup"), "the old password");
    await user.click(screen.getByRole("button", { name: "Check it" }));
    expect((await screen.findByTestId("verify-result")).getAttribute("data-ok")).toBe("true");
    expect(screen.queryByTestId("other-password")).toBeNull();
    expect(fake.callsOf("verify_backup").map((c) => c.password ?? null)).toEqual([null, "a guess", "the old password"]);
    // Not remembered: the next check asks again.
    await user.click(within(rows[6]!).getByTestId("verify-button"));
    expect(await screen.findByTestId("other-password")).toBeTruthy();
  });
});
