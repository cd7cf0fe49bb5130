import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { realpathSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { earlyDigestOf, settleEarlyDigests, startEarlyDigests } from "../../src/build/early-digests.js";
import { tempDir } from "../support/temp.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

test("an early digest is given for a file left as it was hashed, and refused once it changed", async () => {
  const checkout = tempDir();
  writeFileSync(join(checkout, "kept"), "same bytes\n");
  writeFileSync(join(checkout, "rewritten"), "first text\n");
  writeFileSync(join(checkout, "touched"), "same size\n");
  const early = startEarlyDigests(checkout, ["kept", "rewritten", "touched", "missing"]);
  const digests = await early;
  await settleEarlyDigests(early);
  const real = (name: string): string => realpathSync(join(checkout, name));
  // What the test step did afterwards: rewrote one file (same size), only touched another.
  writeFileSync(join(checkout, "rewritten"), "other text\n");
  utimesSync(join(checkout, "touched"), new Date(), new Date(Date.now() + 5000));
  assert.equal(await earlyDigestOf(digests, real("kept")), sha256("same bytes\n"));
  assert.equal(await earlyDigestOf(digests, real("rewritten")), undefined);
  assert.equal(await earlyDigestOf(digests, real("touched")), undefined);
  assert.equal(digests.size, 3, "a missing artifact is left to collectArtifacts");
});
