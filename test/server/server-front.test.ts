import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { defaultSkiffYml, makeAppRepo } from "../support/app-repo.js";
import { freePort } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { getByHost } from "../agent/scale-host.js";
import { readEvents, waitFor } from "../agent/swap-host.js";
import { gitPush, serverSandbox } from "./server-harness.js";

interface StatusRow {
  app: string;
  status: string;
  url?: string;
  instances: { reason: string }[];
}

async function statusOf(data: string): Promise<StatusRow | undefined> {
  const run = await skiffOk(["status", "--data", data, "--json"]);
  return (JSON.parse(run.stdout) as StatusRow[]).find((row) => row.app === "hello");
}

it("skiff server --front: a scaled-to-zero app pushed by hostname answers from cold, stops after idle (status says so) and wakes again", async () => {
  const sandbox = serverSandbox();
  const front = await freePort();
  const server = await sandbox.start(["--front", `127.0.0.1:${front}`]);
  const yml = defaultSkiffYml("hello", "  hostname: hello.localhost\n  scale: { min: 0, idle: 2s }\n");
  const dir = makeAppRepo(join(sandbox.root, "app"), { app: "hello", version: "v1", skiffYml: yml });
  const push = await gitPush(dir, server.gitUrl("hello"));
  assert.equal(push.code, 0, push.stderr);
  assert.match(
    push.stderr,
    new RegExp(`released hello v1\\s+remote:\\s+http://hello\\.localhost:${front}\\s`),
  );
  const agentData = join(server.data, "agent");
  // The push returns once the release passed its health check; it sleeps right after.
  await waitFor(
    "hello to sleep",
    () => readEvents(agentData).find((e) => e.type === "deploy.succeeded"),
    30_000,
  );
  const cold = await statusOf(server.data);
  assert.equal(cold?.status, "asleep");
  assert.equal(cold?.url, `http://hello.localhost:${front}`);

  assert.deepEqual(await getByHost(front, "hello.localhost"), { status: 200, body: "v1 hello\n" });
  await waitFor("the wake to be reported", () =>
    readEvents(agentData).find((e) => e.type === "instance.woken"),
  );
  assert.deepEqual(
    (await statusOf(server.data))?.instances.map((i) => i.reason),
    ["wake"],
  );

  await waitFor(
    "hello to stop after 2 s of quiet",
    () => readEvents(agentData).find((e) => e.type === "instance.idle_stopped"),
    20_000,
  );
  assert.equal((await statusOf(server.data))?.status, "asleep");
  assert.deepEqual(await getByHost(front, "hello.localhost"), { status: 200, body: "v1 hello\n" });
});
