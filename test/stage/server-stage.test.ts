import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitAll, gitSync } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { gitPush, serverSandbox } from "../server/server-harness.js";

/** A fake unikernel that answers "<version> hello" after `delayMs`. */
function serverSource(version: string, delayMs: number): string {
  return `#!/usr/bin/env node
import { createServer } from "node:http";
const server = createServer((req, res) => setTimeout(() => res.end("${version} hello\\n"), ${delayMs}));
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => { server.close(); server.closeAllConnections(); process.exit(0); });
`;
}

const SMOKE = `const r = await fetch(process.env.SKIFF_URL + "/");
if (!r.ok) process.exit(4);
console.log("GET / answered " + (await r.text()).trim());
`;

/** The "done when": a functional test and a 100 ms-delay profile with a p99 threshold. */
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
stage:
  tests: ["node smoke.mjs"]
  timeout: 1m
  load: { duration: 1s, concurrency: 2, thresholds: { error_rate: 0.01, p99: 1s } }
  network:
    delay-100: { delay: 100ms, duration: 1s, thresholds: { p99: 500ms } }
`;
}

function remoteLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("remote: "))
    .map((line) => line.slice(8).trim());
}

interface ReleaseRow {
  release: number;
  current: boolean;
  stage?: {
    verdict: string;
    loads: { name: string; passed: boolean; figures: { requests: number; latency: { p99: number } } }[];
    failures: { name: string; threshold?: string }[];
  };
}

describe("staging inside skiff server", { timeout: 240_000 }, () => {
  it("a push waits for the verdict: the good release is promoted and serves, the slow one is held back", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const port = await freePort();
    const dir = join(sandbox.root, "shop");
    mkdirSync(dir, { recursive: true });
    gitSync(dir, ["init", "--quiet", "--initial-branch=main"]);
    writeFileSync(join(dir, "skiff.yml"), skiffYml(port));
    writeFileSync(join(dir, "smoke.mjs"), SMOKE);
    writeFileSync(join(dir, "server.mjs"), serverSource("v1", 0));
    commitAll(dir, "v1");

    const good = await gitPush(dir, server.gitUrl("shop"));
    assert.equal(good.code, 0, good.stderr);
    const goodLines = remoteLines(good.stderr);
    const order = ["release 1 is in staging", "verdict: passed", "promoted: release 1 is current"];
    const positions = order.map((text) => goodLines.indexOf(text));
    assert.ok(
      positions.every((at, i) => at >= 0 && (i === 0 || at > positions[i - 1]!)),
      good.stderr,
    );
    assert.ok(
      goodLines.some((l) => /^delay-100: \d+ requests, .* p99 \d+ms .*: ok$/.test(l)),
      good.stderr,
    );
    assert.ok(goodLines.includes("-----> released shop v1"), good.stderr);
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v1 hello"), "v1 hello\n");

    // Release 2 answers in 450 ms: it passes the smoke test and the plain load, not p99 under delay.
    writeFileSync(join(dir, "server.mjs"), serverSource("v2", 450));
    commitAll(dir, "v2: slow");
    const slow = await gitPush(dir, server.gitUrl("shop"));
    assert.notEqual(slow.code, 0, slow.stderr);
    const slowLines = remoteLines(slow.stderr);
    assert.ok(slowLines.includes("release 2 is in staging"), slow.stderr);
    assert.ok(
      slowLines.some((l) => /^load: .*: ok$/.test(l)),
      slow.stderr,
    );
    assert.ok(
      slowLines.some((l) => /^delay-100: .*: FAILED$/.test(l)),
      slow.stderr,
    );
    assert.ok(
      slowLines.some((l) => /^held back: p99 \d+ms > 500ms under delay-100$/.test(l)),
      slow.stderr,
    );
    assert.ok(!slowLines.some((l) => l.startsWith("-----> deploy")), slow.stderr);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v1 hello\n");

    const deployRepo = join(server.data, "deploy.git");
    assert.equal(gitSync(deployRepo, ["show", "main:shop/current"]).trim(), "1");
    const listed = await skiffOk(["releases", "shop", "--repo", deployRepo, "--json"]);
    const rows = JSON.parse(listed.stdout) as ReleaseRow[] | { releases: ReleaseRow[] };
    const releases = Array.isArray(rows) ? rows : rows.releases;
    const one = releases.find((r) => r.release === 1);
    const two = releases.find((r) => r.release === 2);
    assert.equal(one?.current, true);
    assert.equal(one?.stage?.verdict, "passed");
    assert.equal(two?.stage?.verdict, "failed");
    const delayed = two?.stage?.loads.find((l) => l.name === "delay-100");
    assert.equal(delayed?.passed, false);
    assert.ok((delayed?.figures.latency.p99 ?? 0) > 500, JSON.stringify(delayed));
    assert.ok((delayed?.figures.requests ?? 0) > 0);
    assert.deepEqual(
      two?.stage?.failures.map((f) => [f.name, f.threshold]),
      [["delay-100", "p99"]],
    );
    const table = await skiffOk(["releases", "shop", "--repo", deployRepo]);
    assert.match(table.stdout + table.stderr, /failed: p99 \d+ms > 500ms under delay-100/);
  });
});
