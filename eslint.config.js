// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["dist/", "node_modules/", "examples/**/_build/", ".skiff/", "**/*.mjs", "**/*.js", "**/*.cjs"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A long-running agent must not drop a rejected promise.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: "package", name: ["describe", "it", "test", "suite"], package: "node:test" },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: "Commands never call process.exit; throw a SkiffError.",
        },
        {
          // Node 20 can hang for good when a key it just generated is exported (src/trust/new-key-pair.ts).
          selector: "ImportSpecifier[imported.name=/^generateKeyPair(Sync)?$/]",
          message:
            "Make keys with newKeyPair (src/trust): node 20 can deadlock on the key objects generateKeyPairSync returns.",
        },
      ],
    },
  },
  {
    files: ["src/trust/new-key-pair.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // Parts talk through their front door (docs/decisions.md): an import that reaches into another
    // folder names its index.js, for the parts of src/ and for the sub-parts inside one (src/agent/swap/ …).
    // A folder may also offer light.js: a second front door that loads little, for what must start
    // fast (skiff status reads agent/light.js, not the whole agent that index.js loads).
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // ./x/y.js, ../x/y.js, ../../x/y/z.js …: anything inside another folder but its index.js or light.js.
              regex: "^(\\./|(\\.\\./)+)[^./][^/]*/(?!(index|light)\\.js$)",
              message:
                "Import another part (or sub-part) through its index.js (or its light.js): it says what the part offers.",
            },
          ],
        },
      ],
    },
  },
  {
    // Known exceptions. trust reads the manifest's schema file: store's index.js imports trust, so
    // going through it would be an import cycle. The program registers one module per command.
    files: [
      "src/trust/expiry.ts",
      "src/trust/release-signer.ts",
      "src/trust/signed-manifest.ts",
      "src/cli/program.ts",
    ],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: [
      "src/cli/main.ts",
      "src/proxy/main.ts",
      "src/proxy/front/main.ts",
      "scripts/**/*.ts",
      "bench/**/*.ts",
      "test/fixtures/**/*.ts",
      // Ends a hung test file's process: the guard of the test runner, not a command.
      "test/support/leak-guard.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
);
