import { copyFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createAddressBook } from "./addresses.js";
import { runChangeLoop } from "./change-loop.js";
import { createCleanup } from "./cleanup.js";
import { EVENT_WITHIN_MS } from "./event-rules.js";
import { commitVersion, makeFixtureApp, type FixtureApp } from "./fixture-app.js";
import { runInjector } from "./injector.js";
import { checkChanges } from "./invariants/changes.js";
import { checkConvergence } from "./invariants/convergence.js";
import { checkFaultEvents } from "./invariants/events.js";
import { checkExits } from "./invariants/exits.js";
import { checkProcessLeaks, checkTempLeaks, findRunProcesses } from "./invariants/leaks.js";
import { checkCurrent, checkFsck } from "./invariants/repository.js";
import { checkRequests, type FailedRequest, type RequestCounts } from "./invariants/requests.js";
import { runLoad, type LoadPauses } from "./load.js";
import type { SoakOptions } from "./options.js";
import { pushApp } from "./push-app.js";
import { createRandom } from "./random.js";
import { readAllEvents } from "./read-events.js";
import { makeRunDir, type RunDir } from "./run-dir.js";
import { stopEverything } from "./shutdown.js";
import { startHosts, type Hosts } from "./start-hosts.js";
import { RESTART_DELAY_MS } from "./supervise.js";
import type { ChangeRecord, FaultRecord, InvariantResult, RequestSample } from "./types.js";
import { probeScaleToZero, type ScaleToZero } from "./wake.js";
import { changeWindows, trafficWindows, RESTORE_MS, SLACK_MS } from "./windows.js";

const APP_NAMES = ["alpha", "beta", "gamma"];

/** How the soak keeps the server and the follower running: printed with every run. */
export const SUPERVISION = `the server and the follower agent run under the soak's supervisor, which starts a process again ${RESTART_DELAY_MS / 1000} s after any exit, as systemd does with Restart=always, RestartSec=${RESTART_DELAY_MS / 1000}`;

export interface SoakResult {
  ok: boolean;
  seed: number;
  minutes: number;
  folder: string;
  kept: boolean;
  hosts: string[];
  apps: string[];
  api: boolean;
  disk: string;
  supervision: string;
  /** The wake action: run on the sleepy app, or skipped with the reason (scale-to-zero not honoured). */
  wake: { app: string | null } & ScaleToZero;
  windows: { restoreMs: number; slackMs: number };
  faults: FaultRecord[];
  changes: { total: number; byKind: Record<string, { ok: number; failed: number }>; explained: number };
  requests: RequestCounts;
  /** Every push and rollback, in the order they ended. */
  changeList: ChangeRecord[];
  /** Every failed request (at most 1000), with the fault that explains it. */
  failedRequests: FailedRequest[];
  timings: { setupMs: number; runMs: number; checkMs: number };
  invariants: InvariantResult[];
  notes: string[];
}

type Progress = (line: string) => void;

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** The first release of every app, and every app serving on every host, before the faults begin. */
async function deployFirst(dir: RunDir, hosts: Hosts, apps: FixtureApp[], settleMs: number): Promise<void> {
  await Promise.all(
    apps.map(async (app) => {
      await commitVersion(app, "good", hosts.port);
      const pushed = await pushApp(app, { url: hosts.url, token: hosts.pushToken }, dir.env);
      if (!pushed.ok) throw new Error(`the first push of ${app.name} failed: ${pushed.detail}`);
    }),
  );
  const book = createAddressBook(hosts.hosts, dir.env);
  const ready = await checkConvergence({
    server: dir.server,
    apps,
    hosts: hosts.hosts,
    book,
    env: dir.env,
    settleMs,
  });
  if (!ready.ok)
    throw new Error(`the first releases did not serve on every host: ${ready.details.join("; ")}`);
}

/** The fault-events invariant, read again until every fault is accounted for or the last one's time is up. */
async function awaitFaultEvents(dir: RunDir, hosts: Hosts, faults: FaultRecord[]): Promise<InvariantResult> {
  const deadline = Math.max(0, ...faults.map((f) => (f.endedAt ?? f.recoveredAt ?? f.at) + EVENT_WITHIN_MS));
  for (;;) {
    const result = checkFaultEvents(faults, readAllEvents(dir, hosts.hosts));
    if (result.ok || Date.now() >= deadline) return result;
    await sleep(500);
  }
}

