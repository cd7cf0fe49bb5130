import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { startStageAgent } from "../../src/stage/index.js";
import { commitAll, gitSync, makeAppRepo } from "../support/app-repo.js";
import { freePort } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";

const MiB = 1024 * 1024;

function skiffYml(port: number): string {
  return `app: shop
build:
  command: mkdir -p _build && cp server.mjs _build/shop && chmod +x _build/shop && cp smoke.mjs _build/smoke.mjs
  timeout: 1m
  matrix:
    - target: unix
      artifact: [_build/shop, _build/smoke.mjs]
      deploy: true
deploy:
  driver: unix
  port: ${port}
  health: { http: /, timeout: 10s }
  strategy: recreate
stage:
  tests: ["node smoke.mjs"]
  timeout: 1m
`;
}

/** A fake unikernel with 8 MiB of incompressible padding: its mirror fits the disk, its unpacked copy does not. */
function serverSource(): string {
  return `#!/usr/bin/env node
import { createServer } from "node:http";
const server = createServer((req, res) => res.end("v1\\n"));
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => { server.close(); server.closeAllConnections(); process.exit(0); });
// ${randomBytes(6 * MiB).toString("base64")}
`;
}

async function waitForEvent(
  events: SkiffEvent[],
  match: (e: SkiffEvent) => boolean,
  timeoutMs: number,
): Promise<SkiffEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no such event; saw ${events.map((e) => `${e.type} ${e.message}`).join("\n")}`);
    await sleep(50);
  }
}

test("a staging release the host failed to stage (a full disk) is tried again with backoff and judged once space is back", async (t) => {
  const stageData = mountTmpfs(t, "40m");
  if (stageData === undefined) return;
  const deploy = join(tempDir(), "deploy.git");
  const app = makeAppRepo(join(tempDir(), "shop"), { app: "shop" });
  writeFileSync(join(app, "skiff.yml"), skiffYml(await freePort()));
  writeFileSync(join(app, "server.mjs"), serverSource());
  writeFileSync(
    join(app, "smoke.mjs"),
    'const r = await fetch(process.env.SKIFF_URL + "/"); if ((await r.text()).trim() !== "v1") process.exit(4);\n',
  );
  commitAll(app, "v1");
  await skiffOk(["build"], { cwd: app });
  await skiffOk(["store", "--to", deploy, "--json"], { cwd: app });
  // Room for the mirror's fetch, not for the release unpacked beside it.
  const filler = fillDisk(stageData, 4 * MiB);
  const events: SkiffEvent[] = [];
  const agent = await startStageAgent({
    repo: deploy,
    data: stageData,
    pollMs: 600_000,
    sinks: [{ emit: (event) => void events.push(event) }],
  });
  try {
    const scheduled = await waitForEvent(events, (e) => e.type === "stage.retry_scheduled", 60_000);
    assert.equal(scheduled.error?.code, "ERR_SKIFF_DISK_FULL", JSON.stringify(scheduled));
    assert.equal(scheduled.release, 1);
    assert.equal(
      events.some((e) => e.type === "stage.failed"),
      false,
      "a host fault is no verdict on the release",
    );
    rmSync(filler);
    // No poll comes (10 minutes): the retry timer stages it.
    const passed = await waitForEvent(events, (e) => e.type === "stage.passed", 90_000);
    assert.equal(passed.release, 1);
    const record = JSON.parse(gitSync(deploy, ["show", "main:shop/releases/1/stage.json"])) as {
      verdict: string;
    };
    assert.equal(record.verdict, "passed");
  } finally {
    await agent.stop();
    stopHost(stageData);
    // What the stop ended can hold the mount a moment longer (its cwd there).
    await sleep(1000);
    unmountTmpfs(stageData);
  }
});
