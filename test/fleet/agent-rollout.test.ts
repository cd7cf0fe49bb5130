// Three real agents follow one deployment repository through a real etcd: a push rolls out one
// host at a time, and a broken release stops on the first host while the others keep serving.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, it } from "node:test";
import { readEvents, waitFor } from "../agent/swap-host.js";
import { commitAll, fixtureBuildYml, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { etcdUnavailable, startEtcd } from "../support/etcd.js";
import { httpGet } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";

const HOSTS = ["h1", "h2", "h3"];
/** A serial rollout of three hosts on a loaded 2-core machine: generous. */
const WAIT_MS = 60_000;

function skiffYml(health: string): string {
  // No publish: each host of this one machine picks its own public address.
  return `${fixtureBuildYml("hello")}deploy:
  driver: unix
  confirm: 1s
  drain_timeout: 1s
  stop_timeout: 2s
  health: ${health}
  rollout: { max_parallel: 1 }
`;
}

function publicUrl(data: string): string | undefined {
  const path = join(data, "state.json");
  if (!existsSync(path)) return undefined;
  const address = (
    JSON.parse(readFileSync(path, "utf8")) as { apps: Record<string, { publicAddress?: string }> }
  ).apps.hello?.publicAddress;
  return address === undefined ? undefined : `http://${address}/`;
}

async function serves(data: string, body: string): Promise<true | undefined> {
  const url = publicUrl(data);
  if (url === undefined) return undefined;
  const answer = await httpGet(url, 2000).catch(() => undefined);
  return answer?.body.startsWith(body) ? true : undefined;
}

/** [start, end] of each host's swap to `release`: its first instance started to its deploy's end. */
function swapWindow(data: string, release: number): [number, number] | undefined {
  const events = readEvents(data).filter((e) => e.release === release);
  const start = events.find((e) => e.type === "instance.started");
  const end = events.find((e) => e.type === "deploy.succeeded" || e.type === "deploy.failed");
  if (start === undefined || end === undefined) return undefined;
  return [Date.parse(start.time), Date.parse(end.time)];
}

it("three agents roll a release out one host at a time; a broken one stops on the first host", async (t) => {
  if (!requireTier(t, "etcd", etcdUnavailable())) return;
  const etcd = await startEtcd();
  after(() => etcd.stop());
  const root = tempDir("skiff-fleet-agents-");
  const appDir = join(root, "app");
  const repo = join(root, "deploy.git");
  const healthy = "{ http: /, timeout: 10s, interval: 100ms }";
  makeAppRepo(appDir, { skiffYml: skiffYml(healthy), version: "v1" });
  const store = async (fixture: string, version: string, health = healthy): Promise<void> => {
    writeFixture(appDir, fixture, version);
    writeFileSync(join(appDir, "skiff.yml"), skiffYml(health));
    commitAll(appDir, version);
    await skiffOk(["build", "--dir", appDir]);
    await skiffOk(["store", "--to", repo, "--dir", appDir]);
  };
  await store("serve", "v1");

  const agents: ChildProcess[] = [];
  const datas = HOSTS.map((host) => join(root, host));
  for (const [i, host] of HOSTS.entries()) {
    const data = datas[i]!;
    after(() => stopHost(data));
    const args = [SKIFF_BIN, "agent", "--repo", repo, "--data", data, "--poll", "300ms"];
    args.push("--fleet", etcd.url, "--host", host, "--label", `zone=z${i}`);
    const child = spawn(process.execPath, args, {
      env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
    agents.push(child);
  }
  after(() => {
    for (const child of agents)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const trail = (): string =>
    datas
      .map(
        (d) =>
          `${d}: ${readEvents(d)
            .filter((e) => !e.type.startsWith("agent."))
            .slice(-12)
            .map(
              (e) =>
                `${e.type}${e.release ? `@${e.release}` : ""}${e.error ? `(${e.error.code}: ${e.error.message})` : ""}${e.message ? ` [${e.message}]` : ""}`,
            )
            .join(" ")}`,
      )
      .join("\n");
  for (const data of datas)
    await waitFor(`${data} to serve v1`, () => serves(data, "v1"), WAIT_MS).catch((error: Error) => {
      throw new Error(`${error.message}\n${trail()}`);
    });

  await store("serve", "v2");
  for (const data of datas) await waitFor(`${data} to serve v2`, () => serves(data, "v2"), WAIT_MS);
  const windows: [number, number][] = [];
  for (const data of datas)
    windows.push(await waitFor(`${data} to end its deploy of v2`, () => swapWindow(data, 2), WAIT_MS));
  windows.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < windows.length; i++)
    assert.ok(windows[i]![0] >= windows[i - 1]![1], `swap windows overlap: ${JSON.stringify(windows)}`);

  const status = JSON.parse(
    (await skiffOk(["fleet", "status", "hello", "--fleet", etcd.url, "--json"])).stdout,
  ) as {
    hosts: { host: string; apps: { app: string; release: number | null; sync: string; health: string }[] }[];
  };
  const rows = status.hosts.map((h) => [h.host, h.apps.find((a) => a.app === "hello")?.release]);
  assert.deepEqual(
    rows.sort(),
    HOSTS.map((h) => [h, 2]),
  );

  // Release 3 never becomes healthy: the host that takes the slot fails it, no other host tries it.
  await store("crash", "v3", "{ http: /, timeout: 2s, interval: 100ms }");
  const failed = await waitFor(
    "a host to fail release 3",
    () => datas.find((data) => readEvents(data).some((e) => e.type === "deploy.failed" && e.release === 3)),
    WAIT_MS,
  );
  for (const data of datas.filter((d) => d !== failed)) {
    const refusal = await waitFor(
      `${data} to refuse release 3`,
      () => readEvents(data).find((e) => e.release === 3 && e.error?.code === "ERR_SKIFF_ROLLOUT_HALTED"),
      WAIT_MS,
    );
    assert.ok(refusal);
    assert.equal(
      readEvents(data).some((e) => e.type === "instance.started" && e.release === 3),
      false,
      "a host after the halt never boots the broken release",
    );
  }
  for (const data of datas) assert.equal(await serves(data, "v2"), true, `${data} keeps serving v2`);
  for (const child of agents) child.kill("SIGTERM");
});
