// "Find my databases" on the fake shell: in the first run (an app chosen as the answer, protected
// on Finish) and in Settings (protected at once), its words for shared and encrypted files, Cancel
// while looking, and what an app's source shows afterwards (its files, a backup copied while held).

import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell } from "../testing/fakeShell";
import { fullSetup, makeBackup, makeSource } from "../testing/fixtures";
import { renderApp } from "../testing/render";

const FIREFOX = "/home/ada/.config/mozilla/firefox/x1y2.default-esr";
const PASSWORD = "correct horse battery staple";

async function openSettings(fake: FakeShell) {
  const rendered = renderApp(fake);
  await rendered.user.click(await screen.findByTestId("nav-settings"));
  await screen.findByRole("heading", { name: "Settings" });
  return rendered;
}

describe("Find my databases in the first run", () => {
  it("lists Firefox in its words; Protect Firefox answers the first question and Finish protects it", async () => {
    const { user, fake } = renderApp(new FakeShell({ state: { first_run: true, keyring: "no_password" } }));
    await user.click(await screen.findByTestId("find-databases"));
    const card = within(await screen.findByTestId("found-app-firefox"));
    expect(card.getByText("Firefox")).toBeTruthy();
    expect(card.getByText("· Web browser")).toBeTruthy();
    expect(card.getByTestId("found-holds").textContent).toBe(
      "History and bookmarks, sign-ins to websites (cookies), words typed into forms",
    );
    expect(card.getByTestId("found-rebuildable").textContent).toContain("website icons, which Firefox can rebuild itself");
    expect(screen.getByTestId("found-counts").textContent).toContain("Looked at 12,345 files in 0.4 s");

    await user.click(card.getByTestId("protect-app-firefox"));
    const chosen = await screen.findByTestId("first-run-app-chosen");
    expect(chosen.textContent).toBe("Firefox: history and bookmarks, sign-ins to websites (cookies), words typed into forms (chosen)Choose something else");
    expect(screen.getByTestId("first-run-finish").textContent).toBe("Start protecting Firefox");
    // Choosing something else shows what was found again, without looking again.
    await user.click(screen.getByTestId("first-run-app-other"));
    await user.click(screen.getByTestId("protect-app-firefox"));
    expect(fake.callsOf("find_databases")).toHaveLength(1);

    await user.type(screen.getByTestId("password"), PASSWORD);
    await user.type(screen.getByTestId("password-confirm"), PASSWORD);
    await user.click(screen.getByTestId("password-stored"));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("protect_app")).toEqual([{ app: "firefox", place: FIREFOX, schedule: { kind: "daily", time: "02:00" } }]);
    expect(fake.callsOf("add_source")).toEqual([]);
    expect(fake.callsOf("set_schedule")).toEqual([]);
    expect(fake.callsOf("set_password")).toEqual([{ password: PASSWORD }]);
    expect(fake.state.sources[0]).toMatchObject({
      name: "Firefox",
      app: "Firefox",
      database: `${FIREFOX}/places.sqlite`,
      also: [`${FIREFOX}/cookies.sqlite`, `${FIREFOX}/formhistory.sqlite`],
    });
  });

  it("sets the schedule only after encryption is turned off", async () => {
    const { user, fake } = renderApp(new FakeShell({ state: { first_run: true } }));
    await user.click(await screen.findByTestId("find-databases"));
    await user.click(await screen.findByTestId("protect-app-zotero"));
    await user.click(screen.getByTestId("first-run-no-encrypt"));
    await user.click(screen.getByTestId("first-run-finish"));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("protect_app")).toEqual([{ app: "zotero", place: "/home/ada/Zotero", schedule: null }]);
    expect(fake.callsOf("update_source")).toEqual([{ name: "Zotero", patch: { encrypt: false } }]);
    expect(fake.callsOf("set_schedule")).toEqual([{ name: "Zotero", schedule: { kind: "daily", time: "02:00" } }]);
  });

  it("puts a database no app claims in the file field", async () => {
    const { user } = renderApp(new FakeShell({ state: { first_run: true } }));
    await user.click(await screen.findByTestId("find-databases"));
    const other = within(await screen.findByTestId("found-other"));
    expect(other.getByText("Other databases (1)")).toBeTruthy();
    expect(other.getByTestId("found-file").textContent).toBe("/home/ada/projects/inventory.db 192 KB Protect this file");
    await user.click(other.getByTestId("protect-file"));
    expect((screen.getByTestId("first-run-database") as HTMLInputElement).value).toBe("/home/ada/projects/inventory.db");
  });

  it("says when nothing was found", async () => {
    const fake = new FakeShell({ state: { first_run: true } });
    fake.found = { ...fake.found, apps: [], unknown: [] };
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("find-databases"));
    expect((await screen.findByTestId("found-nothing")).textContent).toBe("No app databases found. Choose the database file instead.");
    expect(screen.queryByTestId("found-other")).toBeNull();
  });
});

