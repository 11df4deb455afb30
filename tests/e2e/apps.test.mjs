// End-to-end test of "Find my databases" (issue 25) on the real app, driven through tauri-driver
// and WebKitWebDriver: a real Firefox ESR runs headless in the session's home folder
// (tests/apps/app.sh, a page visited and a bookmark added); the first run finds it and names it
// with its words, one click protects it, and its first backup is taken while it runs (from a
// checked copy of its locked files); a restore while it runs is refused with its name, in the
// window's words; once it quits the restore goes ahead. Screenshots in E2E_OUT
// (target/e2e/apps/).
//
// Run by scripts/e2e-apps.sh: a fresh profile (its own HOME and XDG folders, no sources).
import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { click, connect, disconnect, invoke, sleep, type, until } from "./session.mjs";

const OUT = process.env.E2E_OUT;
const PORT = Number(process.env.E2E_PORT ?? 4470);
const HOME = process.env.HOME;
const APP_SH = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "apps", "app.sh");
const PASSWORD = "correct horse battery staple, firefox";
const LONG = 90_000;

const ACTIVE = process.env.E2E_APPS === "1";
const SKIP = ACTIVE ? false : "needs the fresh profile of scripts/e2e-apps.sh";
function test(name, options, fn) {
  if (typeof options === "function") return nodeTest(name, { skip: SKIP }, options);
  return nodeTest(name, { ...options, skip: SKIP }, fn);
}

let browser;
let server;
let firefox; // { pid, profile }
let pageUrl;

const $ = (testid) => browser.$(`[data-testid="${testid}"]`);
const shown = async (testid) => (await $(testid)).isDisplayed();

async function shot(name) {
  await until("the window to settle", async () => !(await browser.$(".loading").isExisting()), 10_000).catch(() => {});
  await browser.saveScreenshot(path.join(OUT, `${name}.png`));
}

/** A web server on 127.0.0.1 with one page for Firefox to visit. */
async function serve() {
  const dir = fs.mkdtempSync(path.join(OUT, "www-"));
  fs.writeFileSync(path.join(dir, "page.html"), "<html><head><title>Keepsake e2e page</title></head><body>hello</body></html>");
  const child = spawn(process.env.E2E_PYTHON ?? "/usr/bin/python3", ["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const port = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (d) => {
      seen += d;
      const m = /port (\d+)/.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error("the page server stopped")));
  });
  return { child, url: `http://127.0.0.1:${port}/page.html` };
}

function appSh(...args) {
  return execFileSync(APP_SH, args, { encoding: "utf8", timeout: 180_000, env: { ...process.env } }).trim();
}

before(async () => {
  if (!ACTIVE) return;
  server = await serve();
  pageUrl = server.url;
  const [pid, profile] = appSh("start", "firefox", HOME, pageUrl).split("\t");
  firefox = { pid, profile };
  browser = await connect(PORT);
  await browser.setWindowSize(1280, 800).catch(() => {});
});

after(async () => {
  await disconnect();
  if (firefox?.pid) {
    try {
      appSh("stop", firefox.pid);
    } catch {
      // stopped already
    }
  }
  server?.child.kill();
});

test("first run: Find my databases lists Firefox in words; one click protects it while it runs", async () => {
  await until("the first-run screen", () => shown("first-run-finish"), LONG);
  await click("find-databases");
  await until("Firefox listed", () => shown("found-app-firefox"), LONG);
  const card = await (await $("found-app-firefox")).getText();
  assert.match(card, /Firefox/);
  assert.match(card, /History and bookmarks/i, card);
  await browser.execute((e) => e.scrollIntoView({ block: "center" }), await $("found-app-firefox"));
  await sleep(500);
  await shot("first-run-found");

  await click("protect-app-firefox");
  await until("Firefox chosen", () => shown("first-run-app-chosen"));
  await type("password", PASSWORD);
  await type("password-confirm", PASSWORD);
  await click("password-stored");
  await shot("first-run-firefox-chosen");
  await click("first-run-finish");
  await until("Home", () => shown("backup-now"), LONG);

  // Protected: one source with Firefox's files, backed up at once although Firefox holds them.
  const state = await invoke("app_state");
  assert.equal(state.sources.length, 1);
  const source = state.sources[0];
  assert.equal(source.app, "Firefox");
  assert.ok(source.database.startsWith(firefox.profile), `${source.database} not in ${firefox.profile}`);
  assert.ok(source.database.endsWith("places.sqlite"));
  assert.ok(source.also.some((f) => f.endsWith("cookies.sqlite")), JSON.stringify(source.also));
  const backed = await until(
    "the first backup",
    async () => (await invoke("app_state")).sources[0].last_backup,
    LONG,
  );
  assert.equal(backed.copied_while_held, true, "taken from a checked copy while Firefox ran");
  await until("Home to show the backup", async () => !(await browser.$("main").getText()).includes("no backup yet"), LONG);
  // Home names the app's data in words; the paths are one click away, under Details.
  const files = await (await $("home-source-files")).getProperty("textContent");
  assert.match(files, /^Firefox's data: \d+ files$/);
  const where = await (await $("home-where")).getProperty("textContent");
  assert.ok(where.includes(firefox.profile), where);
  await shot("home-firefox-protected");
  // History says how it was taken.
  await click("nav-history");
  await until("the backup in History, copied while Firefox was open", () => shown("backup-held"), LONG);
  await shot("history-firefox");

  // A restore while Firefox runs: refused with its name, before anything is done.
  let refusal;
  try {
    await invoke("restore_backup", { request: { source: source.name, id: backed.id, jobId: "e2e-restore-1", verifyFirst: true } });
  } catch (e) {
    refusal = e.ipc;
  }
  assert.equal(refusal?.code, "target_busy", JSON.stringify(refusal));
  assert.equal(refusal?.facts?.reason, "held_by_app");
  assert.equal(refusal?.facts?.app, "Firefox");

  // Firefox quits: the restore goes ahead, every file from the same run.
  appSh("stop", firefox.pid);
  firefox.pid = "";
  const outcome = await invoke("restore_backup", {
    request: { source: source.name, id: backed.id, jobId: "e2e-restore-2", verifyFirst: true },
  });
  assert.equal(outcome.backup_id, backed.id);
  assert.ok(outcome.safety_backup_id, "a safety backup first");
  // The restored places.sqlite still holds the visited page.
  const urls = execFileSync("sqlite3", ["-readonly", source.database, "SELECT url FROM moz_places"], { encoding: "utf8" });
  assert.ok(urls.includes(pageUrl), urls);
  await sleep(500);
});
