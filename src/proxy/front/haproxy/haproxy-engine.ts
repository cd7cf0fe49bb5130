import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../../log/index.js";
import { formatAddress, sameAddress, type Address } from "../../address.js";
import { listenOn } from "../../listen.js";
import { writeFileAtomic } from "../../proxy-files.js";
import type { EngineApp, EngineAppStats, EngineBound, EngineView, FrontEngine } from "../engine.js";
import { createNodeEngine } from "../node-engine.js";
import {
  httpBackend,
  servesHttp,
  servesTcp,
  structureKey,
  tcpBackend,
  type HaproxyModel,
} from "./haproxy-model.js";
import { haproxyPaths } from "./haproxy-paths.js";
import { createHoldSockets } from "./hold-sockets.js";
import { adoptMaster, startMaster, type HaproxyMaster } from "./master-process.js";
import { parseStats, type StatRow } from "./parse-stats.js";
import { planRuntime } from "./plan-runtime.js";
import { renderHaproxyConfig, renderHostMap } from "./render-config.js";
import { haproxyChange, haproxyCommand } from "./runtime-api.js";
import { statsOfApps } from "./stats-of-apps.js";

/** Changes that need a reload wait this long for others to join them (a restart restores every app). */
const RELOAD_BATCH_MS = 20;

