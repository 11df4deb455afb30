// The key of encrypted backups on the fake shell (issue 27): the emergency kit from Home after
// setup (made, typed back, a wrong group refused), "Forgot your password?" where a password is
// asked (the recovery key opens an old backup; a typo is said), and "Do you still know it?".

import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FakeShell } from "../testing/fakeShell";
import { fullSetup } from "../testing/fixtures";
import { renderApp } from "../testing/render";

const KEY = "7KQ2-M9XA-44RT-ZZ01-ABCD-EFGH-JKMN-PQRS";

describe("The emergency kit", () => {
  it("is offered on Home until made; the key counts once its last group is typed back", async () => {
    const { user, fake } = renderApp(new FakeShell(fullSetup()));
    const card = within(await screen.findByTestId("kit-card"));
    expect(card.getByRole("heading").textContent).toBe("One more step: your emergency kit");
    await user.click(card.getByTestId("kit-make"));
    const key = await screen.findByTestId("kit-key");
    expect(key.textContent).toBe("7KQ2-M9XA-44RT-ZZ01ABCD-EFGH-JKMN-PQRS");
    expect(screen.getByTestId("kit-pdf").textContent).toContain("Keepsake emergency kit.pdf");
    await user.type(screen.getByTestId("kit-typed"), "ABCD");
    await user.click(screen.getByTestId("kit-confirm"));
    expect((await screen.findByTestId("kit-error")).textContent).toContain("isn't the last group");
    expect(fake.state.key.kit_made_at).toBeNull();
    await user.clear(screen.getByTestId("kit-typed"));
    await user.type(screen.getByTestId("kit-typed"), "pqrs");
    await user.click(screen.getByTestId("kit-confirm"));
    expect((await screen.findByTestId("kit-done")).textContent).toContain("Your emergency kit is ready");
    expect(fake.calls.filter((c) => c.cmd === "confirm_recovery_kit").map((c) => c.args)).toEqual([
      { lastGroup: "ABCD" },
      { lastGroup: "pqrs" },
    ]);
    // Settings says when it was made and offers a new one, saying what happens to the old key.
    await user.click(screen.getByTestId("nav-settings"));
    const settings = within(await screen.findByTestId("kit-settings"));
    expect(settings.getByTestId("kit-status").textContent).toContain("Your emergency kit was made on");
    expect(settings.getByText(/the old key will still open the backups made until now, and none made after/)).toBeTruthy();
    expect(settings.getByTestId("kit-make").textContent).toBe("Make a new kit");
  });

  it("can wait: Later hides it for now", async () => {
    const { user } = renderApp(new FakeShell(fullSetup()));
    await user.click(await screen.findByTestId("kit-later"));
    expect(screen.queryByTestId("kit-card")).toBeNull();
  });
});

describe("Forgot your password?", () => {
  it("opens a backup the saved password doesn't with the recovery key; a typo is said first", async () => {
    const fake = new FakeShell(fullSetup());
    const { user } = renderApp(fake);
    await user.click(await screen.findByTestId("nav-history"));
    const rows = await screen.findAllByTestId("backup-row");
    const old = rows[6]!.getAttribute("data-id")!;
    fake.oldPasswords.set(old, "a password long forgotten");
    await user.click(within(rows[6]!).getByTestId("verify-button"));
    const ask = within(await screen.findByTestId("other-password"));
    await user.click(ask.getByTestId("forgot-password"));
    await user.type(ask.getByTestId("recovery-key-input"), "7KQ2-M9XA-44RT");
    await user.click(ask.getByTestId("recovery-key-use"));
    expect((await screen.findByTestId("recovery-key-error")).textContent).toBe(
      "That recovery key has a typo. Compare it with your emergency kit, group by group: one of its letters or digits is different.",
    );
    await user.clear(screen.getByTestId("recovery-key-input"));
    await user.type(screen.getByTestId("recovery-key-input"), KEY);
    await user.click(screen.getByTestId("recovery-key-use"));
    expect((await screen.findByTestId("verify-result")).getAttribute("data-ok")).toBe("true");
    expect(fake.recoveryKey).toBe(KEY);
  });
});

describe("Do you still know your password?", () => {
  it("asks when due; a wrong answer points to the kit, the right one is thanked", async () => {
    const setup = fullSetup();
    const fake = new FakeShell({ ...setup, state: { ...setup.state, password_check_due: true, key: { has_key: true, made_at: null, kit_made_at: null, kit: null } } });
    const { user } = renderApp(fake);
    const card = within(await screen.findByTestId("password-check"));
    await user.type(card.getByTestId("password-check-input"), "not it");
    await user.click(card.getByTestId("password-check-submit"));
    expect((await screen.findByTestId("password-check-wrong")).textContent).toContain("your emergency kit opens everything");
    await user.type(card.getByTestId("password-check-input"), "correct horse battery staple");
    await user.click(card.getByTestId("password-check-submit"));
    await waitFor(() => expect(screen.getByTestId("password-check-right").textContent).toContain("Keepsake will ask again in a few weeks"));
  });
});
