// End-to-end tests of the window's screens (issue 6) on the real app, driven through tauri-driver
// and WebKitWebDriver: first-run setup with the demo database; Back up now, the backup in History
// and in the size chart; Verify; Restore with its safety backup, then Undo; a schedule edit with
// its plain-English description and next run times; a wrong password's plain message. A
// screenshot of every screen goes to E2E_OUT (target/e2e/screens/).
//
// Run by scripts/e2e-screens.sh: a fresh profile (its own HOME and XDG folders, no sources, no
// KEEPSAKE_DEMO), TZ=UTC for the app and for this file, an unlocked gnome-keyring. The tests run
// in order and build on each other (one app, one profile).
import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { click, connect, disconnect, invoke, py, sleep, type, until } from "./session.mjs";

const OUT = process.env.E2E_OUT;
const PORT = Number(process.env.E2E_PORT ?? 4460);
const FIRST_PASSWORD = "correct horse battery staple, first run";
const SECOND_PASSWORD = "another long password, set in Settings";
const DEMO = "Astrology demo";
const LONG = 60_000;

let browser;

// scripts/e2e.sh runs every file in tests/e2e/ against its own prepared profile ("Notes",
// "Broken"): this file needs a fresh one, so it runs only under scripts/e2e-screens.sh.
const ACTIVE = process.env.E2E_SCREENS === "1";
const SKIP = ACTIVE ? false : "needs the fresh profile of scripts/e2e-screens.sh";
function test(name, options, fn) {
  if (typeof options === "function") return nodeTest(name, { skip: SKIP }, options);
  return nodeTest(name, { ...options, skip: SKIP }, fn);
}

const $ = (testid) => browser.$(`[data-testid="${testid}"]`);
const $$ = (testid) => browser.$$(`[data-testid="${testid}"]`);
const shown = async (testid) => (await $(testid)).isDisplayed();
const text = async (testid) => (await $(testid)).getText();

async function screen(id) {
  await click(`nav-${id}`);
  await until(`the ${id} screen`, async () => (await (await $(`nav-${id}`)).getAttribute("aria-current")) === "page");
}

async function rows() {
  return (await $$("backup-row")).length;
}

async function points(chart) {
  const el = await $(`chart-${chart}`);
  if (!(await el.isExisting())) return 0;
  return Number(await el.getAttribute("data-points"));
}

async function shot(name) {
  // Let fonts, charts and transitions settle: the page is idle when no job or query is loading.
  await until("the window to settle", async () => !(await browser.$(".loading").isExisting()), 10_000).catch(() => {});
  await browser.saveScreenshot(path.join(OUT, `${name}.png`));
}

/** Runs xdotool on the session's display; its output. */
const xdotool = (...args) => execFileSync("xdotool", args, { encoding: "utf8", timeout: 20_000 }).trim();

/**
 * Answers the system's (GTK) file dialog titled `title` with `file`: typed into its location
 * field, then Enter, as a person would. Saves a screenshot of the whole display with the dialog.
 * A save dialog's name field comes filled in (the suggested name): Ctrl+A first replaces it.
 * The shell writes only to paths answered here, so every file a test has written goes this way.
 */
async function answerFileDialog(title, file, shotName) {
  const id = await until(`the "${title}" dialog`, () => {
    try {
      return xdotool("search", "--onlyvisible", "--name", title).split("\n")[0];
    } catch {
      return "";
    }
  });
  await sleep(500); // let GTK draw it before the screenshot
  execFileSync("import", ["-window", "root", path.join(OUT, `${shotName}.png`)], { timeout: 20_000 });
  xdotool("windowfocus", "--sync", id);
  xdotool("key", "--clearmodifiers", "ctrl+l");
  await sleep(300);
  xdotool("key", "--clearmodifiers", "ctrl+a");
  await sleep(100);
  xdotool("type", "--delay", "15", file);
  await sleep(300);
  const open = () => {
    try {
      return xdotool("search", "--onlyvisible", "--name", title) !== "";
    } catch {
      return false;
    }
  };
  // Enter picks a file; on a folder, GTK first goes into it, then a second Enter picks it.
  for (const key of ["Return", "Return", "Return"]) {
    if (!open()) break;
    xdotool("key", key);
    await sleep(1000);
  }
  await until("the dialog to close", () => !open());
}

/** `choose_path` through the window's IPC, its dialog answered with `file`; what it returned. */
async function pick(kind, title, file, shotName) {
  const chosen = invoke("choose_path", { request: { kind, start: file } });
  await answerFileDialog(title, file, shotName);
  assert.equal(await chosen, file);
}

/** The error notices on screen, as text. */
async function errors() {
  const texts = [];
  for (const e of await $$("error-message")) texts.push(await e.getProperty("textContent"));
  return texts;
}

before(async () => {
  if (!ACTIVE) return;
  browser = await connect(PORT);
  await browser.setWindowSize(1280, 800).catch(() => {});
});

after(async () => {
  await disconnect();
});

test("first run: the demo database, a password, a schedule; Home then shows it", async () => {
  await until("the first-run screen", () => shown("first-run-demo"), LONG);
  assert.equal(await (await $("backup-now")).isExisting(), false, "no Home before setting up");
  const state = await invoke("app_state");
  assert.deepEqual(state.sources, [], "a fresh profile has no sources");
  // The default backup folder is named, in this profile's data folder.
  assert.ok(
    (await text("first-run-default-folder")).includes(path.join(process.env.XDG_DATA_HOME, "app.keepsake.desktop", "backups")),
    await text("first-run-default-folder"),
  );
  await shot("first-run");

  // Finishing with nothing filled in says what is missing instead of failing.
  await click("first-run-finish");
  await until("the problem shown", () => shown("first-run-problem"));

  // "Choose…" opens the system's file dialog, and the file picked there fills the field. The
  // demo is chosen below, with the folder picked here for its backups.
  const dir = fs.mkdtempSync(path.join(process.env.HOME, "dialog-"));
  const picked = path.join(dir, "my notes.db");
  execFileSync("sqlite3", [picked, "CREATE TABLE t (x)"]);
  await click("first-run-database-choose");
  await answerFileDialog("Choose the database to protect", picked, "first-run-file-dialog");
  await until("the chosen file in the field", async () => (await (await $("first-run-database")).getValue()) === picked);
  await click("first-run-backup-dir-choose");
  await answerFileDialog("Choose the folder for backups", dir, "first-run-folder-dialog");
  await until("the chosen folder in the field", async () => (await (await $("first-run-backup-dir")).getValue()) === dir);

  await click("first-run-demo");
  await until("the demo chosen", () => shown("demo-chosen"));
  await type("password", FIRST_PASSWORD);
  await type("password-confirm", FIRST_PASSWORD);
  await click("password-stored");
  const weekly = await browser.$('input[name="schedule"][value="weekly"]');
  await weekly.click();
  assert.equal(await weekly.isSelected(), true);
  await shot("first-run-filled");
  await click("first-run-finish");

  await until("Home", () => shown("backup-now"), LONG);
  await until("the demo source on Home", async () => (await browser.$("main").getText()).includes(DEMO), LONG);
  const after = await invoke("app_state");
  assert.deepEqual(
    after.sources.map((s) => s.name),
    [DEMO],
  );
  assert.equal(after.sources[0].encrypt, true);
  // The schedule crosses IPC as structured data (set_schedule), not as a phrase.
  assert.deepEqual(after.sources[0].schedule, { kind: "weekly", weekday: "monday", time: "02:00" });
  assert.equal(after.sources[0].backup_dir, dir, "the folder chosen in the dialog");
  assert.equal(py("secret.py", "lookup"), FIRST_PASSWORD, "the password is in the keyring");
  await until("the next backup on Home", async () => /Monday/.test(await text("home-next-backup")));
  // A scheduled source never backed up gets its first backup at once (not next Monday); the
  // tests after this one start once it is done (a "Back up now" meanwhile would be told that
  // Keepsake is already working on the database).
  await until(
    "the first backup, made at once",
    async () => (await invoke("app_state")).sources[0].last_run?.status === "success",
    LONG,
  );
  assert.equal((await invoke("list_backups", { request: { source: DEMO } })).length, 1);
  await shot("home");
});

