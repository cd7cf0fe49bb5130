import { appendFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { freePort } from "../support/http.js";
import { envFlow, storeExecutable, writeFixtureExecutable } from "../support/fixture-release.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { readEvents } from "./swap-host.js";

/** A deployment repository holding several apps, and one host data dir that runs them all. */
export interface AppsHost {
  root: string;
  repo: string;
  data: string;
  /** Each app's public address, "127.0.0.1:<port>", fixed on its first store. */
  publish: Map<string, string>;
}

export interface AppRelease {
  app: string;
  version: string;
  /** Which fake unikernel the release ships (test/fixtures/unikernels): serve, die-after … */
  fixture?: string;
  env?: Record<string, string>;
  confirm?: string;
  restart?: string;
  /** deploy.scale as YAML flow, e.g. "{ min: 0, idle: 1s }". */
  scale?: string;
  /** deploy.hostname; with `publish: false` the app is reached by it only. */
  hostname?: string;
  publish?: boolean;
  /** deploy.proxy.protocol: what the publish port speaks. */
  protocol?: "tcp" | "http";
  /** Bytes of incompressible data appended to the executable (as a comment): a release too big for a small disk. */
  padding?: number;
}

export function makeAppsHost(): AppsHost {
  const root = tempDir("skiff-apps-");
  const host = { root, repo: join(root, "deploy.git"), data: join(root, "host"), publish: new Map() };
  after(() => stopHost(host.data));
  return host;
}

/** Stores the next release of `app` (blue-green, unix) without a build process; returns its number. */
export async function storeApp(host: AppsHost, release: AppRelease): Promise<number> {
  const publish = host.publish.get(release.app) ?? `127.0.0.1:${await freePort()}`;
  if (release.publish !== false) host.publish.set(release.app, publish);
  const path = join(host.root, `${release.app}-${release.version}`);
  writeFixtureExecutable(path, release.fixture ?? "serve", release.version);
  if (release.padding !== undefined)
    appendFileSync(path, `\n// ${randomBytes(release.padding).toString("base64")}\n`);
  const env = envFlow(release.env);
  const yml = `app: ${release.app}
build:
  command: "true"
  matrix:
    - target: unix
      artifact: _build/${release.app}
      deploy: true
deploy:
  driver: unix
${release.publish === false ? "" : `  publish: ${publish}\n`}${release.scale ? `  scale: ${release.scale}\n` : ""}${release.hostname ? `  hostname: ${release.hostname}\n` : ""}${release.protocol ? `  proxy: { protocol: ${release.protocol} }\n` : ""}  strategy: blue-green
  confirm: ${release.confirm ?? "1s"}
  drain_timeout: 1s
  stop_timeout: 2s
  env: { ${env} }
  restart: ${release.restart ?? "{ limit: 3, backoff: 200ms }"}
  health: { http: /, timeout: 10s, interval: 100ms }
`;
  return storeExecutable({ repo: host.repo, app: release.app, version: release.version, yml, path });
}

export function appUrl(host: AppsHost, app: string): string {
  return `http://${host.publish.get(app)}/`;
}

/** The host's events of one app, in the order they were written. */
export function appEvents(host: AppsHost, app: string): SkiffEvent[] {
  return readEvents(host.data).filter((e) => e.app === app);
}

/** Position of the first event matching in the host's event log (-1 when none). */
export function eventIndex(host: AppsHost, match: (event: SkiffEvent) => boolean): number {
  return readEvents(host.data).findIndex(match);
}
