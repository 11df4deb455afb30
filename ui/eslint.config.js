// Lint rules for the UI. The import restriction is the architecture rule from STYLE.md: only
// src/api.ts talks to Tauri; screens and hooks go through it (test harness code is exempt).
// No source file grows past 250 lines (blank lines and comments count): a screen that needs more
// is split into pieces in a folder of its own (screens/restore/, ...). Tests, the generated
// bindings and the fake shell are exempt.
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
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/**/*.test.*", "src/bindings.ts", "src/testing/**"],
    rules: { "max-lines": ["error", { max: 250, skipBlankLines: false, skipComments: false }] },
  },
);
