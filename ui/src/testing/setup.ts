// Test setup: unmount after each test and remove the fake shell, so tests cannot leak into each other.

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

import { clearMocks } from "./fakeShell";

afterEach(() => {
  cleanup();
  clearMocks();
  localStorage.clear();
});
