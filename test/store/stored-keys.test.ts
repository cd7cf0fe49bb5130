import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { DeploySchema, MatrixEntrySchema, StageSchema, parseConfig } from "../../src/config/index.js";
import { STORED_KEYS, mapSkiffYml, targetView, type ReleaseManifest } from "../../src/store/index.js";

/** Every key path of a skiff.yml schema: objects are walked, records of objects walked as `*`. */
function keyPaths(schema: z.ZodType, prefix: string): string[] {
  const def = unwrap(schema)._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    valueType?: z.ZodType;
  };
  if (def.type === "object" && def.shape)
    return Object.entries(def.shape).flatMap(([key, value]) => keyPaths(value, `${prefix}.${key}`));
  if (def.type === "record" && def.valueType && isObject(def.valueType))
    return keyPaths(def.valueType, `${prefix}.*`);
  return [prefix];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as { type: string; innerType?: z.ZodType };
    if (!["default", "prefault", "optional", "nullable"].includes(def.type) || !def.innerType) return current;
    current = def.innerType;
  }
}

function isObject(schema: z.ZodType): boolean {
  return (unwrap(schema)._zod.def as { type: string }).type === "object";
}

/** Every key set, each to a value other than its default; the second matrix entry overrides deploy.*. */
const FULL_YML = `app: full
build:
  command: make
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
    - target: virtio
      env: { MODE: virtio }
      artifact: [_build/kernel, _build/initrd]
      deploy: true
      driver: qemu
      args: ["--ipv4=10.0.0.2/24"]
      memory: 256M
      qemu: { accel: tcg }
      xen: { bridge: br1 }
      solo5: { net: { service: tap1 } }
deploy:
  driver: unix
  port: 8081
  memory: 64M
  args: ["--port={port}"]
  env: { GREETING: hi }
  health: { http: /health, tcp: true, timeout: 20s, initial_delay: 1s, interval: 200ms, attempts: 50 }
  strategy: recreate
  publish: 127.0.0.1:18081
  drain_timeout: 5s
  confirm: 3s
  restart: { limit: 3, backoff: 2s }
  stop_timeout: 4s
  proxy: { replay: true, protocol: http }
  hostname: full.localhost
  scale: { min: 0, max: 3, idle: 30s, concurrency: 10, wake_timeout: 5s }
  rollout: { max_parallel: "25%", pause: 10s, halt_on_failure: false }
  qemu: { accel: kvm }
  xen: { bridge: br0 }
  solo5: { net: { service: tap0 } }
stage:
  tests: ["./smoke.sh"]
  timeout: 2m
  load: { duration: 5s, rate: 50, concurrency: 4, path: /load, thresholds: { error_rate: 0.01, p99: 200ms } }
  network:
    slow:
      delay: 100ms
      jitter: 10ms
      bandwidth: 1mbps
      loss: 0.01
      connection_loss: 0.02
      reset: 0.03
      duration: 5s
      thresholds: { error_rate: 0.1, p99: 1s }
  promote: manual
`;

/** The value at a dotted path; `[]` takes `index`, `*` a record's first key. */
function valueAt(root: unknown, path: string, index: number): unknown {
  let value = root;
  for (const part of path.split(".")) {
    if (value === undefined || value === null) return undefined;
    const record = value as Record<string, unknown>;
    if (part.endsWith("[]")) value = (record[part.slice(0, -2)] as unknown[] | undefined)?.[index];
    else if (part === "*") value = Object.values(record)[0];
    else value = record[part];
  }
  return value;
}

describe("skiff.yml → manifest: every key is mapped on purpose", () => {
  it("every key of deploy, stage and a build.matrix entry is in STORED_KEYS (mapped or not stored), and no other", () => {
    const schemaKeys = [
      ...keyPaths(DeploySchema, "deploy"),
      ...keyPaths(StageSchema, "stage"),
      ...keyPaths(MatrixEntrySchema, "build.matrix[]"),
    ].sort();
    const listed = Object.keys(STORED_KEYS).sort();
    const missing = schemaKeys.filter((key) => !listed.includes(key));
    assert.deepEqual(
      missing,
      [],
      `skiff.yml keys neither mapped nor listed as not stored: ${missing.join(", ")} (add them to map-skiff-yml.ts and src/store/manifest/stored-keys.ts)`,
    );
    assert.deepEqual(
      listed.filter((key) => !schemaKeys.includes(key)),
      [],
      "STORED_KEYS lists keys skiff.yml no longer has",
    );
  });

  it("every mapped key reaches the manifest with its value, from a skiff.yml that sets them all", () => {
    const config = parseConfig(FULL_YML);
    const mapped = mapSkiffYml(config, config.build.matrix);
    for (const [from, to] of Object.entries(STORED_KEYS)) {
      // deploy.* lands in each target without overrides (the first), build.matrix[].* in the second.
      const index = from.startsWith("build.matrix[]") ? 1 : 0;
      const source = valueAt(config, from, index);
      assert.notEqual(source, undefined, `FULL_YML sets ${from}`);
      if (typeof to !== "string") continue;
      assert.deepEqual(valueAt(mapped, to, index), source, `${from} → ${to}`);
    }
  });

  it("the agent's view of a stored target gives back skiff.yml's deploy and stage sections", () => {
    const config = parseConfig(FULL_YML);
    const mapped = mapSkiffYml(config, config.build.matrix);
    const file = {
      name: "k",
      size: 1,
      sha256: "a".repeat(64),
      compression: "gzip" as const,
      stored: "k.gz",
      storedSize: 2,
      mode: 0o644,
    };
    const release: ReleaseManifest = {
      version: "2.0",
      app: "full",
      release: 1,
      sequence: 1,
      deploy: mapped.deploy,
      ...(mapped.stage ? { stage: mapped.stage } : {}),
      targets: mapped.targets.map((boot) => ({ ...boot, files: [file] })),
      source: { commit: "c".repeat(40) },
      build: { id: "b" },
      created: "2030-01-01T00:00:00.000Z",
    };
    const unix = targetView(release, release.targets[0]!);
    assert.deepEqual(unix.deploy, config.deploy);
    assert.deepEqual(unix.stage, config.stage);
    assert.deepEqual([unix.target, unix.driver], ["unix", "unix"]);
    const virtio = targetView(release, release.targets[1]!);
    const entry = config.build.matrix[1]!;
    assert.deepEqual(
      [virtio.driver, virtio.deploy.args, virtio.deploy.memory, virtio.deploy.qemu],
      [entry.driver, entry.args, entry.memory, entry.qemu],
    );
    assert.equal(virtio.deploy.health.http, "/health", "shared settings reach every target");
  });
});
