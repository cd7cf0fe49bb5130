import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { ExportFilter } from "../../src/git/export-filter.js";
import { keepsPath, planGc } from "../../src/store/plan-gc.js";
import { describeReleases, readGcRecord, type GcRecord } from "../../src/store/index.js";
import {
  encodeEnvelope,
  loadPrivateKey,
  loadPublicKey,
  newKeyPair,
  signEnvelope,
  type PrivateKey,
  type PublicKey,
} from "../../src/trust/index.js";

describe("what a gc keeps (pure)", () => {
  it("keeps the newest N with images, current, the previous current and staging; never one collected before", () => {
    const kept = planGc(
      [
        {
          app: "hello",
          releases: [1, 2, 3, 4, 5, 6, 7, 8],
          current: 3,
          previousCurrent: 8,
          staging: 5,
          collected: [1, 7],
        },
        { app: "other", releases: [1, 2], current: 2 },
      ],
      1,
    );
    // 7 was collected already: 8 is the newest with images (and the previous current).
    assert.deepEqual(kept, { hello: [3, 5, 8], other: [2] });
  });

  it("filters image files only: manifests, stage verdicts, pointers and other apps' kept releases stay", () => {
    const keep = keepsPath({ hello: [2] });
    assert.equal(keep("hello/releases/1/hello.gz"), false);
    assert.equal(keep("hello/releases/1/sub/kernel.gz"), false);
    assert.equal(keep("hello/releases/1/manifest.json"), true);
    assert.equal(keep("hello/releases/1/stage.json"), true);
    assert.equal(keep("hello/releases/2/hello.gz"), true);
    assert.equal(keep("hello/current"), true);
    assert.equal(keep(".skiff/gc.json"), true);
    // An app no longer at the tip keeps nothing.
    assert.equal(keep("gone/releases/9/gone.gz"), false);
  });

  it("describes releases as ranges", () => {
    assert.equal(describeReleases([5, 1, 2, 3, 7, 8, 3]), "1-3, 5, 7-8");
    assert.equal(describeReleases([]), "none");
  });
});

describe("the fast-export filter", () => {
  it("drops the refused file changes and passes everything else byte for byte, across chunks", async () => {
    const message = "release 1\nM 100644 0000000000000000000000000000000000000000 hello/releases/1/x.gz\n";
    const stream = [
      "commit refs/skiff/rewritten\nmark :1\ncommitter a <a@b> 1 +0000\n",
      `data ${Buffer.byteLength(message)}\n${message}`,
      "M 100644 1111111111111111111111111111111111111111 hello/releases/1/x.gz\n",
      'M 100644 2222222222222222222222222222222222222222 "hello/releases/1/caf\\303\\251.gz"\n',
      "M 100644 3333333333333333333333333333333333333333 hello/releases/1/manifest.json\n",
      "D hello/releases/1/x.gz\n\n",
    ].join("");
    const filter = new ExportFilter((path) => path.endsWith("manifest.json"));
    // One byte at a time: a command or a data block cut anywhere is still read whole.
    const out = await text(
      Readable.from([...Buffer.from(stream)].map((byte) => Buffer.from([byte]))).pipe(filter),
    );
    assert.equal(
      out,
      [
        "commit refs/skiff/rewritten\nmark :1\ncommitter a <a@b> 1 +0000\n",
        `data ${Buffer.byteLength(message)}\n${message}`,
        "M 100644 3333333333333333333333333333333333333333 hello/releases/1/manifest.json\n",
        "D hello/releases/1/x.gz\n\n",
      ].join(""),
    );
    assert.deepEqual([...filter.dropped].sort(), ["hello/releases/1/café.gz", "hello/releases/1/x.gz"]);
  });
});

describe("the gc record", () => {
  const record: GcRecord = {
    version: 1,
    sequence: 1,
    previousTip: "a".repeat(40),
    replacedTips: ["a".repeat(40), "c".repeat(40)],
    rewrittenTip: "b".repeat(40),
    created: new Date().toISOString(),
    collected: { hello: [1, 2] },
    kept: { hello: [3] },
  };

  it("is read plain or signed; a host with keys takes only a record they signed", () => {
    const [ours, theirs] = [0, 1].map(() => {
      const pair = newKeyPair("ed25519");
      return {
        key: loadPrivateKey(pair.privatePem, "ed25519"),
        pub: loadPublicKey(pair.publicPem, "ed25519"),
      };
    }) as [{ key: PrivateKey; pub: PublicKey }, { key: PrivateKey; pub: PublicKey }];
    const trust = { trusted: [ours.pub], threshold: 1 };
    const plain = Buffer.from(JSON.stringify(record));
    const signed = Buffer.from(encodeEnvelope(signEnvelope(record, [ours.key])));
    const foreign = Buffer.from(encodeEnvelope(signEnvelope(record, [theirs.key])));
    assert.deepEqual(readGcRecord(plain), record);
    assert.deepEqual(readGcRecord(signed), record);
    assert.deepEqual(readGcRecord(signed, { trust }), record);
    for (const refused of [
      plain,
      foreign,
      Buffer.from("{"),
      Buffer.from(JSON.stringify({ ...record, extra: 1 })),
    ]) {
      assert.throws(() => readGcRecord(refused, { trust }), { code: "ERR_SKIFF_HISTORY_REWRITTEN" });
    }
  });
});
