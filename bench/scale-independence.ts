import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readState, startAgent, stopApp } from "../src/agent/index.js";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";
import { readEvents } from "./bench-host.js";
import { storeScaleApp } from "./scale-host.js";

export interface IndependenceFigures {
  apps: number;
  /** From the trigger after the store to release 2 of the third app serving: on an idle host, and beside the busy ones. */
  idleHostMs: number;
  busyHostMs: number;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}

const serves = (data: string, app: string, release: number): boolean =>
  readEvents(data).some((e) => e.app === app && e.type === "deploy.succeeded" && e.release === release);

/** The third app's deploy on a host of `apps` apps: one inside a 30 s window, one crash-looping. */
async function deployTime(root: string, apps: number, busy: boolean): Promise<number> {
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
    await storeScaleApp(root, repo, { app: "third", version: "v2" });
    const began = performance.now();
    agent.trigger("bench: third v2");
    await until(() => serves(data, "third", 2), 120_000);
    return performance.now() - began;
  } finally {
    await agent.stop();
    for (const app of Object.keys(readState(data).apps)) await stopApp(data, app).catch(() => undefined);
    await stopFrontDoor(frontDoorDir(data));
  }
}

export async function measureIndependence(options: {
  root: string;
  apps: number;
}): Promise<IndependenceFigures> {
  // Short names: the front door's control socket path must fit a unix socket's 108 bytes.
  const idleHostMs = await deployTime(join(options.root, "ind-idle"), options.apps, false);
  const busyHostMs = await deployTime(join(options.root, "ind-busy"), options.apps, true);
  return { apps: options.apps, idleHostMs, busyHostMs };
}
