import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { makeForeign } from "../testing/fixtures";
import { renderApp } from "../testing/render";

const firstRun = () => new FakeShell({ state: { first_run: true, keyring: "no_password" } });

describe("First run", () => {
  it("sets up the demo database with a password and the daily schedule", async () => {
    const { user, fake } = renderApp(firstRun());
    await screen.findByRole("heading", { name: "Welcome to Keepsake" });
    await user.click(screen.getByTestId("first-run-demo"));
    expect(screen.getByTestId("demo-chosen")).toBeTruthy();
    await user.type(screen.getByTestId("password"), "correct horse battery staple");
    await user.type(screen.getByTestId("password-confirm"), "correct horse battery staple");
    await user.click(screen.getByTestId("password-stored"));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.calls.map((c) => c.cmd).filter((c) => !["app_state", "list_alerts", "take_pending_screen"].includes(c))).toEqual([
      "set_password",
      "create_demo_source",
      "update_source",
      "set_schedule",
      "set_autostart",
    ]);
    // The demo is a tour: no second place is asked for it.
    expect(screen.queryByTestId("first-run-second-place")).toBeNull();
    // Encryption is switched on before the schedule, so the first (immediate) backup is encrypted.
    expect(fake.callsOf("update_source")).toEqual([{ name: "Demo", patch: { encrypt: true } }]);
    expect(fake.callsOf("set_schedule")).toEqual([{ name: "Demo", schedule: { kind: "daily", time: "02:00" } }]);
    expect(fake.state.sources[0]?.schedule_description).toBe("Every day at 02:00");
  });

  it("starts at login, cleans up old backups and copies to an external disk, each said in setup", async () => {
    const fake = firstRun();
    const { user } = renderApp(fake);
    await user.type(await screen.findByTestId("first-run-database"), "/home/ada/notes.db");
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    expect((screen.getByTestId("first-run-start-at-login") as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId("first-run-cleanup").textContent).toContain("Old backups are cleaned up for you");
    expect(screen.getByTestId("first-run-laptop").textContent).toContain("a missed backup runs as soon as the computer is on again");
    await user.click(screen.getByTestId("first-run-second-disk"));
    await user.click(screen.getByTestId("first-run-finish"));
    expect((await screen.findByTestId("first-run-problem")).textContent).toBe("Choose a folder on the external disk, or pick “Not now”.");
    fake.chosenPath = "/media/ada/USB/Keepsake";
    await user.click(screen.getByTestId("first-run-second-folder-choose"));
    await waitFor(() => expect((screen.getByTestId("first-run-second-folder") as HTMLInputElement).value).toBe("/media/ada/USB/Keepsake"));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("save_destination")).toEqual([
      expect.objectContaining({ destination: expect.objectContaining({ kind: "folder", name: "External disk", path: "/media/ada/USB/Keepsake" }), sources: ["notes"] }),
    ]);
    expect(fake.callsOf("set_autostart")).toEqual([{ enabled: true }]);
  });

  it("leaves start at login alone when she says no", async () => {
    const { user, fake } = renderApp(firstRun());
    await user.type(await screen.findByTestId("first-run-database"), "/home/ada/notes.db");
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    await user.click(screen.getByTestId("first-run-start-at-login"));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("set_autostart")).toEqual([]);
    expect(fake.callsOf("save_destination")).toEqual([]);
  });

  it("takes the database and the folder from the system's file dialog", async () => {
    const fake = firstRun();
    const { user } = renderApp(fake);
    expect((await screen.findByTestId("first-run-default-folder")).textContent).toContain("/home/ada/.local/share/app.keepsake.desktop/backups");
    fake.chosenPath = "/home/ada/.local/share/notes/notes.db";
    await user.click(await screen.findByTestId("first-run-database-choose"));
    await waitFor(() => expect((screen.getByTestId("first-run-database") as HTMLInputElement).value).toBe("/home/ada/.local/share/notes/notes.db"));
    expect(fake.callsOf("choose_path")).toEqual([{ kind: "database", start: undefined }]);
    // Cancelling the dialog leaves the field as it was; the dialog opens where the field points.
    fake.chosenPath = null;
    await user.click(screen.getByTestId("first-run-database-choose"));
    await waitFor(() => expect(fake.callsOf("choose_path")).toHaveLength(2));
    expect(fake.callsOf("choose_path")[1]).toEqual({ kind: "database", start: "/home/ada/.local/share/notes/notes.db" });
    expect((screen.getByTestId("first-run-database") as HTMLInputElement).value).toBe("/home/ada/.local/share/notes/notes.db");
    fake.chosenPath = "/media/usb";
    await user.click(screen.getByRole("button", { name: "Choose the backup folder" }));
    await waitFor(() => expect((screen.getByTestId("first-run-backup-dir") as HTMLInputElement).value).toBe("/media/usb"));
    expect(fake.callsOf("choose_path")[2]).toEqual({ kind: "folder", start: undefined });
  });

  it("says what is missing instead of finishing", async () => {
    const { user, fake } = renderApp(firstRun());
    await user.click(await screen.findByTestId("first-run-finish"));
    expect((await screen.findByTestId("first-run-problem")).textContent).toContain("Choose the database file");
    await user.type(screen.getByTestId("first-run-database"), "/home/ada/notes.db");
    await user.type(screen.getByTestId("password"), "short");
    await user.click(screen.getByTestId("first-run-finish"));
    expect(screen.getByTestId("first-run-problem").textContent).toContain("at least 8 characters");
    expect(fake.callsOf("add_source")).toEqual([]);
  });

  it("warns clearly about no encryption and sets up a database file", async () => {
    const { user, fake } = renderApp(firstRun());
    await user.type(await screen.findByTestId("first-run-database"), "/home/ada/notes.db");
    await user.type(screen.getByTestId("first-run-backup-dir"), "/media/usb/keepsake");
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    expect(screen.getByRole("note").textContent).toContain("anyone who gets a copy of your backup files");
    await user.click(screen.getByRole("radio", { name: "Every hour" }));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("add_source")).toEqual([
      { name: "notes", database: "/home/ada/notes.db", backupDir: "/media/usb/keepsake" },
    ]);
    expect(fake.callsOf("update_source")).toEqual([{ name: "notes", patch: { encrypt: false } }]);
    expect(fake.callsOf("set_schedule")).toEqual([{ name: "notes", schedule: { kind: "hourly", minute: 0 } }]);
    expect(fake.callsOf("set_password")).toEqual([]);
  });

  it("sets no schedule when backups should happen only when asked", async () => {
    const { user, fake } = renderApp(firstRun());
    await user.type(await screen.findByTestId("first-run-database"), "/home/ada/notes.db");
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    await user.click(screen.getByRole("radio", { name: "Only when I click Back up now" }));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("set_schedule")).toEqual([]);
    expect(fake.state.sources[0]?.schedule).toBeNull();
  });

  it("shows a wrong file in plain words and stays on the form", async () => {
    const { user } = renderApp(firstRun().fail("add_source", ipcError("not_a_database", "/home/ada/notes.txt: file is not a database")));
    await user.type(await screen.findByTestId("first-run-database"), "/home/ada/notes.txt");
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    await user.click(screen.getByTestId("first-run-finish"));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Setting up: That file isn't a database Keepsake can back up");
    await waitFor(() => expect(screen.getByRole("heading", { name: "Welcome to Keepsake" })).toBeTruthy());
  });

  it("restores from a copy elsewhere on a new computer, then protects that database and copies there again", async () => {
    const fake = firstRun();
    const older = makeForeign({ created_at: "2026-11-20T02:00:00Z", source_path: "/home/ada/notes.db" });
    const newest = makeForeign({ created_at: "2026-11-27T02:00:00Z", source_path: "/home/ada/notes.db" });
    fake.remoteBackups = [older, newest];
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("first-run-from-copy"));
    const here = within(await screen.findByTestId("restore-from-copy"));
    await user.type(here.getByTestId("dest-endpoint"), "https://s3.eu-central-003.backblazeb2.com");
    await user.type(here.getByTestId("dest-bucket"), "family");
    await user.type(here.getByTestId("dest-access-key"), "003abc");
    await user.type(here.getByTestId("dest-secret"), "a wrong secret");
    await user.click(here.getByTestId("from-copy-find"));
    expect((await screen.findByTestId("from-copy-problem")).textContent).toMatch(/refused the login/);
    await user.clear(here.getByTestId("dest-secret"));
    await user.type(here.getByTestId("dest-secret"), "the right secret");
    await user.type(here.getByTestId("from-copy-password"), "not it");
    await user.click(here.getByTestId("from-copy-find"));
    expect((await screen.findByTestId("from-copy-none")).textContent).toContain("2 backups there that this password doesn't open");
    await user.clear(here.getByTestId("from-copy-password"));
    await user.type(here.getByTestId("from-copy-password"), "the backup password");
    await user.click(here.getByTestId("from-copy-find"));
    const found = within(await screen.findByTestId("from-copy-found"));
    const choices = found.getAllByTestId("from-copy-backup") as HTMLInputElement[];
    expect(choices.map((c) => c.dataset.id)).toEqual([newest.id, older.id]);
    expect(choices[0]?.checked).toBe(true);
    // The new file is chosen in the save dialog (the shell writes nowhere else), opened on where the database was.
    expect((found.getByTestId("from-copy-restore") as HTMLButtonElement).disabled).toBe(true);
    fake.chosenPath = "/home/ada/notes.db";
    await user.click(found.getByTestId("from-copy-choose"));
    await waitFor(() => expect((found.getByTestId("from-copy-target") as HTMLInputElement).value).toBe("/home/ada/notes.db"));
    expect(fake.callsOf("choose_path").at(-1)).toEqual({ kind: "restore_to", start: "/home/ada/notes.db" });
    await user.click(found.getByTestId("from-copy-restore"));
    expect((await screen.findByTestId("first-run-restored")).textContent).toContain("/home/ada/notes.db");
    expect(fake.restoredFromCopy).toEqual([{ id: newest.id, target: "/home/ada/notes.db" }]);
    expect(fake.callsOf("restore_from_copy")[0]?.password).toBe("the backup password");
    expect((screen.getByTestId("first-run-database") as HTMLInputElement).value).toBe("/home/ada/notes.db");
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("set_password")).toEqual([{ password: "the backup password" }]);
    const saved = fake.callsOf("save_destination")[0];
    expect(saved?.destination).toMatchObject({ name: "offsite", kind: "s3", bucket: "family", access_key_id: "003abc" });
    expect(saved?.secret).toBe("the right secret");
    expect(saved?.sources).toEqual(["notes"]);
  });
});
