import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { gitSync as git } from "../support/app-repo.js";
import { tracedGitProcesses } from "../support/trace.js";
import {
  createReadOnlyToken,
  gitPush,
  makeServedApp,
  serverSandbox,
  type RunningServer,
} from "./server-harness.js";

/** One pkt-line: its length in four hex digits (itself included), then the payload. */
function pkt(line: string): string {
  return (line.length + 4).toString(16).padStart(4, "0") + line;
}

describe("fetching from skiff server (upload-pack answered directly)", () => {
  const sandbox = serverSandbox();
  let server: RunningServer;
  let deployUrl: string;
  let basicAuth: { authorization: string };
  let main: string;
  let trace: string;

  before(async () => {
    trace = join(sandbox.root, "trace.jsonl");
    server = await sandbox.start([], { SKIFF_TRACE_PROCESSES: trace });
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    const push = await gitPush(dir, server.gitUrl("hello"));
    assert.equal(push.code, 0, push.stderr);
    const readOnly = await createReadOnlyToken(server.data);
    deployUrl = server.gitUrl("deploy", readOnly);
    basicAuth = { authorization: `Basic ${Buffer.from(`git:${readOnly}`).toString("base64")}` };
    main = git(join(server.data, "deploy.git"), ["rev-parse", "main"]);
  });

  it("clones the deployment repository over protocol v2 and v0 alike", () => {
    for (const version of ["2", "0"]) {
      const dest = join(sandbox.root, `clone-v${version}`);
      git(sandbox.root, ["-c", `protocol.version=${version}`, "clone", "-q", "--bare", deployUrl, dest]);
      assert.equal(git(dest, ["rev-parse", "main"]), main);
      assert.equal(git(dest, ["fsck", "--no-progress"]), "");
    }
    // Answered by upload-pack run by the server itself (through git http-backend it would not be
    // traced), the deployment repository's packs sent stored.
    const deploy = join(server.data, "deploy.git");
    const served = tracedGitProcesses(trace).filter((what) => what.includes(deploy));
    // allowFilter: a follower's partial mirror fetches the images of what it runs only.
    const settings = "-c pack.compression=0 -c uploadpack.allowFilter=true";
    assert.ok(
      served.includes(`git ${settings} upload-pack --stateless-rpc --advertise-refs ${deploy}`),
      served.join("\n"),
    );
    assert.ok(served.includes(`git ${settings} upload-pack --stateless-rpc ${deploy}`));
    assert.match(
      git(sandbox.root, ["-c", "protocol.version=2", "ls-remote", deployUrl]),
      new RegExp(`^${main}\\s+HEAD`),
    );
  });

  it("lets a follower's partial mirror leave blobs on the server and fetch one by id", () => {
    const dest = join(sandbox.root, "partial");
    git(sandbox.root, ["clone", "-q", "--bare", "--filter=blob:limit=1", deployUrl, dest]);
    // Filtered by the server (one that ignores the filter sends every blob).
    const missing = git(dest, ["rev-list", "--objects", "--missing=print", "main"])
      .split("\n")
      .filter((line) => line.startsWith("?"))
      .map((line) => line.slice(1));
    assert.ok(missing.length > 0, "no blob was left on the server");
    git(dest, ["-c", "protocol.version=2", "fetch", "-q", "origin", missing[0]!]);
    assert.equal(git(dest, ["cat-file", "-t", missing[0]!]), "blob");
  });

  it("answers a gzip-compressed negotiation (as git sends a large one) with the pack", async () => {
    const request = `${pkt(`want ${main} side-band-64k\n`)}0000${pkt("done\n")}`;
    const response = await fetch(`${server.url}/deploy.git/git-upload-pack`, {
      method: "POST",
      headers: {
        ...basicAuth,
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
    const refs = await fetch(`${server.url}/deploy.git/info/refs?service=git-upload-pack`, {
      headers: basicAuth,
    });
    assert.equal(refs.status, 200);
    assert.equal(refs.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    assert.match(await refs.text(), /^001e# service=git-upload-pack\n0000/);
  });

  it("keeps a ref advertisement until the refs change, whoever changes them", async () => {
    const deploy = join(server.data, "deploy.git");
    const advertised = (): number =>
      tracedGitProcesses(trace).filter((what) => what.includes(`--advertise-refs ${deploy}`)).length;
    const refs = async (headers: Record<string, string> = {}): Promise<string> => {
      const response = await fetch(`${server.url}/deploy.git/info/refs?service=git-upload-pack`, {
        headers: { ...basicAuth, ...headers },
      });
      assert.equal(response.status, 200);
      return response.text();
    };
    const first = await refs();
    const made = advertised();
    assert.equal(await refs(), first);
    assert.equal(advertised(), made, "the second answer was the kept one: no upload-pack ran");
    // Moved by git by hand, not by the server: the next answer says so, no invalidation needed.
    git(deploy, ["update-ref", "refs/heads/extra", main]);
    try {
      assert.match(await refs(), new RegExp(`${main} refs/heads/extra`));
      assert.equal(advertised(), made + 1);
    } finally {
      git(deploy, ["update-ref", "-d", "refs/heads/extra"]);
    }
    assert.doesNotMatch(await refs(), /refs\/heads\/extra/);
    // Protocol v2 asks for another advertisement (capabilities, no refs): kept apart.
    const v2 = await refs({ "git-protocol": "version=2" });
    assert.match(v2, /^000eversion 2\n/);
    assert.equal(await refs({ "git-protocol": "version=2" }), v2);
    assert.equal(await refs(), first);
  });
});
