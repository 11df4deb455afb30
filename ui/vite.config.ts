// Vite builds the window's assets into dist/ (the Tauri shell embeds it); vitest runs the
// component tests against a fake IPC backend in happy-dom.
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
    include: ["src/**/*.test.{ts,tsx}"],
    env: { TZ: "UTC" },
    pool: "threads",
    maxWorkers: 2,
  },
});
