import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { SoakResult } from "../../bench/soak/run-soak.js";
import { FAULT_KINDS } from "../../bench/soak/types.js";
import { REPO_ROOT } from "../support/paths.js";
import { runSkiff } from "../support/run-skiff.js";
import { mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import { KNOWN_FAILURES, judgeInvariant } from "./known-failures.js";

/**
 * The short form of `npm run soak`: fixed seed, two apps, 45 seconds of faults of every kind
 * (the injector runs each kind once per round, one to three seconds apart).
 */
const ARGS = ["--minutes", "0.75", "--seed", "16", "--apps", "2", "--gap", "1-2", "--settle", "30", "--json"];

test(
  "the fault soak's short form: every invariant holds under 45 seconds of faults",
  { timeout: 240_000 },
  async (t) => {
    // The tier: fill-disk needs a tmpfs of its own (root).
    const probe = mountTmpfs(t, "1m");
    if (probe === undefined) return;
    unmountTmpfs(probe);
    const run = await runSkiff(ARGS, {
      bin: join(REPO_ROOT, "dist", "bench", "soak", "main.js"),
      timeoutMs: 230_000,
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
    assert.match(result.supervision, /Restart=always/);
    if (!result.wake.honoured)
      assert.fail(`scale-to-zero is not honoured, so no wake ran: ${result.wake.reason}`);
    assert.equal(run.code, result.ok ? 0 : 1, "the exit code says whether every invariant held");
    for (const invariant of result.invariants) {
      const verdict = judgeInvariant(invariant, KNOWN_FAILURES);
      // A failure whose every detail is a known, reported bug is a TODO with its evidence; any other fails.
      await t.test(invariant.name, { todo: verdict.todo ?? false }, () => {
        const known = verdict.known.map((d) => `(known) ${d}`);
        assert.ok(verdict.ok, [invariant.summary, ...verdict.unknown, ...known].join("\n"));
      });
    }
  },
);
