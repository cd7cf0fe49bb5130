import { isDeepStrictEqual } from "node:util";
import { formatAddress, sameAddress, type Address } from "../address.js";
import type { DrainResult } from "../connection-table.js";
import { HttpError } from "../control-http.js";
import { serializeError, SkiffError } from "../../errors/index.js";
import { createAppRoute, type AppRoute } from "./app-route.js";
import type { EngineApp, EngineView, FrontEngine } from "./engine.js";
import type { AppSpec } from "./front-schema.js";
import { mergeAppStatus } from "./merge-status.js";
import { renderNotFoundPage } from "./not-found-page.js";
import type { Restart, RestartJournal } from "./restart-journal.js";
import type { AppStatus, FrontEvent, FrontStatus } from "./status-schema.js";

export interface FrontSettings {
  front: Address | null;
  frontIndex: boolean;
}

/** What the door keeps on disk to come back as it was: settings and every app's desired state. */
export interface SavedFrontState {
  settings: FrontSettings;
  apps: Map<string, AppSpec>;
}

export interface FrontDoor {
  putApp(app: string, spec: AppSpec): Promise<AppStatus>;
  removeApp(app: string): Promise<boolean>;
  drain(app: string, id: string, timeoutMs: number): Promise<DrainResult>;
  wakeFailed(app: string): number;
  setSettings(settings: Partial<FrontSettings>): Promise<FrontStatus>;
  status(): Promise<FrontStatus>;
  appStatus(app: string): Promise<AppStatus | undefined>;
  /** Every event from now on; the first one is the current state. Returns the unsubscribe. */
  subscribe(listener: (event: FrontEvent) => void): () => void;
  /** A restart (of the engine or the door) an agent has reported: no longer sent to new watchers. */
  restartReported(id: string): boolean;
  /** Settings and apps as given (publish as bound), for saving. */
  saved(): SavedFrontState;
  /**
   * Restores a saved state: every app at once (an engine can serve them with one change). An app
   * whose public address cannot be bound keeps its hostname and shows the error in its status.
   */
  restore(saved: SavedFrontState): Promise<void>;
  close(): Promise<void>;
}

export interface CreateFrontDoorOptions {
  engine: FrontEngine;
  /** Why the node engine runs though HAProxy was preferred. */
  fallback?: string;
  /** Called after every change that is in effect (to save it). */
  onChange?: (door: FrontDoor) => void;
  /** Where restarts wait until an agent reports them. */
  journal?: RestartJournal;
}

/** A journal entry as the event watchers get. */
export function restartEvent(restart: Restart): FrontEvent {
  const { what, ...rest } = restart;
  return { type: what === "door" ? "door-restarted" : "engine-restarted", ...rest };
}

interface Entry extends EngineApp {
  spec: AppSpec;
  bound: Address | undefined;
  error?: AppStatus["error"];
}

/** What the engine serves for `app`, as its spec asks, with the address it is bound to. */
function entryOf(app: string, spec: AppSpec, route: AppRoute, bound: Address | undefined): Entry {
  const { publish, hostname, backends, replay, protocol } = spec;
  return { app, spec, publish, hostname, backends, replay, protocol, route, bound };
}

function conflict(message: string, key: string): SkiffError {
  return new SkiffError("ERR_SKIFF_FRONT_CONFLICT", message, {
    hint: `Two apps on one host need different values of ${key}; change one of them.`,
  });
}

