import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { frontDoorDir } from "../../src/proxy/index.js";
import { appYml, makeDeployHost, readEvents, readStateFile, type DeployHost } from "../agent/deploy-host.js";
import { commitAll, gitSync, writeFixture } from "../support/app-repo.js";
import { httpGet } from "../support/http.js";
import { runSkiff, skiffOk, type SkiffRun } from "../support/run-skiff.js";
import { stopFrontDoorNow } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

/** A deploy host plus signing keys: skiff (trusted), other (untrusted), second (a second trusted key), host keys. */
export interface TrustHost extends DeployHost {
  keys: string;
  key: string;
  pub: string;
  otherKey: string;
  secondPub: string;
  hostKey: string;
  hostPub: string;
  otherHostPub: string;
}

export async function makeTrustHost(app = "hello"): Promise<TrustHost> {
  const host = await makeDeployHost(app);
  const keys = tempDir("skiff-keys-");
  for (const name of ["skiff", "other", "second"])
    await skiffOk(["keys", "generate", "--out", keys, "--name", name]);
  await skiffOk(["keys", "generate", "--host", "--out", keys, "--name", "host"]);
  await skiffOk(["keys", "generate", "--host", "--out", keys, "--name", "elsewhere"]);
  return {
    ...host,
    keys,
    key: join(keys, "skiff.key"),
    pub: join(keys, "skiff.pub"),
    otherKey: join(keys, "other.key"),
    secondPub: join(keys, "second.pub"),
    hostKey: join(keys, "host.key"),
    hostPub: join(keys, "host.pub"),
    otherHostPub: join(keys, "elsewhere.pub"),
  };
}

/** Builds `version` and stores it with `storeArgs` (e.g. --key F --expires 30d); returns the release number. */
export async function buildAndStore(
  host: DeployHost,
  options: { version: string; fixture?: string; storeArgs?: string[]; deployExtra?: string },
): Promise<number> {
  writeFixture(host.appDir, options.fixture ?? "serve", options.version);
  writeFileSync(join(host.appDir, "skiff.yml"), appYml(host.app, host.port) + (options.deployExtra ?? ""));
  commitAll(host.appDir, `release ${options.version}`);
  await skiffOk(["build", "--dir", host.appDir]);
  const stored = await skiffOk([
    "store",
    "--to",
    host.repo,
    "--dir",
    host.appDir,
    "--json",
    ...(options.storeArgs ?? []),
  ]);
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

export function runAgent(repo: string, data: string, args: string[]): Promise<SkiffRun> {
  return runSkiff(["agent", "--repo", repo, "--data", data, "--once", "--json", ...args]);
}

export interface RunningInstance {
  id: string;
  release: number;
  pid: number;
  startTime: string;
  url: string;
}

export function runningInstance(data: string, app = "hello"): RunningInstance {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<
      string,
      {
        instances: {
          id: string;
          release: number;
          handle: { pid: number; startTime: string };
          address: { host: string; port: number };
        }[];
      }
    >;
  };
  const instance = state.apps[app]?.instances[0];
  assert.ok(instance, `no instance recorded for ${app} in ${data}`);
  return {
    id: instance.id,
    release: instance.release,
    pid: instance.handle.pid,
    startTime: instance.handle.startTime,
    url: `http://${instance.address.host}:${instance.address.port}/`,
  };
}

/** The running instance is the same process as before, still recorded, and still serves `body`. */
export async function assertUntouched(data: string, before: RunningInstance, body: string): Promise<void> {
  const now = runningInstance(data);
  assert.equal(now.id, before.id, "the instance record changed");
  assert.equal(now.pid, before.pid, "the instance pid changed");
  assert.ok(isSameProcess(before.pid, before.startTime), "the running instance was stopped");
  // Generous: a loaded CI host may be slow to answer, which says nothing about the refusal.
  const served = await httpGet(before.url, 20_000);
  assert.equal(served.body.trim(), body);
}

/** A copy of the deployment repository and the data dir, so one case cannot leak into the next. */
export function copyHost(repo: string, data: string): { repo: string; data: string; notify: string } {
  const root = tempDir("skiff-case-");
  const copy = {
    repo: join(root, "deploy.git"),
    data: join(root, "host"),
    notify: join(root, "notify.jsonl"),
  };
  cpSync(repo, copy.repo, { recursive: true });
  // The case's agent opens a front door of its own for the copy: it goes when the file ends.
  after(() => stopFrontDoorNow(frontDoorDir(copy.data)));
  // The app's proxy (a live socket) and the lock belong to the original; the instance is shared.
  cpSync(data, copy.data, {
    recursive: true,
    filter: (source) =>
      !source.includes(`${join(data, "proxies")}`) &&
      !source.includes(`${join(data, "front")}`) &&
      !source.endsWith("agent.lock"),
  });
  return copy;
}

/** Clones `repo`, lets `edit` change the work tree (or push itself), commits and pushes. */
export function attackRepo(repo: string, edit: (work: string) => "pushed" | void): void {
  const work = join(tempDir("skiff-attack-"), "work");
  gitSync(repo, ["clone", "--quiet", repo, work]);
  if (edit(work) === "pushed") return;
  gitSync(work, ["add", "-A"]);
  gitSync(work, ["commit", "--quiet", "--allow-empty", "-m", "attack"]);
  gitSync(work, ["push", "--quiet", "origin", "HEAD:refs/heads/main"]);
}

export function refusals(data: string): SkiffEvent[] {
  return readEvents(data).filter((event) => event.type === "release.refused");
}

export function notifications(file: string): SkiffEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SkiffEvent);
}

export function lastRefusalCode(data: string, app = "hello"): string | undefined {
  const state = readStateFile(data) as unknown as {
    apps: Record<string, { refusal?: { error: { code: string } } }>;
  };
  return state.apps[app]?.refusal?.error.code;
}
