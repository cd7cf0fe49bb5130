import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readInstanceRecords } from "../../src/agent/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { frontDoorDir, readFrontRecord, readProxyRecord } from "../../src/proxy/index.js";
import { descendantsOf, listProcesses } from "../../bench/soak/proc-table.js";

interface Handle {
  pid: number;
  startTime?: string;
}

interface Recorded {
  handle?: Handle;
}

interface HostRecords {
  events: { type?: string; data?: Recorded }[];
  /** state.json version 2 holds lists (replicas); version 1 held one instance and one of each swap side. */
  apps: {
    instances?: Recorded[];
    instance?: Recorded;
    swap?: { old?: Recorded | Recorded[]; next?: Recorded | Recorded[] };
  }[];
}

/** Parsed JSON, or undefined for a line or file an agent killed mid-write left torn. */
function parseOrSkip<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function readRecords(data: string): HostRecords {
  const eventsPath = join(data, "events.jsonl");
  const statePath = join(data, "state.json");
  const lines = existsSync(eventsPath) ? readFileSync(eventsPath, "utf8").split("\n") : [];
  const events = lines.map((line) => parseOrSkip<HostRecords["events"][number]>(line) ?? {});
  type State = { apps?: Record<string, HostRecords["apps"][number]> };
  const state = existsSync(statePath) ? parseOrSkip<State>(readFileSync(statePath, "utf8")) : undefined;
  return { events, apps: Object.values(state?.apps ?? {}) };
}

function handleOf(handle: Record<string, string | number>): Handle | undefined {
  return typeof handle.pid === "number"
    ? { pid: handle.pid, ...(typeof handle.startTime === "string" ? { startTime: handle.startTime } : {}) }
    : undefined;
}

/** Every instance handle the host recorded: each instance.started event, each instance's own record, and what state.json holds now. */
function recordedInstances(data: string): Handle[] {
  const { events, apps } = readRecords(data);
  return [
    ...events.filter((e) => e.type === "instance.started").map((e) => e.data?.handle),
    // Each instance's own record, written the moment its driver started it.
    ...readInstanceRecords(data).map((record) => handleOf(record.handle)),
    ...apps.flatMap((app) =>
      [app.instances ?? [], app.instance, app.swap?.old, app.swap?.next].flat().map((i) => i?.handle),
    ),
  ].filter((handle): handle is Handle => handle !== undefined);
}

function readHandle(path: string): Handle | undefined {
  try {
    const handle = JSON.parse(readFileSync(path, "utf8")) as Partial<Handle>;
    return typeof handle.pid === "number" ? { pid: handle.pid, startTime: handle.startTime } : undefined;
  } catch {
    return undefined;
  }
}

/** The HAProxy master a front door dir's door drives (its record), or undefined. */
export function readHaproxyMaster(frontDir: string): Handle | undefined {
  return readHandle(join(frontDir, "haproxy", "master.json"));
}

/** Kills the agent that holds the data dir's lock (not a group: it may share ours), and waits until it is gone. */
function killAgent(data: string): void {
  const agent = readHandle(join(data, "agent.lock"));
  // An agent run inside the test process itself (startAgent) stops with it.
  if (agent === undefined || agent.pid === process.pid || !isSameProcess(agent.pid, agent.startTime)) return;
  try {
    process.kill(agent.pid, "SIGKILL");
  } catch {
    return;
  }
  const deadline = Date.now() + 2000;
  while (isSameProcess(agent.pid, agent.startTime) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function killGroup(handle: Handle, killed: Handle[] = []): void {
  // The start time check: a pid reused since by someone else's process is left alone.
  if (!isSameProcess(handle.pid, handle.startTime)) return;
  try {
    // Instances and proxies lead their own process group (a solo5 tender and its guest, say).
    process.kill(-handle.pid, "SIGKILL");
    killed.push(handle);
  } catch {
    // already gone
  }
}

/** Alive and not a zombie (a zombie holds no file: its parent, maybe this process, reaps it later). */
function isAlive({ pid, startTime }: Handle): boolean {
  if (!isSameProcess(pid, startTime)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/**
 * Waits (up to 5 s) until every process SIGKILLed has exited, so what they held (ports, files on a
 * tmpfs the test unmounts next) is free when stopHost returns.
 */
function waitUntilGone(killed: readonly Handle[]): void {
  const deadline = Date.now() + 5000;
  while (killed.some(isAlive) && Date.now() < deadline)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}

/** Kills the host's front door and the HAProxy it drives (which outlives a SIGKILLed door on purpose). */
export function stopFrontDoorNow(dir: string, killed?: Handle[]): void {
  const mine = killed ?? [];
  const record = readFrontRecord(dir);
  if (record) killGroup(record, mine);
  const master = readHaproxyMaster(dir);
  if (master && isSameProcess(master.pid, master.startTime)) {
    // Its workers too, at once: one exits only once it noticed its master is gone, and holds the
    // listeners until then.
    for (const handle of [...descendantsOf(master.pid, listProcesses()), master]) {
      try {
        process.kill(handle.pid, "SIGKILL");
        mine.push(handle);
      } catch {
        // already gone
      }
    }
  }
  if (killed === undefined) waitUntilGone(mine);
}

/**
 * Test cleanup for a host data dir: kills a still running agent first (it would restart what we kill),
 * then every instance the dir ever recorded, the front door and every app's proxy. Instances and proxies outlive
 * `skiff agent --once` by design, so a test that ran an agent calls this while the dir still exists.
 */
export function stopHost(data: string): void {
  killAgent(data);
  const killed: Handle[] = [];
  for (const handle of recordedInstances(data)) killGroup(handle, killed);
  stopFrontDoorNow(frontDoorDir(data), killed);
  const proxies = join(data, "proxies");
  for (const app of existsSync(proxies) ? readdirSync(proxies) : []) {
    const record = readProxyRecord(join(proxies, app));
    if (record) killGroup(record, killed);
  }
  waitUntilGone(killed);
}
