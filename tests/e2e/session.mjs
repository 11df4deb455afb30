// What the end-to-end suites (app.test.mjs, screens.test.mjs, apps.test.mjs) share: the
// WebDriver session on the real app through tauri-driver, the window's real IPC, polling,
// clicking and typing as a person would, and the Python helpers.
// Not a test file itself (node --test picks only *.test.mjs here).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { remote } from "webdriverio";

const HERE = path.dirname(new URL(import.meta.url).pathname);
const PYTHON = process.env.E2E_PYTHON ?? "/usr/bin/python3";

let browser;

/** How long a control may take to become usable. */
const LONG = 60_000;

const byTestId = (testid) => browser.$(`[data-testid="${testid}"]`);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns something truthy (or throws, with its last error, after `ms`). */
export async function until(what, f, ms = 30_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    await sleep(200);
  }
}

/** Runs one of the Python helpers beside this file (secret.py, tray.py); its output. */
export const py = (script, ...args) =>
  execFileSync(PYTHON, [path.join(HERE, script), ...args], { encoding: "utf8", timeout: 20_000 }).trim();

/** The app's visible window (an X11 id, for xdotool and close_window.py), or "" when there is none. */
export function keepsakeWindow() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "^Keepsake$"], { encoding: "utf8" }).trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

/** Starts the app (KEEPSAKE_APP) through tauri-driver on `port`; the WebDriver session. */
export async function connect(port) {
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application: process.env.KEEPSAKE_APP } },
  });
  return browser;
}

export async function disconnect() {
  await browser?.deleteSession().catch(() => {});
}

/** A command through the window's real IPC (the same path as the UI's api.ts). */
export async function invoke(cmd, args = {}) {
  const r = await browser.executeAsync(
    (cmd, args, done) => {
      window.__TAURI_INTERNALS__.invoke(cmd, args).then(
        (ok) => done({ ok }),
        (err) => done({ err }),
      );
    },
    cmd,
    args,
  );
  if ("err" in r) throw Object.assign(new Error(`${cmd}: ${JSON.stringify(r.err)}`), { ipc: r.err });
  return r.ok;
}

/**
 * Clicks a control as a person would: scrolled to the middle of the window first, because the
 * window's top bar stays put (position: sticky) and covers a control scrolled to the very top
 * (seen once on CI: "element click intercepted"). A click still intercepted (a re-render moving
 * the control) is tried again, up to five times; the error names the control.
 */
export async function click(testid) {
  const el = await byTestId(testid);
  await el.waitForClickable({ timeout: LONG });
  for (let attempt = 1; ; attempt++) {
    await browser.execute((e) => e.scrollIntoView({ block: "center", inline: "center" }), el);
    try {
      await el.click();
      return;
    } catch (e) {
      if (attempt >= 5 || !/intercepted/.test(String(e?.message))) throw new Error(`clicking ${testid}: ${e?.message}`);
      await browser.pause(300);
    }
  }
}

/**
 * Types into an input (clearing it first) and checks the field took it. WebDriver's synthetic
 * keystrokes into a React-controlled input now and then lose one to a re-render (seen once on
 * CI: the field never held the text), so a field that does not hold the text after a while is
 * cleared and typed into again, up to three times; the error names what it held.
 */
export async function type(testid, value, index = 0) {
  const el = (await browser.$$(`[data-testid="${testid}"]`))[index];
  await el.waitForDisplayed({ timeout: LONG });
  let held;
  for (let attempt = 0; attempt < 3; attempt++) {
    await el.clearValue();
    await el.setValue(value);
    try {
      await until(`${testid} to hold the text`, async () => (held = await el.getValue()) === value, 5_000);
      return;
    } catch {
      // typed again below
    }
  }
  throw new Error(`${testid} holds ${JSON.stringify(held)}, not ${JSON.stringify(value)}, after three tries`);
}
