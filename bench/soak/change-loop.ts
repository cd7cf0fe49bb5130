import { setTimeout as sleep } from "node:timers/promises";
import { commitVersion, type FixtureApp, type VersionKind } from "./fixture-app.js";
import { pushApp } from "./push-app.js";
import type { Random } from "./random.js";
import { rollbackApp, type RollbackTarget } from "./rollback-app.js";
import type { ChangeKind, ChangeRecord } from "./types.js";
import { wakeApp, type WakeContext } from "./wake.js";

/** How often the sleepy app, where scale-to-zero is honoured, is left idle and woken instead. */
const WAKE_CHANCE = 0.2;

/** How often each kind of change is chosen. */
const WEIGHTS: [Exclude<ChangeKind, "wake">, number][] = [
  ["good", 0.6],
  ["broken-build", 0.08],
  ["unhealthy", 0.1],
  ["crash", 0.07],
  ["rollback", 0.15],
];

function chooseChange(random: Random, wakes: boolean): ChangeKind {
  if (wakes && random.chance(WAKE_CHANCE)) return "wake";
  let x = random.next();
  for (const [kind, weight] of WEIGHTS) {
    if (x < weight) return kind;
    x -= weight;
  }
  return "good";
}

export interface ChangeLoopOptions {
  app: FixtureApp;
  target: RollbackTarget;
  /** deploy.port of the fixture (a port the server holds). */
  port: number;
  random: Random;
  until: number;
  records: ChangeRecord[];
  /** Where the app is sleepy and scale-to-zero is honoured: how to wake it (the hosts to pick from). */
  wake?: { ctx: WakeContext; hosts: string[] };
  signal: AbortSignal;
}

/** One change at a time for one app (push a version, or roll back), with a pause between changes. */
export async function runChangeLoop(options: ChangeLoopOptions): Promise<void> {
  const { app, target, random } = options;
  const server = { url: target.server.url, token: target.server.token };
  while (Date.now() < options.until && !options.signal.aborted) {
    const kind = chooseChange(random, options.wake !== undefined);
    const start = Date.now();
    if (kind === "wake" && options.wake !== undefined) {
      const host = random.pick(options.wake.hosts);
      const done = await wakeApp(options.wake.ctx, app, host);
      options.records.push({ app: app.name, kind, host, start, end: Date.now(), ...done });
    } else if (kind === "rollback") {
      const done = await rollbackApp(app, target, random);
      if (done.to !== undefined || !done.ok) {
        options.records.push({
          app: app.name,
          kind,
          to: done.to,
          start,
          end: Date.now(),
          ok: done.ok,
          detail: done.detail,
        });
      }
    } else if (kind !== "wake") {
      options.records.push(await pushVersion(app, kind, options.port, server, target.env, start));
    }
    await sleep(random.int(1000, 3000), undefined, { signal: options.signal }).catch(() => undefined);
  }
}

async function pushVersion(
  app: FixtureApp,
  kind: VersionKind,
  port: number,
  server: { url: string; token: string },
  env: NodeJS.ProcessEnv,
  start: number,
): Promise<ChangeRecord> {
  const { label, commit } = await commitVersion(app, kind, port);
  const pushed = await pushApp(app, server, env);
  return { app: app.name, kind, label, commit, start, end: Date.now(), ok: pushed.ok, detail: pushed.detail };
}
