import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertPlainName, checkManifestFreshness, parseExpiry } from "../../src/trust/index.js";
import { makeManifest, refusal } from "./trust-fixtures.js";

describe("assertPlainName", () => {
  it("accepts plain names and refuses every way out of the folder", () => {
    assert.equal(assertPlainName("hello.gz"), "hello.gz");
    assert.equal(assertPlainName("..hidden-but-plain"), "..hidden-but-plain");
    for (const name of ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "a\0b", "C:evil"]) {
      assert.equal(refusal(() => assertPlainName(name)).code, "ERR_SKIFF_PATH_ESCAPE", name);
    }
  });
});

describe("expiry", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  it("parseExpiry turns a duration or a date into an ISO time in the future", () => {
    assert.equal(parseExpiry("14d", now), "2030-01-15T00:00:00.000Z");
    assert.equal(parseExpiry("2031-02-03T04:05:06Z", now), "2031-02-03T04:05:06.000Z");
    for (const text of ["soon", "2029-01-01T00:00:00Z", "0s"]) {
      assert.equal(refusal(() => parseExpiry(text, now)).code, "ERR_SKIFF_USAGE", text);
    }
  });

  it("checkManifestFreshness refuses a manifest whose expires has passed, and lets one without expires through", () => {
    checkManifestFreshness(makeManifest({ expires: "2030-01-01T00:00:01.000Z" }), { now });
    checkManifestFreshness(makeManifest(), { now });
    const expired = makeManifest({ expires: "2030-01-01T00:00:00.000Z" });
    assert.equal(refusal(() => checkManifestFreshness(expired, { now })).code, "ERR_SKIFF_EXPIRED");
  });
});
