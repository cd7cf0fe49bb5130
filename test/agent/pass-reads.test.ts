import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { mirrorPath, startAgent } from "../../src/agent/index.js";
import { gitSync } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { tracedGitProcesses } from "../support/trace.js";
import { agentOnce, instanceOf, makeDeployHost, storeNextRelease } from "./deploy-host.js";

test("one pass of the agent reads the deployment repository through one cat-file session", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  assert.equal((await agentOnce(host)).code, 0);
  assert.equal(await storeNextRelease(host, { version: "v2" }), 2);
  const trace = join(tempDir("skiff-trace-"), "trace.jsonl");
  await skiffOk(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json"], {
    env: { SKIFF_TRACE_PROCESSES: trace },
  });
  assert.equal((await httpGet(host.url)).body, "v2 hello\n");
  assert.equal(instanceOf(host)?.release, 2);
  // A local repository: its main read and copied into the mirror (no fetch: the mirror borrows its
  // objects), then one session for the commit, pointers, manifest, tree and release files.
  const git = tracedGitProcesses(trace);
  assert.equal(git.filter((what) => / fetch /.test(what)).length, 0, git.join("\n"));
  assert.equal(
    git.filter((what) => what.startsWith("git cat-file --batch-command")).length,
    1,
    git.join("\n"),
  );
  assert.ok(git.length <= 3, `one pass ran ${git.length} git processes:\n${git.join("\n")}`);
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("what was read at one commit is never served for the next: release 2, then 3, both deploy", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 3_600_000 });
  try {
    await agent.reconcileNow();
    assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");
    assert.equal(await storeNextRelease(host, { version: "v2" }), 2);
    await agent.reconcileNow({ app: host.app, release: 2 });
    // The pass hands the deploy to the app's worker and resolves with its plan; settled waits for the deploy.
    assert.equal((await agent.settled(host.app))?.ok, true);
    assert.equal((await httpGet(host.url)).body, "v2 hello\n");
    assert.equal(await storeNextRelease(host, { version: "v3" }), 3);
    const pass = await agent.reconcileNow({ app: host.app, release: 3 });
    assert.equal(pass.actions[0]?.kind, "deploy");
    assert.equal((await agent.settled(host.app))?.ok, true);
    assert.equal((await httpGet(host.url)).body, "v3 hello\n");
    assert.equal(instanceOf(host)?.release, 3);
  } finally {
    await agent.stop();
    await skiffOk(["stop", host.app, "--data", host.data]);
  }
});

test("a fetched mirror is tidied by git's maintenance after the pass, not inside the fetch a deploy waits on", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  const trace = join(tempDir("skiff-trace-"), "trace.jsonl");
  // A URL, not a path: the agent fetches (as a follower over HTTP does) instead of borrowing objects.
  await skiffOk(["agent", "--repo", `file://${host.repo}`, "--data", host.data, "--once", "--json"], {
    env: { SKIFF_TRACE_PROCESSES: trace },
  });
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  const runs = readFileSync(trace, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { what: string; at: number; ms: number });
  const fetches = runs.filter((run) => / fetch /.test(run.what));
  assert.ok(fetches.length > 0, runs.map((run) => run.what).join("\n"));
  for (const fetch of fetches) assert.match(fetch.what, / --no-auto-maintenance /);
  const tidy = runs.filter((run) => / maintenance run --auto /.test(run.what));
  assert.equal(tidy.length, 1, runs.map((run) => run.what).join("\n"));
  const lastFetchEnd = Math.max(...fetches.map((fetch) => fetch.at + fetch.ms));
  assert.ok(tidy[0]!.at >= lastFetchEnd, "maintenance ran after the fetches, not during them");
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("a running agent tidies its fetched mirror once it is idle, not only when it stops", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  // A mirror whose maintenance packs its loose objects every time it runs: a pack shows it ran.
  const mirror = mirrorPath(host.data);
  mkdirSync(mirror, { recursive: true });
  gitSync(mirror, ["init", "--quiet", "--bare"]);
  gitSync(mirror, ["config", "maintenance.loose-objects.enabled", "true"]);
  gitSync(mirror, ["config", "maintenance.loose-objects.auto", "-1"]);
  const packs = (): string[] =>
    readdirSync(join(mirror, "objects", "pack")).filter((f) => f.endsWith(".pack"));
  const agent = await startAgent({ repo: `file://${host.repo}`, data: host.data, pollMs: 3_600_000 });
  try {
    await agent.reconcileNow();
    await agent.settled(host.app);
    assert.equal((await httpGet(host.url)).body, "v1 hello\n");
    const deadline = Date.now() + 10_000;
    while (packs().length === 0 && Date.now() < deadline) await sleep(50);
    assert.equal(agent.status().running, true);
    assert.ok(packs().length > 0, "the mirror's objects were packed while the agent ran");
  } finally {
    await agent.stop();
    await skiffOk(["stop", host.app, "--data", host.data]);
  }
});
