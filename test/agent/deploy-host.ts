import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { commitAll, fixtureBuildYml, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort } from "../support/http.js";
import { runSkiff, skiffOk, type SkiffRun } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

/** An app repository, a deployment repository and a host data dir, with the app on a free port. */
export interface DeployHost {
  app: string;
  appDir: string;
  repo: string;
  data: string;
  port: number;
  url: string;
}

export function appYml(
  app: string,
  port: number,
  health = "{ http: /, timeout: 10s, interval: 100ms }",
): string {
  return `${fixtureBuildYml(app)}deploy:
  driver: unix
  port: ${port}
  strategy: recreate
  stop_timeout: 2s
  health: ${health}
`;
}

export async function makeDeployHost(app = "hello"): Promise<DeployHost> {
  const root = tempDir("skiff-agent-");
  const port = await freePort();
  const appDir = join(root, "app");
  makeAppRepo(appDir, { app, skiffYml: appYml(app, port) });
  const host = {
    app,
    appDir,
    repo: join(root, "deploy.git"),
    data: join(root, "host"),
    port,
    url: `http://127.0.0.1:${port}/`,
  };
  after(() => stopHost(host.data));
  return host;
}

/** Builds and stores the next release serving `version` with `fixture`; returns its number. */
export async function storeNextRelease(
  host: DeployHost,
  options: { fixture?: string; version: string; health?: string },
): Promise<number> {
  writeFixture(host.appDir, options.fixture ?? "serve", options.version);
  writeFileSync(join(host.appDir, "skiff.yml"), appYml(host.app, host.port, options.health));
  commitAll(host.appDir, `release ${options.version}`);
  await skiffOk(["build", "--dir", host.appDir]);
  const stored = await skiffOk(["store", "--to", host.repo, "--dir", host.appDir, "--json"]);
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

export function agentOnce(host: DeployHost, extra: string[] = []): Promise<SkiffRun> {
  return runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json", ...extra]);
}

interface StateFile {
  apps: Record<
    string,
    {
      instances: { id: string; release: number; handle: { pid: number; startTime: string } }[];
      failed: { release: number }[];
      stopped?: unknown;
    }
  >;
}

export function readStateFile(data: string): StateFile {
  return JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as StateFile;
}

export function instanceOf(host: DeployHost): { id: string; release: number; pid: number } | undefined {
  const instance = readStateFile(host.data).apps[host.app]?.instances[0];
  return instance && { id: instance.id, release: instance.release, pid: instance.handle.pid };
}

export function readEvents(data: string): SkiffEvent[] {
  const path = join(data, "events.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SkiffEvent);
}