test("Back up now: progress, then the backup in History and in the size chart", async () => {
  await screen("history");
  // Wait for the list (or the empty state) to have loaded before counting.
  await until("History loaded", async () => !(await browser.$(".loading").isExisting()));
  const before = await rows();
  const pointsBefore = await points("size");
  await screen("home");
  await click("backup-now");
  // Progress shows, or the demo database is so small that the backup is already done.
  await until(
    "progress or a finished backup",
    async () => (await shown("job-progress")) || (await invoke("list_backups", { request: { source: DEMO } })).length > before,
    LONG,
  );
  await until("the backup to finish", async () => (await invoke("list_backups", { request: { source: DEMO } })).length === before + 1, LONG);
  await screen("history");
  await until("the new backup in the list", async () => (await rows()) === before + 1, LONG);
  const [newest] = await invoke("list_backups", { request: { source: DEMO, limit: 1 } });
  assert.equal(newest.backup_type, "manual");
  assert.equal(newest.encrypted, true);
  assert.equal(await (await $("backup-row")).getAttribute("data-id"), newest.id, "newest first");
  await until("the size chart to grow", async () => (await points("size")) > pointsBefore, LONG);
  await shot("history");
});

test("Verify shows the backup verified", async () => {
  await screen("history");
  await until("a backup row", async () => (await rows()) > 0);
  const row = await $("backup-row");
  const id = await row.getAttribute("data-id");
  await (await row.$('[data-testid="verify-button"]')).click();
  const result = await until("the verify result", async () => (await shown("verify-result")) && $("verify-result"), LONG);
  assert.equal(await result.getAttribute("data-ok"), "true", await result.getText());
  await until("the row marked verified", async () => {
    const r = await browser.$(`[data-testid="backup-row"][data-id="${id}"] [data-testid="verification"]`);
    return (await r.getAttribute("data-status")) === "passed";
  });
  const [meta] = (await invoke("list_backups", { request: { source: DEMO } })).filter((b) => b.id === id);
  assert.equal(meta.verification, "passed");
  await shot("history-verified");
});

test("Restore: the safety backup is announced and made; Undo puts things back", async () => {
  await screen("history");
  await until("a backup row", async () => (await rows()) > 0);
  const before = (await invoke("list_backups", { request: { source: DEMO } })).length;
  await (await (await $("backup-row")).$('[data-testid="restore-button"]')).click();
  await until("the restore screen", () => shown("restore-start"), LONG);
  await until("the comparison", () => shown("compare-table"), LONG);
  assert.match(await text("safety-note"), /safety backup/);
  await shot("restore");

  // A mistaken edit that keeps the number of rows: the preview says, row by row, what comes back.
  const { database } = (await invoke("app_state")).sources.find((s) => s.name === DEMO);
  execFileSync("sqlite3", [database, "UPDATE users SET latitude = latitude + 1 WHERE rowid <= 9;"]);
  await screen("history");
  await screen("restore");
  const users = await until("the users row of the comparison", async () => {
    const r = await browser.$('[data-testid="compare-row"][data-table="users"]');
    return (await r.isExisting()) && /9 rows get their earlier values back/.test(await r.getText()) && r;
  }, LONG);
  assert.ok(users);
  assert.match(await text("changes-summary"), /users: 9 rows get their earlier values back/);
  const internalShown = async () => (await $$("compare-row")).length;
  const tablesShown = await internalShown();
  for (const r of await $$("compare-row")) assert.doesNotMatch(await r.getAttribute("data-table"), /_fts|^sqlite_/, "internals hidden");
  await click("show-internal");
  await until("the internal tables shown", async () => (await internalShown()) > tablesShown);
  await click("show-internal");
  await shot("restore-rows");

  await click("restore-start");
  const now = await until("the confirmation", async () => {
    const b = await browser.$("//button[normalize-space()='Restore now']");
    return (await b.isDisplayed()) && b;
  });
  // The confirmation is shown together with the sentence about the safety backup.
  assert.match(await text("safety-note"), /makes a safety backup/);
  await shot("restore-confirm");
  await now.click();

  await until("the restore to finish", () => shown("restore-done"), LONG);
  assert.match(await text("restore-done"), /safety backup/);
  const afterRestore = await invoke("list_backups", { request: { source: DEMO } });
  assert.equal(afterRestore.length, before + 1, "one safety backup was made");
  assert.equal(afterRestore[0].backup_type, "safety");
  await shot("restore-done");

  await click("undo-restore");
  await until("the undo to finish", () => shown("undo-done"), LONG);
  assert.match(await text("undo-done"), /back as it was/);
  await shot("restore-undone");

  // A safety backup holds the data restored over: it never counts as the last backup on Home.
  const demo = (await invoke("app_state")).sources.find((s) => s.name === DEMO);
  assert.notEqual(demo.last_backup?.backup_type, "safety", "the last backup is never a safety backup");
  assert.equal(demo.last_backup?.id, (await invoke("list_backups", { request: { source: DEMO } })).find((b) => b.backup_type !== "safety")?.id);

  // History shows safety backups apart, named by the backup they were made before, in words.
  await screen("history");
  const section = await until("the safety backups in History", async () => (await shown("safety-backups")) && $("safety-backups"), LONG);
  const words = await section.getText();
  assert.match(words, /Safety backups made before a restore/);
  assert.match(words, /Before restoring the backup from /);
  assert.doesNotMatch(words, /backup_\d{8}/, "no internal id");
  // The restore's safety backup and the undo's were made within the same minute: their times
  // show seconds, so the two rows can be told apart.
  const safety = (await invoke("list_backups", { request: { source: DEMO } })).filter((b) => b.backup_type === "safety");
  assert.ok(safety.length >= 2, "the restore's safety backup and the undo's");
  const [a, b] = safety;
  if (a.created_at.slice(0, 16) === b.created_at.slice(0, 16)) {
    const shownTime = async (id) => (await browser.$(`[data-testid="backup-row"][data-id="${id}"] td span`)).getText();
    const [ta, tb] = [await shownTime(a.id), await shownTime(b.id)];
    assert.match(ta, /\d\d:\d\d:\d\d/, `seconds shown: ${ta}`);
    if (ta === tb) {
      // Made within the same second: their notes tell them apart.
      const note = async (id) => (await browser.$(`[data-testid="backup-row"][data-id="${id}"]`)).getText();
      assert.notEqual(await note(a.id), await note(b.id), "told apart by their notes");
    } else {
      assert.notEqual(ta, tb, "told apart");
    }
  }
  await section.scrollIntoView();
  await shot("history-safety");
});

