import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gitSync, writeFixture, commitAll } from "../support/app-repo.js";
import { skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { createReadOnlyToken, gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

function refOf(repo: string, ref: string): string | undefined {
  if (!existsSync(repo)) return undefined;
  try {
    return gitSync(repo, ["rev-parse", "--verify", "--quiet", ref]);
  } catch {
    return undefined;
  }
}

describe("skiff server tokens", () => {
  it("refuses a request with no token or a wrong token with 401 and a Basic challenge", async () => {
    const server = await serverSandbox().start();
    const plain = await fetch(`${server.url}/hello.git/info/refs?service=git-receive-pack`);
    assert.equal(plain.status, 401);
    assert.equal(plain.headers.get("www-authenticate"), 'Basic realm="skiff"');
    const wrong = await fetch(`${server.url}/hello.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`git:${server.token}x`).toString("base64")}` },
    });
    assert.equal(wrong.status, 401);
  });

  it("a push with no or a wrong token writes nothing", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir } = await makeServedApp(join(root, "app"), "hello", "v1");
    const noToken = await gitPush(dir, server.gitUrl("hello").replace(/git:[^@]+@/, ""));
    assert.notEqual(noToken.code, 0);
    const wrong = await gitPush(dir, server.gitUrl("hello", "skf_not-a-token"));
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);
    assert.equal(existsSync(join(server.data, "apps", "hello.git")), false);
    // The token must not leak into what git prints.
    assert.doesNotMatch(wrong.stderr, /skf_not-a-token/);
  });

  it("a read-only token can clone but not push; a push token can", async () => {
    const sandbox = serverSandbox();
    const root = sandbox.root;
    const server = await sandbox.start();
    const { dir } = await makeServedApp(join(root, "app"), "hello", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("hello"))).code, 0);
    const pushed = gitSync(dir, ["rev-parse", "HEAD"]);
    const readOnly = await createReadOnlyToken(server.data);
    gitSync(root, ["clone", "--quiet", server.gitUrl("hello", readOnly), "clone"]);
    assert.equal(gitSync(join(root, "clone"), ["rev-parse", "HEAD"]), pushed);
    writeFixture(dir, "serve", "v2");
    commitAll(dir, "v2");
    const refused = await gitPush(dir, server.gitUrl("hello", readOnly));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /403/);
    assert.equal(refOf(join(server.data, "apps", "hello.git"), "refs/heads/main"), pushed);
    // The deployment repository is readable with the read-only token and never writable over HTTP.
    gitSync(root, ["clone", "--quiet", "--bare", server.gitUrl("deploy", readOnly), "deploy-copy.git"]);
    assert.match(gitSync(join(root, "deploy-copy.git"), ["show", "main:hello/current"]), /^1$/);
    const deployPush = await fetch(`${server.url}/deploy.git/info/refs?service=git-receive-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`git:${server.token}`).toString("base64")}` },
    });
    assert.equal(deployPush.status, 403);
  });

  it("keeps only salted hashes of tokens", async () => {
    const root = tempDir();
    const created = await skiffOk(["server", "token", "create", "--data", root, "--name", "ci"]);
    const token = created.stdout.trim();
    assert.match(token, /^skf_[A-Za-z0-9_-]{43}$/);
    const { readFileSync } = await import("node:fs");
    const file = readFileSync(join(root, "tokens.json"), "utf8");
    assert.equal(file.includes(token), false);
    assert.equal(file.includes(token.slice(4)), false);
    assert.match(file, /"name": "ci"/);
  });

  it("apps:create validates the name and creates the app's repository", async () => {
    const root = tempDir();
    await skiffOk(["apps:create", "shop", "--data", root]);
    assert.equal(existsSync(join(root, "apps", "shop.git", "HEAD")), true);
    const { runSkiff } = await import("../support/run-skiff.js");
    const bad = await runSkiff(["apps:create", "Shop_1", "--data", root]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ERR_SKIFF_APP_NAME_INVALID/);
    const again = await runSkiff(["apps:create", "shop", "--data", root]);
    assert.match(again.stderr, /ERR_SKIFF_APP_EXISTS/);
  });
});
