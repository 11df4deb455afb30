// The window's main text is in a person's words: no word of the jargon list on any screen (the
// technical detail lives under "Details", in paths and in the CLI). Each screen is rendered as
// she would see it, with a backup verified, an alert standing and a restore chosen.
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";

const JARGON = /(?<![.\w])(sqlite|wal|integrity|chain|increments?|incremental|foreign|sha-?256|crc-?32|pragma|cron)\b/i;

/** The text she reads: everything but what is folded under Details, paths and the hidden. */
function mainText(): string {
  const root = document.body.cloneNode(true) as HTMLElement;
  root.querySelectorAll("details, .inline-path, .path, code, [hidden], .visually-hidden, option").forEach((e) => e.remove());
  return root.textContent ?? "";
}

function jargonIn(text: string): string[] {
  return [...text.matchAll(new RegExp(JARGON, "gi"))].map((m) => text.slice(Math.max(0, m.index - 40), m.index + 40));
}

describe("no jargon in the window's main text", () => {
  it.each(["home", "history", "restore", "schedule", "settings"] as const)("on %s", async (tab) => {
    const { user } = renderApp(new FakeShell(fullSetup()));
    await screen.findByTestId("source-status");
    await user.click(screen.getByTestId(`nav-${tab}`));
    await screen.findByRole("heading", { level: 1 });
    if (tab === "history") {
      const rows = await screen.findAllByTestId("backup-row");
      await user.click(within(rows[0]!).getByTestId("verify-button"));
      await screen.findByTestId("verify-result");
    }
    if (tab === "restore") await screen.findAllByTestId("restore-choice");
    expect(jargonIn(mainText())).toEqual([]);
  });

  it("on the first run, with Find my databases open", async () => {
    const { user } = renderApp(new FakeShell({ state: { first_run: true, keyring: "no_password" } }));
    await screen.findByRole("heading", { name: "Welcome to Keepsake" });
    await user.click(screen.getByTestId("find-databases"));
    await screen.findByTestId("found-app-firefox");
    expect(jargonIn(mainText())).toEqual([]);
  });
});