test("a schedule edit shows the plain-English description and the next run times", async () => {
  await screen("schedule");
  await until("the schedule editor", () => shown("preset-advanced"), LONG);
  // The first-run choice is shown as the weekly preset.
  assert.equal(await (await $("preset-weekly")).isSelected(), true);
  await until("the weekly description", async () => (await text("schedule-description")) === "Every Monday at 02:00", LONG);

  await click("preset-advanced");
  await type("cron-input", "30 14 * * *");
  await until("the description", async () => (await text("schedule-description")) === "Every day at 14:30", LONG);
  const runs = await until("five next runs", async () => {
    const all = await $$("next-run");
    return all.length === 5 && all;
  });
  // The next five 14:30s (UTC, the app's TZ too) from now.
  const now = new Date();
  let first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 14, 30);
  if (first <= now.getTime()) first += 86_400_000;
  const lang = await browser.execute(() => navigator.language);
  for (const [i, el] of runs.entries()) {
    const expected = new Date(first + i * 86_400_000);
    assert.equal(Date.parse(await el.getAttribute("data-time")), expected.getTime(), `run ${i}`);
    const words = await el.getText();
    assert.match(words, /14:30|2:30/, words);
    assert.ok(words.includes(String(expected.getUTCDate())), `${words} has the day ${expected.getUTCDate()}`);
    if (lang.startsWith("en")) {
      const weekday = expected.toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
      assert.ok(words.includes(weekday), `${words} has ${weekday}`);
    }
  }

  // A mistake is caught as it is typed, in words.
  await type("cron-input", "61 14 * * *");
  await until("the cron error", () => shown("schedule-error"), LONG);
  assert.equal(await (await $("schedule-save")).isEnabled(), false, "an invalid schedule can't be saved");
  await shot("schedule-error");

  await type("cron-input", "30 14 * * *");
  await until("valid again", async () => (await text("schedule-description")) === "Every day at 14:30", LONG);
  await click("schedule-save");
  await until("the schedule saved", async () => {
    const { schedule } = (await invoke("app_state")).sources[0];
    return schedule?.kind === "cron" && schedule.expr === "30 14 * * *";
  }, LONG);
  // The shell checks a schedule as structured data; a bad one is a typed invalid_input.
  const preview = await invoke("preview_schedule", { request: { schedule: { kind: "cron", expr: "30 14 * * *" }, count: 2 } });
  assert.equal(preview.description, "Every day at 14:30");
  assert.equal(preview.next_runs.length, 2);
  await assert.rejects(invoke("preview_schedule", { request: { schedule: { kind: "cron", expr: "61 14 * * *" } } }), (e) => {
    assert.equal(e.ipc.code, "invalid_input");
    return true;
  });
  await shot("schedule");
});

