import { emit } from "@tauri-apps/api/event";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { copyStatusLine } from "../copies";
import { emitStateChanged, FakeShell } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";
import type { CopyStatus } from "../types";

const HOUR = 3_600_000;

function status(overrides: Partial<CopyStatus> = {}): CopyStatus {
  return {
    source: "Notes",
    destination: "Backblaze",
    kind: "s3",
    last_copied_at: new Date(Date.now() - 2 * HOUR).toISOString(),
    waiting: 0,
    failing_since: null,
    ...overrides,
  };
}

describe("Copies elsewhere", () => {
  it("adds an S3 destination: a wrong key is said in words, the right one works, and the databases copy there", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-destination"));
    const form = within(screen.getByTestId("destination-form"));
    await user.type(form.getByTestId("dest-name"), "Backblaze");
    await user.type(form.getByTestId("dest-endpoint"), "https://s3.eu-central-003.backblazeb2.com");
    await user.type(form.getByTestId("dest-bucket"), "family");
    await user.type(form.getByTestId("dest-access-key"), "003abc");
    await user.type(form.getByTestId("dest-secret"), "a wrong secret");
    await user.click(form.getByTestId("dest-test"));
    expect((await screen.findByTestId("dest-test-result")).textContent).toMatch(/refused the login \(check the key/);
    await user.clear(form.getByTestId("dest-secret"));
    await user.type(form.getByTestId("dest-secret"), "the right secret");
    await user.click(form.getByTestId("dest-test"));
    await waitFor(() => expect(screen.getByTestId("dest-test-result").textContent).toMatch(/The connection works/));
    await user.click(form.getByTestId("dest-save"));
    await screen.findByTestId("destination");
    const saved = fake.callsOf("save_destination")[0];
    expect(saved?.destination).toEqual({
      name: "Backblaze",
      kind: "s3",
      endpoint: "https://s3.eu-central-003.backblazeb2.com",
      bucket: "family",
      access_key_id: "003abc",
      path_style: false,
      verify_every_days: 30,
      alert_after_hours: 24,
    });
    expect(saved?.secret).toBe("the right secret");
    expect(saved?.sources).toEqual(["Notes"]);
  });

  it("adds Azure Blob Storage with its account key, and Google Cloud Storage with a service account's key file", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-destination"));
    let form = within(screen.getByTestId("destination-form"));
    await user.selectOptions(form.getByTestId("dest-kind"), "azblob");
    expect(form.getByText(/Account key \(kept in the system keyring\)/)).toBeTruthy();
    await user.type(form.getByTestId("dest-name"), "Azure");
    await user.type(form.getByTestId("dest-account"), "familyphotos");
    await user.type(form.getByTestId("dest-container"), "backups");
    await user.type(form.getByTestId("dest-secret"), "the right secret");
    await user.click(form.getByTestId("dest-save"));
    await screen.findByTestId("destination");
    const azure = fake.callsOf("save_destination")[0];
    expect(azure?.destination).toMatchObject({ name: "Azure", kind: "azblob", account: "familyphotos", bucket: "backups" });
    expect(azure?.secret).toBe("the right secret");
    expect(screen.getByText("(Azure Blob Storage)")).toBeTruthy();

    await user.click(await screen.findByTestId("add-destination"));
    form = within(screen.getByTestId("destination-form"));
    await user.selectOptions(form.getByTestId("dest-kind"), "gcs");
    expect(form.queryByTestId("dest-secret")).toBeNull();
    await user.type(form.getByTestId("dest-name"), "Google");
    await user.type(form.getByTestId("dest-bucket"), "family");
    // The key file comes from the file dialog alone (the field cannot be typed in).
    expect((form.getByTestId("dest-key-file") as HTMLInputElement).readOnly).toBe(true);
    fake.chosenPath = "/home/ada/notes.txt";
    await user.click(form.getByTestId("dest-key-file-choose"));
    await waitFor(() => expect((form.getByTestId("dest-key-file") as HTMLInputElement).value).toBe("/home/ada/notes.txt"));
    await user.click(form.getByTestId("dest-test"));
    expect((await screen.findByTestId("dest-test-result")).textContent).toMatch(/isn't a service account's key\. Download a JSON key/);
    fake.chosenPath = "/home/ada/project-1234.json";
    await user.click(form.getByTestId("dest-key-file-choose"));
    await waitFor(() => expect((form.getByTestId("dest-key-file") as HTMLInputElement).value).toBe("/home/ada/project-1234.json"));
    await user.click(form.getByTestId("dest-save"));
    await waitFor(() => expect(fake.callsOf("save_destination")).toHaveLength(2));
    expect(fake.callsOf("save_destination")[1]?.destination).toMatchObject({
      kind: "gcs",
      bucket: "family",
      key_file: "/home/ada/project-1234.json",
      unsigned: false,
    });
  });

  it("keeps only the newest copies there, limits the upload speed, checks the copies weekly and warns after two days", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-destination"));
    const form = within(screen.getByTestId("destination-form"));
    await user.selectOptions(form.getByTestId("dest-kind"), "folder");
    await user.type(form.getByTestId("dest-name"), "USB disk");
    await user.type(form.getByTestId("dest-path"), "/media/ada/usb");
    await user.selectOptions(form.getByTestId("dest-keep"), "last");
    await user.clear(form.getByTestId("dest-keep-last"));
    await user.type(form.getByTestId("dest-keep-last"), "5");
    await user.type(form.getByTestId("dest-limit"), "512");
    await user.clear(form.getByTestId("dest-verify-days"));
    await user.type(form.getByTestId("dest-verify-days"), "7");
    await user.clear(form.getByTestId("dest-alert-hours"));
    await user.type(form.getByTestId("dest-alert-hours"), "48");
    await user.click(form.getByTestId("dest-save"));
    await screen.findByTestId("destination");
    expect(fake.callsOf("save_destination")[0]?.destination).toEqual({
      name: "USB disk",
      kind: "folder",
      path: "/media/ada/usb",
      retention: { keep_last: 5, keep_within_days: null, keep_daily: null, keep_weekly: null, keep_monthly: null },
      upload_limit_kib: 512,
      verify_every_days: 7,
      alert_after_hours: 48,
    });
  });

  it("shows a copy in progress on Home, and Stop holds copying until Copy now", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    if (notes) notes.copies_to = ["Backblaze"];
    fake.copyStatuses = [status({ waiting: 2 })];
    const { user } = renderApp(fake);
    await screen.findByTestId("home-copy");
    await emit("job-progress", { job_id: "copies", phase: "copy", done: 45, total: 100 });
    expect((await screen.findByTestId("home-copying")).textContent).toContain("Copying elsewhere… 45");
    await user.click(screen.getByTestId("stop-copies"));
    await screen.findByTestId("home-copies-stopped");
    expect(fake.callsOf("stop_copies")).toHaveLength(1);
    expect(screen.queryByTestId("home-copying")).toBeNull();
    await user.click(screen.getByTestId("resume-copies"));
    await waitFor(() => expect(fake.callsOf("copy_now")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId("home-copies-stopped")).toBeNull());
  });

  it("a change of the copies alone refetches how the copies stand and the app's state (Protected needs the copy), nothing else", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    if (notes) notes.copies_to = ["Backblaze"];
    fake.copyStatuses = [status({ waiting: 2 })];
    renderApp(fake);
    await screen.findByTestId("home-copy");
    const states = fake.callsOf("app_state").length;
    const statuses = fake.callsOf("copy_status").length;
    const alerts = fake.callsOf("list_alerts").length;
    await emitStateChanged("copies");
    await waitFor(() => expect(fake.callsOf("copy_status")).toHaveLength(statuses + 1));
    await waitFor(() => expect(fake.callsOf("app_state")).toHaveLength(states + 1));
    expect(fake.callsOf("list_alerts")).toHaveLength(alerts);
    await emitStateChanged("everything");
    await waitFor(() => expect(fake.callsOf("app_state")).toHaveLength(states + 2));
    expect(fake.callsOf("copy_status")).toHaveLength(statuses + 2);
  });

  it("words each state of a destination", () => {
    const now = Date.now();
    expect(copyStatusLine(status(), now)).toEqual({ text: "Copied to Backblaze 2 hours ago", tone: "ok" });
    expect(copyStatusLine(status({ waiting: 3 }), now).text).toBe("Copying to Backblaze: 3 backups to send");
    expect(copyStatusLine(status({ last_copied_at: null }), now).text).toBe("Not copied to Backblaze yet");
    const failing = status({
      failing_since: new Date(now - 3 * 24 * HOUR - 1000).toISOString(),
      error: { code: "remote_failed", message: "connection refused", reason: "unreachable" },
    });
    expect(copyStatusLine(failing, now)).toEqual({
      text: "Not copied to Backblaze for 3 days: the server can't be reached (check the address and the network)",
      tone: "bad",
    });
    const recent = status({ failing_since: new Date(now - HOUR).toISOString(), error: { code: "remote_failed", message: "x", reason: "credentials" } });
    expect(copyStatusLine(recent, now).tone).toBe("warn");
    const checked = status({ checked: { at: new Date(now - 3 * HOUR).toISOString(), bad: 2 } });
    expect(copyStatusLine(checked, now)).toEqual({
      text: "2 copies at Backblaze were missing or changed when Keepsake checked 3 hours ago: a missing one is sent again; a changed file is left there for you to look at",
      tone: "bad",
    });
    expect(copyStatusLine(status({ checked: { at: new Date(now).toISOString(), bad: 0 } }), now).tone).toBe("ok");
  });

  it("shows on Home how each copy elsewhere of the database stands", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    if (notes) notes.copies_to = ["Backblaze"];
    fake.copyStatuses = [status()];
    renderApp(fake);
    const line = await screen.findByTestId("home-copy");
    expect(line.textContent).toBe("Copied to Backblaze 2 hours ago");
    expect(line.getAttribute("data-tone")).toBe("ok");
  });
});

