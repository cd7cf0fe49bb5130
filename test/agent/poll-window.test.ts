import assert from "node:assert/strict";
import { test } from "node:test";
import { startAgent } from "../../src/agent/index.js";
import { waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { makeSwapHost, storeRelease } from "./swap-host.js";

test("a polling agent whose confirmation window saw a newer release starts the next pass at once", async () => {
  const host = await makeSwapHost();
  assert.equal(await storeRelease(host, { version: "v1", confirm: "30s" }), 1);
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 1000 });
  try {
    assert.equal(await waitForBody(host.url, "v1", 20_000, { fresh: true }), "v1 hello\n");
    assert.equal(await storeRelease(host, { version: "v2", confirm: "30s" }), 2);
    // Release 2 serves; release 1 is kept ready through a 30 s confirmation window.
    assert.equal(await waitForBody(host.url, "v2", 20_000, { fresh: true }), "v2 hello\n");
    assert.equal(await storeRelease(host, { version: "v3", confirm: "1s" }), 3);
    // The window's pointer check (as often as the agent polls) sees 3 and ends it; the pass that
    // deploys 3 starts as that pass ends, not one poll interval later.
    assert.equal(await waitForBody(host.url, "v3", 20_000, { fresh: true }), "v3 hello\n");
    assert.equal(agent.status().lastTrigger, "moved");
  } finally {
    await agent.stop();
    await skiffOk(["stop", host.app, "--data", host.data]);
  }
});
