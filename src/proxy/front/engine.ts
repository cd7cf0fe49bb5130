import type { Address } from "../address.js";
import type { DrainResult } from "../connection-table.js";
import type { AppRoute } from "./app-route.js";
import type { BackendSpec } from "./front-schema.js";
import type { Counters } from "./status-schema.js";

/** What an engine serves for one app. */
export interface EngineApp {
  app: string;
  /** The address to listen on; port 0 asks for any free one (the bound one is reported back). */
  publish: Address | null;
  hostname: string | null;
  backends: readonly BackendSpec[];
  replay: boolean;
  /** What the publish port speaks; the node engine carries both as TCP. */
  protocol: "tcp" | "http";
  route: AppRoute;
}

/** The whole desired state, as the engine sees it. */
export interface EngineView {
  front: Address | null;
  apps: ReadonlyMap<string, EngineApp>;
  /** The app a request's Host names (normalized), if any. */
  routeOf(host: string | undefined): AppRoute | undefined;
  /** The 404 page for a host no app has. */
  notFoundPage(host: string | undefined): string;
}

/**
 * What changed since the last apply: engines may touch only that. Applies for different apps may run
 * at once; an engine may serve them with one change. `all`: the door came back and restores its
 * saved state, settings and every app in one change (HAProxy adopted from a dead door keeps every
 * listener: a reload with only part of the state would close the others for a while).
 */
export type EngineChange = { kind: "app"; app: string } | { kind: "settings" } | { kind: "all" };

export interface EngineBound {
  /** Bound public addresses per app (real ports). */
  publish: ReadonlyMap<string, Address>;
  front: Address | null;
}

/** Traffic an engine carried itself (HAProxy), to add to what the door's own code counted. */
export interface EngineAppStats {
  counters: Counters;
  /** Per backend id: open connections, total, last activity (ms since epoch). */
  backends: Map<string, { open: number; connections: number; lastActivity: number | undefined }>;
  lastActivity: number | undefined;
}

/** The data path of the front door: the door's own code (node) or HAProxy driven by it. */
export interface FrontEngine {
  readonly name: "node" | "haproxy";
  readonly version?: string;
  /**
   * Makes listeners and routing match `view`; resolves once in effect. A public address that cannot
   * be bound rejects with a SkiffError (data.app names the app) and leaves the rest as it was.
   */
  apply(view: EngineView, change: EngineChange): Promise<EngineBound>;
  /** Per app (only `app` when given, which is cheaper). */
  stats(app?: string): Promise<ReadonlyMap<string, EngineAppStats>>;
  /** Drains a backend on the engine's side too (HAProxy's own connections); undefined: the route's drain is all. */
  drain?(app: string, id: string, timeoutMs: number): Promise<DrainResult>;
  /** Called when the engine's own process died and was started again (HAProxy's master): pids before and after. */
  onRestarted?(listener: (restart: { previous: number; pid: number }) => void): void;
  close(): Promise<void>;
}