describe("Find my databases in Settings", () => {
  it("protects Zotero at once, daily, and then shows it protected", async () => {
    const { user, fake } = await openSettings(new FakeShell(fullSetup()));
    await user.click(screen.getByTestId("find-databases"));
    await user.click(await screen.findByTestId("protect-app-zotero"));
    const zotero = await screen.findByRole("group", { name: "Zotero" });
    expect(within(zotero).getByTestId("source-app-files").textContent).toBe("Zotero's files: 1");
    expect(fake.callsOf("protect_app")).toEqual([
      { app: "zotero", place: "/home/ada/Zotero", name: "Zotero", schedule: { kind: "daily", time: "02:00" } },
    ]);
    expect(fake.state.sources.map((s) => s.name)).toEqual(["Notes", "Zotero"]);
    await waitFor(() => expect(screen.getByTestId("app-protected-zotero").textContent).toBe("✓ Protected"));
    expect(screen.queryByTestId("protect-app-zotero")).toBeNull();
    expect(screen.getByTestId("protect-app-firefox")).toBeTruthy();
  });

  it("flags a file in a folder others can change, and says plainly what it cannot check", async () => {
    const { user } = await openSettings(new FakeShell());
    await user.click(screen.getByTestId("find-databases"));
    const zotero = within(await screen.findByTestId("found-app-zotero"));
    expect(zotero.getByTestId("found-shared").textContent).toBe("Found in a folder other people can change: check it is yours.");
    expect(within(screen.getByTestId("found-app-firefox")).queryByTestId("found-shared")).toBeNull();
    const signal = within(screen.getByTestId("found-app-signal"));
    expect(signal.getByText("· Messenger · Flatpak")).toBeTruthy();
    expect(signal.getByTestId("found-encrypted").textContent).toContain("Your messages (db.sqlite): Signal encrypts this file itself");
    expect(signal.getByTestId("found-encrypted").textContent).toContain("Keepsake can keep copies of this file but cannot check inside it");
    // Kept whole: protected with one click like any other app.
    expect(signal.getByTestId("protect-app-signal").textContent).toBe("Protect Signal");
  });

  it("fills the plain form with a database no app claims", async () => {
    const { user } = await openSettings(new FakeShell());
    await user.click(screen.getByTestId("find-databases"));
    await user.click(await screen.findByTestId("protect-file"));
    expect((screen.getByTestId("add-database") as HTMLInputElement).value).toBe("/home/ada/projects/inventory.db");
    expect((screen.getByTestId("add-name") as HTMLInputElement).value).toBe("inventory");
  });

  it("stops looking on Cancel and shows what was found until then", async () => {
    const fake = new FakeShell();
    fake.holdJobs();
    const { user } = await openSettings(fake);
    await user.click(screen.getByTestId("find-databases"));
    expect((await screen.findByTestId("finding")).textContent).toContain("Looking in the places apps keep their data…");
    await user.click(screen.getByTestId("find-cancel"));
    expect((await screen.findByTestId("found-stopped")).textContent).toBe("You stopped the search: this is what was found until then.");
    expect(fake.callsOf("cancel_job")).toHaveLength(1);
    expect(screen.getByTestId("found-app-firefox")).toBeTruthy();
    expect(screen.queryByTestId("found-app-zotero")).toBeNull();
  });

  it("tells two places of one app apart", async () => {
    const fake = new FakeShell();
    const other = structuredClone(fake.found.apps[0]!);
    other.place = "/home/ada/.config/mozilla/firefox/abcd.work";
    other.files = other.files.map((f) => ({ ...f, path: f.path.replace("x1y2.default-esr", "abcd.work") }));
    fake.found.apps.splice(1, 0, other);
    const { user } = await openSettings(fake);
    await user.click(screen.getByTestId("find-databases"));
    expect((await screen.findByTestId("found-app-firefox-2")).textContent).toContain("/home/ada/.config/mozilla/firefox/abcd.work");
    expect(screen.getByTestId("found-app-firefox").textContent).toContain(FIREFOX);
    await user.click(screen.getByTestId("protect-app-firefox"));
    await screen.findByRole("group", { name: "Firefox" });
    await user.click(screen.getByTestId("protect-app-firefox-2"));
    await screen.findByRole("group", { name: "Firefox (abcd.work)" });
  });
});

describe("An app's source", () => {
  it("says in History that a backup was copied while the app held its files", async () => {
    const setup = fullSetup();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    setup.state = { sources: [makeSource({ name: "Notes", app: "Firefox", also: ["/a", "/b"] })] };
    setup.backups = { Notes: [makeBackup({ created_at: at, copied_while_held: true }), ...setup.backups!.Notes!.slice(1)] };
    const { user } = renderApp(setup);
    await user.click(await screen.findByTestId("nav-history"));
    const held = await screen.findAllByTestId("backup-held");
    expect(held.map((h) => h.textContent)).toEqual(["Copied from the app's files while it was open (checked whole)"]);
    await user.click(screen.getByTestId("nav-settings"));
    expect((await screen.findByTestId("source-app-files")).textContent).toBe("Firefox's files: 3");
  });

  it("says in History that a file its app encrypts was kept whole", async () => {
    const setup = fullSetup();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    setup.state = { sources: [makeSource({ name: "Notes", app: "Signal" })] };
    setup.backups = { Notes: [makeBackup({ created_at: at, opaque: [{ suffix: "", length: 8192 }] }), ...setup.backups!.Notes!.slice(1)] };
    const { user } = renderApp(setup);
    await user.click(await screen.findByTestId("nav-history"));
    const kept = await screen.findAllByTestId("backup-opaque");
    expect(kept.map((h) => h.textContent)).toEqual(["Kept whole: its app encrypts this file, so Keepsake checks the copy but cannot check inside it"]);
  });
});
