import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runningUnrecorded } from "../../src/agent/index.js";
import { INSTANCE_MARK_ENV } from "../../src/drivers/index.js";
import { tempDir } from "../support/temp.js";

/** A process marked as instance `id` of data dir `data`, as a driver marks what it starts. */
function marked(data: string, id: string): ChildProcess {
  const dir = join(data, "instances", id);
  mkdirSync(dir, { recursive: true });
  return spawn("sleep", ["30"], {
    env: { PATH: process.env.PATH, [INSTANCE_MARK_ENV]: dir },
    stdio: "ignore",
  });
}

test("an instance with no record is found by its processes' mark: of its own data dir and app only, never one state.json names", async (t) => {
  const data = tempDir();
  const other = tempDir();
  const children = [
    marked(data, "hello-3-abcd"),
    marked(data, "hello-world-3-efgh"),
    marked(data, "hello-4-named"),
    marked(other, "hello-3-ijkl"),
  ];
  t.after(() => children.forEach((child) => child.kill("SIGKILL")));
  await Promise.all(children.map((child) => new Promise((resolve) => child.once("spawn", resolve))));
  const [hello, helloWorld] = children;

  const found = runningUnrecorded(data, new Set(["hello-4-named"]), "hello");
  assert.deepEqual(found, [{ id: "hello-3-abcd", app: "hello", release: 3, pids: [hello!.pid] }]);
  const every = runningUnrecorded(data, new Set(["hello-4-named"]));
  assert.deepEqual(every.map((i) => [i.id, i.app, i.pids]).sort(), [
    ["hello-3-abcd", "hello", [hello!.pid]],
    ["hello-world-3-efgh", "hello-world", [helloWorld!.pid]],
  ]);
});
