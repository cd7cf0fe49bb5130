import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { commitAll, writeFixture } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

interface StatusRow {
  app: string;
  release: number;
  status: string;
  confirming?: { release: number };
  lastError?: { code: string };
}

it("a push whose release fails its health check shows the error code and the new instance's last lines; status shows the next deploy as confirming, without the old error", async () => {
  const sandbox = serverSandbox();
  const server = await sandbox.start();
  const { dir, port } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
  {
    const pushed = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(pushed.code, 0, pushed.stderr);
  }
  const yml = join(dir, "skiff.yml");
  const good = readFileSync(yml, "utf8");

  // Boots, prints a line, never answers its health check.
  writeFixture(dir, "hang", "v2");
  writeFileSync(yml, good.replace("timeout: 10s", "timeout: 2s"));
  commitAll(dir, "v2 hangs");
  const failed = await gitPush(dir, server.gitUrl("hello"));
  assert.notEqual(failed.code, 0);
  const remote = failed.stderr
    .split("\n")
    .filter((line) => line.startsWith("remote: "))
    .map((line) => line.slice("remote: ".length).trimEnd());
  const at = remote.findIndex((line) => /^ +ERR_SKIFF_HEALTH_TIMEOUT: /.test(line));
  assert.ok(at >= 0, failed.stderr);
  assert.match(
    remote.slice(at).join("\n"),
    /the last lines of hello-2-\w{4} \(skiff logs hello --release 2\):\n +booted, not listening\n/,
  );

  const status = async (): Promise<StatusRow> =>
    (JSON.parse((await skiffOk(["status", "--data", server.data, "--json"])).stdout) as StatusRow[])[0]!;
  assert.equal(
    (await status()).lastError?.code,
    "ERR_SKIFF_HEALTH_TIMEOUT",
    "the failure of a newer release shows",
  );

  // A good release, in its 60 s confirmation window once the push returns (the stop below ends it).
  writeFixture(dir, "serve", "v3");
  writeFileSync(yml, `${good}  confirm: 60s\n`);
  commitAll(dir, "v3");
  {
    const pushed = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(pushed.code, 0, pushed.stderr);
  }
  await waitForBody(`http://127.0.0.1:${port}/`, "v3", 5000, { fresh: true });
  const row = await status();
  assert.equal(row.release, 3);
  assert.equal(row.status, "confirming");
  assert.equal(row.confirming?.release, 3);
  assert.equal(row.lastError, undefined, "release 2's error is history once release 3 serves");
  const table = await skiffOk(["status", "--data", server.data]);
  assert.match(table.stdout, /^hello\s+3\s+unix\s+\d+\s+\S+\s+\S+\s+confirming\s/m);
  // A stop ends the window now: the server then stops without waiting it out.
  await skiffOk(["stop", "hello", "--data", server.data]);
});
