import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkPointerRecord,
  encodeEnvelope,
  MAX_POINTER_BYTES,
  readSignedPointer,
  signPointerRecord,
  type PointerRecord,
} from "../../src/trust/index.js";
import { bytesOf, makeKey, refusal } from "./trust-fixtures.js";

const now = new Date("2030-06-01T00:00:00Z");
const record: PointerRecord = {
  app: "hello",
  pointer: "current",
  release: 5,
  sequence: 12,
  expires: "2030-07-01T00:00:00.000Z",
  created: "2030-05-31T00:00:00.000Z",
};

describe("pointer records", () => {
  const key = makeKey();
  const trust = { trusted: [key.publicKey], threshold: 1 };
  const bytes = Buffer.from(encodeEnvelope(signPointerRecord(record, [key.privateKey])));

  it("reads and checks a signed current record, returning the release to run", () => {
    const read = readSignedPointer(bytes, { trust });
    assert.deepEqual(read, record);
    assert.equal(
      checkPointerRecord(read, { app: "hello", lastAcceptedSequence: 11, now, plainText: "5\n" }),
      5,
    );
    assert.equal(checkPointerRecord(read, { app: "hello", lastAcceptedSequence: undefined, now }), 5);
  });

  it("accepts the same record again (polling) but refuses a lower sequence: replay or rewound git", () => {
    assert.equal(
      checkPointerRecord(record, { app: "hello", lastAcceptedSequence: 12, lastAcceptedRelease: 5, now }),
      5,
    );
    const refused = refusal(() =>
      checkPointerRecord(record, { app: "hello", lastAcceptedSequence: 13, now }),
    );
    assert.equal(refused.code, "ERR_SKIFF_ROLLBACK_ATTACK");
  });

  it("refuses one sequence naming a different release than the one accepted", () => {
    const refused = refusal(() =>
      checkPointerRecord(record, { app: "hello", lastAcceptedSequence: 12, lastAcceptedRelease: 4, now }),
    );
    assert.equal(refused.code, "ERR_SKIFF_ROLLBACK_ATTACK");
  });

  it("a rollback is a record naming an older release with a higher sequence", () => {
    const rollback = { ...record, release: 2, sequence: 13 };
    assert.equal(
      checkPointerRecord(rollback, { app: "hello", lastAcceptedSequence: 12, lastAcceptedRelease: 5, now }),
      2,
    );
  });

  it("refuses an expired record (freeze)", () => {
    const later = new Date("2030-07-01T00:00:00Z");
    assert.equal(
      refusal(() => checkPointerRecord(record, { app: "hello", lastAcceptedSequence: 1, now: later })).code,
      "ERR_SKIFF_EXPIRED",
    );
  });

  it("refuses a record signed for another app or pointer (mix-and-match)", () => {
    assert.equal(
      refusal(() => checkPointerRecord(record, { app: "other", lastAcceptedSequence: 1, now })).code,
      "ERR_SKIFF_CURRENT_INVALID",
    );
    const staging = refusal(() =>
      checkPointerRecord(record, { app: "hello", pointer: "staging", lastAcceptedSequence: 1, now }),
    );
    assert.equal(staging.code, "ERR_SKIFF_CURRENT_INVALID");
  });

  it("refuses a plain current file that disagrees with the signed record", () => {
    const refused = refusal(() =>
      checkPointerRecord(record, { app: "hello", lastAcceptedSequence: 1, now, plainText: "6\n" }),
    );
    assert.equal(refused.code, "ERR_SKIFF_CURRENT_INVALID");
  });

  it("refuses tampered, untrusted, unsigned, oversized and malformed records", () => {
    const tampered = JSON.parse(bytes.toString()) as { signed: PointerRecord };
    tampered.signed.sequence = 99;
    assert.equal(
      refusal(() => readSignedPointer(bytesOf(tampered), { trust })).code,
      "ERR_SKIFF_SIGNATURE_INVALID",
    );
    const other = Buffer.from(encodeEnvelope(signPointerRecord(record, [makeKey().privateKey])));
    assert.equal(refusal(() => readSignedPointer(other, { trust })).code, "ERR_SKIFF_UNTRUSTED_KEY");
    assert.equal(
      refusal(() => readSignedPointer(bytesOf({ signed: record, signatures: [] }), { trust })).code,
      "ERR_SKIFF_UNSIGNED",
    );
    assert.equal(
      refusal(() => readSignedPointer(Buffer.alloc(MAX_POINTER_BYTES + 1, 0x20))).code,
      "ERR_SKIFF_CURRENT_INVALID",
    );
    assert.equal(refusal(() => readSignedPointer(bytesOf(record))).code, "ERR_SKIFF_CURRENT_INVALID");
    const extra = { ...record, release: "../5" };
    assert.equal(
      refusal(() => readSignedPointer(bytesOf({ signed: extra, signatures: [] }))).code,
      "ERR_SKIFF_CURRENT_INVALID",
    );
  });
});
