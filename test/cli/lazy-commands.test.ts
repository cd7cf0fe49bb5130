import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
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
  assert.deepEqual(run.packages, ["commander"]);
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

/** A data dir as an agent leaves it: one app whose unix instance has exited. */
function writeExitedApp(data: string): void {
  const instance = {
    id: "hello-4-x",
    driver: "unix",
    app: "hello",
    release: 4,
    address: { host: "127.0.0.1", port: 18080 },
    handle: { pid: 999_999_999, startTime: "1" },
    logPath: join(data, "hello.log"),
    startedAt: "2026-01-01T00:00:00.000Z",
    reason: "deploy",
  };
  const app = { instances: [instance], failed: [], publicAddress: "127.0.0.1:19080" };
  writeFileSync(join(data, "state.json"), JSON.stringify({ version: 2, apps: { hello: app } }));
}

test("skiff status --data reads the agent's light front door: state and the one driver it names, no loop, swaps, fleet or heavy package", async () => {
  const data = tempDir();
  writeExitedApp(data);
  const run = await runSkiffRecorded(["status", "--data", data, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const [row] = JSON.parse(run.stdout) as { app: string; status: string; url: string }[];
  assert.deepEqual([row?.app, row?.status, row?.url], ["hello", "exited", "http://127.0.0.1:19080"]);
  assert.ok(run.loaded.includes("agent/light.js"), "agent/light.js not loaded");
  assert.ok(!run.loaded.includes("agent/index.js"), "agent/index.js (the whole agent) loaded");
  const agentParts = [
    ...new Set(run.loaded.filter((p) => p.startsWith("agent/")).map((p) => p.split("/")[1])),
  ];
  assert.deepEqual(agentParts.sort(), ["light.js", "state", "status"]);
  assert.ok(!run.loaded.includes("agent/state/state.js"), "the state writer (lock, secrets) loaded");
  assert.deepEqual(partsOf(run.loaded), ["agent", "cli", "drivers", "errors", "process"]);
  const drivers = run.loaded.filter((p) => /^drivers\/[^/]+\//.test(p)).map((p) => p.split("/")[1]);
  assert.deepEqual([...new Set(drivers)], ["unix"]);
  // No etcd3, hono, prom-client, pino, yaml, playwright-core …: the CLI's parser and the state schema's.
  assert.deepEqual(run.packages, ["commander", "zod"]);
});

test("skiff stop --data loads the agent it acts through, not the server or the builder", async () => {
  const data = tempDir();
  writeExitedApp(data);
  const run = await runSkiffRecorded(["stop", "hello", "--data", data]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.loaded.includes("agent/index.js"), `agent/index.js not loaded: ${run.loaded.join(", ")}`);
  assert.ok(run.loaded.includes("cli/actions/operate.js"));
  const parts = partsOf(run.loaded);
  for (const part of ["server", "build", "stage"]) assert.ok(!parts.includes(part), `${part} loaded`);
});

/** A loopback port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

test("skiff apps against a server loads the CLI's client, not the server part (hono, the agent, the builder)", async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const run = await runSkiffRecorded(["apps"], { env: { SKIFF_URL: url, SKIFF_TOKEN: "skf_test" } });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^error ERR_SKIFF_SERVER_UNREACHABLE: /);
  assert.ok(run.loaded.includes("cli/remote/apps.js"), "the remote apps action did not run");
  assert.deepEqual(partsOf(run.loaded), ["cli", "client", "errors"]);
  assert.deepEqual(run.packages, ["commander", "zod"]);
});