function readConfig(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The addresses a config's frontends bind ("host:port" as formatAddress writes them). */
function bindsOf(config: string): string[] {
  return [...config.matchAll(/^\s+bind (\S+)$/gm)].map((match) => match[1] ?? "");
}

/** Binds `address` for a moment: a taken port fails here with the usual hint; port 0 picks one. */
async function probeBind(address: Address): Promise<Address> {
  const server = createServer();
  const bound = await listenOn(server, address);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

/** HAProxy cannot replay at layer 4: a TCP publish port of an app with replay is the door's own. */
const nodeServes = (entry: EngineApp): boolean => entry.replay && entry.protocol === "tcp";

const serves = (current: Address | undefined | null, wanted: Address): boolean =>
  current !== undefined &&
  current !== null &&
  (wanted.port === 0 ? current.host === wanted.host : sameAddress(current, wanted));

/**
 * HAProxy carries the steady path (listeners, Host routing, least connections, drain); the door
 * keeps holding connections while an app wakes (HAProxy's backup server is the door's hold socket)
 * and serves itself the TCP publish ports of apps with replay (HAProxy cannot replay at layer 4).
 */
export async function createHaproxyEngine(options: {
  dir: string;
  binary: string;
  version: string;
  log: Logger;
}): Promise<FrontEngine> {
  const paths = haproxyPaths(options.dir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const node = createNodeEngine();
  let latest: EngineView | undefined;
  const holds = createHoldSockets(paths, () => latest);
  const publishAt = new Map<string, Address>();
  let frontAt: Address | null = null;
  const draining = new Set<string>();
  const seenOpen = new Map<string, number>();
  let applied: HaproxyModel | undefined;
  let master: HaproxyMaster | undefined = await adoptMaster(paths);
  // Addresses our HAProxy listens on now: free for us (a reload hands the sockets over), taken for anyone else.
  const ownBinds = new Set(master === undefined ? [] : bindsOf(readConfig(paths.config)));
  const claim = (address: Address): Promise<Address> =>
    address.port !== 0 && ownBinds.has(formatAddress(address))
      ? Promise.resolve(address)
      : probeBind(address);
  if (master !== undefined) options.log.info({ pid: master.pid }, "adopted the running HAProxy");

  const modelOf = (view: EngineView): HaproxyModel => ({
    front: frontAt,
    apps: [...view.apps.values()].map((entry) => ({
      app: entry.app,
      publish: nodeServes(entry) ? null : (publishAt.get(entry.app) ?? null),
      hostname: entry.hostname,
      publishHttp: entry.protocol === "http",
      replay: entry.replay,
      backends: entry.backends.map((b) => ({
        id: b.id,
        address: b.address,
        state: draining.has(`${entry.app}/${b.id}`) ? ("draining" as const) : b.state,
      })),
    })),
  });

  /** The view the embedded node engine serves: only the TCP publish ports of apps with replay. */
  const nodeView = (view: EngineView): EngineView => ({
    ...view,
    front: null,
    apps: new Map([...view.apps].filter(([, e]) => nodeServes(e))),
  });

  const writeFiles = (model: HaproxyModel): void => {
    writeFileAtomic(paths.config, renderHaproxyConfig(model, paths));
    writeFileAtomic(paths.map, renderHostMap(model));
  };

  const restartListeners: ((restart: { previous: number; pid: number }) => void)[] = [];
  // A restart the door that started this master died before journaling (see startMaster).
  let unjournaled =
    master?.replaced === undefined ? undefined : { previous: master.replaced, pid: master.pid };
  /** The master that died, while the door starts the next one. */
  let replacing: number | undefined;
  const reportRestart = (restart: { previous: number; pid: number }): void => {
    for (const listener of restartListeners) listener(restart);
    if (restartListeners.length > 0 && master?.pid === restart.pid) master.restartJournaled();
  };
  const watch = (started: HaproxyMaster): HaproxyMaster => {
    started.onExit(() => {
      options.log.error({ pid: started.pid }, "HAProxy exited; starting it again");
      master = undefined;
      applied = undefined;
      replacing = started.pid;
      void sync().then(
        () => {
          if (master === undefined) return;
          reportRestart({ previous: started.pid, pid: master.pid });
        },
        (error: unknown) => options.log.error({ err: error }, "HAProxy could not be started again"),
      );
    });
    return started;
  };
  if (master !== undefined) watch(master);

  const reloadWith = async (model: HaproxyModel): Promise<void> => {
    writeFiles(model);
    if (master === undefined) {
      master = watch(await startMaster(paths, options.binary, replacing));
      replacing = undefined;
    } else await master.reload();
    applied = model;
    ownBinds.clear();
    for (const bind of bindsOf(renderHaproxyConfig(model, paths))) ownBinds.add(bind);
  };

  const syncOnce = async (): Promise<void> => {
    if (latest === undefined) return;
    let desired = modelOf(latest);
    if (applied === undefined || structureKey(applied) !== structureKey(desired)) {
      await sleep(RELOAD_BATCH_MS);
      desired = modelOf(latest);
      return reloadWith(desired);
    }
    for (const step of planRuntime(applied, desired, paths.map)) {
      try {
        await haproxyChange(paths.stats, step.command);
      } catch (error) {
        if (step.mayFail === true) continue;
        // Out of step with HAProxy (an adopted one, a refused command): the whole config is the truth.
        options.log.warn({ err: error, command: step.command }, "runtime change refused; reloading");
        return reloadWith(desired);
      }
    }
    applied = desired;
    // In effect already: files that cannot be written now (a full disk) are written at the next change or reload.
    try {
      writeFiles(desired);
    } catch (error) {
      options.log.warn({ err: error }, "HAProxy's files could not be saved; the change is in effect");
    }
  };

  // Changes are applied one sync at a time; a sync covers every change requested before it began.
  let requested = 0;
  let running: Promise<void> | undefined;
  let waiters: { generation: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const loop = async (): Promise<void> => {
    let done = 0;
    while (done < requested) {
      const target = requested;
      let failure: unknown;
      try {
        await syncOnce();
      } catch (error) {
        failure = error;
      }
      done = target;
      const settled = waiters.filter((w) => w.generation <= target);
      waiters = waiters.filter((w) => w.generation > target);
      for (const waiter of settled)
        if (failure === undefined) waiter.resolve();
        else waiter.reject(failure);
    }
  };
  const sync = (): Promise<void> => {
    const generation = ++requested;
    const settled = new Promise<void>((resolve, reject) => waiters.push({ generation, resolve, reject }));
    running ??= loop().finally(() => (running = undefined));
    return settled;
  };

  // Status requests that arrive together share one `show stat`.
  let reading: Promise<StatRow[]> | undefined;
  const readRows = (): Promise<StatRow[]> => {
    if (master === undefined) return Promise.resolve([]);
    reading ??= haproxyCommand(paths.stats, "show stat -1 6 -1")
      .then(parseStats, () => [])
      .finally(() => (reading = undefined));
    return reading;
  };

  /** One app's rows: its backends only, for an app's status (a PUT answers with it). */
  const readRowsOf = async (app: string): Promise<StatRow[]> => {
    const model = applied?.apps.find((a) => a.app === app);
    if (master === undefined || model === undefined) return [];
    const proxies = [
      servesTcp(model) ? [tcpBackend(app)] : [],
      servesHttp(model) ? [httpBackend(app)] : [],
    ].flat();
    const answers = await Promise.all(
      proxies.map((proxy) =>
        haproxyCommand(paths.stats, `show stat ${proxy} 6 -1`).then(parseStats, () => []),
      ),
    );
    return answers.flat();
  };

  const bound = (nodeBound: EngineBound): EngineBound => ({
    publish: new Map([...publishAt, ...nodeBound.publish]),
    front: frontAt,
  });

  return {
    name: "haproxy",
    version: options.version,
    onRestarted(listener) {
      restartListeners.push(listener);
      if (unjournaled === undefined) return;
      const restart = unjournaled;
      unjournaled = undefined;
      reportRestart(restart);
    },
    async apply(view, change) {
      latest = view;
      if (change.kind === "all") {
        // Every claim first, then one sync: one reload with the whole state (or none, if it matches).
        const wantedFront = view.front;
        if (wantedFront === null) frontAt = null;
        else if (!serves(frontAt, wantedFront)) frontAt = await claim(wantedFront);
        for (const [app, entry] of view.apps) {
          await holds.ensure(app, () => latest?.apps.get(app)?.route);
          const wanted = nodeServes(entry) ? null : entry.publish;
          if (wanted === null) publishAt.delete(app);
          else if (!serves(publishAt.get(app), wanted)) publishAt.set(app, await claim(wanted));
        }
        const nodeBound = await node.apply(nodeView(view), change);
        await sync();
        return bound(nodeBound);
      }
      if (change.kind === "settings") {
        const wanted = view.front;
        const before = frontAt;
        if (wanted === null) frontAt = null;
        else if (!serves(frontAt, wanted)) frontAt = await claim(wanted);
        try {
          await sync();
        } catch (error) {
          frontAt = before;
          throw error;
        }
        return bound(await node.apply(nodeView(view), change));
      }
      const { app } = change;
      const entry = view.apps.get(app);
      for (const key of draining) if (key.startsWith(`${app}/`)) draining.delete(key);
      if (entry !== undefined) await holds.ensure(app, () => latest?.apps.get(app)?.route);
      const nodeBound = await node.apply(nodeView(view), change);
      const before = publishAt.get(app);
      const wanted = entry === undefined || nodeServes(entry) ? null : entry.publish;
      if (wanted === null) publishAt.delete(app);
      else if (!serves(before, wanted)) publishAt.set(app, await claim(wanted));
      try {
        await sync();
      } catch (error) {
        if (before === undefined) publishAt.delete(app);
        else publishAt.set(app, before);
        throw error;
      }
      if (entry === undefined) holds.remove(app);
      return bound(nodeBound);
    },
    async stats(app) {
      if (latest === undefined) return new Map<string, EngineAppStats>();
      const rows = app === undefined ? await readRows() : await readRowsOf(app);
      return statsOfApps({
        rows,
        apps: app === undefined ? latest.apps.keys() : [app],
        now: Date.now(),
        seenOpen,
      });
    },
    async drain(app, id, timeoutMs) {
      draining.add(`${app}/${id}`);
      await sync();
      const servers = [tcpBackend(app), httpBackend(app)].map((proxy) => `${proxy}/${id}`);
      const openNow = async (): Promise<number> => {
        const rows = await readRows();
        return rows
          .filter((r) => servers.includes(`${r.proxy}/${r.server}`))
          .reduce((sum, r) => sum + r.scur, 0);
      };
      const deadline = Date.now() + timeoutMs;
      let open = await openNow();
      while (open > 0 && Date.now() < deadline) {
        await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
        open = await openNow();
      }
      if (open === 0) return { drained: true, closed: 0 };
      for (const server of servers)
        await haproxyChange(paths.stats, `shutdown sessions server ${server}`).catch(() => undefined);
      return { drained: false, closed: open };
    },
    async close() {
      await master?.stop();
      master = undefined;
      holds.close();
      await node.close();
    },
  };
}
