import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { SoakResult } from "../../bench/soak/run-soak.js";
import { FAULT_KINDS } from "../../bench/soak/types.js";
import { REPO_ROOT } from "../support/paths.js";
import { runSkiff } from "../support/run-skiff.js";
import { mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";

/** The short form of `npm run soak`: fixed seed, two apps, a minute of faults of every kind. */
const ARGS = ["--minutes", "1", "--seed", "16", "--apps", "2", "--gap", "1-3", "--settle", "30", "--json"];

/**
 * Invariants the system does not hold yet, each with the item of issue 16 whose fix (on another
 * branch) makes it hold: reported as TODO with its evidence instead of failing the suite. Empty this
 * once those fixes are merged.
 */
const KNOWN_FAILING: Record<string, string> = {};

test(
  "the fault soak's short form: every invariant holds under a minute of faults",
  { timeout: 180_000 },
  async (t) => {
    // The tier: fill-disk needs a tmpfs of its own (root).
    const probe = mountTmpfs(t, "1m");
    if (probe === undefined) return;
    unmountTmpfs(probe);
    const run = await runSkiff(ARGS, {
      bin: join(REPO_ROOT, "dist", "bench", "soak", "main.js"),
      timeoutMs: 170_000,
    });
    assert.notEqual(run.stdout, "", `the soak printed no result (exit ${run.code}):\n${run.stderr}`);
    const result = JSON.parse(run.stdout) as SoakResult;
    t.diagnostic(run.stderr.trim());
    for (const kind of FAULT_KINDS) {
      const injected = result.faults.filter((f) => f.kind === kind && f.skipped === undefined);
      assert.ok(
        injected.length > 0,
        `no ${kind} fault was injected: ${JSON.stringify(result.faults.filter((f) => f.kind === kind))}`,
      );
    }
    assert.ok(result.requests.sent > 0 && result.changeList.length > 0, "no load or no changes");
    for (const invariant of result.invariants) {
      const known = KNOWN_FAILING[invariant.name];
      await t.test(invariant.name, { todo: known !== undefined && !invariant.ok ? known : false }, () => {
        assert.ok(invariant.ok, `${invariant.summary}\n${invariant.details.join("\n")}`);
      });
    }
    assert.equal(run.code, result.ok ? 0 : 1, "the exit code says whether every invariant held");
  },
);
