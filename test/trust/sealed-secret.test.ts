import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSealed, openSealed, redactSecrets, redactSecretsDeep, sealSecret } from "../../src/trust/index.js";
import { makeKey, refusal } from "./trust-fixtures.js";

const SECRET = 's3cr3t-Tok"en/é';

describe("sealed secrets", () => {
  const host = makeKey("x25519");
  const otherHost = makeKey("x25519");
  const sealed = sealSecret(SECRET, { name: "API_TOKEN", hostPublicKey: host.publicKey });

  it("round trip: only the host's private key opens it, for the same name", () => {
    assert.ok(isSealed(sealed));
    assert.ok(!isSealed(SECRET));
    assert.match(sealed, /^skiff:sealed:v1:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(Buffer.from(SECRET).toString("base64url")));
    assert.equal(openSealed(sealed, { name: "API_TOKEN", hostPrivateKey: host.privateKey }), SECRET);
  });

  it("sealing twice gives different values (ephemeral key, random iv)", () => {
    assert.notEqual(sealSecret(SECRET, { name: "API_TOKEN", hostPublicKey: host.publicKey }), sealed);
  });

  it("refuses the wrong host key", () => {
    const refused = refusal(() =>
      openSealed(sealed, { name: "API_TOKEN", hostPrivateKey: otherHost.privateKey }),
    );
    assert.equal(refused.code, "ERR_SKIFF_SECRET_DECRYPT");
    assert.ok(!refused.message.includes(SECRET));
  });

  it("refuses a value moved to another name", () => {
    assert.equal(
      refusal(() => openSealed(sealed, { name: "DB_PASSWORD", hostPrivateKey: host.privateKey })).code,
      "ERR_SKIFF_SECRET_DECRYPT",
    );
  });

  it("refuses tampered, truncated and malformed values", () => {
    const body = Buffer.from(sealed.slice("skiff:sealed:v1:".length), "base64url");
    for (const index of [0, 33, 50, body.length - 1]) {
      const flipped = Buffer.from(body);
      flipped[index] = flipped[index]! ^ 1;
      const value = "skiff:sealed:v1:" + flipped.toString("base64url");
      assert.equal(
        refusal(() => openSealed(value, { name: "API_TOKEN", hostPrivateKey: host.privateKey })).code,
        "ERR_SKIFF_SECRET_DECRYPT",
        `byte ${index}`,
      );
    }
    for (const value of [
      sealed.slice(0, 40),
      "skiff:sealed:v1:!!",
      SECRET,
      "skiff:sealed:v2:" + sealed.slice(16),
    ]) {
      assert.equal(
        refusal(() => openSealed(value, { name: "API_TOKEN", hostPrivateKey: host.privateKey })).code,
        "ERR_SKIFF_SECRET_DECRYPT",
      );
    }
  });

  it("only a host key seals or opens", () => {
    const signing = makeKey();
    assert.equal(
      refusal(() => sealSecret(SECRET, { name: "A", hostPublicKey: signing.publicKey })).code,
      "ERR_SKIFF_KEY_INVALID",
    );
    assert.equal(
      refusal(() => openSealed(sealed, { name: "API_TOKEN", hostPrivateKey: signing.privateKey })).code,
      "ERR_SKIFF_SECRET_DECRYPT",
    );
  });
});

describe("redactSecrets", () => {
  it("hides every occurrence, also JSON-escaped, showing nothing of the value", () => {
    const line = JSON.stringify({ msg: `booting with --token=${SECRET}`, env: { API_TOKEN: SECRET } });
    const redacted = redactSecrets(line, [SECRET, ""]);
    assert.ok(!redacted.includes("s3cr3t"), redacted);
    assert.equal((redacted.match(/\[hidden\]/g) ?? []).length, 2);
    assert.equal(redactSecrets(`a ${SECRET} b`, [SECRET]), "a [hidden] b");
  });

  it("hides a secret that contains another whole", () => {
    assert.equal(redactSecrets("x abcdef y", ["abc", "abcdef"]), "x [hidden] y");
  });

  it("redactSecretsDeep walks an event", () => {
    const event = { type: "deploy", data: { args: [`--token=${SECRET}`], n: 1 } };
    assert.deepEqual(redactSecretsDeep(event, [SECRET]), {
      type: "deploy",
      data: { args: ["--token=[hidden]"], n: 1 },
    });
  });
});
