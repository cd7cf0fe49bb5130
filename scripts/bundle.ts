// Bundles skiff's own programs (the CLI, the front door, the per-app proxy, the config worker) into
// dist/bundle with esbuild: one file per program and shared chunks, instead of ~150 modules and
// ~60 of zod's locale files loaded one by one: `skiff --help` and `skiff status` start in about
// half the time over bare node, and each long-running process holds less. bin/skiff.js runs it
// (docs/decisions.md, "One bundle per program"); npm run bench:cli measures it beside dist/src.
// Run: node dist/scripts/bundle.js (npm run build does).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { packageRoot } from "../src/process/index.js";

/** The programs skiff starts as processes of their own, by their path under src/ (ownProgram's names). */
const PROGRAMS = ["cli/main", "config/config-worker", "proxy/main", "proxy/front/main"];

/**
 * Left to node_modules: etcd3 loads its .proto files from its own folder at run time, so it
 * cannot move into a bundle (and only `--fleet` loads it).
 */
const EXTERNAL = ["etcd3"];

const REPO_ROOT = packageRoot();
const outdir = join(REPO_ROOT, "dist", "bundle");

/**
 * skiff speaks English: zod's messages in its 50-odd other languages (a third of zod's code, and
 * as much of the time node spends compiling it) stay out. z.locales holds only `en`.
 */
const englishOnlyZod: Plugin = {
  name: "english-only-zod",
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(join("node_modules", "zod"))
        ? { path: "zod-locales", namespace: "skiff" }
        : undefined,
    );
    plugin.onLoad({ filter: /^zod-locales$/, namespace: "skiff" }, () => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: REPO_ROOT,
    }));
  },
};
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: REPO_ROOT,
  entryPoints: PROGRAMS.map((name) => ({ in: `src/${name}.ts`, out: name })),
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  // Shared code goes to chunks, and every `await import()` stays lazy: a command loads its part only when it runs.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  plugins: [englishOnlyZod],
  // Less for node to read and compile at every start; identifiers stay, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // Tells ownProgram where the other programs are (src/process/own-files.ts).
  define: { __SKIFF_BUNDLE__: "true" },
  // The CommonJS packages inside (commander, pino …) call require for node's own modules.
  banner: {
    js: 'import { createRequire as __skiffRequire } from "node:module";\nconst require = __skiffRequire(import.meta.url);',
  },
  sourcemap: "linked",
  logLevel: "warning",
  metafile: true,
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith(".map"))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
process.stdout.write(
  `bundled ${PROGRAMS.length} programs into dist/bundle (${(bytes / 1e6).toFixed(1)} MB)\n`,
);
