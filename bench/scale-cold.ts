import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort, startAgent, stopApp } from "../src/agent/index.js";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";
import { readEvents, REPO_ROOT } from "./bench-host.js";
import { asleep, percentile, storeScaleApp, until } from "./scale-host.js";
import { timedRequest } from "./timed-request.js";

export interface ColdFigures {
  wakes: number;
  lost: number;
  /** First SYN to first response byte through the door, from zero. */
  coldMs: { p50: number; p99: number };
  /** The instance's own start: spawn to its port accepting, measured in the same run. */
  ownStartMs: { p50: number; p99: number };
  burst: { connections: number; answered: number; replicas: number };
}

/** Spawns the fixture unikernel itself and times until its port accepts a connection. */
async function ownStart(program: string, port: number): Promise<number> {
  const began = performance.now();
  const child = spawn(program, [], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: "ignore",
  });
  try {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
      });
      if (ok) return performance.now() - began;
      await sleep(1);
    }
  } finally {
    child.kill("SIGKILL");
  }
}

/** Cold starts through the door: `wakes` wakes from zero one after another, then a burst of `burst` connections from zero. */
export async function measureColdStart(options: {
  root: string;
  wakes: number;
  burst: number;
  log: (line: string) => void;
}): Promise<ColdFigures> {
  const root = join(options.root, "cold");
  mkdirSync(root, { recursive: true });
  const repo = join(root, "deploy.git");
  const data = join(root, "host");
  const front = (await findFreePort())!;
  await storeScaleApp(root, repo, { app: "cold", version: "v1", scale: "{ min: 0, max: 1, idle: 100ms }" });
  await storeScaleApp(root, repo, {
    app: "burst",
    version: "v1",
    scale: `{ min: 0, max: 4, concurrency: ${Math.max(1, Math.ceil(options.burst / 4))}, idle: 1h }`,
  });
  const agent = await startAgent({ repo, data, pollMs: 3_600_000, front: `127.0.0.1:${front}` });
  const cold: number[] = [];
  let lost = 0;
  try {
    await until(() => asleep(data, "cold") && asleep(data, "burst"), 60_000);
    for (let i = 0; i < options.wakes; i += 1) {
      await until(() => asleep(data, "cold"), 30_000);
      const answer = await timedRequest(front, "cold.localhost");
      if (answer.ok) cold.push(answer.firstByteMs);
      else lost += 1;
      if ((i + 1) % 50 === 0) options.log(`  ${i + 1} cold wakes`);
    }
    const own: number[] = [];
    const program = join(root, "own-start.mjs");
    const source = readFileSync(join(REPO_ROOT, "test", "fixtures", "unikernels", "serve.mjs"), "utf8");
    writeFileSync(program, source, { mode: 0o755 });
    for (let i = 0; i < Math.min(options.wakes, 50); i += 1)
      own.push(await ownStart(program, (await findFreePort())!));
    const answers = await Promise.all(
      Array.from({ length: options.burst }, () => timedRequest(front, "burst.localhost")),
    );
    await agent.settled("burst");
    const replicas = readEvents(data).filter((e) => e.app === "burst" && e.type === "instance.woken").length;
    return {
      wakes: options.wakes,
      lost,
      coldMs: { p50: percentile(cold, 50), p99: percentile(cold, 99) },
      ownStartMs: { p50: percentile(own, 50), p99: percentile(own, 99) },
      burst: { connections: options.burst, answered: answers.filter((a) => a.ok).length, replicas },
    };
  } finally {
    await agent.stop();
    for (const app of ["cold", "burst"]) await stopApp(data, app).catch(() => undefined);
    await stopFrontDoor(frontDoorDir(data));
  }
}
