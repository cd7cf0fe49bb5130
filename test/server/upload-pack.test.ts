import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { skiffOk } from "../support/run-skiff.js";
import { gitPush, makeServedApp, serverSandbox, type RunningServer } from "./server-harness.js";

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** One pkt-line: its length in four hex digits (itself included), then the payload. */
function pkt(line: string): string {
  return (line.length + 4).toString(16).padStart(4, "0") + line;
}

describe("fetching from skiff server (upload-pack answered directly)", () => {
  const sandbox = serverSandbox();
  let server: RunningServer;
  let deployUrl: string;
  let main: string;

  before(async () => {
    server = await sandbox.start();
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    const push = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(push.code, 0, push.stderr);
    const created = await skiffOk([
      "server",
      "token",
      "create",
      "--data",
      server.data,
      "--read-only",
      "--json",
    ]);
    const readOnly = (JSON.parse(created.stdout) as { token: string }).token;
    deployUrl = server.url.replace("http://", `http://git:${readOnly}@`) + "/deploy.git";
    main = git(join(server.data, "deploy.git"), ["rev-parse", "main"]);
  });

  it("clones the deployment repository over protocol v2 and v0 alike", () => {
    for (const version of ["2", "0"]) {
      const dest = join(sandbox.root, `clone-v${version}`);
      git(sandbox.root, ["-c", `protocol.version=${version}`, "clone", "-q", "--bare", deployUrl, dest]);
      assert.equal(git(dest, ["rev-parse", "main"]), main);
      assert.equal(git(dest, ["fsck", "--no-progress"]), "");
    }
    assert.match(
      git(sandbox.root, ["-c", "protocol.version=2", "ls-remote", deployUrl]),
      new RegExp(`^${main}\\s+HEAD`),
    );
  });

  it("answers a gzip-compressed negotiation (as git sends a large one) with the pack", async () => {
    const request = `${pkt(`want ${main} side-band-64k\n`)}0000${pkt("done\n")}`;
    const [user, password] = [new URL(deployUrl).username, new URL(deployUrl).password];
    const response = await fetch(`${server.url}/deploy.git/git-upload-pack`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
        "content-type": "application/x-git-upload-pack-request",
        "content-encoding": "gzip",
      },
      body: gzipSync(request),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/x-git-upload-pack-result");
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(body.subarray(0, 8).toString(), "0008NAK\n");
    assert.ok(body.includes("PACK"), "the pack follows");
  });

  it("refuses a read without a token; the advertisement starts with the service line", async () => {
    assert.equal((await fetch(`${server.url}/deploy.git/info/refs?service=git-upload-pack`)).status, 401);
    const [user, password] = [new URL(deployUrl).username, new URL(deployUrl).password];
    const auth = { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
    const refs = await fetch(`${server.url}/deploy.git/info/refs?service=git-upload-pack`, { headers: auth });
    assert.equal(refs.status, 200);
    assert.equal(refs.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    assert.match(await refs.text(), /^001e# service=git-upload-pack\n0000/);
  });
});
