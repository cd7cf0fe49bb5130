import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  BootSecrets,
  createRedactingSink,
  registerBootSecrets,
  unregisterBootSecrets,
  writeState,
} from "../../src/agent/index.js";
import { EventBus, type SkiffEvent } from "../../src/events/index.js";
import { loadPrivateKey, loadPublicKey, sealSecret } from "../../src/trust/index.js";
import { httpGet } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { buildAndStore, makeTrustHost, runningInstance } from "./trust-host.js";

/** Every file under `dir` (mirror objects are compressed, so a plain value cannot hide there anyway). */
function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) return name === "mirror.git" ? [] : allFiles(path);
    return info.isFile() ? [path] : [];
  });
}

const host = await makeTrustHost();

describe("secrets at boot", () => {
  it("opens a sealed deploy.env value with the host key, hands it to the unikernel, and shows it nowhere", async () => {
    const secret = `tok-${randomBytes(12).toString("hex")}`;
    const reveal = `reveal-${randomBytes(6).toString("hex")}`;
    const sealed = (
      await skiffOk(["secrets", "encrypt", "--to", host.hostPub, "API_TOKEN=-"], { input: secret })
    ).stdout.trim();
    assert.match(sealed, /^API_TOKEN=skiff:sealed:v1:/);
    const env = `  env:\n    ${sealed.replace("=", ": ")}\n    REVEAL_PATH: ${reveal}\n`;
    await buildAndStore(host, {
      version: "v1",
      fixture: "secret",
      deployExtra: env,
      storeArgs: ["--key", host.key],
    });
    const notify = join(tempDir("skiff-notify-"), "notify.jsonl");
    const agent = await runSkiff(
      [
        "agent",
        "--repo",
        host.repo,
        "--data",
        host.data,
        "--once",
        "--json",
        "--trust",
        host.pub,
        "--host-key",
        host.hostKey,
        "--notify",
        `file:${notify}`,
      ],
      { env: { SKIFF_LOG_LEVEL: "debug" } },
    );
    assert.equal(agent.code, 0, agent.stderr);
    const instance = runningInstance(host.data);
    assert.equal(
      (await httpGet(`${instance.url}${reveal}`)).body,
      secret,
      "the unikernel did not get the opened value",
    );
    const status = await skiffOk(["status", "--data", host.data, "--json"]);
    const config = await skiffOk(["config", host.app, "--repo", host.repo, "--json"]);
    assert.equal((JSON.parse(config.stdout) as { env: Record<string, string> }).env.API_TOKEN, "[sealed]");
    const outputs: [string, string][] = [
      ["agent stdout", agent.stdout],
      ["agent stderr (logs)", agent.stderr],
      ["status", status.stdout + status.stderr],
      ["config", config.stdout + config.stderr],
      ["notifications", readFileSync(notify, "utf8")],
      ...allFiles(host.data).map((file): [string, string] => [file, readFileSync(file, "latin1")]),
    ];
    assert.ok((agent.stdout + agent.stderr).includes("deploy.succeeded"), "the logs were not captured");
    for (const [where, text] of outputs) assert.ok(!text.includes(secret), `the secret appears in ${where}`);
    // Without the host key the same release is refused, and nothing of the value is shown.
    const other = await runSkiff([
      "agent",
      "--repo",
      host.repo,
      "--data",
      join(tempDir("skiff-nokey-"), "host"),
      "--once",
      "--json",
      "--trust",
      host.pub,
    ]);
    assert.notEqual(other.code, 0);
    assert.match(other.stdout, /ERR_SKIFF_SECRET_DECRYPT/);
  });

  it("scrubs opened values from every sink and from state.json", () => {
    const hostKey = loadPrivateKey(host.hostKey, "x25519");
    const secret = `pw-${randomBytes(8).toString("hex")}`;
    const secrets = new BootSecrets(hostKey);
    const env = secrets.openEnv({
      DB_PASSWORD: sealSecret(secret, {
        name: "DB_PASSWORD",
        hostPublicKey: loadPublicKey(host.hostPub, "x25519"),
      }),
    });
    assert.equal(env.DB_PASSWORD, secret);
    const seen: SkiffEvent[] = [];
    const bus = new EventBus().add(createRedactingSink({ emit: (event) => seen.push(event) }, secrets));
    bus
      .child({ app: "hello" })
      .emit({ type: "x", message: `boom ${secret}`, data: { quoted: JSON.stringify({ secret }) } });
    assert.ok(!JSON.stringify(seen).includes(secret));
    assert.match(seen[0]!.message, /\[hidden\]/);
    const data = tempDir("skiff-state-");
    registerBootSecrets(data, secrets);
    try {
      writeState(data, {
        version: 2,
        apps: {
          hello: {
            instances: [],
            failed: [{ release: 1, ok: false, at: "now", error: { code: "E", message: secret } }],
          },
        },
      });
    } finally {
      unregisterBootSecrets(data, secrets);
    }
    assert.ok(!readFileSync(join(data, "state.json"), "utf8").includes(secret));
  });
});
