import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";

async function openSettings(setup: FakeShell) {
  const rendered = renderApp(setup);
  await rendered.user.click(await screen.findByTestId("nav-settings"));
  await screen.findByRole("heading", { name: "Settings" });
  return rendered;
}

describe("Settings", () => {
  it("invites adding a database when there is none", async () => {
    const { user, fake } = await openSettings(new FakeShell());
    expect(screen.getByText("No databases yet. Add one below.")).toBeTruthy();
    await user.type(screen.getByTestId("add-name"), "Shop");
    await user.type(screen.getByTestId("add-database"), "/srv/shop.db");
    await user.click(screen.getByRole("button", { name: "Add database" }));
    await screen.findByRole("group", { name: "Shop" });
    expect(fake.callsOf("add_source")).toEqual([{ name: "Shop", database: "/srv/shop.db" }]);
  });

  it("adds a database chosen in the system's file dialog", async () => {
    const fake = new FakeShell();
    const { user } = await openSettings(fake);
    await user.type(screen.getByTestId("add-name"), "Shop");
    fake.chosenPath = "/srv/shop.db";
    await user.click(screen.getByTestId("add-database-choose"));
    await waitFor(() => expect((screen.getByTestId("add-database") as HTMLInputElement).value).toBe("/srv/shop.db"));
    fake.chosenPath = "/media/usb";
    await user.click(screen.getByTestId("add-backup-dir-choose"));
    await waitFor(() => expect((screen.getByTestId("add-backup-dir") as HTMLInputElement).value).toBe("/media/usb"));
    await user.click(screen.getByRole("button", { name: "Add database" }));
    await screen.findByRole("group", { name: "Shop" });
    expect(fake.callsOf("add_source")).toEqual([{ name: "Shop", database: "/srv/shop.db", backupDir: "/media/usb" }]);
  });

  it("moves a database to a file chosen in the dialog, once saved", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = await openSettings(fake);
    const card = within(screen.getByTestId("source-settings"));
    fake.chosenPath = "/home/ada/moved/notes.db";
    await user.click(screen.getByTestId("source-database-choose"));
    await waitFor(() => expect((screen.getByTestId("source-database") as HTMLInputElement).value).toBe("/home/ada/moved/notes.db"));
    expect(fake.callsOf("choose_path")[0]?.kind).toBe("database");
    expect(fake.callsOf("update_source")).toEqual([]);
    await user.click(card.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", patch: { database: "/home/ada/moved/notes.db" } }),
    );
  });

  it("shows a file dialog that could not open in words", async () => {
    const fake = new FakeShell(fullSetup()).fail("choose_path", ipcError("dialog_unavailable", "the file dialog failed: no display"));
    const { user } = await openSettings(fake);
    await user.click(screen.getByTestId("source-backup-dir-choose"));
    const alert = (await screen.findByRole("alert")).textContent;
    expect(alert).toMatch(/Opening the folder chooser/);
    expect(alert).toMatch(/Type the full path/);
  });

  it("renames a database", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    const name = screen.getByTestId("source-name");
    await user.clear(name);
    await user.type(name, "Journal");
    await user.click(within(screen.getByTestId("source-settings")).getByRole("button", { name: "Save" }));
    await screen.findByRole("group", { name: "Journal" });
    expect(fake.callsOf("update_source")).toContainEqual({ name: "Notes", patch: { name: "Journal" } });
  });

  it("turns changes-only backups on, off, or back to automatic", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    const select = screen.getByTestId("save-space") as HTMLSelectElement;
    expect(select.value).toBe("auto");
    expect(within(select).getByRole("option", { name: /Automatic/ }).textContent).toContain("64 MB");
    await user.selectOptions(select, "true");
    await waitFor(() => expect((screen.getByTestId("save-space") as HTMLSelectElement).value).toBe("true"));
    await user.selectOptions(screen.getByTestId("save-space"), "false");
    await waitFor(() => expect((screen.getByTestId("save-space") as HTMLSelectElement).value).toBe("false"));
    await user.selectOptions(screen.getByTestId("save-space"), "auto");
    await waitFor(() => expect((screen.getByTestId("save-space") as HTMLSelectElement).value).toBe("auto"));
    expect(fake.callsOf("update_source").filter((c) => "incremental" in c.patch)).toEqual([
      { name: "Notes", patch: { incremental: true } },
      { name: "Notes", patch: { incremental: false } },
      { name: "Notes", patch: { incremental: null } },
    ]);
  });

  it("sets when a table losing rows is worth an alert, or never", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    const select = screen.getByTestId("row-loss-alert") as HTMLSelectElement;
    expect(select.value).toBe("20");
    expect(within(select).getByRole("option", { name: /20%/ }).textContent).toContain("recommended");
    await user.selectOptions(select, "50");
    await waitFor(() => expect((screen.getByTestId("row-loss-alert") as HTMLSelectElement).value).toBe("50"));
    await user.selectOptions(screen.getByTestId("row-loss-alert"), "0");
    await waitFor(() => expect((screen.getByTestId("row-loss-alert") as HTMLSelectElement).value).toBe("0"));
    expect(fake.callsOf("update_source").map((c) => c.patch.row_loss_alert_percent)).toEqual([50, 0]);
  });

  it("changes the backup folder, encryption and compression", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    const folder = screen.getByTestId("source-backup-dir");
    await user.clear(folder);
    await user.type(folder, "/media/usb/backups{Enter}");
    await user.selectOptions(screen.getByTestId("compression-level"), "9");
    await user.click(screen.getByRole("checkbox", { name: /Encrypt its backups/ }));
    await waitFor(() => {
      const updates = fake.callsOf("update_source");
      expect(updates).toContainEqual({ name: "Notes", patch: { backup_dir: "/media/usb/backups" } });
      expect(updates).toContainEqual({ name: "Notes", patch: { level: 9 } });
      expect(updates).toContainEqual({ name: "Notes", patch: { encrypt: false } });
    });
    expect(await screen.findByText(/anyone who gets a copy of a backup file can read/)).toBeTruthy();
  });

  it("removes a database after asking", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    await user.click(screen.getByRole("button", { name: "Remove from Keepsake" }));
    await user.click(screen.getByRole("button", { name: "Remove Notes" }));
    await screen.findByText("No databases yet. Add one below.");
    expect(fake.callsOf("remove_source")).toEqual([{ name: "Notes" }]);
  });

  it("changes the password only when typed twice and stored", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    const save = screen.getByTestId("password-save") as HTMLButtonElement;
    await user.type(screen.getByTestId("password"), "correct horse battery staple");
    expect(screen.getByText("Strong.")).toBeTruthy();
    await user.type(screen.getByTestId("password-confirm"), "correct horse battery");
    expect(screen.getByText("The two passwords don't match.")).toBeTruthy();
    await user.type(screen.getByTestId("password-confirm"), " staple");
    expect(save.disabled).toBe(true);
    await user.click(screen.getByTestId("password-stored"));
    expect(save.disabled).toBe(false);
    await user.click(save);
    expect(await screen.findByText("Password saved.")).toBeTruthy();
    expect(fake.callsOf("set_password")).toEqual([{ password: "correct horse battery staple" }]);
  });

  it("sets notifications, start at login, pause and theme", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    await user.click(screen.getByRole("radio", { name: /^Nothing/ }));
    await user.click(screen.getByTestId("autostart"));
    await user.click(screen.getByTestId("pause-all"));
    await user.click(screen.getByRole("radio", { name: "Dark" }));
    await waitFor(() => {
      expect(fake.callsOf("set_notification_level")).toEqual([{ level: "off" }]);
      // Set up already (start at login is on): the click turns it off.
      expect(fake.callsOf("set_autostart")).toEqual([{ enabled: false }]);
      expect(fake.callsOf("set_paused")).toEqual([{ paused: true }]);
    });
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem("keepsake.theme")).toBe("dark");
    await user.click(screen.getByRole("radio", { name: "Follow the system" }));
    expect(document.documentElement.dataset.theme).toBeUndefined();
    // Quit, for a desktop without a tray (closing the window leaves Keepsake running).
    await user.click(screen.getByTestId("quit-app"));
    await waitFor(() => expect(fake.quit).toBe(true));
  });

  it("shows a failed change in words", async () => {
    const { user } = await openSettings(new FakeShell(fullSetup()).fail("set_autostart", ipcError("io", "autostart: no ~/.config")));
    await user.click(screen.getByTestId("autostart"));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Changing start at login: Something went wrong reading or writing a file");
  });
});
