import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FIXTURES, REPO_ROOT, UNBUNDLED_CLI } from "../support/paths.js";
import { runSkiff, type SkiffRun } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";

const REGISTER = pathToFileURL(join(FIXTURES, "record-imports", "register.mjs")).href;
const SRC = pathToFileURL(join(REPO_ROOT, "dist", "src")).href + "/";
const NODE_MODULES = pathToFileURL(join(REPO_ROOT, "node_modules")).href + "/";

export interface RecordedRun extends SkiffRun {
  /** Modules of skiff's own code the run loaded, relative to dist/src ("cli/main.js", "agent/index.js" …). */
  loaded: string[];
  /** The npm packages it loaded ES modules of, sorted ("commander", "zod", "@hono/node-server" …). */
  packages: string[];
}

/**
 * Runs the real CLI from tsc's per-file output (dist/src/cli/main.js) and records every module of
 * dist/src it loads (through a module loader hook). The bundle bin/skiff.js runs keeps the same lazy
 * imports as chunks: what a command loads here is what its chunks hold.
 */
export async function runSkiffRecorded(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<RecordedRun> {
  const file = join(tempDir("skiff-imports-"), "loaded.txt");
  const run = await runSkiff(args, {
    bin: UNBUNDLED_CLI,
    env: { ...options.env, NODE_OPTIONS: `--import=${REGISTER}`, SKIFF_RECORD_IMPORTS: file },
  });
  let urls: string[] = [];
  try {
    urls = readFileSync(file, "utf8").split("\n");
  } catch {
    // nothing loaded (the hook never ran): the caller's assertions say so
  }
  return {
    ...run,
    loaded: urls.filter((url) => url.startsWith(SRC)).map((url) => url.slice(SRC.length)),
    packages: packagesOf(urls),
  };
}

function packagesOf(urls: readonly string[]): string[] {
  const names = urls
    .filter((url) => url.startsWith(NODE_MODULES))
    .map((url) => {
      const [scope, name] = url.slice(NODE_MODULES.length).split("/");
      return scope!.startsWith("@") ? `${scope}/${name}` : scope!;
    });
  return [...new Set(names)].sort();
}

/** The parts a module list touches: "agent", "cli", "errors" … */
export function partsOf(loaded: readonly string[]): string[] {
  return [...new Set(loaded.map((path) => path.split("/")[0]!))].sort();
}
