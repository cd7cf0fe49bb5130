import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readState } from "../../src/agent/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { httpGetFresh } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { stopHost } from "../support/stop-host.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import { appUrl, makeAppsHost, storeApp } from "./apps-host.js";
import { waitFor } from "./swap-host.js";
import { exited } from "../support/processes.js";

test("an idle stop on a full disk: the instance serves on while the stop cannot be recorded, stops once space is back, and the next connection wakes the app", async (t) => {
  const disk = mountTmpfs(t, "16m");
  if (disk === undefined) return;
  const host = { ...makeAppsHost(), data: join(disk, "host") };
  // The agent's JSON log (stderr) carries every event, even while events.jsonl cannot be written.
  const seen: { event: string; app?: string }[] = [];
  const of = (type: string) => seen.filter((e) => e.app === "idle" && e.event === type);
  try {
    await storeApp(host, { app: "idle", version: "v1", scale: "{ min: 0, idle: 4s }" });
    const agent = spawn(
      process.execPath,
      [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", "60s"],
      {
        env: { ...process.env, SKIFF_LOG_LEVEL: "info" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let rest = "";
    agent.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines)
        try {
          seen.push(JSON.parse(line) as { event: string; app?: string });
        } catch {
          // not a log line
        }
    });
    try {
      await waitFor("release 1 to sleep", () => readState(host.data).apps.idle?.asleep, 30_000);
      assert.equal((await httpGetFresh(appUrl(host, "idle"), 15_000)).body, "v1 hello\n");
      // Filled well inside the 4 s of idleness the stop waits for.
      const filler = fillDisk(disk, 0);
      await waitFor("the wake's event", () => of("instance.woken")[0], 15_000);
      await waitFor("an idle stop tried on the full disk", () => of("instance.scale_down_failed")[0], 15_000);
      assert.deepEqual(of("instance.idle_stopped"), [], "no idle stop while it cannot be recorded");
      const running = readState(host.data).apps.idle?.instances ?? [];
      assert.equal(running.length, 1);
      assert.ok(
        running.every((i) => isSameProcess(Number(i.handle.pid), String(i.handle.startTime))),
        "the instance state names still runs",
      );
      // Served at once by that instance: no wake is needed (and none could be recorded).
      assert.equal((await httpGetFresh(appUrl(host, "idle"), 3000)).body, "v1 hello\n");

      rmSync(filler);
      await waitFor("the idle stop once space is back", () => of("instance.idle_stopped")[0], 15_000);
      assert.deepEqual(readState(host.data).apps.idle?.instances, [], "state names no stopped instance");
      assert.equal((await httpGetFresh(appUrl(host, "idle"), 15_000)).body, "v1 hello\n");
      await waitFor("the next connection to wake the app", () => of("instance.woken")[1], 15_000);
    } catch (error) {
      t.diagnostic(`events: ${seen.map((e) => e.event).join(", ")}`);
      throw error;
    } finally {
      agent.kill("SIGTERM");
      await exited(agent);
    }
  } finally {
    stopHost(host.data);
    unmountTmpfs(disk);
  }
});
