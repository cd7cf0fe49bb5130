import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MANIFEST_MAX_BYTES, readSignedManifest, signManifest } from "../../src/store/index.js";
import { encodeEnvelope, sha256Hex, signEnvelope, type TrustPolicy } from "../../src/trust/index.js";
import { bytesOf, makeKey, makeManifest, refusal } from "../trust/trust-fixtures.js";

describe("readSignedManifest", () => {
  const key = makeKey();
  const trust: TrustPolicy = { trusted: [key.publicKey], threshold: 1 };
  const manifest = makeManifest({ expires: "2031-01-01T00:00:00.000Z" });
  const signedBytes = Buffer.from(encodeEnvelope(signManifest(manifest, [key.privateKey])));
  const now = new Date("2030-06-01T00:00:00Z");

  it("returns the manifest of a signed release found where it says it is", () => {
    assert.deepEqual(readSignedManifest(signedBytes, { trust, app: "hello", release: 3, now }), manifest);
  });

  it("without trusted keys, reads the plain manifest a keyless store writes", () => {
    assert.deepEqual(readSignedManifest(bytesOf(manifest)), manifest);
  });

  it("refuses a plain (unsigned) manifest when the host trusts keys", () => {
    assert.equal(refusal(() => readSignedManifest(bytesOf(manifest), { trust })).code, "ERR_SKIFF_UNSIGNED");
  });

  it("refuses a tampered manifest", () => {
    const tampered = JSON.parse(signedBytes.toString()) as { signed: { targets: { args: string[] }[] } };
    tampered.signed.targets[0]!.args = ["--evil"];
    assert.equal(
      refusal(() => readSignedManifest(bytesOf(tampered), { trust })).code,
      "ERR_SKIFF_SIGNATURE_INVALID",
    );
  });

  it("refuses a release signed by another key", () => {
    const other = Buffer.from(encodeEnvelope(signManifest(manifest, [makeKey().privateKey])));
    assert.equal(refusal(() => readSignedManifest(other, { trust })).code, "ERR_SKIFF_UNTRUSTED_KEY");
  });

  it("refuses unknown envelope fields", () => {
    const extra = { ...JSON.parse(signedBytes.toString()), keys: [key.publicPem] } as unknown;
    assert.equal(
      refusal(() => readSignedManifest(bytesOf(extra), { trust })).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
  });

  it("refuses an unknown manifest version, even validly signed", () => {
    const v2 = { ...manifest, version: 2 }; // a number: no skiff ever wrote it
    assert.equal(
      refusal(() => readSignedManifest(bytesOf({ signed: v2, signatures: [] }))).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
    const signed = Buffer.from(encodeEnvelope(signEnvelope(v2, [key.privateKey])));
    assert.equal(refusal(() => readSignedManifest(signed, { trust })).code, "ERR_SKIFF_MANIFEST_INVALID");
  });

  it("refuses an oversized manifest before parsing it", () => {
    const huge = Buffer.alloc(MANIFEST_MAX_BYTES + 1, 0x20);
    assert.equal(refusal(() => readSignedManifest(huge, { trust })).code, "ERR_SKIFF_MANIFEST_TOO_LARGE");
    assert.equal(
      refusal(() => readSignedManifest(signedBytes, { maxBytes: 100 })).code,
      "ERR_SKIFF_MANIFEST_TOO_LARGE",
    );
  });

  it("refuses bytes that are not UTF-8 JSON", () => {
    assert.equal(
      refusal(() => readSignedManifest(Buffer.from([0x7b, 0xff, 0x7d]))).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
    assert.equal(
      refusal(() => readSignedManifest(signedBytes.subarray(0, 200), { trust })).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
  });

  it("refuses a signed manifest copied into another app's or release's folder (mix-and-match)", () => {
    assert.equal(
      refusal(() => readSignedManifest(signedBytes, { trust, release: 4 })).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
    assert.equal(
      refusal(() => readSignedManifest(signedBytes, { trust, app: "other" })).code,
      "ERR_SKIFF_MANIFEST_INVALID",
    );
  });

  it("refuses a manifest other than the one the pointer record names", () => {
    assert.deepEqual(readSignedManifest(signedBytes, { trust, sha256: sha256Hex(signedBytes) }), manifest);
    assert.equal(
      refusal(() => readSignedManifest(signedBytes, { trust, sha256: "0".repeat(64) })).code,
      "ERR_SKIFF_CHECKSUM_MISMATCH",
    );
  });

  it("refuses an expired manifest when given the time", () => {
    const later = new Date("2031-01-01T00:00:00.001Z");
    assert.equal(
      refusal(() => readSignedManifest(signedBytes, { trust, now: later })).code,
      "ERR_SKIFF_EXPIRED",
    );
  });

  it("refuses a file name that would leave the release folder, even when signed", () => {
    const file = manifest.targets[0]!.files[0]!;
    const withFile = (changed: object): object => ({
      ...manifest,
      targets: [manifest.targets[0], { ...manifest.targets[0], target: "spt", files: [changed] }],
    });
    const escaping = withFile({ ...file, stored: "../../other/current" });
    const bytes = Buffer.from(encodeEnvelope(signEnvelope(escaping, [key.privateKey])));
    assert.equal(refusal(() => readSignedManifest(bytes, { trust })).code, "ERR_SKIFF_PATH_ESCAPE");
    const absolute = withFile({ ...file, name: "/etc/passwd" });
    assert.equal(refusal(() => readSignedManifest(bytesOf(absolute))).code, "ERR_SKIFF_PATH_ESCAPE");
  });
});
