import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig, skiffJsonSchema } from "../../src/config/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { REPO_ROOT } from "../support/paths.js";

const VALID = `app: hello
build:
  command: make
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
`;

function configError(text: string): { code: string; message: string; data: Record<string, unknown> } {
  try {
    parseConfig(text, "skiff.yml");
  } catch (error) {
    assert.ok(isSkiffError(error), `expected a SkiffError, got ${String(error)}`);
    return { code: error.code, message: error.message, data: error.data ?? {} };
  }
  assert.fail("expected the config to be refused");
}

describe("skiff.yml", () => {
  it("fills defaults", () => {
    const config = parseConfig(VALID);
    assert.equal(config.deploy.driver, "unix");
    assert.equal(config.deploy.strategy, "blue-green");
    assert.equal(config.deploy.health.http, "/");
    assert.equal(config.deploy.health.timeout, "30s");
    assert.equal(config.build.timeout, "10m");
    assert.deepEqual(config.build.matrix[0]?.env, {});
  });

  it("stores the entry of a matrix of one without deploy: true; of several, only those marked", () => {
    const one = parseConfig(VALID.replace("      deploy: true\n", ""));
    assert.equal(one.build.matrix[0]?.deploy, true);
    assert.equal(parseConfig(VALID.replace("deploy: true", "deploy: false")).build.matrix[0]?.deploy, false);
    const two = parseConfig(
      VALID.replace("      deploy: true\n", "") + "    - target: virtio\n      artifact: _build/kernel\n",
    );
    assert.deepEqual(
      two.build.matrix.map((entry) => entry.deploy),
      [false, false],
    );
  });

  it("names file, line, column and key path of an unknown key", () => {
    const error = configError(VALID + "deploy:\n  port: 80\n  prot: 81\n");
    assert.equal(error.code, "ERR_SKIFF_CONFIG_INVALID");
    assert.match(error.message, /^skiff\.yml:10:3: deploy\.prot: unknown key "prot"/);
    assert.equal(error.data.line, 10);
  });

  it("names the line of a wrong type deep in the matrix", () => {
    const text = VALID.replace("deploy: true", 'deploy: "yes"');
    const error = configError(text);
    assert.match(error.message, /^skiff\.yml:7:15: build\.matrix\[0\]\.deploy: /);
  });

  it("reports a missing required key at its parent", () => {
    const error = configError("app: hello\nbuild:\n  matrix: []\n");
    assert.match(error.message, /skiff\.yml:\d+:\d+: build\.command: missing required key/);
  });

  it("reports YAML syntax errors with a line", () => {
    const error = configError("app: hello\nbuild: [unclosed\n");
    assert.equal(error.code, "ERR_SKIFF_CONFIG_SYNTAX");
    assert.match(error.message, /^skiff\.yml:\d+:\d+: /);
  });

  it("refuses a bad app name", () => {
    const error = configError(VALID.replace("app: hello", "app: Hello_World"));
    assert.match(error.message, /skiff\.yml:1:6: app: /);
  });

  it("has a JSON Schema that is current (npm run build regenerates it)", () => {
    const onDisk = JSON.parse(
      readFileSync(join(REPO_ROOT, "schema", "skiff.schema.json"), "utf8"),
    ) as unknown;
    assert.deepEqual(onDisk, skiffJsonSchema());
  });
});
