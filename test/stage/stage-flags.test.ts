import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { signBody } from "../../src/server/index.js";
import { commitAll, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { eventTypes, show } from "./stage-repo.js";

/** An app whose stage test asks the staging instance for its API_TOKEN (served under /<REVEAL_PATH>). */
function skiffYml(port: number, env: string, reveal: string): string {
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
${env}stage:
  tests: ["node -e \\"fetch(process.env.SKIFF_URL + '/${reveal}').then(r => r.text()).then(t => process.exit(t.startsWith('tok-') ? 0 : 5))\\""]
  timeout: 30s
`;
}

describe("a staging agent takes the production agent's flags", { timeout: 180_000, concurrency: 1 }, () => {
  const root = tempDir();
  const deploy = join(root, "deploy.git");
  const stageData = join(root, "staging");
  const keys = tempDir("skiff-keys-");
  const reveal = `reveal-${randomBytes(4).toString("hex")}`;
  const app = makeAppRepo(join(root, "shop"), { app: "shop" });
  after(() => stopHost(stageData));
  const stageAgent = (extra: string[], data = stageData) =>
    runSkiff(["agent", "--stage", "staging", "--repo", deploy, "--data", data, ...extra]);

  async function store(version: string, env: string): Promise<number> {
    writeFileSync(join(app, "skiff.yml"), skiffYml(await freePort(), env, reveal));
    writeFixture(app, "secret", version);
    commitAll(app, version);
    await skiffOk(["build"], { cwd: app });
    const stored = await skiffOk(["store", "--to", deploy, "--json"], { cwd: app });
    return (JSON.parse(stored.stdout) as { release: number }).release;
  }

  it("--dry-run prints what it would stage and starts nothing", async () => {
    const release = await store("v1", `  env: { API_TOKEN: "tok-plain", REVEAL_PATH: ${reveal} }\n`);
    const data = join(root, "dry");
    const run = await stageAgent(["--dry-run"], data);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^stage shop release ${release}: `, "m"));
    const json = await stageAgent(["--dry-run", "--json"], data);
    const planned = (JSON.parse(json.stdout) as { planned: { app: string; release: number }[] }).planned;
    assert.deepEqual(planned, [{ app: "shop", release }]);
    const types = eventTypes(data);
    assert.ok(types.includes("agent.planned"), types.join(","));
    assert.ok(!types.some((t) => t.startsWith("stage.")), `nothing staged: ${types.join(",")}`);
    assert.equal(existsSync(join(data, "instances")), false, "no instance was started");
    assert.equal(show(deploy, `shop/releases/${release}/stage.json`), undefined, "no verdict");
    assert.equal(show(deploy, "shop/current"), undefined, "nothing promoted");
  });

  it("--host-key opens the sealed values of a staging release, which then passes; without it the release is refused before anything boots", async () => {
    await skiffOk(["keys", "generate", "--host", "--out", keys, "--name", "host"]);
    const token = `tok-${randomBytes(12).toString("hex")}`;
    const sealed = (
      await skiffOk(["secrets", "encrypt", "--to", join(keys, "host.pub"), "API_TOKEN=-"], { input: token })
    ).stdout.trim();
    const release = await store(
      "v2",
      `  env:\n    ${sealed.replace("=", ": ")}\n    REVEAL_PATH: ${reveal}\n`,
    );

    const refused = await stageAgent(["--once"]);
    assert.notEqual(refused.code, 0, refused.stdout);
    assert.match(refused.stderr, /ERR_SKIFF_SECRET_DECRYPT/);
    assert.ok(!eventTypes(stageData).includes("stage.instance_started"), "nothing booted");
    assert.equal(show(deploy, `shop/releases/${release}/stage.json`), undefined, "no verdict");

    const run = await stageAgent(["--once", "--json", "--host-key", join(keys, "host.key")]);
    assert.equal(run.code, 0, run.stderr);
    const staged = JSON.parse(run.stdout) as { release: number; verdict: string; promoted: boolean }[];
    assert.deepEqual(
      staged.map((s) => [s.release, s.verdict, s.promoted]),
      [[release, "passed", true]],
    );
    assert.equal(show(deploy, "shop/current")?.trim(), String(release));
    for (const text of [run.stdout, run.stderr, readFileSync(join(stageData, "events.jsonl"), "utf8")])
      assert.ok(!text.includes(token), "the opened value appears in the output or events");
  });

  it("--listen and --webhook-secret-file: a signed webhook makes a staging agent that polls hourly stage at once", async (t) => {
    const secretFile = join(root, "webhook-secret");
    writeFileSync(secretFile, "stage-secret\n");
    const port = await freePort();
    const planned = (): number => eventTypes(stageData).filter((type) => type === "agent.planned").length;
    const before = planned();
    const agent = spawn(
      process.execPath,
      [
        SKIFF_BIN,
        "agent",
        "--stage",
        "staging",
        "--repo",
        deploy,
        "--data",
        stageData,
        "--poll",
        "1h",
      ].concat(["--listen", `127.0.0.1:${port}`, "--webhook-secret-file", secretFile]),
      { env: { ...process.env, SKIFF_LOG_LEVEL: "silent" }, stdio: "ignore" },
    );
    t.after(() => agent.kill("SIGTERM"));
    const hooks = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while ((await httpGet(`${hooks}/healthz`, 1000).catch(() => undefined))?.status !== 200) {
      assert.ok(Date.now() < deadline, "the staging agent serves no webhooks");
      await sleep(50);
    }
    while (planned() === before) {
      assert.ok(Date.now() < deadline, "the staging agent's first pass did not run");
      await sleep(50);
    }
    // Stored after the first pass: with an hour's poll, only the webhook can explain its verdict.
    const release = await store("v3", `  env: { API_TOKEN: "tok-plain", REVEAL_PATH: ${reveal} }\n`);
    const body = JSON.stringify({ repo: deploy, time: Date.now(), app: "shop", release });
    const response = await fetch(`${hooks}/hooks/git`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-skiff-signature": signBody("stage-secret", body) },
      body,
    });
    assert.equal(response.status, 202);
    while (show(deploy, `shop/releases/${release}/stage.json`) === undefined) {
      assert.ok(Date.now() < deadline + 20_000, "no verdict after the webhook");
      await sleep(100);
    }
    agent.kill("SIGTERM");
  });
});