describe("Copies elsewhere over plain http", () => {
  it("offers plain http:// only for an address off this computer, and sends it only when ticked", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-destination"));
    const form = within(screen.getByTestId("destination-form"));
    await user.selectOptions(form.getByTestId("dest-kind"), "webdav");
    await user.type(form.getByTestId("dest-name"), "nas");
    await user.type(form.getByTestId("dest-endpoint"), "https://nas.home/dav");
    expect(form.queryByTestId("dest-insecure-http")).toBeNull();
    await user.clear(form.getByTestId("dest-endpoint"));
    await user.type(form.getByTestId("dest-endpoint"), "http://127.0.0.1:8080/dav");
    expect(form.queryByTestId("dest-insecure-http")).toBeNull();
    await user.clear(form.getByTestId("dest-endpoint"));
    await user.type(form.getByTestId("dest-endpoint"), "http://nas.home:8080/dav");
    await user.click(form.getByTestId("dest-insecure-http"));
    await user.click(form.getByTestId("dest-save"));
    await waitFor(() => expect(fake.callsOf("save_destination")).toHaveLength(1));
    expect(fake.callsOf("save_destination")[0]?.destination).toMatchObject({
      kind: "webdav",
      endpoint: "http://nas.home:8080/dav",
      insecure_http: true,
    });
  });
});
