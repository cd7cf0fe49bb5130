import { setTimeout as sleep } from "node:timers/promises";
import { commitVersion, type FixtureApp, type VersionKind } from "./fixture-app.js";
import { pushApp } from "./push-app.js";
import type { Random } from "./random.js";
import { rollbackApp, type RollbackTarget } from "./rollback-app.js";
import type { ChangeKind, ChangeRecord } from "./types.js";

/** How often each kind of change is chosen. */
const WEIGHTS: [ChangeKind, number][] = [
  ["good", 0.6],
  ["broken-build", 0.08],
  ["unhealthy", 0.1],
  ["crash", 0.07],
  ["rollback", 0.15],
];

function chooseChange(random: Random): ChangeKind {
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
  signal: AbortSignal;
}

/** One change at a time for one app (push a version, or roll back), with a pause between changes. */
export async function runChangeLoop(options: ChangeLoopOptions): Promise<void> {
  const { app, target, random } = options;
  const server = { url: target.server.url, token: target.server.token };
  while (Date.now() < options.until && !options.signal.aborted) {
    const kind = chooseChange(random);
    const start = Date.now();
    if (kind === "rollback") {
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
    } else {
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
