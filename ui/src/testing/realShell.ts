/// <reference types="node" />
// The real shell for screen tests: the app's own commands on real engines and real SQLite files
// in a temporary folder (`src-tauri/examples/ipc_bridge.rs`, built by `cargo test`), reached
// through the same mocked IPC the fake shell uses, its events emitted to the window as the app
// emits them. Tests that use it are `*.real.test.tsx`, run by `npm run test:real` after the Rust
// build (`make test`), never by the plain `npm test`.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

/** Where `cargo test` leaves the bridge (from ui/), unless KEEPSAKE_IPC_BRIDGE says otherwise. */
const BRIDGE = process.env.KEEPSAKE_IPC_BRIDGE ?? join(process.cwd(), "../target/debug/examples/ipc_bridge");

interface Answer {
  id?: number;
  ok?: unknown;
  err?: unknown;
  event?: string;
  payload?: unknown;
}

/** A running bridge: its folder, and how to stop it. */
export interface RealShell {
  dir: string;
  stop: () => void;
}

/** Starts the bridge in a new temporary folder and routes the window's IPC to it. */
export function startRealShell(): RealShell {
  const dir = mkdtempSync(join(tmpdir(), "keepsake-ui-"));
  const child = spawn(BRIDGE, [dir], { stdio: ["pipe", "pipe", "inherit"] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 1;
  let stopped = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    // A line cut off by stopping the bridge in the middle of writing it is not an answer.
    if (stopped) return;
    const answer = JSON.parse(line) as Answer;
    if (answer.event !== undefined) {
      void emit(answer.event, answer.payload);
      return;
    }
    const waiting = answer.id === undefined ? undefined : pending.get(answer.id);
    if (!waiting || answer.id === undefined) return;
    pending.delete(answer.id);
    if ("err" in answer) waiting.reject(answer.err);
    else waiting.resolve(answer.ok ?? null);
  });
  child.on("exit", (code) => {
    for (const w of pending.values()) w.reject({ code: "io", message: `the bridge exited (${String(code)})`, facts: {} });
    pending.clear();
  });
  mockIPC(
    (cmd, args) =>
      new Promise((resolve, reject) => {
        if (stopped) {
          reject({ code: "io", message: "the bridge was stopped", facts: {} });
          return;
        }
        const id = next++;
        pending.set(id, { resolve, reject });
        child.stdin.write(`${JSON.stringify({ id, cmd, args: args ?? {} })}\n`);
      }),
    { shouldMockEvents: true },
  );
  return {
    dir,
    // The window is unmounted and the mocks cleared after each test by testing/setup.ts.
    stop: () => {
      stopped = true;
      child.stdin.end();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
