import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Command } from "commander";
import { createProgram } from "../../src/cli/program.js";
import { tempDir } from "../support/temp.js";
import { partsOf, runSkiffRecorded } from "./record-imports.js";

/** Every command of the CLI as the words a user types: ["agent"], ["server", "token", "create"] … */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

test("skiff --help loads the CLI's option definitions and no part of skiff", async () => {
  const run = await runSkiffRecorded(["--help"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Usage: skiff /);
  assert.deepEqual(partsOf(run.loaded), ["cli", "errors"]);
  assert.deepEqual(
    run.loaded.filter((path) => path.startsWith("cli/actions/")),
    [],
  );
});

test("every command's --help works and loads none of the parts its action needs", async () => {
  const paths = commandPaths(createProgram());
  assert.ok(paths.length >= 20, `only ${paths.length} commands found`);
  const problems: string[] = [];
  // Two at a time: the machine's cores are shared with the rest of the suite.
  for (let i = 0; i < paths.length; i += 2) {
    const runs = await Promise.all(
      paths.slice(i, i + 2).map(async (path) => ({ path, run: await runSkiffRecorded([...path, "--help"]) })),
    );
    for (const { path, run } of runs) {
      const name = path.join(" ");
      if (run.code !== 0) problems.push(`skiff ${name} --help exited ${run.code}: ${run.stderr}`);
      else if (!run.stdout.startsWith(`Usage: skiff ${name} `))
        problems.push(`skiff ${name} --help printed ${JSON.stringify(run.stdout.slice(0, 80))}`);
      const eager = run.loaded.filter((p) => !p.startsWith("cli/") && !p.startsWith("errors/"));
      const actions = run.loaded.filter((p) => p.startsWith("cli/actions/"));
      if (eager.length + actions.length > 0)
        problems.push(`skiff ${name} --help loaded ${[...actions, ...partsOf(eager)].join(", ")}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("a command loads its part when it runs: skiff status loads the agent, not the server or the builder", async () => {
  const data = tempDir();
  writeFileSync(join(data, "state.json"), JSON.stringify({ version: 1, apps: {} }));
  const run = await runSkiffRecorded(["status", "--data", data]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.loaded.includes("agent/index.js"), `agent/index.js not loaded: ${run.loaded.join(", ")}`);
  assert.ok(run.loaded.includes("cli/actions/operate.js"));
  const parts = partsOf(run.loaded);
  for (const part of ["server", "build", "stage"]) assert.ok(!parts.includes(part), `${part} loaded`);
});
