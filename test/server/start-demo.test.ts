import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, it } from "node:test";
import { isSameProcess } from "../../src/process/index.js";
import { waitForBody } from "../support/http.js";
import { REPO_ROOT } from "../support/paths.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { gitPush, makeServedApp } from "./server-harness.js";

/** `npm start`'s script on a data dir of its own; resolves once it has printed its instructions. */
async function startDemo(data: string) {
  const child = spawn(process.execPath, [join(REPO_ROOT, "scripts", "start-demo.mjs")], {
    env: { ...process.env, SKIFF_DEMO_DATA: data, SKIFF_LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes("Ctrl-C stops") && Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /skiff server is running on (http:\/\/\S+)/.exec(stderr)?.[1];
  assert.ok(url, stderr);
  return { child, url, text: stderr, exited, stderr: () => stderr };
}

/** Whether a connection to 127.0.0.1:port is refused (nothing listens there). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

function servingPid(data: string): { pid: number; startTime: string } {
  const state = JSON.parse(readFileSync(join(data, "agent", "state.json"), "utf8")) as {
    apps: Record<string, { instances?: { handle: { pid: number; startTime: string } }[] }>;
  };
  return state.apps.hello!.instances![0]!.handle;
}

it("npm start prints the commands to paste and the push token once; a second Ctrl-C still stops the apps it started", async () => {
  const data = join(tempDir("skiff-demo-"), "demo");
  after(() => stopHost(join(data, "agent")));
  const first = await startDemo(data);
  const tokenFile = join(data, "demo-token");
  const token = readFileSync(tokenFile, "utf8").trim();
  assert.ok(first.text.includes(token), "the first start shows the token");
  for (const command of [
    `skiff login ${first.url} --token-file ${tokenFile}`,
    "skiff apps",
    "skiff logs hello --tail",
    `Dashboard: ${first.url}/`,
  ])
    assert.ok(first.text.includes(command), `${command} in:\n${first.text}`);

  // A release in its confirmation window (30 s): the first Ctrl-C waits for it, the second does not.
  const { dir, port } = await makeServedApp(join(tempDir(), "app"), "hello", "v1");
  const push = await gitPush(dir, `${first.url.replace("http://", `http://git:${token}@`)}/hello.git`);
  assert.equal(push.code, 0, push.stderr);
  await waitForBody(`http://127.0.0.1:${port}/`, "v1");
  const instance = servingPid(data);
  first.child.kill("SIGINT");
  const deadline = Date.now() + 10_000;
  while (!first.stderr().includes("Ctrl-C again") && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  first.child.kill("SIGINT");
  assert.equal(await first.exited, 130);
  assert.equal(isSameProcess(instance.pid, instance.startTime), false, "the app's instance was left running");

  // The next start brings the app back and does not print the token again.
  const second = await startDemo(data);
  assert.ok(!second.text.includes(token), "the token was printed again");
  assert.match(
    second.text,
    new RegExp(`push token: in ${tokenFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`),
  );
  await waitForBody(`http://127.0.0.1:${port}/`, "v1", 20_000);
  const again = servingPid(data);
  second.child.kill("SIGINT");
  assert.equal(await second.exited, 0);
  assert.equal(isSameProcess(again.pid, again.startTime), false, "one Ctrl-C stops the apps too");
  assert.equal(await refused(port), true, "the front door left the app's public port bound");
});
