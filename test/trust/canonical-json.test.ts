import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "../../src/trust/index.js";
import { refusal } from "./trust-fixtures.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } }),
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it("sorts by UTF-16 code units and escapes as JSON does", () => {
    assert.equal(canonicalJson({ é: 1, Z: 2, a: 3, "\n": "\u2028é" }), '{"\\n":"\u2028é","Z":2,"a":3,"é":1}');
  });

  it("is stable over a write and parse round trip (undefined properties left out)", () => {
    const value = { b: [1.5, -0, 1e21], a: undefined, c: "ü" };
    assert.equal(canonicalJson(value), canonicalJson(JSON.parse(JSON.stringify(value, null, 3))));
    assert.equal(canonicalJson(value), '{"b":[1.5,0,1e+21],"c":"ü"}');
  });

  it("refuses values without a canonical form", () => {
    for (const value of [
      NaN,
      Infinity,
      { a: -Infinity },
      [undefined],
      1n,
      { d: new Date(0) },
      "\uD800",
      () => 1,
    ]) {
      assert.equal(refusal(() => canonicalJson(value)).code, "ERR_SKIFF_SIGNATURE_INVALID");
    }
  });
});
