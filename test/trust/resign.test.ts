import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import {
  assertUntouched,
  buildAndStore,
  lastRefusalCode,
  makeTrustHost,
  runAgent,
  runningInstance,
} from "./trust-host.js";

const host = await makeTrustHost();

describe("skiff resign", () => {
  it("an expired release is refused while it keeps running; resign makes it acceptable again", async () => {
    // Long enough for the first deploy on a loaded machine; then the test waits until it has passed.
    const expiresAt = Date.now() + 12_000;
    await buildAndStore(host, { version: "v1", storeArgs: ["--key", host.key, "--expires", "12s"] });
    const trust = ["--trust", host.pub];
    const first = await runAgent(host.repo, host.data, trust);
    assert.equal(first.code, 0, first.stderr);
    const running = runningInstance(host.data);
    await sleep(Math.max(0, expiresAt - Date.now()) + 500);
    const expired = await runAgent(host.repo, host.data, trust);
    assert.notEqual(expired.code, 0);
    assert.equal(lastRefusalCode(host.data), "ERR_SKIFF_EXPIRED");
    await assertUntouched(host.data, running, "v1 hello");

    const resigned = JSON.parse(
      (
        await skiffOk([
          "resign",
          host.app,
          "--repo",
          host.repo,
          "--key",
          host.key,
          "--expires",
          "14d",
          "--json",
        ])
      ).stdout,
    ) as { release: number; sequence: number; pointers: string[] };
    assert.equal(resigned.release, 1);
    assert.deepEqual(resigned.pointers, ["current"]);
    assert.equal((await runAgent(host.repo, host.data, trust)).code, 0);
    await assertUntouched(host.data, running, "v1 hello");
    const status = JSON.parse((await skiffOk(["status", "--data", host.data, "--json"])).stdout) as {
      lastRefusal?: { active: boolean; error: { code: string } };
    }[];
    assert.deepEqual(
      [status[0]?.lastRefusal?.error.code, status[0]?.lastRefusal?.active],
      ["ERR_SKIFF_EXPIRED", false],
    );
  });

  it("refuses to re-sign a manifest that no signing key signed (a tampered or foreign one)", async () => {
    const other = await runSkiff(["resign", host.app, "--repo", host.repo, "--key", host.otherKey]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ERR_SKIFF_UNTRUSTED_KEY/);
  });
});
