import { connect } from "node:net";
import { request } from "node:http";
import { after, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { findHaproxy } from "../../src/proxy/front/haproxy/index.js";
import {
  ensureFrontDoor,
  stopFrontDoor,
  type FrontDoorClient,
  type FrontEvent,
} from "../../src/proxy/index.js";
import { requireTier } from "../support/tiers.js";
import { startEchoBackend, startHttpBackend, type Backend } from "./backends.js";
import { tempDir } from "../support/temp.js";

export const ENGINES = ["node", "haproxy"] as const;
export type Engine = (typeof ENGINES)[number];

const dirs: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
// Doors are stopped while their directories exist: tempDir removes them only when the file exits.
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const dir of dirs) await stopFrontDoor(dir);
});
const root = tempDir("skiff-front-");
let count = 0;

export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

const haproxy = findHaproxy();

/** False (and the test skipped with the reason, or failed where the tier is required) when the engine cannot run here. */
export async function engineRuns(t: TestContext, engine: Engine): Promise<boolean> {
  if (engine === "node") return true;
  const found = await haproxy;
  return requireTier(t, "haproxy", found.found ? undefined : found.reason);
}

export function doorDir(name = "door"): string {
  count += 1;
  const dir = `${root}/${name}-${count}`;
  dirs.push(dir);
  return dir;
}

/** A fresh front door of `engine` with a shared listener on a free port. */
export async function startDoor(
  engine: Engine,
  options: { frontIndex?: boolean } = {},
): Promise<{ door: FrontDoorClient; front: number }> {
  const door = await ensureFrontDoor({
    dir: doorDir(engine),
    engine,
    front: "127.0.0.1:0",
    frontIndex: options.frontIndex ?? false,
  });
  const front = Number((await door.status()).front?.split(":")[1]);
  return { door, front };
}

export const portOf = (address: string | null): number => Number(address?.split(":").at(-1));

/** GET over a new connection with a Host header; resolves with status and body. */
export function getWithHost(
  port: number,
  host: string,
  options: { path?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: options.path ?? "/",
        headers: { host },
        agent: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 5000}ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Sends raw bytes on a new connection; resolves with what came back and how it ended. */
export function sendRaw(
  port: number,
  bytes: string | Buffer,
  options: { timeoutMs?: number; endAfterWrite?: boolean } = {},
): Promise<{ received: string; ended: "reset" | "closed"; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    let reset = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `not closed within ${options.timeoutMs ?? 5000}ms (got ${JSON.stringify(received.slice(0, 80))})`,
        ),
      );
    }, options.timeoutMs ?? 5000);
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", (error: NodeJS.ErrnoException) => (reset = error.code === "ECONNRESET"));
    socket.on("end", () => socket.end());
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ received, ended: reset ? "reset" : "closed", ms: Date.now() - started });
    });
    if (bytes.length > 0) socket.write(bytes);
    if (options.endAfterWrite === true) socket.end();
  });
}

/** Collects the door's events; `next` resolves with the first one (from now or already seen) that matches. */
export function watchEvents(door: FrontDoorClient): {
  events: FrontEvent[];
  next: (match: (e: FrontEvent) => boolean, timeoutMs?: number) => Promise<FrontEvent>;
  stop: () => Promise<void>;
} {
  const abort = new AbortController();
  const events: FrontEvent[] = [];
  const waiting = new Set<() => void>();
  const watching = door.watch({
    signal: abort.signal,
    onEvent: (event) => {
      events.push(event);
      for (const wake of waiting) wake();
    },
  });
  const stop = async (): Promise<void> => {
    abort.abort();
    await watching;
  };
  onCleanup(stop);
  return {
    events,
    stop,
    next: (match, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match);
          if (found === undefined) return false;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs}ms: ${JSON.stringify(events.map((e) => e.type))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiting.add(check);
      }),
  };
}

/** Polls `check` until it is true (bounded). */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs}ms`);
    await sleep(10);
  }
}

/** An HTTP backend answering "<name>\n", closed when the file ends. */
export async function httpBackend(name: string): Promise<Backend> {
  const started = await startHttpBackend(name);
  onCleanup(started.close);
  return started;
}

/** A TCP echo backend ("<name>:<bytes>"), closed when the file ends. */
export async function echoBackend(name: string): Promise<Awaited<ReturnType<typeof startEchoBackend>>> {
  const started = await startEchoBackend(name);
  onCleanup(started.close);
  return started;
}
