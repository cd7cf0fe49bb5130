import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readStatus, startAgent } from "../../src/agent/index.js";
import { startStageAgent, type StagePassResult } from "../../src/stage/index.js";
import { gitSync, makeAppRepo, commitAll } from "../support/app-repo.js";
import { freePort, httpGet } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

/** A fake unikernel that answers "<version>" after `delayMs`. */
function serverSource(version: string, delayMs: number): string {
  return `#!/usr/bin/env node
import { createServer } from "node:http";
const server = createServer((req, res) => setTimeout(() => res.end("${version}\\n"), ${delayMs}));
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => { server.close(); server.closeAllConnections(); process.exit(0); });
`;
}

/** The smoke test shipped with the release: GET SKIFF_URL must answer the version. */
function smokeSource(expect: string): string {
  return `const r = await fetch(process.env.SKIFF_URL + "/");
const t = (await r.text()).trim();
console.log("GET / answered " + t);
if (t !== "${expect}") { console.error("expected ${expect}"); process.exit(4); }
`;
}

function skiffYml(network: string, port: number): string {
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
  load: { duration: 1s, concurrency: 2, thresholds: { error_rate: 0.01, p99: 1s } }
  network:
${network}
`;
}

let prodPort: number | undefined;
const DELAY_PROFILE = `    delay-200: { delay: 200ms, duration: 1s, thresholds: { p99: 1s } }`;
const LOSS_PROFILE = `    loss-5: { connection_loss: 0.05, duration: 1500ms, thresholds: { error_rate: 0.01 } }`;

/** Commits one release's source and runs skiff build + skiff store; returns the release number. */
async function pushRelease(
  app: string,
  deploy: string,
  options: { version: string; delayMs: number; smokeExpects?: string; network: string },
): Promise<number> {
  // The production port; the staging agent always picks a private one of its own.
  prodPort ??= await freePort();
  writeFileSync(join(app, "skiff.yml"), skiffYml(options.network, prodPort));
  writeFileSync(join(app, "server.mjs"), serverSource(options.version, options.delayMs));
  writeFileSync(join(app, "smoke.mjs"), smokeSource(options.smokeExpects ?? options.version));
  commitAll(app, options.version);
  await skiffOk(["build"], { cwd: app });
  const stored = await skiffOk(["store", "--to", deploy, "--json"], { cwd: app });
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

function pointer(deploy: string, name: string): string {
  return gitSync(deploy, ["show", `main:shop/${name}`]);
}

describe("staging agent", { timeout: 180_000 }, () => {
  const deploy = join(tempDir(), "deploy.git");
  const app = makeAppRepo(join(tempDir(), "shop"), { app: "shop" });
  const stageData = tempDir();
  const prodData = tempDir();
  /** One pass of a staging agent on stageData (the loop waits for every app's worker). */
  const stagePass = async (): Promise<StagePassResult> => {
    const agent = await startStageAgent({ repo: deploy, data: stageData, pollMs: 60_000, once: true });
    const pass = agent.status().lastPass;
    assert.ok(pass, JSON.stringify(agent.status().lastError));
    return pass;
  };
  after(() => [stageData, prodData].forEach(stopHost));

  it("promotes a healthy release: staging passes, current moves, the production agent serves it", async () => {
    const release = await pushRelease(app, deploy, { version: "v1", delayMs: 0, network: DELAY_PROFILE });
    assert.equal(pointer(deploy, "staging"), String(release));
    assert.throws(() => pointer(deploy, "current"), "store does not make a staged release current");
    const pass = await stagePass();
    assert.deepEqual(
      pass.staged.map((s) => [s.release, s.verdict, s.promoted]),
      [[release, "passed", true]],
    );
    assert.equal(pointer(deploy, "current"), String(release));
    const record = JSON.parse(gitSync(deploy, ["show", `main:shop/releases/${release}/stage.json`])) as {
      verdict: string;
      loads: { name: string }[];
    };
    assert.equal(record.verdict, "passed");
    assert.deepEqual(
      record.loads.map((l) => l.name),
      ["load", "delay-200"],
    );
    const prod = await startAgent({ repo: deploy, data: prodData, pollMs: 60_000, once: true });
    assert.equal(prod.status().lastPass?.outcomes[0]?.ok, true);
    const [status] = await readStatus(prodData);
    assert.equal(status?.release, release);
    assert.equal((await httpGet(`http://127.0.0.1:${prodPort}/`)).body, "v1\n");
    assert.equal((await stagePass()).staged.length, 0, "a judged release is not staged again");
  });

  it("holds back a release that passes its tests but breaks p99 under 200 ms added delay", async () => {
    // 700 ms per answer: within 1 s on the plain load test, beyond it with 2 × 200 ms more.
    const release = await pushRelease(app, deploy, { version: "v2", delayMs: 700, network: DELAY_PROFILE });
    const [staged] = (await stagePass()).staged;
    assert.equal(staged?.verdict, "failed");
    assert.equal(staged?.promoted, false);
    assert.match(staged?.summary ?? "", /^p99 \d+ms > 1s under delay-200$/);
    assert.equal(pointer(deploy, "current"), "1", "current stays at the release that passed");
    const listed = await skiffOk(["releases", "shop", "--repo", deploy]);
    assert.match(listed.stdout, new RegExp(`${release} .*failed: p99 \\d+ms > 1s under delay-200`));
    const refused = await runSkiff(["promote", "shop", "--repo", deploy]);
    assert.equal(refused.code !== 0, true);
    assert.match(refused.stderr, /ERR_SKIFF_STAGE_NOT_PASSED/);
    assert.equal(pointer(deploy, "current"), "1");
  });

  it("holds back a release that fails under 5% connection loss with a 1% error-rate threshold", async () => {
    const release = await pushRelease(app, deploy, { version: "v3", delayMs: 0, network: LOSS_PROFILE });
    const [staged] = (await stagePass()).staged;
    assert.equal(staged?.release, release);
    assert.equal(staged?.verdict, "failed");
    assert.match(staged?.summary ?? "", /^error rate .* > 1\.0% under loss-5$/);
    assert.equal(pointer(deploy, "current"), "1");
  });

  it("blocks promotion when a functional test exits non-zero and keeps its output in stage.json", async () => {
    const release = await pushRelease(app, deploy, {
      version: "v4",
      delayMs: 0,
      smokeExpects: "v5",
      network: DELAY_PROFILE,
    });
    const [staged] = (await stagePass()).staged;
    assert.equal(staged?.verdict, "failed");
    assert.equal(pointer(deploy, "current"), "1");
    const listed = await skiffOk(["releases", "shop", "--repo", deploy, "--json"]);
    const releases = JSON.parse(listed.stdout) as {
      release: number;
      stage?: { verdict: string; tests: { exitCode: number; output: string }[] };
    }[];
    const test = releases.find((r) => r.release === release)?.stage?.tests[0];
    assert.equal(test?.exitCode, 4);
    assert.match(test?.output ?? "", /GET \/ answered v4/);
    assert.match(test?.output ?? "", /expected v5/);
    assert.deepEqual(
      releases.map((r) => r.stage?.verdict),
      ["passed", "failed", "failed", "failed"],
    );
    // The production agent still serves release 1.
    await startAgent({ repo: deploy, data: prodData, pollMs: 60_000, once: true });
    assert.equal((await readStatus(prodData))[0]?.release, 1);
    assert.equal((await httpGet(`http://127.0.0.1:${prodPort}/`)).body, "v1\n");
    const failedEvents = readFileSync(join(stageData, "events.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"stage.failed"'));
    assert.equal(failedEvents.length, 3);
  });
  it("skiff agent --stage staging --once judges and promotes; skiff promote --force overrides a failed verdict", async () => {
    const release = await pushRelease(app, deploy, { version: "v5", delayMs: 0, network: DELAY_PROFILE });
    const run = await skiffOk([
      "agent",
      "--stage",
      "staging",
      "--once",
      "--repo",
      deploy,
      "--data",
      stageData,
      "--json",
    ]);
    const staged = JSON.parse(run.stdout) as { release: number; verdict: string; promoted: boolean }[];
    assert.deepEqual(
      staged.map((s) => [s.release, s.verdict, s.promoted]),
      [[release, "passed", true]],
    );
    assert.equal(pointer(deploy, "current"), String(release));
    const forced = await skiffOk(["promote", "shop", "2", "--force", "--repo", deploy, "--json"]);
    assert.equal((JSON.parse(forced.stdout) as { forced: boolean }).forced, true);
    assert.equal(pointer(deploy, "current"), "2");
  });
});
