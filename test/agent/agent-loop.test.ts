import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { httpGet, waitForBody } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { skiffOk } from "../support/run-skiff.js";
import {
  agentOnce,
  instanceOf,
  makeDeployHost,
  readEvents,
  storeNextRelease,
  type DeployHost,
} from "./deploy-host.js";

function spawnAgent(host: DeployHost, poll = "300ms"): ChildProcess {
  return spawn(
    process.execPath,
    [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", poll],
    {
      env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
      stdio: "ignore",
    },
  );
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => reject(new Error("agent did not exit")), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("an agent killed with SIGKILL is restarted and adopts the running instance (same pid)", async (t) => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  const agent = spawnAgent(host);
  t.after(() => agent.kill("SIGKILL"));
  await waitForBody(host.url, "v1");
  const before = instanceOf(host);
  agent.kill("SIGKILL");
  await exited(agent, 5000);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");

  // The dead agent's lock is stale: the next agent takes it over and adopts, not restarts.
  const run = await agentOnce(host);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(instanceOf(host), before);
  assert.ok(
    readEvents(host.data).some(
      (e) => e.type === "instance.adopted" && (e.data as { instance?: string }).instance === before?.id,
    ),
  );

  // A second agent on the same data dir while one runs is refused.
  const starts = (): number => readEvents(host.data).filter((e) => e.type === "agent.started").length;
  const startsBefore = starts();
  const second = spawnAgent(host);
  t.after(() => second.kill("SIGKILL"));
  await until(() => starts() > startsBefore, 10_000, "agent.started");
  const refused = await agentOnce(host);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /ERR_SKIFF_AGENT_LOCKED/);
  second.kill("SIGTERM");
  assert.equal(await exited(second, 10_000), 0);
  assert.deepEqual(instanceOf(host), before, "SIGTERM stops the agent, not the instance");
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("skiff stop wins over the reconcile loop; skiff start lets the agent start it again", async (t) => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  const agent = spawnAgent(host, "200ms");
  t.after(() => agent.kill("SIGKILL"));
  await waitForBody(host.url, "v1");
  const pid = instanceOf(host)?.pid;
  await skiffOk(["stop", host.app, "--data", host.data]);
  const passes = (): number => readEvents(host.data).filter((e) => e.type === "agent.planned").length;
  const seen = passes();
  await until(() => passes() >= seen + 3, 15_000, "three more passes");
  assert.equal(instanceOf(host), undefined);
  await assert.rejects(httpGet(host.url, 1000));
  const status = JSON.parse((await skiffOk(["status", "--data", host.data, "--json"])).stdout) as {
    status: string;
  }[];
  assert.equal(status[0]?.status, "stopped");

  await skiffOk(["start", host.app, "--data", host.data]);
  await waitForBody(host.url, "v1");
  assert.notEqual(instanceOf(host)?.pid, pid);
  agent.kill("SIGTERM");
  await exited(agent, 10_000);
  await skiffOk(["stop", host.app, "--data", host.data]);
});
