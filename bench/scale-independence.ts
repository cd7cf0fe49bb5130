import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readState, startAgent, stopApp } from "../src/agent/index.js";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";
import type { SkiffEvent } from "../src/events/index.js";
import { percentile, storeScaleApp } from "./scale-host.js";

export interface IndependenceFigures {
  apps: number;
  /**
   * From the trigger after a store to that release of the third app serving, on an idle host and
   * beside the busy ones: medians of `deploys` deploys in a row.
   */
  idleHostMs: number;
  busyHostMs: number;
  deploys: number;
}

/** The median, as the rest of bench:scale reports it. */
const median = (values: number[]): number => percentile(values, 50);

/**
 * The agent's events as they happen: the bench waits on them rather than reading events.jsonl over
 * and over (on the busy host that log is many times longer, and reading it every few ms on the
 * agent's own event loop slowed the very deploys measured).
 */
function eventWatch(): {
  sink: { emit(event: SkiffEvent): void };
  until(match: (e: SkiffEvent) => boolean, timeoutMs: number): Promise<void>;
} {
  const seen: SkiffEvent[] = [];
  const waiters = new Set<{ match: (e: SkiffEvent) => boolean; resolve: () => void }>();
  return {
    sink: {
      emit(event) {
        seen.push(event);
        for (const waiter of waiters) if (waiter.match(event)) waiter.resolve();
      },
    },
    async until(match, timeoutMs) {
      if (seen.some(match)) return;
      let timer: NodeJS.Timeout | undefined;
      const waiter = { match, resolve: () => undefined as void };
      try {
        await new Promise<void>((resolve, reject) => {
          waiter.resolve = resolve;
          waiters.add(waiter);
          timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
        });
      } finally {
        waiters.delete(waiter);
        clearTimeout(timer);
      }
    },
  };
}

const serves =
  (app: string, release: number) =>
  (e: SkiffEvent): boolean =>
    e.app === app && e.type === "deploy.succeeded" && e.release === release;

/** The third app's deploys on a host of `apps` apps: one inside a 30 s window, one crash-looping. */
async function deployTimes(root: string, apps: number, busy: boolean, deploys: number): Promise<number[]> {
  mkdirSync(root, { recursive: true });
  const repo = join(root, "deploy.git");
  const data = join(root, "host");
  const names = ["third"];
  await storeScaleApp(root, repo, { app: "third", version: "v1" });
  if (busy) {
    for (let i = 0; i < apps - 3; i += 1) names.push(`filler-${i}`);
    for (const app of names.slice(1)) await storeScaleApp(root, repo, { app, version: "v1" });
    names.push("window", "crashy");
    await storeScaleApp(root, repo, { app: "window", version: "v1", confirm: "30s" });
    await storeScaleApp(root, repo, {
      app: "crashy",
      version: "v1",
      fixture: "die-after",
      // Crashes after its health check passed, even on a loaded host.
      env: { DIE_AFTER_MS: "5000" },
      restart: "{ limit: 100, backoff: 20s }",
    });
  }
  const watch = eventWatch();
  const agent = await startAgent({ repo, data, pollMs: 3_600_000, sinks: [watch.sink] });
  try {
    for (const app of names) await watch.until(serves(app, 1), 300_000);
    if (busy) {
      // A dead instance is restarted by a pass: passes until crashy waits out its 20 s backoff.
      const passes = setInterval(() => agent.trigger("bench: restart crashy"), 500);
      try {
        await watch.until((e) => e.app === "crashy" && e.type === "instance.backoff", 60_000);
      } finally {
        clearInterval(passes);
      }
      await storeScaleApp(root, repo, { app: "window", version: "v2", confirm: "30s" });
      agent.trigger("bench: window v2");
      await watch.until(
        (e) => e.app === "window" && e.type === "swap.phase" && e.message === "confirming",
        60_000,
      );
    }
    const times: number[] = [];
    for (let release = 2; release < 2 + deploys; release += 1) {
      await storeScaleApp(root, repo, { app: "third", version: `v${release}` });
      const began = performance.now();
      agent.trigger(`bench: third v${release}`);
      await watch.until(serves("third", release), 120_000);
      times.push(performance.now() - began);
    }
    return times;
  } finally {
    await agent.stop();
    for (const app of Object.keys(readState(data).apps)) await stopApp(data, app).catch(() => undefined);
    await stopFrontDoor(frontDoorDir(data));
  }
}

export async function measureIndependence(options: {
  root: string;
  apps: number;
  /** Deploys of the third app per host (default 5). */
  deploys?: number;
}): Promise<IndependenceFigures> {
  const deploys = options.deploys ?? 5;
  // Short names: the front door's control socket path must fit a unix socket's 108 bytes.
  const idle = await deployTimes(join(options.root, "ind-idle"), options.apps, false, deploys);
  const busy = await deployTimes(join(options.root, "ind-busy"), options.apps, true, deploys);
  return { apps: options.apps, idleHostMs: median(idle), busyHostMs: median(busy), deploys };
}