test("a password change keeps every backup; a forgotten one is answered in place by the emergency kit's key", async () => {
  // The emergency kit, made from Settings: its key counts once its last group is typed back.
  await screen("settings");
  await until("the kit settings", () => shown("kit-make"), LONG);
  await click("kit-make");
  const key = (await until("the key", async () => (await shown("kit-key")) && (await (await $("kit-key")).getAttribute("aria-label")), LONG)).replace("Recovery key ", "");
  assert.match(key, /^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/, key);
  await shot("kit-draft");
  await type("kit-typed", key.split("-").pop());
  await click("kit-confirm");
  await until("the kit adopted", () => shown("kit-done"), LONG);
  assert.ok((await invoke("app_state")).key.kit_made_at, "the kit's key is the key now");

  await until("the password form", () => shown("password-save"), LONG);
  await shot("settings");
  await type("password", SECOND_PASSWORD);
  await type("password-confirm", SECOND_PASSWORD);
  await click("password-stored");
  await click("password-save");
  await until("the keyring to hold the new password", () => py("secret.py", "lookup") === SECOND_PASSWORD, LONG);

  await screen("history");
  await until("a backup row", async () => (await rows()) > 0);
  // The oldest encrypted backup was made with the first password: it opens with the new one.
  let oldest;
  for (const r of await $$("backup-row")) if ((await r.getText()).includes("Encrypted")) oldest = r;
  assert.ok(oldest, "an encrypted backup in the list");
  const id = await oldest.getAttribute("data-id");
  const meta = (await invoke("list_backups", { request: { source: DEMO } })).find((b) => b.id === id);
  assert.equal(meta.encrypted, true);
  const verify = async () => {
    await screen("history");
    await until("a backup row", async () => (await rows()) > 0);
    await (await browser.$(`[data-testid="backup-row"][data-id="${id}"] [data-testid="verify-button"]`)).click();
  };
  await verify();
  let result = await until("the verify result", async () => (await shown("verify-result")) && $("verify-result"), LONG);
  assert.equal(await result.getAttribute("data-ok"), "true", "a backup made before the change opens with the new password");

  // Forgotten: the keyring holds a password nobody knows now. The window asks in place.
  py("secret.py", "store", "a password nobody remembers");
  await verify();
  const ask = await until("the password prompt", async () => (await shown("other-password")) && $("other-password"), LONG).catch(async (e) => {
    await shot("wrong-password-failed");
    throw new Error(`${e.message}; notices: ${JSON.stringify(await errors())}; page: ${await browser.$("main").getText()}`);
  });
  assert.match(await ask.getText(), /The saved password doesn't open this backup/);
  assert.doesNotMatch(await ask.getText(), /wrong_password|Error:|panicked/, "plain words, not a code");
  assert.deepEqual(await errors(), [], "asked in place, not as an error notice");
  await type("other-password-input", "not the one");
  await click("other-password-submit");
  await until("the second try refused", async () => (await (await $("other-password")).getAttribute("data-tried")) === "true", LONG);
  await shot("wrong-password");

  // Its restore is not offered until something that opens it is given, and the window says so.
  await screen("history");
  await until("a backup row", async () => (await rows()) > 0);
  const row = await browser.$(`[data-testid="backup-row"][data-id="${id}"]`);
  await (await row.$('[data-testid="restore-button"]')).click();
  await until("the password prompt in step 2", () => shown("other-password"), LONG);
  await until("the restore held back", async () => !(await (await $("restore-start")).isEnabled()), LONG);
  assert.match(await (await $("restore-locked")).getText(), /doesn't open this backup, so it can't be restored yet/);
  await shot("restore-locked");

  // "Forgot your password?": a typo is said; the kit's key opens it.
  await click("forgot-password");
  const typo = key.replace(/^./, (c) => (c === "A" ? "B" : "A"));
  await type("recovery-key-input", typo);
  await click("recovery-key-use");
  assert.match(await text("recovery-key-error"), /That recovery key has a typo/);
  await shot("recovery-key-typo");
  await type("recovery-key-input", key.toLowerCase());
  await click("recovery-key-use");
  await until("the restore offered", async () => (await shown("restore-start")) && (await (await $("restore-start")).isEnabled()), LONG);
  await shot("restore-with-recovery-key");
  // It restores with the key alone (its safety backup made under the same key, opened by it too).
  await click("restore-start");
  const now = await until("the confirmation", async () => {
    const b = await browser.$("//button[normalize-space()='Restore now']");
    return (await b.isDisplayed()) && b;
  });
  await now.click();
  await until("the restore to finish", () => shown("restore-done"), LONG);
  assert.match(await text("restore-done"), /safety backup/);
  await shot("restored-with-recovery-key");
  await verify();
  result = await until("the verify result", async () => (await shown("verify-result")) && $("verify-result"), LONG);
  assert.equal(await result.getAttribute("data-ok"), "true", await result.getText());
  assert.equal(py("secret.py", "lookup"), "a password nobody remembers", "the key is never saved");
  // Back to the password the later tests use.
  py("secret.py", "store", SECOND_PASSWORD);
});

/** Backs up now from Home and waits for the new manual backup; its metadata. */
async function backUpNow() {
  const before = new Set((await invoke("list_backups", { request: { source: DEMO } })).map((b) => b.id));
  await screen("home");
  await click("backup-now");
  return until("the new backup", async () => {
    const all = await invoke("list_backups", { request: { source: DEMO } });
    return all.find((b) => !before.has(b.id) && b.backup_type === "manual");
  }, LONG);
}

test("Save space: changes only, also across a password change; a link later ones need is explained, not deleted", async () => {
  await screen("settings");
  const select = await $("save-space");
  await select.waitForDisplayed({ timeout: LONG });
  assert.equal(await select.getValue(), "auto");
  await select.selectByAttribute("value", "true");
  await until("the setting saved", async () => (await invoke("app_state", {})).sources.find((s) => s.name === DEMO)?.incremental === true, LONG);
  await shot("settings-save-space");

  const { database } = (await invoke("app_state", {})).sources.find((s) => s.name === DEMO);
  // The password changed in the test before: the chain goes on (the new key carries the old one).
  const base = await backUpNow();
  execFileSync("sqlite3", [database, "CREATE TABLE IF NOT EXISTS e2e_notes (x); INSERT INTO e2e_notes VALUES ('a change');"]);
  const changes = await backUpNow();
  assert.equal(changes.kind, "increment");
  assert.equal(changes.chain.base, base.id);
  const full = (await invoke("list_backups", { request: { source: DEMO } })).find((b) => b.id === changes.chain.full);
  assert.equal(full.kind, "full");
  assert.ok(changes.stored_size < full.stored_size, `${changes.stored_size} < ${full.stored_size}`);

  await screen("history");
  const kindOf = (id) => browser.$(`[data-testid="backup-row"][data-id="${id}"] [data-testid="backup-kind"]`);
  await until("the changes-only backup in History", async () => (await (await kindOf(changes.id)).getAttribute("data-kind")) === "increment", LONG);
  assert.match(await (await kindOf(changes.id)).getText(), /^Changes only · (under 1%|\d+%) of a full copy.s size$/);
  assert.equal(await (await kindOf(full.id)).getText(), "Full copy");
  assert.match(await text("stats"), /saved by \d+ changes-only backups?/);

  // What it builds on is needed by it: Delete explains instead of asking.
  await (await browser.$(`[data-testid="backup-row"][data-id="${base.id}"] [data-testid="delete-button"]`)).click();
  await until("the explanation", () => shown("delete-needed"), LONG);
  assert.match(await text("delete-needed"), /Later backups are built on this one/);
  await shot("history-changes-only");
  await (await browser.$("//button[normalize-space()='Keep it']")).click();
  assert.ok((await invoke("list_backups", { request: { source: DEMO } })).some((b) => b.id === base.id), "still there");

  // The changes-only backup verifies (reading its full copy) with the new password.
  await (await browser.$(`[data-testid="backup-row"][data-id="${changes.id}"] [data-testid="verify-button"]`)).click();
  const result = await until("the verify result", async () => (await shown("verify-result")) && $("verify-result"), LONG);
  assert.equal(await result.getAttribute("data-ok"), "true", await result.getText());
});

// Regression: a newly scheduled source is backed up at once, so the first-run screen must turn
// encryption on before it sets the schedule; otherwise the first backup was unencrypted even
// though "Yes, encrypt them" was chosen.
test("every backup of a source set up with a password is encrypted", async () => {
  const all = await invoke("list_backups", { request: { source: DEMO } });
  const plain = all.filter((b) => !b.encrypted).map((b) => `${b.id} (${b.backup_type})`);
  assert.deepEqual(plain, [], "unencrypted backups");
});

const NOTIFICATIONS = path.join(OUT, "notifications.log");
const notifications = () => (fs.existsSync(NOTIFICATIONS) ? fs.readFileSync(NOTIFICATIONS, "utf8") : "");
/** A number as a pattern that matches it with or without the locale's thousands separators. */
const num = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "[,.\u202f\u00a0]?");
const sql = (db, query) => execFileSync("sqlite3", [db, query], { encoding: "utf8" }).trim();

