// Store timing: N stores of examples/hello's unix executable (each a distinct build, as after a push)
// into one deployment repository; prints the median and p95 of one storeRelease call.
// Run: make -C examples/hello && npx tsc -p . && node dist/bench/store-release.js [--stores 20] [--url]
// --url stores through a file:// URL (the fetch/push path a remote deployment repository takes).
import { createHash } from "node:crypto";
import { copyFileSync, appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseConfig } from "../src/config/index.js";
import { storeRelease, type StoreInput } from "../src/store/index.js";
import { REPO_ROOT } from "./bench-host.js";
import { parseBenchArgs } from "./bench-args.js";

const { values } = parseBenchArgs("usage: node dist/bench/store-release.js [--stores 20] [--url]", {
  stores: { type: "string", default: "20" },
  url: { type: "boolean", default: false },
});
const STORES = Number(values.stores);
const EXAMPLE = join(REPO_ROOT, "examples", "hello");

/** A build of examples/hello whose executable differs from every other one by its last bytes. */
function makeBuild(dir: string, index: number): StoreInput {
  const path = join(dir, `hello-${index}`);
  copyFileSync(join(EXAMPLE, "_build", "hello"), path);
  appendFileSync(path, `\nbuild ${index}\n`);
  const bytes = readFileSync(path);
  return {
    buildId: `bench-${index}`,
    app: "hello",
    commit: createHash("sha1").update(bytes).digest("hex"),
    durationMs: 0,
    config: parseConfig(readFileSync(join(EXAMPLE, "skiff.yml"), "utf8")),
    targets: [
      {
        target: "unix",
        deploy: true,
        artifacts: [
          {
            name: "hello",
            path,
            size: statSync(path).size,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            mode: 0o755,
          },
        ],
      },
    ],
  };
}

const dir = mkdtempSync(join(tmpdir(), "skiff-bench-store-"));
try {
  const repo = join(dir, "deploy.git");
  const to = values.url ? pathToFileURL(repo).href : repo;
  // The first store creates the repository; it is not timed.
  await storeRelease({ to: repo, build: makeBuild(dir, 0) });
  const builds = Array.from({ length: STORES }, (_, i) => makeBuild(dir, i + 1));
  const times: number[] = [];
  for (const build of builds) {
    const started = performance.now();
    await storeRelease({ to, build });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
  console.log(
    `${STORES} stores into ${values.url ? "a file:// URL" : "a local path"}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
