// Density: one front door with 120 apps (100 with no backend, scaled to zero; 20 with one backend),
// each with a hostname and a publish port; prints the door's resident memory (its HAProxy included).
// Run: node dist/bench/front-door-density.js [--apps 120] [--with-backend 20] [--engines node,haproxy] [--json]
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runLoad } from "../src/load/index.js";
import { ensureFrontDoor, stopFrontDoor } from "../src/proxy/index.js";
import { parseBenchArgs } from "./bench-args.js";
import { processTreeMemory, type TreeMemory } from "./process-cpu.js";

const { values } = parseBenchArgs(
  "usage: node dist/bench/front-door-density.js [--apps 120] [--with-backend 20] [--engines node,haproxy] [--json]",
  {
    apps: { type: "string", default: "120" },
    "with-backend": { type: "string", default: "20" },
    engines: { type: "string", default: "node,haproxy" },
    json: { type: "boolean", default: false },
  },
);
const APPS = Number(values.apps);
const WITH_BACKEND = Number(values["with-backend"]);
export const DENSITY_GOAL_MIB = 150;

const backend = createServer((_req, res) => res.end("ok\n"));
await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
const backendPort = (backend.address() as { port: number }).port;
const root = mkdtempSync(join(tmpdir(), "skiff-front-density-"));
const results: {
  engine: string;
  apps: number;
  configureMs: number;
  idle: TreeMemory;
  afterTraffic: TreeMemory;
}[] = [];
try {
  for (const engine of values.engines.split(",") as ("node" | "haproxy")[]) {
    const dir = join(root, engine);
    const door = await ensureFrontDoor({ dir, engine, front: "127.0.0.1:0" });
    const front = Number((await door.status()).front?.split(":")[1]);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: APPS }, (_, i) =>
        door.setApp(`app-${i}`, {
          publish: "127.0.0.1:0",
          hostname: `app-${i}.localhost`,
          scale: { min: i < WITH_BACKEND ? 1 : 0, wakeTimeoutMs: 10_000 },
          backends:
            i < WITH_BACKEND
              ? [{ id: `app-${i}-1-aaaa`, address: `127.0.0.1:${backendPort}`, state: "ready" }]
              : [],
        }),
      ),
    );
    const configureMs = Date.now() - started;
    await sleep(1000);
    const idle = processTreeMemory(door.pid);
    for (let i = 0; i < WITH_BACKEND; i += 1)
      await runLoad({
        url: `http://127.0.0.1:${front}/`,
        host: `app-${i}.localhost`,
        concurrency: 4,
        durationMs: 200,
        maxRequests: 200,
      });
    await sleep(500);
    results.push({ engine, apps: APPS, configureMs, idle, afterTraffic: processTreeMemory(door.pid) });
    await stopFrontDoor(dir);
  }
} finally {
  backend.close();
  rmSync(root, { recursive: true, force: true });
}
if (values.json) console.log(JSON.stringify({ goalMiB: DENSITY_GOAL_MIB, results }, null, 2));
else {
  console.log(
    `front door density: ${APPS} apps (${APPS - WITH_BACKEND} with no backend, ${WITH_BACKEND} with one), each a hostname and a publish port`,
  );
  console.log(
    `  goal: front door + agent ≤ ${DENSITY_GOAL_MIB} MB together (the agent's share is measured by bench:scale)`,
  );
  console.log(
    "  (MiB; PSS counts a page shared by n processes as 1/n: node's code is shared with the agent's node)",
  );
  const mem = (m: TreeMemory): string =>
    `RSS ${m.rssMiB.toFixed(1).padStart(6)}  PSS ${m.pssMiB.toFixed(1).padStart(6)}  private ${m.anonMiB.toFixed(1).padStart(6)}`;
  for (const r of results) {
    console.log(`  ${r.engine.padEnd(8)} configured in ${String(r.configureMs).padStart(5)} ms`);
    console.log(`    idle           ${mem(r.idle)}`);
    console.log(`    after traffic  ${mem(r.afterTraffic)}`);
  }
}
