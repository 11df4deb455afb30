import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";
import type { Alert } from "../types";

/** The full setup with an alert on the newest backup: 600 of 1,200 notes gone, the one before kept. */
function withAlert(): FakeShell {
  const fake = new FakeShell(fullSetup());
  const [newest, previous] = fake.backups.Notes ?? [];
  if (!newest || !previous) throw new Error("the full setup has backups");
  previous.pinned = { pinned_at: newest.created_at, alert: 1 };
  const alert: Alert = {
    id: 1,
    kind: "rows_lost",
    source_path: "/home/ada/notes.db",
    backup_id: newest.id,
    previous_id: previous.id,
    table: "notes",
    before: 1200,
    after: 600,
    raised_at: newest.created_at,
    pinned: previous.id,
    dismissed_at: null,
  };
  fake.alerts.Notes = [alert];
  return fake;
}

describe("content alerts on Home", () => {
  it("say what changed, what is kept, and go away when it was you", async () => {
    const { user, fake } = renderApp(withAlert());
    const alert = await screen.findByTestId("content-alert");
    expect(alert.textContent).toContain("Notes: 600 of 1,200 entries in “notes” are gone");
    expect(alert.textContent).toMatch(/Seen between the backups of .* and /);
    expect(alert.textContent).toMatch(/kept safe, so you can get them back/);
    expect(within(alert).getByTestId("alert-look-inside").textContent).toBe("See what's gone and get it back");
    // The status line agrees with the alarm: never a green Protected under it.
    expect(screen.getByTestId("source-status").textContent).toBe("✕ Needs a look: something went missing (see above)");
    await user.click(within(alert).getByTestId("alert-dismiss"));
    await waitFor(() => expect(screen.queryByTestId("content-alert")).toBeNull());
    expect(fake.callsOf("dismiss_alert")[0]).toEqual({ source: "Notes", id: 1 });
  });

  it("say an app's update calmly, and leave the status line alone", async () => {
    const fake = withAlert();
    const [alert] = fake.alerts.Notes ?? [];
    if (!alert) throw new Error("an alert");
    fake.alerts.Notes = [{ ...alert, kind: "schema_changed", table: null, before: null, after: null, pinned: null }];
    renderApp(fake);
    const shown = await screen.findByTestId("content-alert");
    expect(shown.className).toContain("tone-warn");
    expect(shown.getAttribute("role")).toBe("status");
    expect(shown.textContent).toContain("Notes changed how it stores its data");
    expect(shown.textContent).toContain("This is normal after an update: nothing is lost.");
    expect(within(shown).queryByTestId("alert-look-inside")).toBeNull();
    expect(within(shown).getByTestId("alert-dismiss").textContent).toBe("OK");
    expect(screen.getByTestId("source-status").textContent).toContain("Protected");
  });

  it("lead inside the kept backup", async () => {
    const { user, fake } = renderApp(withAlert());
    await user.click(await screen.findByTestId("alert-look-inside"));
    expect((await screen.findByRole("heading", { name: /^Inside the backup of / })).textContent).toBeTruthy();
    const kept = fake.backups.Notes?.[1]?.id;
    expect(fake.callsOf("open_backup")[0]).toMatchObject({ source: "Notes", id: kept });
  });
});

describe("Inside a backup", () => {
  async function openInside(fake: FakeShell) {
    const rendered = renderApp(fake);
    await rendered.user.click(await screen.findByTestId("nav-history"));
    const rows = await screen.findAllByTestId("backup-row");
    const first = rows[0];
    if (!first) throw new Error("a backup row");
    await rendered.user.click(within(first).getByTestId("inside-button"));
    await screen.findAllByTestId("inside-table");
    return rendered;
  }

  it("lists people's tables first, hides internal ones until asked, and pages through rows", async () => {
    const fake = new FakeShell(fullSetup());
    const newest = fake.backups.Notes?.[0];
    if (!newest) throw new Error("a backup");
    newest.row_counts = { ...newest.row_counts, notes_fts_data: 12 };
    newest.internal_tables = ["notes_fts_data"];
    const { user } = await openInside(fake);
    const names = () => screen.getAllByTestId("inside-table").map((b) => b.textContent);
    expect(names()).toEqual(["attachments 85", "notes 1,200", "tags 40"]);
    await user.click(screen.getByLabelText(/Show internal tables/));
    expect(names()).toContain("notes_fts_data 12");

    await user.click(screen.getByRole("button", { name: /^notes 1,200/ }));
    expect((await screen.findByTestId("inside-count")).textContent).toBe("Rows 1–50 of 1,200");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(screen.getByTestId("inside-count").textContent).toBe("Rows 51–100 of 1,200"));
    await user.type(screen.getByRole("searchbox", { name: "Search notes" }), "title 1199");
    await waitFor(() => expect(screen.getByTestId("inside-count").textContent).toBe("Rows 1–1 of 1 with “title 1199”"));
    expect(within(screen.getByTestId("inside-rows")).getAllByRole("row")).toHaveLength(2);
  });

  it("takes back one table after asking, and undoes it", async () => {
    const fake = new FakeShell(fullSetup());
    fake.current.Notes = { notes: 600, tags: 40, attachments: 85 };
    const { user } = await openInside(fake);
    await user.click(screen.getByRole("button", { name: /^notes/ }));
    await user.click(await screen.findByTestId("take-back"));
    const ask = screen.getByRole("alertdialog", { name: "Take back notes" });
    expect(ask.textContent).toContain("Every other table stays as it is");
    await user.click(within(ask).getByRole("button", { name: "Take back notes" }));
    expect((await screen.findByTestId("take-back-done")).textContent).toContain("notes is back: 1200 rows (it had 600).");
    // From the backup open on the screen, not a restore that decodes it again.
    const opened = fake.callsOf("open_backup")[0]?.id;
    expect(fake.callsOf("take_back_tables")[0]).toMatchObject({ source: "Notes", id: opened, tables: ["notes"], verifyFirst: true });
    expect(fake.callsOf("restore_backup")).toEqual([]);
    await user.click(screen.getByTestId("take-back-undo"));
    expect(await screen.findByText("Undone: the database is back as it was before.")).toBeTruthy();
    expect(fake.callsOf("undo_restore")).toHaveLength(1);
  });

  it("names the tables that would point at nothing, and takes them back too when asked", async () => {
    const fake = new FakeShell(fullSetup());
    fake.failOnce(
      "take_back_tables",
      ipcError("confirmation_required", "rows of tags would refer to rows that are not there", {
        reason: "broken_references",
        tables: ["tags"],
      }),
    );
    const { user } = await openInside(fake);
    await user.click(screen.getByRole("button", { name: /^notes/ }));
    await user.click(await screen.findByTestId("take-back"));
    await user.click(within(screen.getByRole("alertdialog", { name: "Take back notes" })).getByRole("button", { name: "Take back notes" }));
    const refs = await screen.findByTestId("take-back-references");
    expect(refs.textContent).toContain("Rows in tags would then point at rows that aren't there");
    await user.click(within(refs).getByRole("button", { name: "Take back notes and tags" }));
    await screen.findByTestId("take-back-done");
    expect(fake.callsOf("take_back_tables").at(-1)).toMatchObject({ tables: ["notes", "tags"] });
  });
});