export function createFrontDoor(options: CreateFrontDoorOptions): FrontDoor {
  const { engine } = options;
  const startedAt = new Date().toISOString();
  const entries = new Map<string, Entry>();
  const listeners = new Set<(event: FrontEvent) => void>();
  const settings: FrontSettings = { front: null, frontIndex: false };
  let frontBound: Address | null = null;
  const queues = new Map<string, Promise<unknown>>();

  const emit = (event: FrontEvent): void => {
    for (const listener of listeners) listener(event);
  };
  engine.onRestarted?.((restart) => {
    // Reported again by a door that took over before the last one had forgotten it: journaled once.
    const known = options.journal
      ?.pending()
      .some((r) => r.what === "engine" && r.pid === restart.pid && r.previous === restart.previous);
    if (known === true) return;
    const entry = options.journal?.add({ what: "engine", engine: engine.name, ...restart });
    emit(
      entry === undefined
        ? { type: "engine-restarted", at: new Date().toISOString(), engine: engine.name, ...restart }
        : restartEvent(entry),
    );
  });
  const hostOwner = (host: string | undefined): Entry | undefined => {
    if (host === undefined) return undefined;
    for (const entry of entries.values()) if (entry.hostname === host) return entry;
    return undefined;
  };
  const view: EngineView = {
    get front() {
      return settings.front;
    },
    apps: entries,
    routeOf: (host) => hostOwner(host)?.route,
    notFoundPage: (host) =>
      renderNotFoundPage({
        host,
        hostnames: [...entries.values()].flatMap((e) => (e.hostname === null ? [] : [e.hostname])),
        port: frontBound?.port,
        index: settings.frontIndex,
      }),
  };

  /** One change at a time per key (an app, or the settings); different keys run at once. */
  const serially = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(task, task);
    queues.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  };

  const checkConflicts = (app: string, spec: AppSpec): void => {
    const owner = hostOwner(spec.hostname ?? undefined);
    if (owner !== undefined && owner.app !== app)
      throw conflict(`the hostname ${spec.hostname} is already ${owner.app}'s`, "deploy.hostname");
    if (spec.publish === null || spec.publish.port === 0) return;
    for (const other of entries.values()) {
      if (other.app !== app && sameAddress(other.bound, spec.publish))
        throw conflict(
          `${formatAddress(spec.publish)} is already ${other.app}'s public address`,
          "deploy.publish",
        );
    }
    if (sameAddress(frontBound ?? undefined, spec.publish))
      throw conflict(
        `${formatAddress(spec.publish)} is the shared listener's address (--front)`,
        "deploy.publish",
      );
  };

  const ownStatus = (entry: Entry): AppStatus => ({
    ...entry.route.status(),
    publish: entry.bound === undefined ? null : formatAddress(entry.bound),
    ...(entry.error === undefined ? {} : { error: entry.error }),
  });

  const appStatus = async (app: string): Promise<AppStatus | undefined> => {
    const entry = entries.get(app);
    if (entry === undefined) return undefined;
    return mergeAppStatus(ownStatus(entry), (await engine.stats(app)).get(app));
  };

  /** A failed bind while restoring keeps the app without its public address, the error in its status. */
  const put = (app: string, spec: AppSpec, restoring: boolean): Promise<AppStatus> =>
    serially(app, async () => {
      checkConflicts(app, spec);
      const previous = entries.get(app);
      // The agent checks every app's door on each pass: the same spec again changes nothing (no
      // engine change, no saved state written). One that failed to bind is tried again.
      if (
        !restoring &&
        previous !== undefined &&
        previous.error === undefined &&
        isDeepStrictEqual(previous.spec, spec)
      )
        return (await appStatus(app))!;
      const route = previous?.route ?? createAppRoute({ app, spec, emit });
      const entry = entryOf(app, spec, route, previous?.bound);
      entries.set(app, entry);
      try {
        entry.bound = (await engine.apply(view, { kind: "app", app })).publish.get(app);
      } catch (error) {
        if (!restoring) {
          if (previous === undefined) entries.delete(app);
          else entries.set(app, previous);
          if (previous === undefined) route.close();
          throw error;
        }
        const { code, message, hint } = serializeError(error);
        Object.assign(entry, { publish: null, bound: undefined, error: { code, message, hint } });
        await engine.apply(view, { kind: "app", app });
      }
      route.update(spec);
      options.onChange?.(door);
      return (await appStatus(app))!;
    });

  /**
   * The saved state in one engine change (an adopted HAProxy keeps serving every app through it);
   * false, with nothing of it kept, when a part fails.
   */
  const restoreAtOnce = async (saved: SavedFrontState): Promise<boolean> => {
    if (entries.size > 0) return false;
    Object.assign(settings, saved.settings);
    try {
      for (const [app, spec] of saved.apps) {
        checkConflicts(app, spec);
        const route = createAppRoute({ app, spec, emit });
        entries.set(app, entryOf(app, spec, route, undefined));
      }
      const applied = await engine.apply(view, { kind: "all" });
      frontBound = applied.front;
      for (const entry of entries.values()) {
        entry.bound = applied.publish.get(entry.app);
        entry.route.update(entry.spec);
      }
    } catch {
      // The engine's partial claims are taken over by the part-by-part restore that follows.
      for (const entry of entries.values()) entry.route.close();
      entries.clear();
      Object.assign(settings, { front: null, frontIndex: false });
      return false;
    }
    options.onChange?.(door);
    return true;
  };

  const door: FrontDoor = {
    putApp: (app, spec) => put(app, spec, false),
    removeApp: (app) =>
      serially(app, async () => {
        const entry = entries.get(app);
        if (entry === undefined) return false;
        entries.delete(app);
        await engine.apply(view, { kind: "app", app });
        entry.route.close();
        options.onChange?.(door);
        return true;
      }),
    async drain(app, id, timeoutMs) {
      const entry = entries.get(app);
      if (entry === undefined) throw new HttpError(404, `no app ${app} on this front door`);
      const [own, theirs] = await Promise.all([
        entry.route.drain(id, timeoutMs),
        engine.drain?.(app, id, timeoutMs),
      ]);
      if (theirs === undefined) return own;
      return { drained: own.drained && theirs.drained, closed: own.closed + theirs.closed };
    },
    wakeFailed(app) {
      const entry = entries.get(app);
      if (entry === undefined) throw new HttpError(404, `no app ${app} on this front door`);
      return entry.route.wakeFailed();
    },
    setSettings: (next) =>
      serially("settings", async () => {
        const before = { ...settings };
        if (next.front !== undefined && next.front !== null) {
          for (const entry of entries.values())
            if (sameAddress(entry.bound, next.front))
              throw conflict(`${formatAddress(next.front)} is ${entry.app}'s public address`, "--front");
        }
        Object.assign(settings, next);
        try {
          frontBound = (await engine.apply(view, { kind: "settings" })).front;
        } catch (error) {
          Object.assign(settings, before);
          throw error;
        }
        options.onChange?.(door);
        return door.status();
      }),
    async status() {
      const stats = await engine.stats();
      const apps: Record<string, AppStatus> = {};
      for (const [app, entry] of entries) apps[app] = mergeAppStatus(ownStatus(entry), stats.get(app));
      return {
        pid: process.pid,
        startedAt,
        engine: {
          name: engine.name,
          ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
          ...(engine.version === undefined ? {} : { version: engine.version }),
        },
        front: frontBound === null ? null : formatAddress(frontBound),
        frontIndex: settings.frontIndex,
        apps,
      };
    },
    appStatus,
    subscribe(listener) {
      const apps: Record<string, { held: number; open: number; lastActivity: string | null }> = {};
      for (const [app, entry] of entries) {
        const { held, open, lastActivity } = entry.route.status();
        apps[app] = { held, open, lastActivity };
      }
      listener({ type: "state", at: new Date().toISOString(), apps });
      // A watcher that connects while connections are held gets the wake request it missed.
      for (const [app, { held }] of Object.entries(apps))
        if (held > 0) listener({ type: "wake", at: new Date().toISOString(), app, held });
      // Restarts no agent has reported yet (one died while no agent watched, or before it reported).
      for (const restart of options.journal?.pending() ?? []) listener(restartEvent(restart));
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restartReported: (id) => options.journal?.reported(id) ?? false,
    async restore(saved) {
      if (await restoreAtOnce(saved)) return;
      // Something of it cannot be served (a port taken meanwhile): each part alone, the rest as saved.
      await door
        .setSettings(saved.settings)
        .catch(() => door.setSettings({ frontIndex: saved.settings.frontIndex }));
      await Promise.all([...saved.apps].map(([app, spec]) => put(app, spec, true).catch(() => undefined)));
    },
    saved: () => ({
      settings: { ...settings, front: frontBound ?? settings.front },
      // A bound port 0 is kept as the real port, so the app keeps its address across restarts.
      apps: new Map([...entries].map(([app, e]) => [app, { ...e.spec, publish: e.bound ?? e.spec.publish }])),
    }),
    async close() {
      for (const entry of entries.values()) entry.route.close();
      await engine.close();
    },
  };
  return door;
}
