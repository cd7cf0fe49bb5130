import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitAll, gitSync } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { readEvents, readStateFile } from "./deploy-host.js";

// `skiff agent --layout mirage-2015` against a 2015-style deployment repository, written as the
// 2015 CI wrote it: xl.conf.in at the root, xen/latest, xen/<id>/mir-decks.xen.bz2 beside config.ml.

interface MirageRepo {
  dir: string;
  data: string;
  log: string;
}

function makeMirageRepo(template: string): MirageRepo {
  const root = tempDir("skiff-mirage-agent-");
  const dir = join(root, "mirage-decks-deployment");
  mkdirSync(dir, { recursive: true });
  gitSync(dir, ["init", "--quiet", "--initial-branch=master"]);
  writeFileSync(join(dir, "xl.conf.in"), template);
  return { dir, data: join(root, "host"), log: join(root, "standin.jsonl") };
}

/** Pushes one 2015 "deploy": a kernel serving `version` (a fake unikernel script), bzip2'd, and xen/latest. */
function pushKernel(repo: MirageRepo, version: string, padBytes = 0): string {
  const id = execFileSync("sh", ["-c", `printf %s "${version}" | sha1sum | cut -c1-40`], {
    encoding: "utf8",
  }).trim();
  // CommonJS: node runs a file called *.xen as CommonJS, not as a module.
  const source = readFileSync(join(FIXTURES, "unikernels", "serve.mjs"), "utf8")
    .replaceAll("__VERSION__", version)
    .replace('import { createServer } from "node:http";', 'const { createServer } = require("node:http");')
    // A kernel as large as a real one compresses no better than random bytes.
    .concat(padBytes > 0 ? `\n// ${randomBytes(padBytes).toString("base64")}\n` : "");
  mkdirSync(join(repo.dir, "xen", id), { recursive: true });
  writeFileSync(
    join(repo.dir, "xen", id, "mir-decks.xen.bz2"),
    execFileSync("bzip2", ["-9c"], { input: source }),
  );
  writeFileSync(join(repo.dir, "xen", id, "config.ml"), "open Mirage\n");
  writeFileSync(join(repo.dir, "xen", "latest"), `${id}\n`);
  return commitAll(repo.dir, `deploy ${version}`);
}

function standinEnv(repo: MirageRepo): NodeJS.ProcessEnv {
  return {
    PATH: `${join(FIXTURES, "bin")}:${process.env.PATH ?? ""}`,
    SKIFF_STANDIN_LOG: repo.log,
    SKIFF_STANDIN_MAX_MS: "60000",
  };
}

function readCalls(repo: MirageRepo): { tool: string; argv: string[]; config?: string }[] {
  if (!existsSync(repo.log)) return [];
  return readFileSync(repo.log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { tool: string; argv: string[]; config?: string });
}

