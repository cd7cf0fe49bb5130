import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { mirrorPath } from "../../src/agent/index.js";
import { gitSync } from "../support/app-repo.js";
import { startGitHttpServer, type GitHttpServer } from "../support/git-http-server.js";
import { httpGet } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { tracedGitProcesses } from "../support/trace.js";
import {
  IMAGE_BYTES,
  deployOnce,
  heldImages,
  makeImageHost,
  storeRecorded,
  type ImageHost,
} from "../store/image-host.js";

/** Blob ids among what the server was asked for: a partial mirror wants blobs by id, a fetch wants commits. */
function wantedImages(server: GitHttpServer, images: ReadonlyMap<number, string>): number[] {
  const wants = new Set(server.wants());
  return [...images].filter(([, blob]) => wants.has(blob)).map(([release]) => release);
}

describe("a host joining over HTTP keeps a partial mirror", () => {
  it("fetches the image of the release it deploys, keeps it for a rollback, and fetches an older one only when asked for it", async () => {
    const host = await makeImageHost();
    const images = new Map<number, string>();
    for (const version of ["v1", "v2", "v3", "v4"]) await storeRecorded(host, images, version);
    const server = await startGitHttpServer(host.root);
    after(() => server.close());
    const url = `${server.url}/deploy.git`;

    const trace = join(tempDir("skiff-trace-"), "trace.jsonl");
    const joined = await runTraced(host, url, trace);
    assert.equal(joined, "v4 hello\n");
    assert.deepEqual(wantedImages(server, images), [4]);
    // One request for the release's files, not one per missing object.
    // (The trace shortens long command lines: the fetch by id is the one without negotiation.)
    const imageFetches = tracedGitProcesses(trace).filter((what) =>
      /fetch\.negotiationAlgorithm=noop/.test(what),
    );
    assert.equal(imageFetches.length, 1, tracedGitProcesses(trace).join("\n"));
    // The join sent one image and the small files of every release, not four images.
    assert.ok(server.sentBytes() < 1.5 * IMAGE_BYTES, `sent ${server.sentBytes()} bytes`);
    const mirror = mirrorPath(host.data);
    assert.deepEqual(heldImages(mirror, images), [4]);

    await storeRecorded(host, images, "v5");
    server.reset();
    await deployOnce(host, url, "v5");
    assert.deepEqual(wantedImages(server, images), [5]);
    assert.deepEqual(heldImages(mirror, images), [4, 5]);

    // Back to 4: its image was kept, nothing is fetched but the rollback's commit.
    await skiffOk(["rollback", host.app, "--repo", host.repo, "--to", "4"]);
    server.reset();
    await deployOnce(host, url, "v4");
    assert.deepEqual(wantedImages(server, images), []);
    assert.ok(server.sentBytes() < IMAGE_BYTES / 4, `sent ${server.sentBytes()} bytes`);

    // Back to 2, never deployed here: exactly its image.
    await skiffOk(["rollback", host.app, "--repo", host.repo, "--to", "2"]);
    server.reset();
    await deployOnce(host, url, "v2");
    assert.deepEqual(wantedImages(server, images), [2]);
    assert.deepEqual(heldImages(mirror, images), [2, 4, 5]);
    // git's own view of the mirror is whole once it is told the promisor remote.
    gitSync(mirror, ["-c", "remote.origin.promisor=true", "fsck", "--connectivity-only"]);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("a full mirror made before partial ones keeps working, and becomes partial once removed", async () => {
    const host = await makeImageHost();
    const images = new Map<number, string>();
    for (const version of ["v1", "v2", "v3"]) await storeRecorded(host, images, version);
    const server = await startGitHttpServer(host.root);
    after(() => server.close());
    const url = `${server.url}/deploy.git`;
    // A mirror as skiff wrote them before: a plain bare repository, no marker.
    const mirror = mirrorPath(host.data);
    mkdirSync(host.data, { recursive: true });
    gitSync(host.data, ["init", "--quiet", "--bare", mirror]);
    await deployOnce(host, url, "v3");
    assert.deepEqual(heldImages(mirror, images), [1, 2, 3]);
    await storeRecorded(host, images, "v4");
    server.reset();
    await deployOnce(host, url, "v4");
    // The new release came with the fetch itself: nothing was asked for by id.
    assert.deepEqual(wantedImages(server, images), []);
    assert.deepEqual(heldImages(mirror, images), [1, 2, 3, 4]);

    // Converting: the mirror is removed (the instance keeps running) and the next pass joins anew,
    // with the small files only: release 4 runs from its unpacked files.
    rmSync(mirror, { recursive: true, force: true });
    await deployOnce(host, url, "v4");
    assert.deepEqual(heldImages(mirror, images), []);
    await storeRecorded(host, images, "v5");
    await deployOnce(host, url, "v5");
    assert.deepEqual(heldImages(mirror, images), [5]);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });
});

async function runTraced(host: ImageHost, url: string, trace: string): Promise<string> {
  const run = await skiffOk(["agent", "--repo", url, "--data", host.data, "--once", "--json"], {
    env: { SKIFF_TRACE_PROCESSES: trace },
  });
  assert.equal(run.code, 0);
  return (await httpGet(host.url)).body;
}
