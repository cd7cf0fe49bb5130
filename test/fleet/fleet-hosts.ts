import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SkiffEvent } from "../../src/events/index.js";
import { etcdUnavailable, startEtcd, type EtcdServer } from "../support/etcd.js";
import { REPO_ROOT } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";

const HOST_SIM = join(REPO_ROOT, "dist", "test", "fixtures", "fleet", "host-sim.js");

/** A line of the record file every simulated host of a test appends to. */
export interface HostRecordLine {
  host: string;
  kind: "connected" | "asking" | "start" | "end" | "released" | "refused" | "crash" | "idle" | "exit";
  at: number;
  pid: number;
  held?: boolean;
  error?: { code: string; message: string; data?: Record<string, unknown> };
}

export interface SimHost {
  host: string;
  child: ChildProcess;
  /** Its events (the EventBus the gate reports to), one JSON line each. */
  eventsPath: string;
  alive(): boolean;
  kill(): Promise<void>;
}

export interface Fleet {
  dir: string;
  recordPath: string;
  hosts: SimHost[];
  start(host: string, args?: readonly string[]): SimHost;
  records(): HostRecordLine[];
  /** Polls the record file until `accept` holds (an awaited event, not a sleep). */
  waitFor(
    what: string,
    accept: (lines: HostRecordLine[]) => boolean,
    timeoutMs?: number,
  ): Promise<HostRecordLine[]>;
  events(host: string): SkiffEvent[];
  /** Polls a host's events until one is accepted; returns it. */
  waitForEvent(
    host: string,
    what: string,
    accept: (event: SkiffEvent) => boolean,
    timeoutMs?: number,
  ): Promise<SkiffEvent>;
  stopAll(): Promise<void>;
}

function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  await new Promise((resolve) => child.once("exit", resolve));
}

/** Simulated hosts (test/fixtures/fleet/host-sim.ts), real processes on one etcd. */
export function makeFleet(etcd: EtcdServer, common: readonly string[]): Fleet {
  const dir = tempDir("skiff-fleet-");
  const recordPath = join(dir, "records.jsonl");
  const hosts: SimHost[] = [];
  const fleet: Fleet = {
    dir,
    recordPath,
    hosts,
    start(host, args = []) {
      const eventsPath = join(dir, `${host}.events.jsonl`);
      const argv = [
        HOST_SIM,
        "--fleet",
        etcd.url,
        "--host",
        host,
        "--record",
        recordPath,
        "--events",
        eventsPath,
      ];
      const child = spawn(process.execPath, [...argv, ...common, ...args], {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
      });
      const sim: SimHost = {
        host,
        child,
        eventsPath,
        alive: () => !exited(child),
        kill: async () => {
          child.kill("SIGKILL");
          await waitForExit(child);
        },
      };
      hosts.push(sim);
      return sim;
    },
    records: () => readLines<HostRecordLine>(recordPath),
    async waitFor(what, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = fleet.records();
        const crash = lines.find((line) => line.kind === "crash");
        if (crash) throw new Error(`host ${crash.host} crashed: ${JSON.stringify(crash)}`);
        if (accept(lines)) return lines;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; records:\n${readFileSync(recordPath, "utf8")}`);
        await sleep(50);
      }
    },
    events: (host) => readLines<SkiffEvent>(join(dir, `${host}.events.jsonl`)),
    async waitForEvent(host, what, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = fleet.events(host).find(accept);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${host}: ${what}`);
        await sleep(50);
      }
    },
    async stopAll() {
      await Promise.all(
        hosts.map(async ({ child }) => {
          if (exited(child)) return;
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await waitForExit(child);
          clearTimeout(timer);
        }),
      );
    },
  };
  return fleet;
}

/** [start, end] of each host's swap, from the record file. */
export function swapWindows(
  lines: readonly HostRecordLine[],
): { host: string; start: number; end: number }[] {
  return lines
    .filter((line) => line.kind === "start")
    .map((start) => {
      const end = lines.find(
        (line) => line.kind === "end" && line.host === start.host && line.at >= start.at,
      );
      return { host: start.host, start: start.at, end: end?.at ?? Number.POSITIVE_INFINITY };
    });
}

/** The most swaps under way at one moment. */
export function mostAtOnce(windows: readonly { start: number; end: number }[]): number {
  const points = windows.flatMap((w) => [
    { at: w.start, delta: 1 },
    { at: w.end, delta: -1 },
  ]);
  // An end and a start at the same millisecond: the end first (the slot was given back before).
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const point of points) {
    now += point.delta;
    most = Math.max(most, now);
  }
  return most;
}

export interface FleetSuite {
  /** The suite's etcd, or undefined (and the test skipped, or failed in CI) when the etcd tier cannot run. */
  etcd(t: TestContext): EtcdServer | undefined;
  /** Simulated hosts stopped when the suite ends. */
  fleet(etcd: EtcdServer, common: readonly string[]): Fleet;
}

/** Inside a describe(): one etcd for the suite, started before its tests and stopped (with every host) after. */
export function useFleetSuite(): FleetSuite {
  let etcd: EtcdServer | undefined;
  const fleets: Fleet[] = [];
  before(async () => {
    if (etcdUnavailable() === undefined) etcd = await startEtcd();
  });
  after(async () => {
    for (const fleet of fleets) await fleet.stopAll();
    await etcd?.stop();
  });
  return {
    etcd: (t) => (requireTier(t, "etcd", etcdUnavailable()) ? etcd : undefined),
    fleet: (server, common) => {
      const fleet = makeFleet(server, common);
      fleets.push(fleet);
      return fleet;
    },
  };
}
