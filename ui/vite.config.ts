/// <reference types="node" />
// Vite builds the window's assets into dist/ (the Tauri shell embeds it); vitest runs the
// component tests against a fake IPC backend in happy-dom, and with KEEPSAKE_REAL_SHELL=1
// (`npm run test:real`, after the Rust build) the `*.real.test.tsx` ones against the real shell.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs, so the same dist/ works from Tauri's custom protocol and from a plain
  // static server (the mocked-IPC screenshot harness).
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // errors.test.ts reads the error list (the model crate's) to prove every code has wording.
    fs: { allow: [".", "../crates/model/src"] },
  },
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 1024 },
  test: {
    environment: "happy-dom",
    setupFiles: ["src/testing/setup.ts"],
    include: process.env.KEEPSAKE_REAL_SHELL ? ["src/**/*.real.test.{ts,tsx}"] : ["src/**/*.test.{ts,tsx}"],
    exclude: process.env.KEEPSAKE_REAL_SHELL ? [] : ["src/**/*.real.test.{ts,tsx}"],
    env: { TZ: "UTC" },
    pool: "threads",
    maxWorkers: 2,
  },
});