describe("Inside a backup: exporting a table and comparing with another backup", () => {
  async function openNewest(fake: FakeShell) {
    const rendered = renderApp(fake);
    await rendered.user.click(await screen.findByTestId("nav-history"));
    const first = (await screen.findAllByTestId("backup-row"))[0];
    if (!first) throw new Error("a backup row");
    await rendered.user.click(within(first).getByTestId("inside-button"));
    await screen.findAllByTestId("inside-table");
    await rendered.user.click(screen.getByRole("button", { name: /^notes \d/ }));
    return rendered;
  }

  it("exports the table as a spreadsheet to a file picked in the save dialog, and never over an existing one", async () => {
    const fake = new FakeShell(fullSetup());
    fake.chosenPath = "/home/ada/notes.csv";
    const { user } = await openNewest(fake);
    await user.click(await screen.findByTestId("export-csv"));
    expect((await screen.findByTestId("exported")).textContent).toBe("1200 rows of notes written to /home/ada/notes.csv, as a spreadsheet.");
    expect(fake.callsOf("choose_path").at(-1)).toEqual({ kind: "export_csv", start: "/home/ada/notes.csv" });
    expect(fake.callsOf("export_table")[0]).toMatchObject({ table: "notes", format: "csv", target: "/home/ada/notes.csv" });
    // The same file again: refused, in words.
    await user.click(screen.getByTestId("export-database"));
    expect((await screen.findByRole("alert")).textContent).toContain("That file already exists");
  });

  it("compares with another backup and says what changed, table by table", async () => {
    const fake = new FakeShell(fullSetup());
    const [newest, older] = fake.backups.Notes ?? [];
    if (!newest || !older) throw new Error("backups");
    newest.row_counts = { ...newest.row_counts, notes: 900 };
    const { user } = await openNewest(fake);
    await user.selectOptions(screen.getByTestId("compare-with-choice"), older.id);
    await user.click(screen.getByTestId("compare-with-start"));
    const result = await screen.findByTestId("compare-with-result");
    expect(result.textContent).toMatch(/^From .* to .*:/);
    expect(result.textContent).toContain("notes: 300 rows gone");
    expect(fake.callsOf("compare_backups")[0]).toMatchObject({ older: older.id, newer: newest.id });
  });
});

describe("History's keep and look-inside buttons", () => {
  it("marks the backup an alert was noticed in", async () => {
    const fake = withAlert();
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-history"));
    const mark = await screen.findByTestId("backup-alert");
    expect(mark.textContent).toContain("600 of 1,200 entries in “notes” are gone");
    expect(mark.closest("tr")?.getAttribute("data-id")).toBe(fake.backups.Notes?.[0]?.id);
    const kept = screen.getAllByTestId("backup-row")[1];
    expect(kept && within(kept).getByTestId("backup-pinned").textContent).toBe("Kept");
  });

  it("pins a backup, shows it as kept, and unpins it", async () => {
    const { user, fake } = renderApp(fullSetup());
    await user.click(await screen.findByTestId("nav-history"));
    const row = () => screen.getAllByTestId("backup-row")[2];
    const third = row();
    if (!third) throw new Error("a third row");
    await user.click(within(third).getByTestId("pin-button"));
    await waitFor(() => expect(within(row() as HTMLElement).queryByTestId("backup-pinned")).not.toBeNull());
    expect(fake.callsOf("pin_backup")[0]).toMatchObject({ pinned: true });
    await user.click(within(row() as HTMLElement).getByRole("button", { name: /^Stop keeping/ }));
    await waitFor(() => expect(within(row() as HTMLElement).queryByTestId("backup-pinned")).toBeNull());
  });
});
