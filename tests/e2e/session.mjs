// What both end-to-end suites (app.test.mjs, screens.test.mjs) share: the WebDriver session on
// the real app through tauri-driver, the window's real IPC, polling, and the Python helpers.
// Not a test file itself (node --test picks only *.test.mjs here).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { remote } from "webdriverio";

const HERE = path.dirname(new URL(import.meta.url).pathname);
const PYTHON = process.env.E2E_PYTHON ?? "/usr/bin/python3";

let browser;

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
