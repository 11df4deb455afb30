// Entry point. With VITE_MOCK=1 (the screenshot harness and `npm run dev:mock`) the window runs
// against the in-memory fake shell; a normal build leaves that code out entirely.

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import "./styles.css";
import { applyTheme, loadTheme } from "./theme";

async function start() {
  applyTheme(loadTheme());
  if (import.meta.env.VITE_MOCK === "1") {
    const { installBrowserFake } = await import("./testing/browserFake");
    installBrowserFake();
  }
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root");
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
