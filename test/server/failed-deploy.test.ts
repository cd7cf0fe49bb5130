import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { commitAll, gitSync, writeFixture } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

function currentOf(data: string, app: string): string {
  return gitSync(join(data, "deploy.git"), ["show", `HEAD:${app}/current`]).trim();
}

it("a push whose release never becomes healthy is rejected and current goes back to the release that serves", async () => {
  const sandbox = serverSandbox();
  const server = await sandbox.start();
  const { dir, port } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
  const first = await gitPush(dir, server.gitUrl("hello"));
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v1 hello"), "v1 hello\n");

  // Build and tests pass; the unikernel boots but never answers its health check.
  writeFixture(dir, "hang", "v2");
  const yml = join(dir, "skiff.yml");
  writeFileSync(yml, readFileSync(yml, "utf8").replace("timeout: 10s", "timeout: 2s"));
  commitAll(dir, "v2 hangs");
  const second = await gitPush(dir, server.gitUrl("hello"));
  assert.notEqual(second.code, 0, second.stderr);
  assert.match(second.stderr, /release 2 of hello stored/);

  assert.equal(currentOf(server.data, "hello"), "1");
  const log = gitSync(join(server.data, "deploy.git"), ["log", "--format=%s", "-1"]);
  assert.match(log, /current back to release 1/);
  assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v1 hello\n");
});
