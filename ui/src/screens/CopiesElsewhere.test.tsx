import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { copyStatusLine } from "../copies";
import { FakeShell, fullSetup } from "../testing/fakeShell";
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
    });
    expect(saved?.secret).toBe("the right secret");
    expect(saved?.sources).toEqual(["Notes"]);
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
