import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { writeFixture } from "../support/app-repo.js";
import type { SpecContext } from "./conformance.js";

export interface FixtureSpecOptions {
  /** Where the fixture's files are written (one folder per fixture). */
  root: string;
  /** A fake unikernel of test/fixtures/unikernels: serve, crash, … */
  fixture: string;
  version: string;
  /** The release file name the driver boots (hello, hello.xen, hello.hvt). */
  fileName: string;
  args?: string[];
  options?: Record<string, unknown>;
}

/** An InstanceSpec whose one release file is a fake unikernel script, for the conformance suite. */
export function fixtureInstanceSpec(context: SpecContext, options: FixtureSpecOptions): InstanceSpec {
  const dir = join(options.root, options.fixture);
  mkdirSync(dir, { recursive: true });
  writeFixture(dir, options.fixture, options.version);
  return {
    id: context.id,
    app: "hello",
    release: 1,
    files: { [options.fileName]: join(dir, "server.mjs") },
    args: options.args ?? [],
    env: {},
    memoryMiB: 64,
    guestPort: 8080,
    hostPort: context.hostPort,
    dir: context.dir,
    options: options.options ?? {},
  };
}
