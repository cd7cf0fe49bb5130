import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stopHost } from "../support/stop-host.js";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent, type AgentHandle } from "../../src/agent/index.js";
import { signBody, startWebhookListener, type HttpListener } from "../../src/server/index.js";
import { startCountingGitProxy, type CountingGitProxy } from "./counting-git-proxy.js";
import { createReadOnlyToken, serverSandbox, type RunningServer } from "./server-harness.js";

const SECRET = "a-shared-webhook-secret";

/** Fetches the follower agent made, once it has nothing in flight. */
async function settledFetchCount(proxy: CountingGitProxy, agent: AgentHandle): Promise<number> {
  const deadline = Date.now() + 20_000;
  await sleep(300);
  while (agent.status().inFlight && Date.now() < deadline) await sleep(50);
  return proxy.fetches();
}

function githubPush(url: string, delivery: string, secret = SECRET): Promise<Response> {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    after: "0".repeat(40),
    repository: { full_name: "o/deploy" },
  });
  return fetch(`${url}/hooks/git`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": delivery,
      "x-hub-signature-256": signBody(secret, body),
    },
    body,
  });
}

describe("webhook triggers for an agent following skiff server", () => {
  let server: RunningServer;
  let agent: AgentHandle;
  let hooks: HttpListener;
  let proxy: CountingGitProxy;

  before(async () => {
    server = await sandbox.start();
    const readOnly = await createReadOnlyToken(server.data);
    const data = join(sandbox.root, "follower");
    proxy = await startCountingGitProxy(server.url);
    const repo = `${proxy.url.replace("http://", `http://git:${readOnly}@`)}/deploy.git`;
    agent = await startAgent({ repo, data, pollMs: 3_600_000 });
    hooks = await startWebhookListener({
      listen: "127.0.0.1:0",
      secret: SECRET,
      data,
      trigger: (reason) => agent.trigger(reason),
    });
    const deadline = Date.now() + 20_000;
    while (agent.status().passes < 1 && Date.now() < deadline) await sleep(50);
  });

  after(async () => {
    await hooks?.close();
    proxy?.close();
    await agent?.stop();
    // The follower's instances and front door outlive its agent by design.
    stopHost(join(sandbox.root, "follower"));
  });
  // After hooks run in the order they were registered: the sandbox stops the server and removes its
  // folder (the follower's data with it) only once the hook above has stopped the follower. At suite
  // level, so its cleanup runs after the whole suite (not after the before hook).
  const sandbox = serverSandbox();

  it("a valid GitHub push webhook makes the agent fetch at once", async () => {
    const before = await settledFetchCount(proxy, agent);
    const response = await githubPush(hooks.url, "delivery-valid-1");
    assert.equal(response.status, 202);
    assert.equal(await settledFetchCount(proxy, agent), before + 1, JSON.stringify(agent.status()));
  });

  it("a bad signature is a 401 and no fetch", async () => {
    const before = await settledFetchCount(proxy, agent);
    const wrong = await githubPush(hooks.url, "delivery-bad-1", "not-the-secret");
    assert.equal(wrong.status, 401);
    const unsigned = await fetch(`${hooks.url}/hooks/git`, {
      method: "POST",
      body: JSON.stringify({ repo: "x", time: Date.now() }),
    });
    assert.equal(unsigned.status, 401);
    assert.equal(await settledFetchCount(proxy, agent), before);
  });

  it("a replayed delivery is refused and causes no fetch", async () => {
    assert.equal((await githubPush(hooks.url, "delivery-replay-1")).status, 202);
    const before = await settledFetchCount(proxy, agent);
    const replay = await githubPush(hooks.url, "delivery-replay-1");
    assert.equal(replay.status, 409);
    assert.equal(await settledFetchCount(proxy, agent), before);
  });

  it("the signed trigger works within its freshness window only, and once", async () => {
    const before = await settledFetchCount(proxy, agent);
    const send = (body: string): Promise<Response> =>
      fetch(`${hooks.url}/hooks/git`, {
        method: "POST",
        headers: { "x-skiff-signature": signBody(SECRET, body) },
        body,
      });
    const fresh = JSON.stringify({ repo: "deploy", time: new Date().toISOString() });
    assert.equal((await send(fresh)).status, 202);
    assert.equal((await send(fresh)).status, 409);
    assert.equal((await send(JSON.stringify({ repo: "deploy", time: Date.now() - 3_600_000 }))).status, 401);
    assert.equal(await settledFetchCount(proxy, agent), before + 1);
  });

  it("a body over the cap is a 413", async () => {
    const big = "x".repeat(25 * 1024 * 1024 + 1);
    const response = await fetch(`${hooks.url}/hooks/git`, {
      method: "POST",
      headers: { "x-hub-signature-256": "sha256=00" },
      body: big,
    });
    assert.equal(response.status, 413);
  });

  it("a burst of 1,000 valid webhooks causes one fetch in flight plus at most one more", async () => {
    const before = await settledFetchCount(proxy, agent);
    // The deployment repository answers slowly: the whole burst arrives while the first fetch is in flight.
    proxy.hold();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => githubPush(hooks.url, `burst-${i}`)),
    );
    assert.ok(responses.every((r) => r.status === 202));
    proxy.release();
    const fetches = (await settledFetchCount(proxy, agent)) - before;
    assert.ok(fetches >= 1 && fetches <= 2, `${fetches} fetches for 1,000 webhooks`);
  });
});
