import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readStatus } from "../../src/agent/index.js";
import { commitAll, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { eventTypes, show } from "./stage-repo.js";

function skiffYml(port: number): string {
  return `app: shop
build:
  command: mkdir -p _build && cp server.mjs _build/shop && chmod +x _build/shop
  timeout: 1m
  matrix:
    - target: unix
      artifact: _build/shop
      deploy: true
deploy:
  driver: unix
  port: ${port}
  health: { http: /, timeout: 10s }
stage:
  tests: ["node -e \\"fetch(process.env.SKIFF_URL).then(r => process.exit(r.ok ? 0 : 3))\\""]
  timeout: 30s
`;
}

describe(
  "staging agent: the production gates and signed promotion",
  { timeout: 180_000, concurrency: 1 },
  () => {
    const root = tempDir();
    const deploy = join(root, "deploy.git");
    const stageData = join(root, "staging");
    const prodData = join(root, "prod");
    const app = makeAppRepo(join(root, "shop"), { app: "shop", version: "v1" });
    const keys = tempDir();
    let port = 0;
    after(() => [stageData, prodData].forEach(stopHost));

    async function store(version: string, storeArgs: string[] = []): Promise<number> {
      port ||= await freePort();
      writeFileSync(join(app, "skiff.yml"), skiffYml(port));
      writeFixture(app, "serve", version);
      commitAll(app, version);
      await skiffOk(["build"], { cwd: app });
      const stored = await skiffOk(["store", "--to", deploy, "--json", ...storeArgs], { cwd: app });
      return (JSON.parse(stored.stdout) as { release: number }).release;
    }

    const stageAgent = (extra: string[]) =>
      runSkiff(["agent", "--stage", "staging", "--once", "--repo", deploy, "--data", stageData, ...extra]);

    it("with --trust, refuses an unsigned release before anything boots, and writes no verdict", async () => {
      await skiffOk(["keys", "generate", "--out", keys, "--name", "ci"]);
      const release = await store("v1");
      const run = await stageAgent(["--trust", join(keys, "ci.pub")]);
      assert.notEqual(run.code, 0, run.stderr);
      assert.match(run.stderr, /ERR_SKIFF_UNSIGNED/);
      assert.equal(show(deploy, `shop/releases/${release}/stage.json`), undefined, "no verdict");
      assert.equal(show(deploy, "shop/current"), undefined);
      const types = eventTypes(stageData);
      assert.ok(types.includes("release.refused"), types.join(","));
      assert.ok(!types.includes("stage.instance_started"), "nothing booted");
    });

    it("--drivers without the release's driver: not staged here, no verdict", async () => {
      const release = await store("v2", ["--key", join(keys, "ci.key")]);
      const run = await stageAgent(["--trust", join(keys, "ci.pub"), "--drivers", "qemu"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`release ${release}: not staged \\(unsupported\\)`));
      assert.equal(show(deploy, `shop/releases/${release}/stage.json`), undefined);
    });

    it("--key signs the current record of a promotion; a production agent with --trust deploys it", async () => {
      const release = await store("v3", ["--key", join(keys, "ci.key")]);
      const run = await stageAgent(["--trust", join(keys, "ci.pub"), "--key", join(keys, "ci.key")]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(show(deploy, "shop/current")?.trim(), String(release));
      const record = JSON.parse(show(deploy, "shop/current.json") ?? "{}") as { signatures?: unknown[] };
      assert.equal(record.signatures?.length, 1, "current.json is a signed envelope");
      await skiffOk([
        "agent",
        "--once",
        "--repo",
        deploy,
        "--data",
        prodData,
        "--trust",
        join(keys, "ci.pub"),
      ]);
      const [status] = await readStatus(prodData);
      assert.equal(status?.release, release);
      assert.equal((await httpGet(`http://127.0.0.1:${port}/`)).body, "v3 hello\n");
    });

    it("without --key in a signed repository, the verdict is recorded but promotion is refused", async () => {
      const release = await store("v4", ["--key", join(keys, "ci.key")]);
      const run = await stageAgent(["--trust", join(keys, "ci.pub")]);
      assert.notEqual(run.code, 0, run.stderr);
      assert.match(run.stderr, /ERR_SKIFF_KEY_REQUIRED/);
      const verdict = JSON.parse(show(deploy, `shop/releases/${release}/stage.json`) ?? "{}") as {
        verdict?: string;
      };
      assert.equal(verdict.verdict, "passed");
      assert.equal(show(deploy, "shop/current")?.trim(), String(release - 1), "current did not move");
      assert.ok(eventTypes(stageData).includes("release.promotion_failed"));
      const manual = await runSkiff(["promote", "shop", String(release), "--repo", deploy]);
      assert.notEqual(manual.code, 0);
      assert.match(manual.stderr, /ERR_SKIFF_KEY_REQUIRED/);
      await skiffOk(["promote", "shop", String(release), "--repo", deploy, "--key", join(keys, "ci.key")]);
      assert.equal(show(deploy, "shop/current")?.trim(), String(release));
    });
  },
);
