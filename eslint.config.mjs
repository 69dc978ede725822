// ESLint for the screens' JavaScript: plain ES modules in the browser, no build step (docs/ARCHITECTURE.md).
// `npx eslint .` — CI runs it from scripts/test.sh.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "build/", "bench/results/", "offline/"] },
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, io: "readonly", Chart: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none", ignoreRestSiblings: true }],
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    files: ["eslint.config.mjs"],
    languageOptions: { globals: globals.node },
  },
];
