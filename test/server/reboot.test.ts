import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stopHost } from "../support/stop-host.js";
import { setTimeout as sleep } from "node:timers/promises";
import { stopApp } from "../../src/agent/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { readUnit, splitExecStart, unitValue } from "../support/systemd-unit.js";
import { tempDir } from "../support/temp.js";
import { gitPush, makeServedApp } from "./server-harness.js";

/** Live processes started for this test: their command line or working directory is under `root`. */
function processesUnder(root: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
        const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
        return cmdline.includes(root) || readlinkSync(`/proc/${name}/cwd`).startsWith(root);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** What systemd does with the unit: runs ExecStart in WorkingDirectory. */
function startUnit(unitFile: string): ChildProcess {
  const unit = readUnit(unitFile);
  const [program, ...args] = splitExecStart(unitValue(unit, "Service", "ExecStart"));
  const cwd = splitExecStart(unitValue(unit, "Service", "WorkingDirectory"))[0];
  return spawn(program!, args, { cwd, stdio: "ignore", env: { ...process.env, SKIFF_LOG_LEVEL: "silent" } });
}

async function waitHealthy(url: string): Promise<void> {
  await waitForBody(`${url}/healthz`, "ok", 20_000, { fresh: true });
}

describe("a simulated reboot of a host installed with skiff server install", () => {
  const root = tempDir();
  const data = join(root, "data");
  const running: ChildProcess[] = [];
  after(async () => {
    for (const child of running)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const app of ["boot-a", "boot-b"]) await stopApp(join(data, "agent"), app).catch(() => undefined);
    // The host's front door outlives the server by design: it goes with the test.
    stopHost(join(data, "agent"));
  });

  it("every skiff process killed (-9), the unit's ExecStart started again: every app serves again", async () => {
    const port = await freePort();
    const units = join(root, "units");
    await skiffOk(
      [
        "server",
        "install",
        "--data",
        "data",
        "--listen",
        `127.0.0.1:${port}`,
        "--poll",
        "1h",
        "--unit-dir",
        units,
      ],
      { cwd: root },
    );
    const unitFile = join(units, "skiff-server.service");
    const url = `http://127.0.0.1:${port}`;
    running.push(startUnit(unitFile));
    await waitHealthy(url);
    const created = await skiffOk(["server", "token", "create", "--data", data, "--json"]);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const apps = [];
    for (const name of ["boot-a", "boot-b"]) {
      const app = await makeServedApp(join(root, name), name, `${name} v1`);
      const pushed = await gitPush(app.dir, `http://git:${token}@127.0.0.1:${port}/${name}.git`);
      assert.equal(pushed.code, 0, pushed.stderr);
      await waitForBody(`http://127.0.0.1:${app.port}/`, `${name} v1`, 20_000, { fresh: true });
      apps.push({ name, ...app });
    }
    // The reboot: the server, its agent, the proxies and the instances, all at once.
    const pids = processesUnder(root);
    assert.ok(pids.length >= 5, `server, 2 proxies, 2 instances at least: ${pids.join(" ")}`);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    for (let i = 0; processesUnder(root).length > 0; i++) {
      assert.ok(i < 500, `still running after kill -9: ${processesUnder(root).join(" ")}`);
      await sleep(20);
    }
    for (const app of apps) {
      await assert.rejects(fetch(`http://127.0.0.1:${app.port}/`), "nothing serves after the reboot");
    }
    running.push(startUnit(unitFile));
    await waitHealthy(url);
    for (const app of apps) {
      assert.match(
        await waitForBody(`http://127.0.0.1:${app.port}/`, `${app.name} v1`, 30_000, { fresh: true }),
        new RegExp(`${app.name} v1`),
      );
    }
  });
});