test("a scheduled backup after half a table was deleted: an alert on Home and on the desktop, the backup before kept even by 'keep 1'", async () => {
  const { database } = (await invoke("app_state")).sources.find((s) => s.name === DEMO);
  // The test before added a table to the database: the next backup said the layout changed.
  const standing = await invoke("list_alerts", { request: { source: DEMO, all: false } });
  assert.deepEqual(
    standing.map((a) => a.kind),
    ["schema_changed"],
  );
  await screen("home");
  const layout = await until("that alert on Home", async () => (await shown("content-alert")) && $("content-alert"), LONG);
  // An app's update is said calmly (not in alarm red), with the database's name.
  assert.match(await layout.getText(), /changed how it stores its data/);
  assert.match(await layout.getText(), /This is normal after an update: nothing is lost/);
  assert.match(await layout.getAttribute("class"), /tone-warn/);
  await shot("home-schema-alert");
  await click("alert-dismiss");
  await until("it gone", async () => !(await (await $("content-alert")).isExisting()), LONG);
  assert.deepEqual(await invoke("list_alerts", { request: { source: DEMO, all: false } }), []);

  await invoke("update_source", { request: { name: DEMO, patch: { keep_last: 1 } } });
  const before = (await invoke("list_backups", { request: { source: DEMO } })).find((b) => b.backup_type !== "safety");
  const rowsBefore = Number(sql(database, "SELECT count(*) FROM notes"));
  sql(database, "PRAGMA foreign_keys = OFF; DELETE FROM notes WHERE rowid % 2 = 0;");
  const rowsAfter = Number(sql(database, "SELECT count(*) FROM notes"));
  assert.ok(rowsAfter < rowsBefore * 0.6, `${rowsBefore} -> ${rowsAfter}`);

  // The scheduler, every 2 seconds for a moment: its next run is the one that notices.
  await invoke("set_schedule", { request: { name: DEMO, schedule: { kind: "every_seconds", seconds: 2 } } });
  const [alert] = await until("the content alert", async () => {
    const list = await invoke("list_alerts", { request: { source: DEMO, all: false } });
    return list.length > 0 && list;
  }, LONG);
  await invoke("set_schedule", { request: { name: DEMO, schedule: { kind: "weekly", weekday: "monday", time: "02:00" } } });
  assert.equal(alert.kind, "rows_lost");
  assert.equal(alert.table, "notes");
  assert.deepEqual([alert.before, alert.after], [rowsBefore, rowsAfter]);
  assert.equal(alert.pinned, before.id, "the last backup before the change is pinned");

  // The desktop notification, seen on D-Bus.
  const said = `${rowsBefore - rowsAfter} of ${rowsBefore} entries in`;
  const log = await until("the notification", () => {
    const n = notifications();
    return n.includes(said) && n;
  }, LONG);
  const call = log.slice(log.lastIndexOf("member=Notify", log.indexOf(said)));
  assert.match(call, new RegExp(`string "${DEMO}: something went missing since its last backup"`));
  assert.match(call, /string "dialog-warning"/);

  // Retention keeps 1, and keeps the pinned one too (a scheduled run cleans up after itself).
  await until("a cleanup after the alert", async () => {
    const runs = await invoke("get_history", { request: { source: DEMO, limit: 10 } });
    return runs.some((r) => r.operation === "cleanup" && r.status === "success" && r.started_at >= alert.raised_at);
  }, LONG);
  const kept = await invoke("list_backups", { request: { source: DEMO } });
  const pinned = kept.find((b) => b.id === before.id);
  assert.ok(pinned, `the pinned backup survived keep 1: ${kept.map((b) => b.id)}`);
  assert.ok(pinned.pinned, "and says it is pinned");

  await screen("home");
  const banner = await until("the alert on Home", async () => (await shown("content-alert")) && $("content-alert"), LONG);
  const words = await banner.getText();
  assert.match(words, new RegExp(`${num(rowsBefore - rowsAfter)} of ${num(rowsBefore)} entries in “notes” are gone`));
  assert.match(words, /kept safe, so you can get them back/);
  assert.match(words, /See what's gone and get it back/);
  // The status line agrees with the alarm.
  assert.match(await (await $("source-status")).getText(), /Needs a look: something went missing/);
  await shot("home-content-alert");

  await screen("history");
  const badge = await until("the kept badge", async () => {
    const b = await browser.$(`[data-testid="backup-row"][data-id="${before.id}"] [data-testid="backup-pinned"]`);
    return (await b.isExisting()) && b;
  }, LONG);
  assert.equal(await badge.getText(), "Kept");
  await badge.scrollIntoView();
  await shot("history-kept");

  // "This was me": the alert goes; the backup stays pinned.
  await screen("home");
  await click("alert-dismiss");
  await until("the alert gone", async () => !(await (await $("content-alert")).isExisting()), LONG);
  assert.ok((await invoke("list_backups", { request: { source: DEMO } })).find((b) => b.id === before.id)?.pinned);
});

const THIRD_PARTY = "Cargo cache";

test("inside a backup of a real third-party database (cargo's cache index): its tables, rows page by page, a search", async () => {
  const original = process.env.E2E_THIRD_PARTY_DB;
  assert.ok(original && fs.existsSync(original), `a database made by cargo at ${original}`);
  const copy = path.join(process.env.HOME, "cargo-global-cache.sqlite");
  execFileSync("sqlite3", [original, `.backup '${copy}'`]);
  const crates = Number(sql(copy, "SELECT count(*) FROM registry_crate"));
  assert.ok(crates > 50, `cargo knows ${crates} crates`);
  await invoke("add_source", { request: { name: THIRD_PARTY, database: copy, backupDir: path.join(process.env.HOME, "cargo-backups") } });
  await invoke("create_backup", { request: { source: THIRD_PARTY, jobId: "e2e-cargo-backup" } });

  const picker = await $("source-picker");
  await picker.waitForDisplayed({ timeout: LONG });
  await picker.selectByAttribute("value", THIRD_PARTY);
  await screen("history");
  await until("its backup row", async () => (await rows()) === 1, LONG);
  await (await (await $("backup-row")).$('[data-testid="inside-button"]')).click();

  const names = await until("its tables", async () => {
    const buttons = await $$("inside-table");
    if (buttons.length === 0) return null;
    const out = [];
    for (const b of buttons) out.push((await b.getText()).split(/\s+/)[0]);
    return out;
  }, LONG);
  const expected = sql(copy, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").split("\n");
  assert.deepEqual(names, expected);

  await (await browser.$("//button[@data-testid='inside-table'][starts-with(normalize-space(), 'registry_crate')]")).click();
  await until("the first page", async () => new RegExp(`^Rows 1–50 of ${num(crates)}$`).test(await text("inside-count")), LONG);
  const first = sql(copy, "SELECT name FROM registry_crate ORDER BY rowid LIMIT 1");
  assert.match(await (await $("inside-rows")).getProperty("textContent"), new RegExp(first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  await shot("inside-third-party");

  const search = await browser.$('input[type="search"]');
  await search.setValue("serde");
  const serde = Number(sql(copy, "SELECT count(*) FROM registry_crate WHERE name LIKE '%serde%'"));
  await until("the search", async () => (await text("inside-count")).endsWith("with “serde”"), LONG);
  assert.match(await text("inside-count"), new RegExp(`of ${num(serde)} with`));
  await shot("inside-search");
});

test("taking back one table brings back exactly its rows, leaves every other table as it is, and Undo returns", async () => {
  const { database } = (await invoke("app_state")).sources.find((s) => s.name === THIRD_PARTY);
  const dump = (table) => sql(database, `SELECT * FROM ${table} ORDER BY 1, 2`);
  const cratesThen = dump("registry_crate");
  sql(database, "PRAGMA foreign_keys = OFF; DELETE FROM registry_crate WHERE rowid % 3 = 0; DELETE FROM registry_src WHERE rowid % 2 = 0;");
  const cratesNow = dump("registry_crate");
  const srcNow = dump("registry_src");
  assert.notEqual(cratesNow, cratesThen);

  const search = await browser.$('input[type="search"]');
  await search.clearValue();
  await click("take-back");
  const confirm = await until("the question", async () => {
    const b = await browser.$("//button[normalize-space()='Take back registry_crate']");
    return (await b.isDisplayed()) && b;
  });
  await shot("inside-take-back-confirm");
  await confirm.click();
  await until("the table back", () => shown("take-back-done"), LONG);
  assert.match(await text("take-back-done"), /registry_crate is back: [\d,]+ rows \(it had [\d,]+\)/);
  assert.equal(dump("registry_crate"), cratesThen, "exactly its rows");
  assert.equal(dump("registry_src"), srcNow, "every other table as it is");
  assert.equal(sql(database, "PRAGMA integrity_check"), "ok");
  await shot("inside-taken-back");

  await click("take-back-undo");
  await until("undone", async () => (await browser.$("main").getText()).includes("Undone: the database is back as it was before."), LONG);
  assert.equal(dump("registry_crate"), cratesNow, "as before the take-back");
  assert.equal(dump("registry_src"), srcNow);
});

test("a table exported as a spreadsheet and as a database of its own; two backups compared", async () => {
  const { database } = (await invoke("app_state")).sources.find((s) => s.name === THIRD_PARTY);
  // The backup looked inside (the safety backups of the take-back and its undo came after it).
  const first = (await invoke("list_backups", { request: { source: THIRD_PARTY } })).filter((b) => b.backup_type === "manual").at(-1);
  const dir = fs.mkdtempSync(path.join(process.env.HOME, "export-"));
  // Its registry_crate as it was, to files picked in the save dialog (the shell writes nowhere else).
  const csv = path.join(dir, "crates.csv");
  const notPicked = path.join(dir, "not-picked.csv");
  await assert.rejects(
    invoke("export_table", { request: { source: THIRD_PARTY, id: first.id, table: "registry_crate", format: "csv", target: notPicked } }),
    (e) => e.ipc.code === "invalid_input" && e.ipc.facts.reason === "not_picked",
  );
  assert.ok(!fs.existsSync(notPicked), "nothing written where the dialog was not answered");
  await pick("export_csv", "Export the table as a spreadsheet", csv, "export-csv-dialog");
  const rowsThen = await invoke("export_table", { request: { source: THIRD_PARTY, id: first.id, table: "registry_crate", format: "csv", target: csv } });
  const lines = fs.readFileSync(csv, "utf8").trim().split("\n");
  assert.equal(lines[0], "registry_id,name,size,timestamp");
  assert.equal(lines.length, rowsThen + 1);
  const db = path.join(dir, "crates.sqlite");
  await pick("export_database", "Export the table as a database", db, "export-database-dialog");
  assert.equal(await invoke("export_table", { request: { source: THIRD_PARTY, id: first.id, table: "registry_crate", format: "database", target: db } }), rowsThen);
  assert.equal(sql(db, "SELECT count(*) FROM registry_crate"), String(rowsThen));
  assert.match(sql(db, "SELECT sql FROM sqlite_schema WHERE name = 'registry_crate'"), /PRIMARY KEY \(registry_id, name\)/);
  // Never over an existing file.
  await assert.rejects(
    invoke("export_table", { request: { source: THIRD_PARTY, id: first.id, table: "registry_crate", format: "csv", target: csv } }),
    (e) => e.ipc.code === "invalid_input" && e.ipc.facts.reason === "exists",
  );

  // A second backup of the database as it is now (a third of the crates gone since the first).
  const gone = rowsThen - Number(sql(database, "SELECT count(*) FROM registry_crate"));
  assert.ok(gone > 0);
  await invoke("create_backup", { request: { source: THIRD_PARTY, jobId: "e2e-cargo-second" } });
  await until("the other backup to compare with", () => shown("compare-with-start"), LONG);
  await click("compare-with-start");
  const result = await until("the comparison", async () => (await shown("compare-with-result")) && $("compare-with-result"), LONG);
  assert.match(await result.getText(), new RegExp(`registry_crate: ${num(gone)} rows gone`));
  await result.scrollIntoView();
  await shot("inside-compare-two-backups");
});

/** Starts s3s-fs (a real S3 server, SigV4 checked) on a free port over a fresh folder with a bucket. */
/** A storage server started for a test, on a free port, in a folder of its own; `args(port, root)`. */
async function startServer(what, program, args, prepare = () => {}) {
  const net = await import("node:net");
  const { spawn } = await import("node:child_process");
  const port = await new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
  const root = fs.mkdtempSync(path.join(process.env.HOME, `${what}-`));
  prepare(root);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  const child = spawn(program, args(port, root), { env, stdio: "ignore" });
  await until(`the ${what} server`, async () => {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    return ok;
  });
  return { port, root, stop: () => child.kill("SIGKILL") };
}

const startS3 = () =>
  startServer(
    "s3",
    process.env.E2E_S3S_FS,
    (port, root) => ["--host", "127.0.0.1", "--port", String(port), "--access-key", "e2e-access", "--secret-key", "e2e-secret-key-0123", root],
    (root) => fs.mkdirSync(path.join(root, "family-backups")),
  );

test("copies elsewhere: an S3 destination added in Settings (a wrong key said in words), then each backup copied and shown on Home and in History", async () => {
  const s3 = await startS3();
  try {
    await screen("settings");
    const section = await until("the copies elsewhere section", async () => (await shown("copies-elsewhere")) && $("copies-elsewhere"), LONG);
    await section.scrollIntoView();
    await click("add-destination");
    await until("the destination form", () => shown("destination-form"), LONG);
    await type("dest-name", "offsite");
    await type("dest-endpoint", `http://127.0.0.1:${s3.port}`);
    await type("dest-bucket", "family-backups");
    await type("dest-access-key", "e2e-access");
    await click("dest-more"); // path-style and the folder inside are folded under More options
    await click("dest-path-style");
    await type("dest-prefix", "laptop");
    // A wrong secret key first: the test says what to fix, in words.
    await type("dest-secret", "not the key");
    await click("dest-test");
    const result = await until("the test's answer", async () => (await shown("dest-test-result")) && $("dest-test-result"), LONG);
    assert.match(await result.getText(), /refused the login/);
    await (await $("destination-form")).scrollIntoView();
    await shot("settings-copies-wrong-key");
    await type("dest-secret", "e2e-secret-key-0123");
    await click("dest-test");
    await until("the connection to work", async () => /The connection works/.test(await text("dest-test-result")), LONG);
    await click("dest-save");
    await until("the destination listed", async () => (await $$("destination")).length === 1, LONG);
    // The secret went to the keyring, never to the sources file.
    const saved = fs.readFileSync(path.join(process.env.XDG_CONFIG_HOME, "app.keepsake.desktop", "sources.toml"), "utf8");
    assert.match(saved, /\[\[destination\]\]/);
    assert.ok(!saved.includes("e2e-secret-key-0123"), "no secret in the sources file");

    // A backup now: it is copied in the background, and Home says so.
    await screen("home");
    await click("backup-now");
    const line = await until(
      "Home to say it is copied",
      async () => {
        const lines = await $$("home-copy");
        for (const l of lines) if (/^Copied to offsite/.test(await l.getText())) return l;
        return false;
      },
      LONG,
    );
    assert.equal(await line.getAttribute("data-tone"), "ok");
    const objects = fs.readdirSync(path.join(s3.root, "family-backups", "laptop")).filter((n) => n.startsWith("backup_"));
    assert.ok(objects.length >= 1, `objects on the server: ${objects}`);
    await (await $("home-copies")).scrollIntoView();
    await shot("home-copies-elsewhere");

    await screen("history");
    await until("a backup marked as copied", async () => (await $$("backup-copied")).length >= 1, LONG);
    await shot("history-copied");
    await screen("settings");
    await until("the destination's state", async () => /Copied to offsite/.test(await text("destination-status")), LONG);
    await (await $("copies-elsewhere")).scrollIntoView();
    await shot("settings-copies-elsewhere");

    // The lost-computer restore, from the objects on the server alone: found, chosen, checked
    // whole and written to a new file.
    await click("open-restore-from-copy");
    await until("the restore from a copy form", () => shown("restore-from-copy"), LONG);
    await type("dest-endpoint", `http://127.0.0.1:${s3.port}`);
    await type("dest-bucket", "family-backups");
    await type("dest-access-key", "e2e-access");
    await click("dest-more"); // path-style and the folder inside are folded under More options
    await click("dest-path-style");
    await type("dest-prefix", "laptop");
    await type("dest-secret", "e2e-secret-key-0123");
    await click("from-copy-find");
    await until("the backups found there", () => shown("from-copy-found"), LONG);
    const found = await $$("from-copy-backup");
    // The copier may have sent more meanwhile: every backup there then is listed.
    const there = fs.readdirSync(path.join(s3.root, "family-backups", "laptop")).filter((n) => n.startsWith("backup_"));
    assert.ok(found.length >= objects.length && found.length <= there.length, `${found.length} listed, ${there.length} there`);
    // The new file is named in the save dialog (a typed path is not trusted).
    const target = path.join(process.env.HOME, "restored-from-a-copy.db");
    await click("from-copy-choose");
    await answerFileDialog("Restore the backup to this file", target, "restore-from-copy-dialog");
    await until("the chosen file in the field", async () => (await (await $("from-copy-target")).getValue()) === target);
    await (await $("restore-from-copy")).scrollIntoView();
    await shot("settings-restore-from-copy");
    await click("from-copy-restore");
    const done = await until("the restore to finish", async () => (await shown("restored-from-copy")) && $("restored-from-copy"), LONG);
    assert.match(await done.getText(), /restored-from-a-copy\.db/);
    assert.equal(sql(target, "PRAGMA integrity_check"), "ok");
    const { database } = (await invoke("app_state")).sources.find((s) => s.name === DEMO);
    const tables = "SELECT count(*) FROM sqlite_schema WHERE type = 'table'";
    assert.ok(Number(sql(target, tables)) > 0 && Number(sql(target, tables)) <= Number(sql(database, tables)));
  } finally {
    s3.stop();
  }
});

// Azurite's one account and its published key.
const AZURE_ACCOUNT = "devstoreaccount1";
const AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Makes a container on Azurite, with a request signed as Azure's SDKs sign (SharedKey). */
async function azureContainer(port, container) {
  const { createHmac } = await import("node:crypto");
  const date = new Date().toUTCString();
  const version = "2021-08-06";
  const toSign = `PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${version}\n/${AZURE_ACCOUNT}/${AZURE_ACCOUNT}/${container}\nrestype:container`;
  const signature = createHmac("sha256", Buffer.from(AZURE_KEY, "base64")).update(toSign, "utf8").digest("base64");
  const res = await fetch(`http://127.0.0.1:${port}/${AZURE_ACCOUNT}/${container}?restype=container`, {
    method: "PUT",
    headers: { "x-ms-date": date, "x-ms-version": version, Authorization: `SharedKey ${AZURE_ACCOUNT}:${signature}` },
  });
  assert.equal(res.status, 201, `Azurite made the container: ${await res.text()}`);
}

test("copies elsewhere on Azure Blob Storage and Google Cloud Storage: each form, a wrong key said in words, copies sent, and found again from a copy", async () => {
  const azure = await startServer("azurite", process.env.E2E_AZURITE, (port, root) => [
    "--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", root, "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl",
  ]);
  const gcs = await startServer(
    "gcs",
    process.env.E2E_FAKE_GCS,
    (port, root) => ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "filesystem", "-filesystem-root", root, "-log-level", "error"],
    (root) => fs.mkdirSync(path.join(root, "family-backups")),
  );
  try {
    await azureContainer(azure.port, "family-backups");
    const azureEndpoint = `http://127.0.0.1:${azure.port}/${AZURE_ACCOUNT}`;
    await screen("settings");
    const section = await until("the copies elsewhere section", async () => (await shown("copies-elsewhere")) && $("copies-elsewhere"), LONG);
    await section.scrollIntoView();

    // Azure: account, container, account key; a wrong key first.
    await click("add-destination");
    await until("the destination form", () => shown("destination-form"), LONG);
    await (await $("dest-kind")).selectByAttribute("value", "azblob");
    await type("dest-name", "azure");
    await type("dest-account", AZURE_ACCOUNT);
    await type("dest-container", "family-backups");
    await click("dest-more"); // the endpoint and the folder inside are under More options
    await type("dest-endpoint", azureEndpoint);
    await type("dest-prefix", "laptop");
    await type("dest-secret", "bm90IHRoZSBhY2NvdW50IGtleQ==");
    await click("dest-test");
    await until("the test's answer", async () => /refused the login/.test(await text("dest-test-result")), LONG);
    await (await $("destination-form")).scrollIntoView();
    await shot("settings-copies-azure-wrong-key");
    await type("dest-secret", AZURE_KEY);
    await click("dest-test");
    await until("the connection to work", async () => /The connection works/.test(await text("dest-test-result")), LONG);
    await click("dest-save");
    await until("the Azure destination listed", async () => {
      for (const d of await $$("destination")) if ((await d.getAttribute("data-name")) === "azure") return true;
      return false;
    }, LONG);

    // Google Cloud Storage: a file that is not a service account's key is said in words; the
    // test server checks no login, so "No key".
    await click("add-destination");
    await until("the destination form", () => shown("destination-form"), LONG);
    await (await $("dest-kind")).selectByAttribute("value", "gcs");
    await type("dest-name", "google");
    await type("dest-bucket", "family-backups");
    const notKey = path.join(process.env.HOME, "not-a-key.json");
    fs.writeFileSync(notKey, "{\"shopping\": [\"milk\"]}");
    await click("dest-key-file-choose");
    await answerFileDialog("Choose the service account's key file", notKey, "settings-copies-google-key-dialog");
    await until("the key file chosen", async () => (await (await $("dest-key-file")).getValue()) === notKey);
    await click("dest-more"); // the endpoint and the folder inside are under More options
    await type("dest-endpoint", `http://127.0.0.1:${gcs.port}`);
    await type("dest-prefix", "laptop");
    await click("dest-test");
    await until("the test's answer", async () => /isn't a service account's key/.test(await text("dest-test-result")), LONG);
    await (await $("destination-form")).scrollIntoView();
    await shot("settings-copies-google-not-a-key");
    await click("dest-unsigned");
    await click("dest-test");
    await until("the connection to work", async () => /The connection works/.test(await text("dest-test-result")), LONG);
    await click("dest-save");
    await until("the Google destination listed", async () => {
      for (const d of await $$("destination")) if ((await d.getAttribute("data-name")) === "google") return true;
      return false;
    }, LONG);
    const saved = fs.readFileSync(path.join(process.env.XDG_CONFIG_HOME, "app.keepsake.desktop", "sources.toml"), "utf8");
    assert.match(saved, /kind = "azblob"/);
    assert.match(saved, /kind = "gcs"/);
    assert.ok(!saved.includes(AZURE_KEY), "the account key is in the keyring, not in the sources file");

    // Copy now: both get every backup, and Settings says so.
    await click("copy-now");
    for (const name of ["azure", "google"]) {
      await until(
        `the copies at ${name}`,
        async () => {
          for (const l of await $$("destination-status")) if (new RegExp(`Copied to ${name}`).test(await l.getText())) return true;
          return false;
        },
        LONG,
      );
    }
    const objects = fs.readdirSync(path.join(gcs.root, "family-backups", "laptop")).filter((n) => n.startsWith("backup_"));
    assert.ok(objects.length >= 1, `objects on the Google server: ${objects}`);
    await (await $("copies-elsewhere")).scrollIntoView();
    await shot("settings-copies-azure-google");

    // From the Azure copies alone, as on a new computer: the backups there are found.
    await click("open-restore-from-copy");
    await until("the restore from a copy form", () => shown("restore-from-copy"), LONG);
    await (await $$("dest-kind"))[0].selectByAttribute("value", "azblob");
    await type("dest-account", AZURE_ACCOUNT);
    await type("dest-container", "family-backups");
    await click("dest-more"); // the endpoint and the folder inside are under More options
    await type("dest-endpoint", azureEndpoint);
    await type("dest-prefix", "laptop");
    await type("dest-secret", AZURE_KEY);
    await click("from-copy-find");
    await until("the backups found there", () => shown("from-copy-found"), LONG);
    assert.ok((await $$("from-copy-backup")).length >= objects.length, "each backup copied to Azure is found there");
    await (await $("restore-from-copy")).scrollIntoView();
    await shot("settings-restore-from-azure");
  } finally {
    azure.stop();
    gcs.stop();
  }
});

test("low disk space: a warning on Home and on the desktop, a backup that cannot fit refused, and the oldest backups deleted to make room", async () => {
  // A small disk of its own: a 300 MiB tmpfs (the test runs as root, as on the project's machines).
  const disk = path.join(process.env.HOME, "small-disk");
  fs.mkdirSync(disk, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=300m,mode=0700", "keepsake-e2e", disk]);
  const NAME = "Photos";
  try {
    // 20 MiB of random bytes: every backup takes as much, whatever the compression.
    const db = path.join(process.env.HOME, "photos.db");
    sql(db, "CREATE TABLE b (b BLOB); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20) INSERT INTO b SELECT randomblob(1048000) FROM c;");
    await invoke("add_source", { request: { name: NAME, database: db, backupDir: path.join(disk, "backups") } });
    // Quick backups: no key to derive, no check after each.
    await invoke("update_source", { request: { name: NAME, patch: { encrypt: false } } });
    await invoke("update_source", { request: { name: NAME, patch: { verify_after_backup: false } } });
    const space = async () => (await invoke("app_state")).sources.find((s) => s.name === NAME).space;
    const seen = [];
    let made = 0;
    for (let state = (await space()).state; state !== "no_room"; state = (await space()).state) {
      seen.push(state);
      assert.ok(made < 20, `never full: ${seen}`);
      await invoke("create_backup", { request: { source: NAME, jobId: `e2e-photos-${made}` } });
      made += 1;
    }
    assert.ok(seen.includes("enough") && seen.includes("low"), `room, then low, then full: ${seen}`);
    const said = `The backup disk of ${NAME} is almost full`;
    const log = await until("the low-space notification", () => notifications().includes(said) && notifications(), LONG);
    assert.match(log.slice(log.indexOf(said)), /Open Keepsake to delete the \d+ oldest backup\(s\) and free/);
    // Told once while low, once more when the next one would not fit: not after every backup.
    const full = `The next backup of ${NAME} won't fit on its disk`;
    await until("the no-room notification", () => notifications().includes(full), LONG);
    assert.equal(notifications().split(said).length - 1, 1, "the low disk told once");

    // The next one cannot fit: refused, nothing written, the backups to delete named.
    const files = () => fs.readdirSync(path.join(disk, "backups")).length;
    const before = files();
    await assert.rejects(invoke("create_backup", { request: { source: NAME, jobId: "e2e-photos-full" } }), (e) => {
      assert.equal(e.ipc.code, "destination_full", e.message);
      assert.ok(e.ipc.facts.free_up?.enough, JSON.stringify(e.ipc.facts));
      return true;
    });
    assert.equal(files(), before, "nothing written");

    await screen("home");
    await (await $("source-picker")).selectByAttribute("value", NAME);
    const card = await until("the low-space card", async () => (await shown("low-space")) && $("low-space"), LONG);
    assert.equal(await card.getAttribute("data-state"), "no_room");
    assert.match(await card.getText(), /The next backup won't fit on the disk/);
    assert.match(await text("low-space-offer"), /Delete the \d+ oldest backups to free [\d.]+ MB\?/);
    await browser.execute(() => window.scrollTo(0, 0));
    await shot("home-low-space");
    const count = (await invoke("list_backups", { request: { source: NAME } })).length;
    await click("low-space-delete");
    await until("room made", () => shown("low-space-freed"), LONG);
    assert.ok((await invoke("list_backups", { request: { source: NAME } })).length < count, "the oldest backups deleted");
    assert.notEqual((await space()).state, "no_room");
    await shot("home-low-space-freed");
    // And the backup is made.
    await invoke("create_backup", { request: { source: NAME, jobId: "e2e-photos-after" } });
  } finally {
    await invoke("remove_source", { name: NAME }).catch(() => {});
    execFileSync("umount", ["-l", disk]);
  }
});

test("the weekly summary: a desktop notification once a week has passed, which opens History on the last 7 days", async () => {
  // The last summary went out eight days ago (Keepsake's own folder records it).
  const marker = path.join(process.env.XDG_DATA_HOME, "keepsake", "weekly-notification");
  assert.ok(fs.existsSync(marker), "the first week started when a database was first set up");
  fs.writeFileSync(marker, new Date(Date.now() - 8 * 86_400_000).toISOString());
  await screen("home");
  // The scheduler looks at least every 30 s.
  const said = "Your week with Keepsake";
  const log = await until("the weekly notification", () => notifications().includes(said) && notifications(), 90_000);
  const call = log.slice(log.lastIndexOf("member=Notify", log.indexOf(said)));
  assert.match(call, new RegExp(`${DEMO}: \\d+ backup\\(s\\), \\d+ failed`));
  assert.match(call, /string "default"\s+string "Open Keepsake"/);
  assert.ok(Date.parse(fs.readFileSync(marker, "utf8")) > Date.now() - 3_600_000, "the next one is a week from now");

  // Clicked (dunst's default action): the window shows History with the week.
  execFileSync("dunstctl", ["action", "0"]);
  const card = await until("History on the last 7 days", async () => (await shown("weekly-report")) && $("weekly-report"), LONG);
  const demoWeek = await until("the demo's week", async () => {
    for (const el of await $$("weekly-source")) if ((await el.getAttribute("data-source")) === DEMO) return el;
    return false;
  }, LONG);
  assert.match(await demoWeek.getText(), /\d+ backups? made/);
  await card.scrollIntoView();
  await shot("history-weekly");
});