function countChanges(changes: ChangeRecord[]): Record<string, { ok: number; failed: number }> {
  const byKind: Record<string, { ok: number; failed: number }> = {};
  for (const change of changes) {
    const entry = (byKind[change.kind] ??= { ok: 0, failed: 0 });
    if (change.ok) entry.ok += 1;
    else entry.failed += 1;
  }
  return byKind;
}

/** Runs the soak: hosts, apps, load, changes and faults for `minutes`, then the invariants. */
export async function runSoak(options: SoakOptions, progress: Progress): Promise<SoakResult> {
  const dir = makeRunDir();
  const cleanup = createCleanup();
  let running: Hosts | undefined;
  // However the run ends: no restarts, every process of the run gone, the tmpfs unmounted, the folder removed.
  const tearDown = async (): Promise<void> => {
    await Promise.all([running?.server.stop(5000), running?.follower.stop(5000)]);
    killAll(findRunProcesses(dir).map((p) => p.pid));
    const problems = await cleanup.runAll();
    if (problems.length > 0) progress(`soak: cleanup: ${problems.join("; ")}`);
    if (!options.keep) rmSync(dir.root, { recursive: true, force: true });
    else progress(`soak: kept ${dir.root}`);
  };
  const onSignal = (): void => void tearDown().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const notes: string[] = [];
  const random = createRandom(options.seed);
  try {
    const began = Date.now();
    progress(`soak: seed ${options.seed}, ${options.minutes} min, folder ${dir.root}`);
    progress(`soak: supervision: ${SUPERVISION}`);
    const wantsDisk = options.kinds.includes("fill-disk");
    const hosts = await startHosts(
      dir,
      { poll: options.poll, diskSize: wantsDisk ? options.diskSize : undefined },
      cleanup,
    );
    running = hosts;
    if (wantsDisk && !hosts.disk.mounted)
      notes.push(`fill-disk cannot run: mount -t tmpfs failed (${hosts.disk.reason})`);
    const apps = await Promise.all(
      APP_NAMES.slice(0, options.apps).map((name, i) =>
        makeFixtureApp(dir.apps, name, {
          replay: i % 2 === 1,
          sleepy: options.wake && i === options.apps - 1,
        }),
      ),
    );
    await deployFirst(dir, hosts, apps, options.settleSeconds * 1000);
    progress(
      `soak: ${apps.length} apps serve on ${hosts.hosts.length} hosts; rollbacks through ${hosts.api ? "the API" : "skiff rollback --repo"}`,
    );

    const book = createAddressBook(hosts.hosts, dir.env);
    await Promise.all(hosts.hosts.map((host) => book.refresh(host)));
    const pauses: LoadPauses = new Set();
    const sleepy = apps.find((a) => a.sleepy);
    // The injector's records, filled as it goes (the wake action reads them while it waits).
    const faults: FaultRecord[] = [];
    const wakeCtx = { dir, hosts: hosts.hosts, book, pauses, faults, signal: AbortSignal.timeout(600_000) };
    const wake: SoakResult["wake"] =
      sleepy === undefined
        ? { app: null, honoured: false, reason: "the wake action is off (--skip-wake)" }
        : { app: sleepy.name, ...(await probeScaleToZero(wakeCtx, sleepy)) };
    if (!wake.honoured) {
      progress(`soak: wake action skipped: ${wake.reason}`);
    } else
      progress(`soak: scale-to-zero is honoured: ${wake.app ?? "?"} is left idle and woken now and then`);
    const samples: RequestSample[] = [];
    const changes: ChangeRecord[] = [];
    const stop = new AbortController();
    // Every load, change loop and the injector wait on it.
    setMaxListeners(100, stop.signal);
    const runStart = Date.now();
    const until = runStart + options.minutes * 60_000;
    const refresher = (async () => {
      while (!stop.signal.aborted) {
        await sleep(10_000, undefined, { signal: stop.signal }).catch(() => undefined);
        if (!stop.signal.aborted) await Promise.all(hosts.hosts.map((host) => book.refresh(host)));
      }
    })();
    const loads = apps.flatMap((app) =>
      hosts.hosts.map((host) =>
        runLoad({
          app: app.name,
          host: host.name,
          rate: options.rate,
          book,
          samples,
          pauses,
          signal: stop.signal,
        }),
      ),
    );
    const target = {
      server: { url: hosts.url, token: hosts.pushToken, data: dir.server },
      api: hosts.api,
      env: dir.env,
    };
    const loops = apps.map((app) =>
      runChangeLoop({
        app,
        target,
        port: hosts.port,
        random: random.fork(`changes ${app.name}`),
        until,
        records: changes,
        signal: stop.signal,
        ...(app.sleepy && wake.honoured
          ? { wake: { ctx: { ...wakeCtx, signal: stop.signal }, hosts: hosts.hosts.map((h) => h.name) } }
          : {}),
      }),
    );
    const kinds = options.kinds.filter((k) => k !== "fill-disk" || hosts.disk.mounted);
    const ctx = { dir, hosts, apps, book, random: random.fork("faults"), signal: stop.signal };
    const injector = runInjector({
      ctx,
      kinds,
      gapSeconds: options.gapSeconds,
      until,
      records: faults,
      onFault: (f) =>
        progress(
          `fault ${f.id} ${f.kind} ${f.host ?? ""}: ${f.skipped ? `skipped (${f.skipped})` : f.target}`,
        ),
    });
    await Promise.all([...loops, injector]);
    stop.abort();
    await Promise.all([...loads, refresher]);
    const checkStart = Date.now();
    progress(
      `soak: run over (${faults.length} faults, ${changes.length} changes, ${samples.length} requests); settling`,
    );

    const invariants: InvariantResult[] = [];
    invariants.push(
      await checkConvergence({
        server: dir.server,
        apps,
        hosts: hosts.hosts,
        book,
        env: dir.env,
        settleMs: options.settleSeconds * 1000,
      }),
    );
    invariants.push(...(await checkFsck(dir.server, apps, dir.env)));
    invariants.push(await checkCurrent(dir.server, apps, dir.env));
    const changed = await checkChanges(changes, changeWindows(faults), apps, dir.server, dir.env);
    invariants.push(changed.result);
    const requests = checkRequests(samples, trafficWindows(faults), apps, faults);
    invariants.push(requests.result);
    invariants.push(await awaitFaultEvents(dir, hosts, faults));
    notes.push(
      ...book.changes.map(
        (c) =>
          `${c.app} on ${c.host}: public address changed from ${c.from} to ${c.to} at ${new Date(c.at).toISOString()}`,
      ),
    );

    writeFileSync(join(dir.logs, "records.json"), JSON.stringify({ faults, changes, samples }, null, 1));
    // The follower's data dir is a tmpfs: its records go when it is unmounted.
    for (const file of ["events.jsonl", "state.json"]) {
      if (existsSync(join(dir.follower, file)))
        copyFileSync(join(dir.follower, file), join(dir.logs, `follower-${file}`));
    }
    progress("soak: stopping everything");
    notes.push(...(await stopEverything(dir, hosts, apps)));
    invariants.push(checkExits([...hosts.server.exits, ...hosts.follower.exits]));
    const left = findRunProcesses(dir);
    invariants.push(checkProcessLeaks(left));
    killAll(left.map((p) => p.pid));
    invariants.push(
      checkTempLeaks(
        dir,
        apps.map((a) => a.name),
      ),
    );
    return {
      ok: invariants.every((i) => i.ok),
      seed: options.seed,
      minutes: options.minutes,
      folder: dir.root,
      kept: options.keep,
      hosts: hosts.hosts.map((h) => h.name),
      apps: apps.map((a) => a.name),
      api: hosts.api,
      disk: hosts.disk.mounted
        ? `tmpfs ${options.diskSize} on the follower's data dir`
        : `none (${hosts.disk.reason})`,
      supervision: SUPERVISION,
      wake,
      windows: { restoreMs: RESTORE_MS, slackMs: SLACK_MS },
      faults,
      changes: { total: changes.length, byKind: countChanges(changes), explained: changed.explained },
      requests: requests.counts,
      changeList: changes,
      failedRequests: requests.failed.slice(0, 1000),
      timings: { setupMs: runStart - began, runMs: checkStart - runStart, checkMs: Date.now() - checkStart },
      invariants,
      notes,
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await tearDown();
  }
}
