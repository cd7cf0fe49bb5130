import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitAll, gitSync, writeAndCommit, writeFixture } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

function serverMain(data: string, app: string): string | undefined {
  try {
    return gitSync(join(data, "apps", `${app}.git`), ["rev-parse", "--verify", "--quiet", "refs/heads/main"]);
  } catch {
    return undefined;
  }
}

describe("git push to skiff server", () => {
  it("builds, stores and deploys the pushed commit, and the pusher sees each stage and the URL", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(root, "app"), "hello", "v1");
    const push = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(push.code, 0, push.stderr);
    const lines = push.stderr
      .split("\n")
      .filter((line) => line.startsWith("remote: "))
      .map((l) => l.slice(8).trim());
    const stages = lines.filter((l) => l.startsWith("-----> ")).map((l) => l.slice(7).split(/[: ]/)[0]);
    assert.deepEqual(stages, ["skiff", "build", "test", "store", "deploy", "released"]);
    assert.ok(lines.includes("released hello v1".replace(/^/, "-----> ")), push.stderr);
    assert.ok(lines.includes(`http://127.0.0.1:${port}`), push.stderr);
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v1 hello"), "v1 hello\n");
    assert.equal(serverMain(server.data, "hello"), gitSync(dir, ["rev-parse", "HEAD"]));
    const api = await fetch(`${server.url}/api/apps`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const body = (await api.json()) as {
      apps: { app: string; current: number; release: number; status: string }[];
    };
    assert.deepEqual(
      body.apps.map((a) => [a.app, a.current, a.release, a.status]),
      [["hello", 1, 1, "running"]],
    );
  });

  it("rejects a push whose tests fail, and the release before keeps serving", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(root, "app"), "hello", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("hello"))).code, 0);
    const good = gitSync(dir, ["rev-parse", "HEAD"]);
    writeFixture(dir, "serve", "v2");
    const yml = gitSync(dir, ["show", "HEAD:skiff.yml"]).replace(
      / {2}test: .*/,
      "  test: echo unit tests failed; exit 3",
    );
    writeAndCommit(dir, "skiff.yml", yml + "\n", "v2 with failing tests");
    const push = await gitPush(dir, server.gitUrl("hello"));
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /remote: +unit tests failed/);
    assert.match(push.stderr, /pre-receive hook declined/);
    assert.equal(serverMain(server.data, "hello"), good);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v1 hello\n");
  });

  it("two pushes in quick succession end with the newer one live", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(root, "app"), "hello", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("hello"))).code, 0);
    // v2 builds slowly, so v3 arrives while v2 is still building.
    const yml = gitSync(dir, ["show", "HEAD:skiff.yml"]).replace("command: ", "command: sleep 2 && ");
    writeFixture(dir, "serve", "v2");
    writeAndCommit(dir, "skiff.yml", yml + "\n", "v2");
    const first = gitPush(dir, server.gitUrl("hello"));
    await waitFor(() => serverIsBuilding(server.url, server.token), 20_000);
    writeFixture(dir, "serve", "v3");
    const v3 = commitAll(dir, "v3");
    const second = await gitPush(dir, server.gitUrl("hello"));
    const firstRun = await first;
    assert.equal(firstRun.code, 0, firstRun.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /waiting for the push of hello/);
    assert.equal(serverMain(server.data, "hello"), v3);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v3 hello\n");
  });

  it("a newer push replaces one still waiting, which is rejected with a reason", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(root, "app"), "hello", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("hello"))).code, 0);
    const yml = gitSync(dir, ["show", "HEAD:skiff.yml"]).replace("command: ", "command: sleep 2 && ");
    writeFixture(dir, "serve", "v2");
    writeAndCommit(dir, "skiff.yml", yml + "\n", "v2");
    const building = gitPush(dir, server.gitUrl("hello"));
    await waitFor(() => serverIsBuilding(server.url, server.token), 20_000);
    writeFixture(dir, "serve", "v3");
    commitAll(dir, "v3");
    let waitingSeen!: () => void;
    const waiting = new Promise<void>((resolve) => (waitingSeen = resolve));
    const replaced = gitPush(dir, server.gitUrl("hello"), (text) => {
      if (text.includes("waiting for the push")) waitingSeen();
    });
    await waiting;
    writeFixture(dir, "serve", "v4");
    const v4 = commitAll(dir, "v4");
    const newest = await gitPush(dir, server.gitUrl("hello"));
    const [buildingRun, replacedRun] = await Promise.all([building, replaced]);
    assert.equal(buildingRun.code, 0, buildingRun.stderr);
    assert.notEqual(replacedRun.code, 0);
    assert.match(replacedRun.stderr, /a newer push to hello replaced this one/);
    assert.equal(newest.code, 0, newest.stderr);
    assert.equal(serverMain(server.data, "hello"), v4);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v4 hello\n");
  });
});

async function serverIsBuilding(url: string, token: string): Promise<boolean> {
  const response = await fetch(`${url}/api/apps`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { apps: { building: boolean }[] };
  return body.apps.some((app) => app.building);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}
