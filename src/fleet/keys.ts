/**
 * Where the fleet lives in etcd (docs/fleet.md, "The keys"). Pure: names only.
 *
 *   <prefix>hosts/<host>                                  host record            (host lease)
 *   <prefix>apps/<app>/hosts/<host>                       the app on that host   (host lease)
 *   <prefix>apps/<app>/paused                             rollouts paused by an operator
 *   <prefix>apps/<app>/rollouts/<release>/spec            max_parallel, pause, halt_on_failure
 *   <prefix>apps/<app>/rollouts/<release>/slots/<host>    a waiter or holder (host lease; ordered by create revision)
 *   <prefix>apps/<app>/rollouts/<release>/done/<host>     the host's outcome
 *   <prefix>apps/<app>/rollouts/<release>/failed          the first failure (halts the rollout)
 *   <prefix>apps/<app>/rollouts/<release>/last-release    when the last slot was given back (for pause)
 */
export const DEFAULT_FLEET_PREFIX = "/skiff/v1/";

/** Release numbers zero-padded so that a key range sorts releases numerically. */
export function releaseSegment(release: number): string {
  return String(release).padStart(10, "0");
}

export interface FleetKeys {
  prefix: string;
  hosts: string;
  host(host: string): string;
  apps: string;
  app(app: string): string;
  appHosts(app: string): string;
  appHost(app: string, host: string): string;
  paused(app: string): string;
  rollouts(app: string): string;
  rollout(app: string, release: number): string;
  spec(app: string, release: number): string;
  slots(app: string, release: number): string;
  slot(app: string, release: number, host: string): string;
  done(app: string, release: number, host: string): string;
  failed(app: string, release: number): string;
  lastRelease(app: string, release: number): string;
}

export function fleetKeys(prefix: string = DEFAULT_FLEET_PREFIX): FleetKeys {
  const app = (name: string): string => `${prefix}apps/${name}/`;
  const rollout = (name: string, release: number): string =>
    `${app(name)}rollouts/${releaseSegment(release)}/`;
  return {
    prefix,
    hosts: `${prefix}hosts/`,
    host: (host) => `${prefix}hosts/${host}`,
    apps: `${prefix}apps/`,
    app,
    appHosts: (name) => `${app(name)}hosts/`,
    appHost: (name, host) => `${app(name)}hosts/${host}`,
    paused: (name) => `${app(name)}paused`,
    rollouts: (name) => `${app(name)}rollouts/`,
    rollout,
    spec: (name, release) => `${rollout(name, release)}spec`,
    slots: (name, release) => `${rollout(name, release)}slots/`,
    slot: (name, release, host) => `${rollout(name, release)}slots/${host}`,
    done: (name, release, host) => `${rollout(name, release)}done/${host}`,
    failed: (name, release) => `${rollout(name, release)}failed`,
    lastRelease: (name, release) => `${rollout(name, release)}last-release`,
  };
}

/** One key of the fleet, named by what it holds. */
export type ParsedKey =
  | { kind: "host"; host: string }
  | { kind: "app-host"; app: string; host: string }
  | { kind: "paused"; app: string }
  | { kind: "spec" | "failed" | "last-release"; app: string; release: number }
  | { kind: "slot" | "done"; app: string; release: number; host: string }
  | { kind: "unknown" };

const ROLLOUT_KEY =
  /^apps\/([^/]+)\/rollouts\/(\d{10})\/(spec|failed|last-release|slots\/([^/]+)|done\/([^/]+))$/;

export function parseKey(keys: FleetKeys, key: string): ParsedKey {
  if (!key.startsWith(keys.prefix)) return { kind: "unknown" };
  const rest = key.slice(keys.prefix.length);
  let match = /^hosts\/([^/]+)$/.exec(rest);
  if (match) return { kind: "host", host: match[1]! };
  match = /^apps\/([^/]+)\/hosts\/([^/]+)$/.exec(rest);
  if (match) return { kind: "app-host", app: match[1]!, host: match[2]! };
  match = /^apps\/([^/]+)\/paused$/.exec(rest);
  if (match) return { kind: "paused", app: match[1]! };
  match = ROLLOUT_KEY.exec(rest);
  if (!match) return { kind: "unknown" };
  const [, app, release, what, slotHost, doneHost] = match;
  const base = { app: app!, release: Number(release) };
  if (slotHost !== undefined) return { kind: "slot", ...base, host: slotHost };
  if (doneHost !== undefined) return { kind: "done", ...base, host: doneHost };
  return { kind: what as "spec" | "failed" | "last-release", ...base };
}

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: to the end of the keyspace.
  return Buffer.from([0]);
}
