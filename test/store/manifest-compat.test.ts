import assert from "node:assert/strict";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { changeConfigVars, listReleases, storeRelease } from "../../src/store/index.js";
import { gitSync } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput } from "./store-input.js";

// Releases stored by earlier skiff versions (test/fixtures/manifests) deployed by this agent.

const V1 = join(FIXTURES, "manifests", "v1");
const FIXTURE_KEY = join(V1, "keys", "fixture.key");
const FIXTURE_PUB = join(V1, "keys", "fixture.pub");

/** A deployment repository whose main holds a fixture's files byte for byte, as an old store left it. */
function repoOf(fixture: string, root: string): string {
  const repo = join(root, "deploy.git");
  const work = join(root, "work");
  gitSync(root, ["init", "--quiet", "--bare", "--initial-branch=main", repo]);
  gitSync(root, ["init", "--quiet", "--initial-branch=main", work]);
  cpSync(join(V1, fixture), work, { recursive: true });
  gitSync(work, ["add", "-A"]);
  gitSync(work, ["commit", "--quiet", "-m", `stored by an earlier skiff (${fixture})`]);
  gitSync(work, ["push", "--quiet", repo, "HEAD:refs/heads/main"]);
  return repo;
}

async function deployOnce(repo: string, data: string, args: string[] = []): Promise<void> {
  const run = await runSkiff(["agent", "--repo", repo, "--data", data, "--once", "--json", ...args]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
}

function publicUrl(data: string): string {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<string, { publicAddress?: string; instance?: { release: number } }>;
  };
  return `http://${state.apps.hello!.publicAddress!}/`;
}

function runningRelease(data: string): number | undefined {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<string, { instance?: { release: number } }>;
  };
  return state.apps.hello?.instance?.release;
}

/** The serve fixture as a build artifact, serving `version`. */
function serveScript(version: string): string {
  return readFileSync(join(FIXTURES, "unikernels", "serve.mjs"), "utf8").replaceAll("__VERSION__", version);
}

describe("manifests of earlier versions: the current agent deploys them", () => {
  it("version 1, unsigned: deploys, rolls back, and mixes with releases of the current format", async (t) => {
    const root = tempDir("skiff-compat-");
    const repo = repoOf("hello-plain", root);
    const data = join(root, "host");
    t.after(() => stopHost(data));

    await deployOnce(repo, data);
    assert.equal(runningRelease(data), 2);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-two from a v1 manifest\n"),
      "v1-two from a v1 manifest\n",
    );

    // A release of this skiff's format on top of the old ones, then back to an old one.
    const build = makeStoreInput(join(root, "build"), { content: serveScript("v2-format") });
    const stored = await storeRelease({ to: repo, build });
    assert.equal(stored.release, 3);
    assert.equal(stored.manifest.version, "2.0");
    await deployOnce(repo, data);
    assert.equal(await waitForBody(publicUrl(data), "v2-format hello\n"), "v2-format hello\n");
    await skiffOk(["rollback", "hello", "--repo", repo, "--to", "1"]);
    await deployOnce(repo, data);
    assert.equal(runningRelease(data), 1);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-one from a v1 manifest\n"),
      "v1-one from a v1 manifest\n",
    );

    // config:set on a version 1 release: the same image, new env, written in today's format.
    const change = await changeConfigVars({ repo, app: "hello", set: { GREETING: "set on a v1 release" } });
    assert.deepEqual([change.release, change.from], [4, 1]);
    await deployOnce(repo, data);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-one set on a v1 release\n"),
      "v1-one set on a v1 release\n",
    );

    const listed = await listReleases({ repo, app: "hello" });
    assert.deepEqual(
      listed.map((r) => [r.release, r.version, r.targets?.map((x) => x.target)]),
      [
        [1, "1", ["unix"]],
        [2, "1", ["unix"]],
        [3, "2.0", ["unix"]],
        [4, "2.0", ["unix"]],
      ],
    );
  });

  it("version 1, signed: verified with the key it was signed with, re-signed and rolled back", async (t) => {
    const root = tempDir("skiff-compat-");
    const repo = repoOf("hello-signed", root);
    const data = join(root, "host");
    t.after(() => stopHost(data));
    const trust = ["--trust", FIXTURE_PUB];

    await deployOnce(repo, data, trust);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-two from a v1 manifest\n"),
      "v1-two from a v1 manifest\n",
    );

    // resign writes release 2 again in today's format (sequence 3); the agent accepts it in place.
    await skiffOk(["resign", "hello", "--repo", repo, "--key", FIXTURE_KEY]);
    await deployOnce(repo, data, trust);
    assert.equal(runningRelease(data), 2);
    await skiffOk(["rollback", "hello", "--repo", repo, "--to", "1", "--key", FIXTURE_KEY]);
    await deployOnce(repo, data, trust);
    assert.equal(runningRelease(data), 1);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-one from a v1 manifest\n"),
      "v1-one from a v1 manifest\n",
    );
    const versions = (await listReleases({ repo, app: "hello" })).map((r) => r.version);
    assert.deepEqual(versions, ["1", "2.0"]);
  });

  it("version 1 from before deploy.scale, rollout and hostname existed: deployed with their defaults", async (t) => {
    const root = tempDir("skiff-compat-");
    const repo = repoOf("hello-early", root);
    const data = join(root, "host");
    t.after(() => stopHost(data));
    await deployOnce(repo, data, ["--trust", FIXTURE_PUB]);
    assert.equal(
      await waitForBody(publicUrl(data), "v1-early from an early v1 manifest\n"),
      "v1-early from an early v1 manifest\n",
    );
    const local = JSON.parse(readFileSync(join(data, "releases", "hello", "1", "manifest.json"), "utf8")) as {
      deploy: { scale: { min: number }; rollout: { max_parallel: number } };
    };
    assert.deepEqual([local.deploy.scale.min, local.deploy.rollout.max_parallel], [1, 1]);
  });
});
