import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readState, startAgent, stopApp } from "../src/agent/index.js";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";
import { readEvents } from "./bench-host.js";
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

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}

const serves = (data: string, app: string, release: number): boolean =>
  readEvents(data).some((e) => e.app === app && e.type === "deploy.succeeded" && e.release === release);

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
  const agent = await startAgent({ repo, data, pollMs: 3_600_000 });
  try {
    await until(() => names.every((app) => serves(data, app, 1)), 300_000);
    if (busy) {
      // A dead instance is restarted by a pass: passes until crashy waits out its 20 s backoff.
      const passes = setInterval(() => agent.trigger("bench: restart crashy"), 500);
      try {
        await until(
          () => readEvents(data).some((e) => e.app === "crashy" && e.type === "instance.backoff"),
          60_000,
        );
      } finally {
        clearInterval(passes);
      }
      await storeScaleApp(root, repo, { app: "window", version: "v2", confirm: "30s" });
      agent.trigger("bench: window v2");
      await until(
        () =>
          readEvents(data).some(
            (e) => e.app === "window" && e.type === "swap.phase" && e.message === "confirming",
          ),
        60_000,
      );
    }
    const times: number[] = [];
    for (let release = 2; release < 2 + deploys; release += 1) {
      await storeScaleApp(root, repo, { app: "third", version: `v${release}` });
      const began = performance.now();
      agent.trigger(`bench: third v${release}`);
      await until(() => serves(data, "third", release), 120_000);
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
