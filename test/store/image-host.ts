import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { commitAll, gitSync, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet } from "../support/http.js";
import { runSkiff, skiffOk, type SkiffRun } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

/** Bytes of each release's image: random, so its gzip is as large (above a partial mirror's 128 KiB filter). */
export const IMAGE_BYTES = 256 * 1024;

/** An app whose releases are the serve fixture and a random image beside it, a deployment repository and a host. */
export interface ImageHost {
  app: string;
  root: string;
  appDir: string;
  repo: string;
  data: string;
  port: number;
  url: string;
  /** Run before the host's processes are killed: a test's in-process agent stops here (it would restart them). */
  stopFirst: (() => Promise<void>)[];
}

function imageYml(app: string, port: number, staged: boolean): string {
  return `app: ${app}
build:
  command: mkdir -p _build && cp server.mjs _build/${app} && chmod +x _build/${app} && head -c ${IMAGE_BYTES} /dev/urandom > _build/image
  timeout: 1m
  matrix:
    - target: unix
      artifact: [_build/${app}, _build/image]
      deploy: true
deploy:
  driver: unix
  port: ${port}
  strategy: recreate
  stop_timeout: 2s
  health: { http: /, timeout: 10s, interval: 100ms }
${staged ? "stage:\n  tests: []\n  promote: manual\n" : ""}`;
}

export async function makeImageHost(app = "hello"): Promise<ImageHost> {
  const root = tempDir("skiff-images-");
  const port = await freePort();
  const appDir = join(root, "app");
  makeAppRepo(appDir, { app, skiffYml: imageYml(app, port, false) });
  const host = {
    app,
    root,
    appDir,
    repo: join(root, "deploy.git"),
    data: join(root, "host"),
    port,
    url: `http://127.0.0.1:${port}/`,
    stopFirst: [] as (() => Promise<void>)[],
  };
  after(async () => {
    for (const stop of host.stopFirst) await stop();
    stopHost(host.data);
  });
  return host;
}

/** Builds and stores the next release (to staging when `staged`); returns its number. */
export async function storeImageRelease(
  host: ImageHost,
  version: string,
  options: { staged?: boolean; storeArgs?: string[] } = {},
): Promise<number> {
  writeFixture(host.appDir, "serve", version);
  writeFileSync(join(host.appDir, "skiff.yml"), imageYml(host.app, host.port, options.staged === true));
  commitAll(host.appDir, `release ${version}`);
  await skiffOk(["build", "--dir", host.appDir]);
  const stored = await skiffOk([
    "store",
    "--to",
    host.repo,
    "--dir",
    host.appDir,
    "--json",
    ...(options.storeArgs ?? []),
  ]);
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

/** The blob id of release N's image as stored (read at the tip before any gc). */
export function imageBlob(host: ImageHost, release: number, rev = "main"): string {
  return gitSync(host.repo, ["rev-parse", `${rev}:${host.app}/releases/${release}/image.gz`]);
}

/** Every object id in a repository (packed and loose, what an alternate lends excepted). */
export function allObjects(repo: string): Set<string> {
  const out = gitSync(repo, ["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"]);
  return new Set(out.split("\n").filter(Boolean));
}

export function agentOnce(host: ImageHost, repo: string, extra: string[] = []): Promise<SkiffRun> {
  return runSkiff(["agent", "--repo", repo, "--data", host.data, "--once", "--json", ...extra]);
}

/** The releases whose image is in `repo`, of those in `images` (release → image blob id). */
export function heldImages(repo: string, images: ReadonlyMap<number, string>): number[] {
  const objects = allObjects(repo);
  return [...images].filter(([, blob]) => objects.has(blob)).map(([release]) => release);
}

/** Stores the next release and records its image's blob id in `images`. */
export async function storeRecorded(
  host: ImageHost,
  images: Map<number, string>,
  version: string,
): Promise<void> {
  const release = await storeImageRelease(host, version);
  images.set(release, imageBlob(host, release));
}

/** One agent pass following `url`; the app then serves `expect`. */
export async function deployOnce(host: ImageHost, url: string, expect: string): Promise<void> {
  const run = await agentOnce(host, url);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal((await httpGet(host.url)).body, `${expect} hello\n`);
}
