import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addSignature, signEnvelope, verifyEnvelope, type SignedEnvelope } from "../../src/trust/index.js";
import { makeKey, refusal } from "./trust-fixtures.js";

const payload = { app: "hello", release: 4, sequence: 9 };

describe("signed envelopes", () => {
  const [a, b, c, stranger] = [makeKey(), makeKey(), makeKey(), makeKey()];
  const trusted = [a.publicKey, b.publicKey, c.publicKey];

  it("round trip: a payload signed by a trusted key verifies and is returned", () => {
    const envelope = signEnvelope(payload, [a.privateKey]);
    assert.equal(envelope.signatures[0]?.keyid, a.publicKey.keyid);
    const copy = JSON.parse(JSON.stringify(envelope)) as SignedEnvelope<typeof payload>;
    assert.deepEqual(verifyEnvelope(copy, { trusted, threshold: 1 }), payload);
  });

  it("key order in the payload does not matter (canonical form)", () => {
    const envelope = signEnvelope(payload, [a.privateKey]);
    const reordered = { signed: { sequence: 9, release: 4, app: "hello" }, signatures: envelope.signatures };
    assert.deepEqual(verifyEnvelope(reordered, { trusted, threshold: 1 }), reordered.signed);
  });

  it("refuses a tampered payload", () => {
    const envelope = signEnvelope(payload, [a.privateKey, b.privateKey]);
    const tampered = { ...envelope, signed: { ...payload, release: 1 } };
    assert.equal(
      refusal(() => verifyEnvelope(tampered, { trusted, threshold: 1 })).code,
      "ERR_SKIFF_SIGNATURE_INVALID",
    );
  });

  it("refuses a signature whose keyid was swapped to a trusted key's", () => {
    const envelope = signEnvelope(payload, [stranger.privateKey]);
    const forged = {
      signed: payload,
      signatures: [{ keyid: a.publicKey.keyid, sig: envelope.signatures[0]!.sig }],
    };
    assert.equal(
      refusal(() => verifyEnvelope(forged, { trusted, threshold: 1 })).code,
      "ERR_SKIFF_SIGNATURE_INVALID",
    );
  });

  it("refuses an envelope without signatures", () => {
    assert.equal(
      refusal(() => verifyEnvelope({ signed: payload, signatures: [] }, { trusted, threshold: 1 })).code,
      "ERR_SKIFF_UNSIGNED",
    );
  });

  it("refuses a signature by an untrusted key", () => {
    const envelope = signEnvelope(payload, [stranger.privateKey]);
    assert.equal(
      refusal(() => verifyEnvelope(envelope, { trusted, threshold: 1 })).code,
      "ERR_SKIFF_UNTRUSTED_KEY",
    );
  });

  it("accepts when trusted signatures suffice, whatever untrusted keys also signed", () => {
    const envelope = signEnvelope(payload, [stranger.privateKey, a.privateKey]);
    assert.deepEqual(verifyEnvelope(envelope, { trusted, threshold: 1 }), payload);
  });

  it("threshold 2 of 3: met by two keys, not met by one (plus an untrusted one)", () => {
    const two = addSignature(signEnvelope(payload, [a.privateKey]), c.privateKey);
    assert.deepEqual(verifyEnvelope(two, { trusted, threshold: 2 }), payload);
    const one = signEnvelope(payload, [b.privateKey, stranger.privateKey]);
    assert.equal(
      refusal(() => verifyEnvelope(one, { trusted, threshold: 2 })).code,
      "ERR_SKIFF_THRESHOLD_NOT_MET",
    );
  });

  it("duplicate signatures by one key count once", () => {
    const once = signEnvelope(payload, [a.privateKey]);
    const twice = { signed: payload, signatures: [once.signatures[0]!, once.signatures[0]!] };
    assert.equal(
      refusal(() => verifyEnvelope(twice, { trusted, threshold: 2 })).code,
      "ERR_SKIFF_THRESHOLD_NOT_MET",
    );
    const trustedTwice = [a.publicKey, a.publicKey, b.publicKey];
    assert.equal(
      refusal(() => verifyEnvelope(twice, { trusted: trustedTwice, threshold: 2 })).code,
      "ERR_SKIFF_THRESHOLD_NOT_MET",
    );
  });

  it("a threshold above the number of distinct trusted keys is a configuration error", () => {
    const envelope = signEnvelope(payload, [a.privateKey]);
    for (const threshold of [0, 4, 1.5]) {
      assert.equal(refusal(() => verifyEnvelope(envelope, { trusted, threshold })).code, "ERR_SKIFF_USAGE");
    }
    assert.equal(
      refusal(() => verifyEnvelope(envelope, { trusted: [a.publicKey, a.publicKey], threshold: 2 })).code,
      "ERR_SKIFF_USAGE",
    );
  });

  it("a host key cannot sign", () => {
    assert.equal(
      refusal(() => signEnvelope(payload, [makeKey("x25519").privateKey])).code,
      "ERR_SKIFF_KEY_INVALID",
    );
  });
});
