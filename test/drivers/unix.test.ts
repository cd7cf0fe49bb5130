import { unixDriver } from "../../src/drivers/unix/index.js";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { tempDir } from "../support/temp.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";
import { fixtureInstanceSpec } from "./fixture-spec.js";

// The conformance suite against the unix driver, with the fake unikernels of test/fixtures.
const fixtures = tempDir("skiff-unix-fixtures-");

function fixtureSpec(context: SpecContext, fixture: string): InstanceSpec {
  return fixtureInstanceSpec(context, {
    root: fixtures,
    fixture,
    version: "conformance-v1",
    fileName: "hello",
  });
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
