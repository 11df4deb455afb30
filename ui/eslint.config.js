// Lint rules for the UI. The import restriction is the architecture rule from STYLE.md: only
// src/api.ts talks to Tauri; screens and hooks go through it (test harness code is exempt).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "dist-mock", "node_modules"] },
  {
    files: ["**/*.{ts,tsx,js}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@tauri-apps/*"],
              message: "Only src/api.ts may import @tauri-apps/*; import from ./api instead.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/api.ts", "src/testing/**", "src/**/*.test.{ts,tsx}"],
    rules: { "no-restricted-imports": "off" },
  },
);
