import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { unixDriver } from "../../src/drivers/unix/index.js";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { writeFixture } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";

// The conformance suite against the unix driver, with the fake unikernels of test/fixtures.
const fixtures = tempDir("skiff-unix-fixtures-");

function fixtureSpec(context: SpecContext, fixture: string): InstanceSpec {
  const dir = join(fixtures, fixture);
  mkdirSync(dir, { recursive: true });
  writeFixture(dir, fixture, "conformance-v1");
  return {
    id: context.id,
    app: "hello",
    release: 1,
    files: { hello: join(dir, "server.mjs") },
    args: [],
    env: {},
    memoryMiB: 64,
    guestPort: 8080,
    hostPort: context.hostPort,
    dir: context.dir,
    options: {},
  };
}

describeDriverConformance("unix", {
  // The unix driver keeps no state in its object: the same object stands for a restarted agent's.
  makeDriver: () => ({ ...unixDriver }),
  tier: "unix",
  makeSpec: (context) => fixtureSpec(context, "serve"),
  makeBadSpec: (context) => fixtureSpec(context, "crash"),
  expectBody: "conformance-v1 hello",
  expectLog: /serving conformance-v1/,
  bootTimeoutMs: 15_000,
  graceMs: 1000,
});
