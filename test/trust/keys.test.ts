import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadPrivateKey, loadPublicKey, signEnvelope, verifyEnvelope } from "../../src/trust/index.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { refusal } from "./trust-fixtures.js";

describe("skiff keys generate", () => {
  it("writes skiff.key (0600) and skiff.pub in the current directory, a working pair", async () => {
    const dir = tempDir();
    const run = await skiffOk(["keys", "generate", "--json"], { cwd: dir });
    const result = JSON.parse(run.stdout) as { keyid: string; type: string };
    assert.equal(statSync(join(dir, "skiff.key")).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "skiff.pub")).mode & 0o077, 0o044);
    assert.equal(result.type, "ed25519");
    const privateKey = loadPrivateKey(join(dir, "skiff.key"));
    const publicKey = loadPublicKey(join(dir, "skiff.pub"));
    assert.equal(publicKey.keyid, result.keyid);
    assert.equal(privateKey.keyid, result.keyid);
    assert.match(readFileSync(join(dir, "skiff.key"), "utf8"), /^-----BEGIN PRIVATE KEY-----/);
    const envelope = signEnvelope({ ok: true }, [privateKey]);
    assert.deepEqual(verifyEnvelope(envelope, { trusted: [publicKey], threshold: 1 }), { ok: true });
  });

  it("never overwrites an existing key, and leaves no half pair behind", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--out", dir, "--name", "ci"]);
    const before = readFileSync(join(dir, "ci.key"), "utf8");
    const again = await runSkiff(["keys", "generate", "--out", dir, "--name", "ci"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ERR_SKIFF_KEY_EXISTS/);
    assert.equal(readFileSync(join(dir, "ci.key"), "utf8"), before);
    assert.ok(!again.stderr.includes(before.split("\n")[1]!), "the private key is not printed");

    writeFileSync(join(dir, "other.pub"), "not mine\n");
    const clash = await runSkiff(["keys", "generate", "--out", dir, "--name", "other"]);
    assert.match(clash.stderr, /ERR_SKIFF_KEY_EXISTS/);
    assert.throws(() => statSync(join(dir, "other.key")), /ENOENT/);
    assert.equal(readFileSync(join(dir, "other.pub"), "utf8"), "not mine\n");
  });

  it("refuses a --name that leaves the --out directory", async () => {
    const dir = tempDir();
    const run = await runSkiff(["keys", "generate", "--out", dir, "--name", "../escape"]);
    assert.match(run.stderr, /ERR_SKIFF_PATH_ESCAPE/);
  });

  it("--host writes an X25519 pair named host", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--host", "--out", dir]);
    assert.equal(statSync(join(dir, "host.key")).mode & 0o777, 0o600);
    assert.equal(loadPublicKey(join(dir, "host.pub"), "x25519").type, "x25519");
    assert.equal(refusal(() => loadPublicKey(join(dir, "host.pub"))).code, "ERR_SKIFF_KEY_INVALID");
  });
});

describe("loadPublicKey (--trust)", () => {
  it("takes a file or the PEM text itself, with the same key id", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--out", dir]);
    const file = join(dir, "skiff.pub");
    assert.equal(loadPublicKey(file).keyid, loadPublicKey(readFileSync(file, "utf8")).keyid);
    const id = await skiffOk(["keys", "id", file]);
    assert.ok(id.stdout.includes(loadPublicKey(file).keyid));
  });

  it("refuses a private key, a missing file and garbage with ERR_SKIFF_KEY_INVALID, never echoing a private key", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--out", dir]);
    const privatePem = readFileSync(join(dir, "skiff.key"), "utf8");
    for (const input of [
      privatePem,
      join(dir, "skiff.key"),
      join(dir, "missing.pub"),
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    ]) {
      const refused = refusal(() => loadPublicKey(input));
      assert.equal(refused.code, "ERR_SKIFF_KEY_INVALID");
      assert.ok(!refused.message.includes(privatePem.split("\n")[1]!));
    }
    writeFileSync(join(dir, "junk.key"), "hello");
    assert.equal(refusal(() => loadPrivateKey(join(dir, "junk.key"))).code, "ERR_SKIFF_KEY_INVALID");
  });
});
