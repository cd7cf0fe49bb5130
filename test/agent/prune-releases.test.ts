import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setPointer } from "../../src/store/index.js";
import { httpGet } from "../support/http.js";
import { makeSwapHost, readApp, runAgentOnce, storeRelease } from "./swap-host.js";

test("a host keeps the unpacked files of the releases it runs and the 3 newest others; a pruned one unpacks again for a rollback", async () => {
  const host = await makeSwapHost();
  for (let i = 1; i <= 6; i += 1) {
    await storeRelease(host, { version: `v${i}`, confirm: "0s" });
    const run = await runAgentOnce(host);
    assert.equal(run.code, 0, run.stderr);
  }
  assert.equal((await httpGet(host.url)).body, "v6 hello\n");
  const unpacked = (): number[] =>
    readdirSync(join(host.data, "releases", "hello"))
      .map(Number)
      .sort((a, b) => a - b);
  assert.deepEqual(
    unpacked(),
    [3, 4, 5, 6],
    "releases 1 and 2 were removed: the serving one and 3 others stay",
  );

  await setPointer({ repo: host.repo, app: "hello", pointer: "current", release: 1 });
  const back = await runAgentOnce(host);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(readApp(host)?.instances[0]?.release, 1);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n", "the pruned release was unpacked again");
  assert.deepEqual(unpacked(), [1, 4, 5, 6], "release 1 runs; 6 (the one before) and the newest others stay");
});
