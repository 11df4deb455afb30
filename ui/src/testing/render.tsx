// Renders the whole window on a fake shell, for screen tests.

import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { App } from "../App";
import { FakeShell, installFake } from "./fakeShell";
import { type FakeSetup } from "./fixtures";

export function renderApp(setup: FakeShell | FakeSetup = {}) {
  const fake = setup instanceof FakeShell ? setup : new FakeShell(setup);
  installFake(fake);
  const user = userEvent.setup();
  const view = render(<App />);
  return { fake, user, ...view };
}
