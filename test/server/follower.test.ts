import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isSignatureValid } from "../../src/server/index.js";
import { gitSync } from "../support/app-repo.js";
import { tracedGitProcesses } from "../support/trace.js";
import { createReadOnlyToken, gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

interface Recorded {
  path: string;
  signature: string | undefined;
  body: Buffer;
}

describe("followers", () => {
  it("after each store the server posts the signed trigger to every --follower", async () => {
    const recorded: Recorded[] = [];
    // A real local server standing in for a follower agent: it records what it receives.
    const follower = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        recorded.push({
          path: req.url ?? "",
          signature: req.headers["x-skiff-signature"] as string | undefined,
          body: Buffer.concat(chunks),
        });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => follower.listen(0, "127.0.0.1", resolve));
    after(() => follower.close());
    const sandbox = serverSandbox();
    const secretFile = join(sandbox.root, "follower-secret");
    writeFileSync(secretFile, "follower-secret\n");
    const followerUrl = `http://127.0.0.1:${(follower.address() as AddressInfo).port}`;
    const trace = join(sandbox.root, "trace.jsonl");
    const server = await sandbox.start(["--follower", followerUrl, "--webhook-secret-file", secretFile], {
      SKIFF_TRACE_PROCESSES: trace,
    });
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    const push = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(push.code, 0, push.stderr);
    const deadline = Date.now() + 10_000;
    while (recorded.length === 0 && Date.now() < deadline) await sleep(50);
    assert.equal(recorded.length, 1);
    const [trigger] = recorded;
    assert.equal(trigger!.path, "/hooks/git");
    assert.ok(isSignatureValid("follower-secret", trigger!.body, trigger!.signature));
    const body = JSON.parse(trigger!.body.toString()) as {
      app: string;
      release: number;
      current?: number;
      repo: string;
      time: string;
    };
    assert.equal(body.app, "hello");
    assert.equal(body.release, 1);
    // The release went straight to current (no stage: section): the trigger says so.
    assert.equal(body.current, 1);
    assert.equal(body.repo, `${server.url}/deploy.git`);
    assert.ok(Math.abs(Date.parse(body.time) - Date.now()) < 60_000);
    // What a follower's fetch asks first was made as it was told, and is answered as kept.
    const deploy = join(server.data, "deploy.git");
    const advertised = (): number =>
      tracedGitProcesses(trace).filter((what) => what.includes(`--advertise-refs ${deploy}`)).length;
    while (advertised() === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(advertised(), 1, "the server made the advertisement when it told its followers");
    const readOnly = await createReadOnlyToken(server.data);
    const refs = await fetch(`${server.url}/deploy.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`git:${readOnly}`).toString("base64")}` },
    });
    const main = gitSync(deploy, ["rev-parse", "main"]);
    assert.match(await refs.text(), new RegExp(`${main} refs/heads/main`));
    assert.equal(advertised(), 1, "the follower's first request was answered without starting git");
  });
});
