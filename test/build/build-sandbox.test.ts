import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listBuilds, pruneBuilds, runBuild } from "../../src/build/index.js";
import { makeAppRepo } from "../support/app-repo.js";
import { waitForProcesses } from "../support/processes.js";
import { runSkiff } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";

function oneEntryYml(command: string, extra = ""): string {
  return `app: box
build:
  command: ${JSON.stringify(command)}
  timeout: 1m
${extra}  matrix:
    - target: unix
      artifact: _build/out
      deploy: true
`;
}

/** Runs a build whose command writes what it found into its artifact; returns the artifact's text. */
async function probeBuild(
  command: string,
  options: { extra?: string; hidden?: string[] } = {},
): Promise<string> {
  const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: oneEntryYml(command, options.extra) });
  const summary = await runBuild({ repo, ...(options.hidden ? { hidden: options.hidden } : {}) });
  return readFileSync(summary.targets[0]!.artifacts[0]!.path, "utf8").trim();
}

async function listen(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, port, connections: () => count };
}

describe("the build sandbox", () => {
  it("lets the commands write their checkout and a private /tmp only, and hides what it is told to", async () => {
    const outside = tempDir();
    const secretDir = join(tempDir(), "data");
    mkdirSync(secretDir);
    writeFileSync(join(secretDir, "tokens.json"), "secret\n");
    writeFileSync(join(outside, "host-tmp-file"), "x\n");
    const command = [
      "mkdir -p _build",
      `(touch ${outside}/escaped 2>/dev/null && echo outside-writable || echo outside-read-only) >> _build/out`,
      `(test -e ${outside}/host-tmp-file && echo host-tmp-visible || echo host-tmp-hidden) >> _build/out`,
      "(touch /tmp/scratch && echo tmp-writable || echo tmp-read-only) >> _build/out",
      `(test -e ${secretDir}/tokens.json && echo data-visible || echo data-hidden) >> _build/out`,
    ].join("; ");
    const found = await probeBuild(command, { hidden: [secretDir] });
    assert.deepEqual(found.split("\n"), [
      "outside-read-only",
      "host-tmp-hidden",
      "tmp-writable",
      "data-hidden",
    ]);
    assert.equal(existsSync(join(outside, "escaped")), false);
  });

  it("reaches a local TCP listener by default, and not with build.network: false", async (t) => {
    const listener = await listen();
    t.after(() => listener.server.close());
    const command = `mkdir -p _build; if bash -c 'exec 3<>/dev/tcp/127.0.0.1/${listener.port}' 2>/dev/null; then echo reached; else echo blocked; fi > _build/out`;
    assert.equal(await probeBuild(command), "reached");
    assert.equal(listener.connections(), 1);
    assert.equal(await probeBuild(command, { extra: "  network: false\n" }), "blocked");
    assert.equal(listener.connections(), 1, "the build without network connected anyway");
  });

  it("keeps SKIFF_CACHE_DIR between builds of a repository, writable in the sandbox where HOME is not", async () => {
    const home = tempDir();
    const command = [
      "mkdir -p _build",
      'n=$(cat "$SKIFF_CACHE_DIR/count" 2>/dev/null || echo 0)',
      'echo $((n + 1)) > "$SKIFF_CACHE_DIR/count"',
      'cat "$SKIFF_CACHE_DIR/count" > _build/out',
      `(touch ${home}/x 2>/dev/null && echo home-writable || echo home-read-only) >> _build/out`,
    ].join("; ");
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: oneEntryYml(command) });
    const outDir = join(tempDir(), "builds");
    const found = async (): Promise<string[]> => {
      const summary = await runBuild({ repo, outDir });
      return readFileSync(summary.targets[0]!.artifacts[0]!.path, "utf8").trim().split("\n");
    };
    assert.deepEqual(await found(), ["1", "home-read-only"]);
    assert.deepEqual(await found(), ["2", "home-read-only"], "the second build found what the first cached");
    // The cache is no build: not listed, and pruning keeps it.
    assert.equal(listBuilds(outDir).length, 2);
    await pruneBuilds({ outDir, keep: 0, unfinished: true });
    assert.equal(readFileSync(join(outDir, "cache", "count"), "utf8"), "2\n");
    assert.deepEqual(await found(), ["3", "home-read-only"]);
  });

  it("where bwrap cannot run, says so and still kills a daemonizing step at its timeout", async () => {
    const mark = randomBytes(6).toString("hex");
    const yml = oneEntryYml("setsid sh -c 'sleep 1000' & sleep 1000").replace(
      "      deploy: true\n",
      `      deploy: true\n      env: { PROBE: "${mark}" }\n`,
    );
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml.replace("timeout: 1m", "timeout: 3s") });
    const run = runSkiff(["build", "--dir", repo], { env: { SKIFF_BWRAP: join(tempDir(), "no-bwrap") } });
    await waitForProcesses(`PROBE=${mark}`, "present", 20_000);
    const { code, stderr } = await run;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /warning: the build runs without a sandbox: .*no-bwrap cannot run/);
    assert.match(stderr, /ERR_SKIFF_BUILD_TIMEOUT/);
    await waitForProcesses(`PROBE=${mark}`, "gone", 2000);
  });
});