/** Stops the stand-in's guests (domains), and the instances and proxies this data dir recorded. */
function cleanUp(repo: MirageRepo): void {
  stopHost(repo.data);
  const state = `${repo.log}.state.json`;
  if (!existsSync(state)) return;
  const domains = (JSON.parse(readFileSync(state, "utf8")) as { domains: Record<string, { pid?: number }> })
    .domains;
  for (const domain of Object.values(domains)) {
    try {
      if (domain.pid !== undefined) process.kill(-domain.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

describe("skiff agent --layout mirage-2015", () => {
  it("deploys xen/latest with the xen driver (xl stand-in), follows a new latest, refuses one outside xen/", async (t) => {
    const guestPort = await freePort();
    const repo = makeMirageRepo(
      `name = '@VM@'\nkernel = '@KERNEL@'\nmemory = 256\nextra = '--port=${guestPort}'\nvif = ['bridge=xenbr0']\n`,
    );
    t.after(() => cleanUp(repo));
    const agent = async () =>
      runSkiff(
        [
          ...["agent", "--layout", "mirage-2015", "--repo", repo.dir, "--data", repo.data, "--once"],
          ...["--app", "decks", "--address", `127.0.0.1:${guestPort}`, "--port", String(await freePort())],
        ],
        { env: standinEnv(repo) },
      );
    const guest = `http://127.0.0.1:${guestPort}/`;

    pushKernel(repo, "v2015a");
    const first = await agent();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await waitForBody(guest, "v2015a"), "v2015a hello\n");
    const create = readCalls(repo).find((call) => call.argv[0] === "create");
    assert.equal(create?.tool, "xl");
    assert.match(create?.config ?? "", /^name = 'decks-1-[a-z0-9]{4}'$/m);
    assert.match(
      create?.config ?? "",
      new RegExp(`^kernel = '${repo.data}/releases/decks/1/mir-decks\\.xen'$`, "m"),
    );

    pushKernel(repo, "v2015b");
    const second = await agent();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await waitForBody(guest, "v2015b"), "v2015b hello\n");
    assert.equal(readStateFile(repo.data).apps.decks?.instances[0]?.release, 2);

    // A latest that names a path outside xen/ (as 2015's deploy.sh would have followed): refused, nothing stopped.
    const callsBefore = readCalls(repo).length;
    writeFileSync(join(repo.dir, "xen", "latest"), "../../etc\n");
    commitAll(repo.dir, "hostile latest");
    const refused = await agent();
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ERR_SKIFF_PATH_ESCAPE/);
    assert.equal((await httpGet(guest)).body, "v2015b hello\n");
    assert.deepEqual(
      readCalls(repo)
        .slice(callsBefore)
        .map((call) => call.argv[0])
        .filter((command) => command !== "list"),
      [],
      "nothing created, shut down or destroyed after the refusal (only inspected)",
    );
    const event = readEvents(repo.data).find((e) => e.type === "release.refused");
    assert.equal(event?.error?.code, "ERR_SKIFF_PATH_ESCAPE");
    const status = JSON.parse((await skiffOk(["status", "--data", repo.data, "--json"])).stdout) as {
      app: string;
      release: number;
      lastRefusal?: { error: { code: string } };
    }[];
    assert.equal(status[0]?.app, "decks");
    assert.equal(status[0]?.release, 2);
    assert.equal(status[0]?.lastRefusal?.error.code, "ERR_SKIFF_PATH_ESCAPE");
  });

  it("--driver unix runs the kernel file itself, so the 2015 release really serves", async (t) => {
    const repo = makeMirageRepo("name = '@VM@'\nkernel = '@KERNEL@'\nmemory = 64\n");
    t.after(() => cleanUp(repo));
    const port = await freePort();
    pushKernel(repo, "v2015u");
    const run = await runSkiff([
      ...["agent", "--layout", "mirage-2015", "--repo", repo.dir, "--data", repo.data, "--once"],
      ...["--driver", "unix", "--port", String(port)],
    ]);
    assert.equal(run.code, 0, run.stderr);
    // The app is named after the repository; its public address is 127.0.0.1:<--port>.
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v2015u"), "v2015u hello\n");
    const instance = readStateFile(repo.data).apps["mirage-decks-deployment"]?.instances[0];
    assert.equal(instance?.release, 1);
    const logs = await skiffOk(["logs", "mirage-decks-deployment", "--data", repo.data]);
    assert.match(logs.stdout, /serving v2015u on \d+/);
  });

  it("follows a remote 2015 repository (file://, filters allowed) whose kernel is above a partial mirror's filter", async (t) => {
    const repo = makeMirageRepo("name = '@VM@'\nkernel = '@KERNEL@'\nmemory = 64\n");
    t.after(() => cleanUp(repo));
    // As a server that lets fetches filter blobs (GitHub's) would: a partial mirror would lack the kernel.
    gitSync(repo.dir, ["config", "uploadpack.allowFilter", "true"]);
    const port = await freePort();
    pushKernel(repo, "v2015r", 256 * 1024);
    const run = await runSkiff([
      ...["agent", "--layout", "mirage-2015", "--repo", `file://${repo.dir}`, "--data", repo.data, "--once"],
      ...["--app", "decks", "--driver", "unix", "--port", String(port)],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v2015r"), "v2015r hello\n");
  });
});
