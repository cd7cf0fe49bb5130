import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { signBody } from "../../src/server/index.js";
import { makeDeployHost, storeNextRelease } from "../agent/deploy-host.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";

async function postHook(url: string, body: string, signature: string): Promise<number> {
  const response = await fetch(`${url}/hooks/git`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-skiff-signature": signature },
    body,
    signal: AbortSignal.timeout(5000),
  });
  return response.status;
}

async function waitForHealthz(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await httpGet(`${url}/healthz`, 1000).catch(() => undefined))?.status === 200) return;
    await sleep(50);
  }
  throw new Error(`no webhook listener on ${url}`);
}

test("skiff agent --listen: a signed trigger deploys at once, a bad signature changes nothing", async (t) => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  const secretFile = `${host.data}-secret`;
  writeFileSync(secretFile, "agent-secret\n");
  const hookPort = await freePort();
  const hooks = `http://127.0.0.1:${hookPort}`;
  // An hour's poll: only the webhook can explain a deploy within the test.
  const agent = spawn(
    process.execPath,
    [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", "1h"].concat([
      "--listen",
      `127.0.0.1:${hookPort}`,
      "--webhook-secret-file",
      secretFile,
    ]),
    { env: { ...process.env, SKIFF_LOG_LEVEL: "silent" }, stdio: "ignore" },
  );
  t.after(() => agent.kill("SIGTERM"));
  await waitForBody(host.url, "v1");
  await waitForHealthz(hooks, 10_000);
  await storeNextRelease(host, { version: "v2" });

  const body = JSON.stringify({ repo: host.repo, time: Date.now(), app: host.app, release: 2 });
  assert.equal(await postHook(hooks, body, signBody("wrong-secret", body)), 401);
  await sleep(1500);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");

  assert.equal(await postHook(hooks, body, signBody("agent-secret", body)), 202);
  await waitForBody(host.url, "v2", 15_000);
});
