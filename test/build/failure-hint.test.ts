import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeOutputForHint, looksLikeError, type NumberedLine } from "../../src/build/hint-lines.js";
import { runBuild } from "../../src/build/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { makeAppRepo } from "../support/app-repo.js";
import { runSkiff } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { matrixYml } from "./support.js";

const numbered = (texts: string[], from = 1): NumberedLine[] =>
  texts.map((text, i) => ({ n: from + i, text }));

describe("a failed step's hint", () => {
  it("tells error lines from warnings and good news", () => {
    for (const line of [
      "src/main.c:3:5: error: 'foo' undeclared",
      "Error: Cannot find module 'x'",
      "make: *** [Makefile:3: all] Error 2",
      "FAILED test_parse (1 of 3)",
      "fatal: not a git repository",
      "ocamlfind: Package `mirage' not found - required by `foo' (and it FAILED)",
      "ld: undefined reference to `main'",
      "sh: 1: mirage: command not found",
      "warning: unused variable, error: and this is one",
    ])
      assert.equal(looksLikeError(line), true, line);
    for (const line of [
      "warning: this may fail at run time",
      "Warning 32 [unused-value-declaration]: unused value x.",
      "3 passed, 0 failed",
      "built with 0 errors",
      "terror.ml compiled",
      "compiling errorhandler.c",
    ])
      assert.equal(looksLikeError(line), false, line);
  });

  it("quotes the error lines, not the last warnings; output just shown is not repeated; unseen output ends with its tail", () => {
    const lines = [
      "cc main.c",
      "main.c:3: error: x undeclared",
      ...Array.from({ length: 12 }, (_, i) => `warning ${i}`),
    ];
    const all = numbered(lines);
    const errors = all.filter((l) => looksLikeError(l.text));
    const tail = all.slice(-10);
    const shown = describeOutputForHint({ errors, tail, total: lines.length, shown: true });
    assert.equal(shown, "the lines that look like errors (of 14):\n  main.c:3: error: x undeclared\n");
    assert.ok(!shown.includes("warning"));
    // The error is among the last lines printed: it is right above the hint already.
    const atEnd = numbered(["cc main.c", "main.c:3: error: x undeclared", "make: *** Error 1"]);
    const justShown = { errors: atEnd.slice(1), tail: atEnd, total: 3 };
    assert.equal(
      describeOutputForHint({ ...justShown, shown: true }),
      "the lines that look like errors are just above\n",
    );
    assert.equal(
      describeOutputForHint({ ...justShown, shown: false }),
      "the lines that look like errors (of 3):\n  main.c:3: error: x undeclared\n  make: *** Error 1\n",
    );
    const quiet = numbered(["step 1", "step 2"]);
    assert.equal(describeOutputForHint({ errors: [], tail: quiet, total: 2, shown: true }), "");
    assert.equal(
      describeOutputForHint({ errors: [], tail: quiet, total: 2, shown: false }),
      "last output:\n  step 1\n  step 2\n",
    );
  });

  it("skiff build: the hint names the error that scrolled away under warnings, and says each warning once", async () => {
    const command =
      "echo 'main.c:3: error: x undeclared'; for i in 1 2 3 4 5 6 7 8 9 10; do echo \"warning: w$i\"; done; exit 2";
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command }) });
    const run = await runSkiff(["build"], { cwd: repo });
    assert.equal(run.code, 1);
    const hint = run.stderr.slice(run.stderr.indexOf("\nhint: "));
    assert.match(
      hint,
      /^\nhint: the lines that look like errors \(of 11\):\n {2}main\.c:3: error: x undeclared\nfull log: /,
    );
    assert.equal(run.stderr.match(/warning: w7/g)?.length, 1, "a warning printed twice");
    // A build nobody watched (no onOutput): the same error lines, all of them.
    await assert.rejects(runBuild({ repo, outDir: tempDir() }), (error: unknown) => {
      assert.ok(isSkiffError(error));
      assert.match(error.hint ?? "", /look like errors \(of 11\):\n {2}main\.c:3: error: x undeclared\n/);
      return true;
    });
  });
});
