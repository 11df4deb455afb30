import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell, ipcError } from "../testing/fakeShell";
import { fullSetup, makeSource } from "../testing/fixtures";
import { renderApp } from "../testing/render";

const text = (testId: string) => screen.getByTestId(testId).textContent ?? "";

describe("Home", () => {
  it("shows loading while the app state is on its way", async () => {
    renderApp(new FakeShell().hang("app_state"));
    expect(await screen.findByText("Loading Keepsake…")).toBeTruthy();
  });

  it("shows an error in words when the app state can't be read", async () => {
    renderApp(new FakeShell().fail("app_state", ipcError("keyring_unavailable")));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Keepsake can't reach your system's password store");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("offers to add a database when there is none", async () => {
    const { user, fake } = renderApp(new FakeShell());
    expect(await screen.findByText("No databases yet")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Use the demo database" }));
    await screen.findByTestId("backup-now");
    expect(fake.callsOf("create_demo_source")).toHaveLength(1);
  });

  it("says how protected the database is and when the next backup runs", async () => {
    renderApp(fullSetup());
    await screen.findByTestId("source-status");
    expect(text("source-status")).toContain("Protected: last backup 2 hours ago, verified");
    expect(text("home-next-backup")).toMatch(/^Next backup .*\(in 5 hours\)\.$/);
    expect(screen.queryByRole("region", { name: "Needs your attention" })).toBeNull();
    // The file by its name; where it and the backups are, one click away.
    expect(text("home-source-files")).toBe("notes.db");
    expect(text("home-where")).toContain("/home/ada/notes.db");
    expect(text("home-where")).toContain("Backups go to /home/ada/.local/share/keepsake/backups/Notes");
  });

  it("never says Protected while Keepsake won't start at login, and fixes that with one click", async () => {
    const setup = fullSetup();
    setup.state = { ...setup.state, autostart: false };
    const { user, fake } = renderApp(setup);
    await screen.findByTestId("source-status");
    expect(text("source-status")).toBe("! Backups stop when you log out: Keepsake doesn't start when you log in (last backup 2 hours ago)");
    expect(text("home-next-backup")).toMatch(/, if Keepsake is still running then\.$/);
    await user.click(screen.getByRole("button", { name: "Start when I log in" }));
    await waitFor(() => expect(text("source-status")).toContain("Protected: last backup 2 hours ago, verified, a copy on Backup disk"));
    expect(fake.callsOf("set_autostart")).toEqual([{ enabled: true }]);
  });

  it("says backed up on this computer only until a copy is off its disk", async () => {
    const setup = fullSetup();
    setup.state!.sources![0] = { ...setup.state!.sources![0]!, second_place: null };
    renderApp(setup);
    await screen.findByTestId("source-status");
    expect(text("source-status")).toBe("! Backed up on this computer only: add a second place (last backup 2 hours ago)");
    expect(screen.getByTestId("source-status").dataset.tone).toBe("warn");
  });

  it("backs up now with live progress, then says what it made", async () => {
    const fake = new FakeShell(fullSetup());
    fake.holdJobs();
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("backup-now"));
    const progress = await screen.findByTestId("job-progress");
    await waitFor(() => expect(progress.textContent).toContain("50%"));
    expect(progress.textContent).toContain("Backing up");
    expect((screen.getByTestId("backup-now") as HTMLButtonElement).disabled).toBe(true);
    fake.release();
    expect((await screen.findByText(/^Done:/)).textContent).toContain("verified");
    expect(screen.queryByTestId("job-progress")).toBeNull();
    expect(fake.callsOf("create_backup")[0]).toMatchObject({ source: "Notes" });
    expect(typeof fake.callsOf("create_backup")[0]?.jobId).toBe("string");
  });

  it("cancels a backup without calling it an error", async () => {
    const fake = new FakeShell(fullSetup());
    fake.holdJobs();
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("backup-now"));
    await waitFor(() => expect(text("job-progress")).toContain("50%"));
    await user.click(screen.getByTestId("cancel-job"));
    expect(await screen.findByText(/Backup cancelled/)).toBeTruthy();
    expect(fake.callsOf("cancel_job")).toHaveLength(1);
    expect(screen.queryByTestId("error-message")).toBeNull();
  });

  it("shows a failed backup in plain words", async () => {
    const fake = new FakeShell(fullSetup()).fail("create_backup", ipcError("destination_full", "/media/usb: no space"));
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("backup-now"));
    const error = await screen.findByTestId("error-message");
    expect(error.textContent).toContain("Backing up Notes: The backup disk is full");
    expect(error.textContent).toContain("Free some space");
    expect(error.textContent).toContain("/media/usb: no space");
  });

  it("puts problems first: a locked keyring and missed backups", async () => {
    const setup = fullSetup();
    const last = setup.backups?.Notes?.[3] ?? null;
    setup.state = { keyring: "locked", sources: [makeSource({ last_backup: last, health: { overdue_days: 3 } })] };
    renderApp(setup);
    const problems = await screen.findByRole("region", { name: "Needs your attention" });
    expect(problems.textContent).toContain("Your system keyring is locked");
    expect(problems.textContent).toContain("Notes hasn't been backed up for 3 days");
    const hero = screen.getByTestId("source-status");
    expect(problems.compareDocumentPosition(hero) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(hero.textContent).toContain("Overdue");
  });

  it("resumes paused schedules from the problem list", async () => {
    const setup = fullSetup();
    setup.state = { ...setup.state, paused: true };
    const { user, fake } = renderApp(setup);
    await user.click(await screen.findByRole("button", { name: "Resume" }));
    await waitFor(() => expect(fake.callsOf("set_paused")).toEqual([{ paused: false }]));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Resume" })).toBeNull());
  });

  it("moves between screens from the tab bar and with Alt+number", async () => {
    const { user } = renderApp(fullSetup());
    await user.click(await screen.findByTestId("nav-history"));
    expect(await screen.findByRole("heading", { name: "History of Notes" })).toBeTruthy();
    expect(screen.getByTestId("nav-history").getAttribute("aria-current")).toBe("page");
    await user.keyboard("{Alt>}4{/Alt}");
    expect(await screen.findByRole("heading", { name: "Schedule for Notes" })).toBeTruthy();
  });
});
