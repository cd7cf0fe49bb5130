import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import {
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  classifyFailure,
  planRetry,
  readStatus,
  retryDelay,
} from "../../src/agent/index.js";
import type { SkiffEvent } from "../../src/events/index.js";
import { PushQueue } from "../../src/server/index.js";
import { summarizeApps } from "../../src/server/api/index.js";
import { httpGet } from "../support/http.js";
import { runSkiff } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import { appUrl, makeAppsHost, storeApp, type AppsHost } from "./apps-host.js";
import { readEvents, spawnAgent, waitFor, type StateApp, type SwapHost } from "./swap-host.js";

const MiB = 1024 * 1024;

function readHello(data: string): StateApp & { retry?: { release: number; attempt: number } } {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<string, StateApp>;
  };
  return state.apps.hello!;
}

function eventsOf(data: string, type: string, release?: number): SkiffEvent[] {
  return readEvents(data).filter((e) => e.type === type && (release === undefined || e.release === release));
}

/** The agent as a long-running process; its poll is long, so only its own timers act meanwhile. */
function spawnFollower(host: AppsHost, poll: string): ReturnType<typeof spawnAgent> {
  return spawnAgent({ repo: host.repo, data: host.data } as SwapHost, { once: false, poll });
}

describe("a release that failed for a host reason is retried when the host recovers; one that failed its checks is not", () => {
  test("retries wait 1 s doubling up to 60 s; only host faults are retried (plan)", () => {
    assert.deepEqual([1, 2, 3, 6, 7, 20].map(retryDelay), [
      1000,
      2000,
      4000,
      32_000,
      RETRY_MAX_MS,
      RETRY_MAX_MS,
    ]);
    assert.equal(RETRY_FIRST_MS, 1000);
    const full = { code: "ERR_SKIFF_DISK_FULL", message: "full", data: { retryable: true, cause: "host" } };
    const now = Date.parse("2026-01-01T00:00:00.000Z");
    const first = planRetry({ release: 2, error: full, now });
    assert.deepEqual(first, {
      release: 2,
      code: "ERR_SKIFF_DISK_FULL",
      attempt: 1,
      delayMs: 1000,
      at: "2026-01-01T00:00:01.000Z",
    });
    assert.equal(planRetry({ release: 2, error: full, previous: first, now })?.attempt, 2);
    assert.equal(
      planRetry({ release: 3, error: full, previous: first, now })?.attempt,
      1,
      "another release starts again",
    );
    for (const code of [
      "ERR_SKIFF_HEALTH_TIMEOUT",
      "ERR_SKIFF_ROLLED_BACK",
      "ERR_SKIFF_SIGNATURE",
      "ERR_SKIFF_ARTIFACT_CORRUPT",
    ]) {
      assert.equal(classifyFailure({ code, message: "x" }), "release", code);
      assert.equal(planRetry({ release: 2, error: { code, message: "x" }, now }), undefined, code);
    }
    assert.equal(classifyFailure({ code: "ERR_SKIFF_HOST_RESOURCE", message: "x" }), "host");
    assert.equal(classifyFailure({ code: "ERR_SKIFF_GIT", message: "x" }), "transient");
  });

  test("a full disk during unpack is ERR_SKIFF_DISK_FULL with a scheduled retry; freed, the release goes live without a new push", async (t) => {
    const disk = mountTmpfs(t, "8m");
    if (disk === undefined) return;
    const root = tempDir("skiff-retry-");
    // The deployment repository is off the small disk; the host's data dir is on it.
    const host: AppsHost = {
      root,
      repo: join(root, "deploy.git"),
      data: join(disk, "host"),
      publish: new Map(),
    };
    let agent: ReturnType<typeof spawnFollower> | undefined;
    try {
      await storeApp(host, { app: "hello", version: "v1" });
      const once = await runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json"]);
      assert.equal(once.code, 0, once.stderr);
      assert.equal((await httpGet(appUrl(host, "hello"))).body, "v1 hello\n");

      // Release 2 unpacks to about 1.4 MiB; the host has 1 MiB left.
      await storeApp(host, { app: "hello", version: "v2", padding: MiB });
      const filler = fillDisk(disk, MiB);
      agent = spawnFollower(host, "10m");
      const retries = await waitFor(
        "two retries scheduled",
        () => {
          const scheduled = eventsOf(host.data, "deploy.retry_scheduled", 2);
          return scheduled.length >= 2 ? scheduled : undefined;
        },
        60_000,
      );
      assert.deepEqual(
        retries.slice(0, 2).map((e) => [e.data?.code, e.data?.attempt, e.data?.delayMs]),
        [
          ["ERR_SKIFF_DISK_FULL", 1, 1000],
          ["ERR_SKIFF_DISK_FULL", 2, 2000],
        ],
        "the backoff doubles",
      );
      assert.ok(
        eventsOf(host.data, "release.refused", 2).every((e) => e.error?.code === "ERR_SKIFF_DISK_FULL"),
      );
      assert.deepEqual(readHello(host.data).failed, [], "not held as a failed release");
      const status = await runSkiff(["status", "--data", host.data, "--json"]);
      const [row] = JSON.parse(status.stdout) as { retry?: { release: number; code: string; at: string } }[];
      assert.deepEqual(
        [row?.retry?.release, row?.retry?.code],
        [2, "ERR_SKIFF_DISK_FULL"],
        "skiff status shows the retry",
      );
      const table = await runSkiff(["status", "--data", host.data]);
      assert.match(table.stdout, /RETRY/);
      assert.match(
        table.stdout,
        /release 2 try \d+ at \S+ \(ERR_SKIFF_DISK_FULL\)/,
        "the table shows it too",
      );
      // /api/v1/apps answers with the same summary, from this host's status.
      const [summary] = await summarizeApps({
        data: join(root, "server"),
        deployRepo: host.repo,
        queue: new PushQueue(1),
        status: () => readStatus(host.data),
        urlOf: () => undefined,
      });
      assert.deepEqual(
        [summary?.retry?.release, summary?.retry?.code],
        [2, "ERR_SKIFF_DISK_FULL"],
        "the API shows it",
      );
      assert.equal((await httpGet(appUrl(host, "hello"))).body, "v1 hello\n", "release 1 keeps serving");

      rmSync(filler);
      await waitFor(
        "release 2 to go live",
        () => (eventsOf(host.data, "deploy.succeeded", 2).length > 0 ? true : undefined),
        90_000,
      );
      assert.equal((await httpGet(appUrl(host, "hello"))).body, "v2 hello\n");
      const after = readHello(host.data);
      assert.equal(after.retry, undefined, "the retry is over");
      assert.deepEqual(
        after.instances.map((i) => i.release),
        [2],
      );
    } finally {
      // Stopped, not killed: its git reader (cwd on the tmpfs) ends with it, so the unmount finds nothing busy.
      if (agent !== undefined && agent.exitCode === null && agent.signalCode === null) {
        const exited = once(agent, "exit");
        agent.kill("SIGTERM");
        await Promise.race([exited, sleep(10_000)]);
      }
      stopHost(host.data);
      unmountTmpfs(disk);
    }
  });

  test("a release that failed its health check is not retried", async () => {
    const host = makeAppsHost();
    await storeApp(host, { app: "hello", version: "v1" });
    const once = await runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json"]);
    assert.equal(once.code, 0, once.stderr);
    await storeApp(host, { app: "hello", version: "v2", fixture: "crash" });
    spawnFollower(host, "100ms");
    await waitFor("release 2 to fail", () =>
      eventsOf(host.data, "deploy.failed", 2).length > 0 ? true : undefined,
    );
    const failedAt = readEvents(host.data).length;
    // Several passes later (each plans the app again), release 2 was deployed once only.
    await waitFor("three more passes", () =>
      readEvents(host.data)
        .slice(failedAt)
        .filter((e) => e.type === "agent.planned").length >= 3
        ? true
        : undefined,
    );
    assert.equal(eventsOf(host.data, "deploy.started", 2).length, 1);
    assert.equal(eventsOf(host.data, "deploy.retry_scheduled").length, 0);
    assert.deepEqual(
      readHello(host.data).failed.map((f) => f.release),
      [2],
    );
    assert.equal((await httpGet(appUrl(host, "hello"))).body, "v1 hello\n");
  });
});
