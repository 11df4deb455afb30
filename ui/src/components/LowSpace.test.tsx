import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";
import type { SpaceCheck } from "../types";

const GB = 1024 ** 3;
const MB = 1024 ** 2;

function space(overrides: Partial<SpaceCheck> = {}): SpaceCheck {
  return { folder: "/media/ada/usb/Notes", estimate: 1.2 * GB, needed: 1.2 * GB + 16 * MB, free: 1.2 * GB + 800 * MB, total: 32 * GB, margin: 1.07 * GB, state: "low", ...overrides };
}

describe("Low disk space on Home", () => {
  it("says how much the next backup leaves, and deletes the oldest backups it offers to make room", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    const ids = (fake.backups["Notes"] ?? []).slice(-3).map((b) => b.id);
    if (notes) notes.space = space({ free_up: { ids, bytes: 3.1 * GB, keep_last: 4, enough: true } });
    const { user } = renderApp(fake);
    const card = await screen.findByTestId("low-space");
    expect(card.getAttribute("data-state")).toBe("low");
    expect(card.textContent).toContain("The backup disk is almost full");
    expect(card.textContent).toMatch(/about 800 MB will be left on the disk with the backups \(\/media\/ada\/usb\/Notes\), less than the 1.1 GB Keepsake keeps free/);
    expect(screen.getByTestId("low-space-offer").textContent).toContain("Delete the 3 oldest backups to free 3.1 GB?");
    await user.click(screen.getByTestId("low-space-delete"));
    await waitFor(() => expect(fake.callsOf("free_up_space")).toHaveLength(1));
    expect(fake.callsOf("free_up_space")[0]).toEqual({ source: "Notes", ids });
    expect((await screen.findByTestId("low-space-freed")).textContent).toContain("Deleted 3 old backups");
    expect(screen.queryByTestId("low-space")).toBeNull();
  });

  it("says when the room left is above the margin but too little for the backup after it", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    if (notes) notes.space = space({ free: 1.2 * GB + 1.1 * GB, margin: 1 * GB });
    renderApp(fake);
    const card = await screen.findByTestId("low-space");
    expect(card.textContent).toContain("about 1.1 GB will be left on the disk with the backups (/media/ada/usb/Notes): not enough for the backup after it.");
    expect(card.textContent).not.toContain("keeps free");
  });

  it("says a backup that won't fit is not made, and when deleting backups can't make enough room", async () => {
    const fake = new FakeShell(fullSetup());
    const notes = fake.state.sources[0];
    if (notes) notes.space = space({ free: 500 * MB, state: "no_room", free_up: { ids: ["a", "b"], bytes: 200 * MB, keep_last: 1, enough: false } });
    renderApp(fake);
    const card = await screen.findByTestId("low-space");
    expect(card.getAttribute("role")).toBe("alert");
    expect(card.textContent).toContain("The next backup won't fit on the disk");
    expect(card.textContent).toContain("has 500 MB free; the next backup of Notes needs about 1.2 GB, so it won't be made");
    expect(screen.getByTestId("low-space-offer").textContent).toContain("would free only 200 MB");
    expect(screen.queryByTestId("low-space-delete")).toBeNull();
  });
});
