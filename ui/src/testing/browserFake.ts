// The fake shell for a plain browser (`npm run dev:mock`, the screenshot harness). The URL picks
// the scenario: ?scenario=first-run | empty | problems | foreign | full (default).

import { FakeShell, installFake } from "./fakeShell";
import { foreignSetup, fullSetup, problemsSetup } from "./fixtures";

export function installBrowserFake(): FakeShell {
  const scenario = new URLSearchParams(window.location.search).get("scenario") ?? "full";
  let fake: FakeShell;
  if (scenario === "first-run") {
    fake = new FakeShell({ state: { first_run: true, keyring: "no_password" } });
  } else if (scenario === "empty") {
    fake = new FakeShell();
  } else if (scenario === "problems") {
    // The keyring locked, backups overdue, and a recorded backup whose file went missing.
    fake = new FakeShell(problemsSetup());
  } else if (scenario === "foreign") {
    // Backups found in the folder that were not made here, and files that can't be read.
    fake = new FakeShell(foreignSetup());
  } else {
    fake = new FakeShell(fullSetup());
  }
  fake.stepMs = 400;
  (window as unknown as { __fake: FakeShell }).__fake = fake;
  return installFake(fake);
}
