// Fleet benchmarks (issue 15): how fast a new host joins a deployment repository of many releases
// (partial mirror, and the full clone beside it), and how large the repository grows with and
// without skiff gc. The repositories are built once with git fast-import and kept in .cache/bench.
// Run: npm run bench:fleet [-- --runs 3 --releases 500 --image-mib 5 --growth 200 --keep 5]
import { createServer } from "node:net";
import { parseBenchArgs } from "./bench-args.js";
import { benchGrowth } from "./fleet-growth.js";
import { benchJoin, type JoinRun } from "./fleet-join.js";

const USAGE = `usage: node dist/bench/fleet.js [--runs 3] [--releases 500] [--image-mib 5] [--growth 200] [--keep 5]
  [--steady 20] [--port 47817] [--no-full] [--only join|growth]
  --releases   releases in the repository a new host joins      --growth  releases before the size is measured
  --steady     stores of skiff store --keep N --gc from empty   --no-full skip the full-clone join (slow)`;

const { values } = parseBenchArgs(USAGE, {
  runs: { type: "string", default: "3" },
  releases: { type: "string", default: "500" },
  "image-mib": { type: "string", default: "5" },
  growth: { type: "string", default: "200" },
  keep: { type: "string", default: "5" },
  steady: { type: "string", default: "20" },
  port: { type: "string", default: "47817" },
  "no-full": { type: "boolean", default: false },
  only: { type: "string" },
});
const runs = Number(values.runs);
const imageBytes = Math.round(Number(values["image-mib"]) * 1024 * 1024);
const port = Number(values.port);
const keep = Number(values.keep);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function assertPortFree(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new Error(`port ${port} is taken: pass --port`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function printJoin(all: readonly JoinRun[], releases: number): void {
  process.stdout.write(
    `\njoin: a new host follows ${releases} releases of ${mib(imageBytes)} images over HTTP\n`,
  );
  for (const mirror of ["partial", "full"] as const) {
    const runsOf = all.filter((run) => run.mirror === mirror);
    if (runsOf.length === 0) continue;
    const ms = median(runsOf.map((run) => run.ms));
    const bytes = median(runsOf.map((run) => run.bytes));
    const goal = mirror === "partial" ? `  (goal ≤ 5 s, ≤ ${mib(2.5 * imageBytes)})` : "";
    const phase = (key: keyof JoinRun["phases"]): string =>
      (median(runsOf.map((run) => run.phases[key])) / 1000).toFixed(2);
    process.stdout.write(
      `  ${mirror.padEnd(7)} mirror  serves in ${(ms / 1000).toFixed(2)} s, transferred ${mib(bytes)} = ${(bytes / imageBytes).toFixed(2)} × one image${goal}   [runs: ${runsOf.map((r) => (r.ms / 1000).toFixed(2)).join(", ")} s]\n` +
        `          agent up ${phase("started")} s, main fetched ${phase("fetched")} s, release unpacked ${phase("unpacked")} s (medians, from the start)\n`,
    );
  }
}

await assertPortFree();
if (values.only !== "growth") {
  const releases = Number(values.releases);
  printJoin(await benchJoin({ releases, imageBytes, port, runs, full: !values["no-full"] }), releases);
}
if (values.only !== "join") {
  const releases = Number(values.growth);
  const growth = await benchGrowth({
    releases,
    imageBytes,
    port,
    keep,
    runs,
    steadyStores: Number(values.steady),
  });
  const goal = keep * imageBytes * 1.1;
  process.stdout.write(`\ngrowth: ${releases} releases of ${mib(imageBytes)} images, keep ${keep}\n`);
  process.stdout.write(`  without gc  ${mib(growth.withoutGc)}\n`);
  process.stdout.write(
    `  with gc     ${mib(median(growth.withGc))}  (goal ≤ ${keep} × image + 10 % = ${mib(goal)}); skiff gc took ${(median(growth.gcMs) / 1000).toFixed(1)} s (median of ${runs})\n`,
  );
  if (growth.steady.length > 0) {
    process.stdout.write(
      `  store --keep ${keep} --gc, ${growth.steady.length} stores from empty: ${mib(growth.steady.at(-1)!)} at the end, at most ${mib(Math.max(...growth.steady))}\n`,
    );
  }
}
