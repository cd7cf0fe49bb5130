import type { Address } from "../../address.js";

/** What HAProxy serves for one app (the door's desired state, translated). */
export interface HaproxyApp {
  app: string;
  /** Its public TCP address on HAProxy; null when it has none or the door serves it itself (replay). */
  publish: Address | null;
  /** Routed by Host on the shared listener. */
  hostname: string | null;
  /** The publish port speaks HTTP (deploy.proxy.protocol): its frontend uses the app's http backend. */
  publishHttp: boolean;
  replay: boolean;
  backends: readonly { id: string; address: Address; state: "ready" | "draining" }[];
}

export interface HaproxyModel {
  front: Address | null;
  apps: readonly HaproxyApp[];
}

/** Where HAProxy's files and the door's sockets for it are. */
export interface HaproxyPaths {
  dir: string;
  config: string;
  map: string;
  stats: string;
  master: string;
  /** The door's socket that takes an app's connections while it has no ready backend. */
  hold: (app: string, mode: "tcp" | "http") => string;
  /** The door's socket that answers a Host no app has (404 page). */
  unknown: string;
}

export const tcpBackend = (app: string): string => `t_${app}`;
export const httpBackend = (app: string): string => `h_${app}`;
export const HOLD_SERVER = "hold";

/** The app has a tcp backend: a publish port that carries any bytes. */
export const servesTcp = (app: HaproxyApp): boolean => app.publish !== null && !app.publishHttp;
/** The app has an http backend: a hostname on the shared listener, or a publish port that speaks HTTP. */
export const servesHttp = (app: HaproxyApp): boolean =>
  app.hostname !== null || (app.publish !== null && app.publishHttp);

/** Everything that needs a reload when it changes; backends and hostnames change at runtime. */
export function structureKey(model: HaproxyModel): string {
  return JSON.stringify({
    front: model.front,
    apps: [...model.apps]
      .sort((a, b) => a.app.localeCompare(b.app))
      .map((a) => [a.app, a.publish, a.hostname !== null, a.publishHttp, a.replay]),
  });
}
