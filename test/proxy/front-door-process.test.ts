import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requestControl } from "../../src/proxy/control-client.js";
import { isAlive, waitForExit } from "../../src/process/index.js";
import {
  ensureFrontDoor,
  openRestartJournal,
  readFrontRecord,
  stopFrontDoor,
} from "../../src/proxy/index.js";
import { REPO_ROOT } from "../support/paths.js";
import { getFresh, startHttpBackend } from "./backends.js";
import {
  ENGINES,
  doorDir,
  engineRuns,
  getWithHost,
  onCleanup,
  portOf,
  until,
  watchEvents,
} from "./front-door-support.js";

for (const engine of ENGINES) {
  describe(`front door process (${engine})`, () => {
    it("outlives the process that started it and is adopted by the next caller", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const dir = doorDir("orphan");
      const entry = join(REPO_ROOT, "dist", "src", "proxy", "index.js");
      const script = `import { ensureFrontDoor } from ${JSON.stringify(entry)};
const door = await ensureFrontDoor({ dir: ${JSON.stringify(dir)}, engine: ${JSON.stringify(engine)}, front: "127.0.0.1:0" });
console.log(door.pid);`;
      const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      parent.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise((resolve) => parent.on("close", resolve));
      assert.equal(code, 0, "the starter exits by itself: nothing of the door keeps it alive");
      const pid = Number(out.trim());
      assert.ok(isAlive(pid));
      const adopted = await ensureFrontDoor({ dir, engine });
      assert.equal(adopted.pid, pid, "adopted, not replaced");
      assert.equal((await adopted.status()).engine.name, engine);
    });

    it("comes back on the same addresses after a SIGKILL, restored from its saved state", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const a = await startHttpBackend("A");
      onCleanup(a.close);
      const dir = doorDir("killed");
      const door = await ensureFrontDoor({ dir, engine, front: "127.0.0.1:0", frontIndex: true });
      const app = await door.setApp("alpha", {
        publish: "127.0.0.1:0",
        hostname: "alpha.localhost",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
      });
      const front = portOf((await door.status()).front);
      process.kill(door.pid, "SIGKILL");
      assert.ok(await waitForExit(door.pid, 3000));
      if (engine === "haproxy") {
        // HAProxy is not in the door's process: the steady path keeps serving while the door is down.
        assert.equal(await getFresh(`http://${app.publish}/`), "A\n");
      }
      const back = await ensureFrontDoor({ dir, engine });
      assert.notEqual(back.pid, door.pid);
      const status = await back.status();
      assert.equal(status.front, `127.0.0.1:${front}`);
      assert.equal(status.frontIndex, true);
      assert.equal(status.apps.alpha?.publish, app.publish);
      assert.equal(await getFresh(`http://${app.publish}/`), "A\n");
      assert.deepEqual(await getWithHost(front, "alpha.localhost"), { status: 200, body: "A\n" });
    });

    it("takes the same spec again as a no-op (the agent checks every app's door on each pass), a changed one as a change", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const a = await startHttpBackend("A");
      onCleanup(a.close);
      const dir = doorDir("same");
      const door = await ensureFrontDoor({ dir, engine, front: "127.0.0.1:0" });
      const spec = {
        publish: "127.0.0.1:0",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" as const }],
      };
      // As the agent does: the port the door bound is the app's publish address from then on.
      const first = await door.setApp("alpha", {
        ...spec,
        publish: (await door.setApp("alpha", spec)).publish!,
      });
      const saved = (): string => {
        const stat = statSync(join(dir, "state.json"), { bigint: true });
        return `${stat.ino}:${stat.mtimeNs}`;
      };
      const before = saved();
      const again = await door.setApp("alpha", { ...spec, publish: first.publish! });
      assert.equal(again.publish, first.publish);
      assert.equal(saved(), before, "the same spec again wrote the door's saved state");
      assert.equal(await getFresh(`http://${first.publish}/`), "A\n");
      await door.setApp("alpha", {
        publish: first.publish!,
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "draining" }],
      });
      assert.notEqual(saved(), before, "a changed spec is saved");
    });

    it("answers bad control requests with a 4xx and a reason, and keeps serving", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const dir = doorDir("bad-input");
      const door = await ensureFrontDoor({ dir, engine });
      const bad = [
        {
          method: "PUT",
          path: "/apps/alpha",
          body: { backends: [{ id: "x", address: "nowhere", state: "ready" }] },
        },
        { method: "PUT", path: "/apps/alpha", body: { hostname: "Not A Host!" } },
        { method: "PUT", path: "/apps/alpha", body: { surprise: true } },
        { method: "PUT", path: "/apps/Bad_Name", body: {} },
        { method: "POST", path: "/apps/alpha/drain", body: { backend: "x", timeoutMs: -1 } },
        { method: "POST", path: "/apps/missing/wake-failed", body: {} },
        { method: "GET", path: "/nope" },
      ];
      for (const call of bad) {
        const answer = await requestControl(dir, call);
        assert.ok(
          answer.status >= 400 && answer.status < 500,
          `${call.method} ${call.path} → ${answer.status}`,
        );
        assert.equal(typeof (answer.json as { error?: unknown }).error, "string");
      }
      assert.equal((await door.status()).pid, door.pid);
    });

    it("streams the current state to a watcher that connects, and its events after", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door, front } = await (async () => {
        const dir = doorDir("watch");
        const started = await ensureFrontDoor({ dir, engine, front: "127.0.0.1:0" });
        return { door: started, front: portOf((await started.status()).front) };
      })();
      await door.setApp("sleepy", { hostname: "sleepy.localhost", scale: { min: 0, wakeTimeoutMs: 5000 } });
      const held = getWithHost(front, "sleepy.localhost", { timeoutMs: 10_000 });
      await until(async () => (await door.app("sleepy"))?.held === 1, 5000, "held");
      const late = watchEvents(door);
      const state = await late.next((e) => e.type === "state");
      assert.equal(state.type === "state" && state.apps.sleepy?.held, 1);
      await late.next((e) => e.type === "wake" && e.app === "sleepy" && e.held === 1);
      assert.equal(await door.wakeFailed("sleepy"), 1);
      await late.next((e) => e.type === "wake-failed" && e.app === "sleepy");
      assert.equal((await held).status, 503);
    });

    it("stopFrontDoor ends the process and its public addresses", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const dir = doorDir("stop");
      const door = await ensureFrontDoor({ dir, engine });
      const app = await door.setApp("alpha", { publish: "127.0.0.1:0" });
      assert.equal(await stopFrontDoor(dir), true);
      assert.equal(isAlive(door.pid), false);
      assert.equal(readFrontRecord(dir), undefined);
      await assert.rejects(getFresh(`http://${app.publish}/`, 1000));
      assert.equal(await stopFrontDoor(dir), false, "stopping twice is a no-op");
    });
  });
}

describe("front door process (haproxy only)", () => {
  it("starts HAProxy again when it dies, with every app", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const a = await startHttpBackend("A");
    onCleanup(a.close);
    const dir = doorDir("haproxy-dies");
    const door = await ensureFrontDoor({ dir, engine: "haproxy" });
    const app = await door.setApp("alpha", {
      publish: "127.0.0.1:0",
      backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
    });
    const master = JSON.parse(readFileSync(join(dir, "haproxy", "master.json"), "utf8")) as { pid: number };
    process.kill(master.pid, "SIGKILL");
    assert.ok(await waitForExit(master.pid, 3000));
    const recorded = (): number =>
      (JSON.parse(readFileSync(join(dir, "haproxy", "master.json"), "utf8")) as { pid: number }).pid;
    await until(() => recorded() !== master.pid, 10_000, "a new HAProxy recorded");
    assert.equal(await getFresh(`http://${app.publish}/`), "A\n");
    assert.equal((await door.status()).pid, door.pid, "the door itself stayed");
  });
});

describe("front door process (haproxy only): a door killed and started again", () => {
  it("adopts its HAProxy without refusing one connection (the saved state is restored in one reload)", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const a = await startHttpBackend("A");
    onCleanup(a.close);
    const dir = doorDir("adopt-serving");
    const door = await ensureFrontDoor({ dir, engine: "haproxy", front: "127.0.0.1:0" });
    const app = await door.setApp("alpha", {
      publish: "127.0.0.1:0",
      hostname: "alpha.localhost",
      backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
    });
    const front = portOf((await door.status()).front);
    const failures: string[] = [];
    let probing = true;
    // A new connection every few ms to both addresses, from the kill until the new door has settled.
    const probes = (async () => {
      while (probing) {
        await Promise.all([
          getFresh(`http://${app.publish}/`, 5000).then(
            (body) => void (body === "A\n" || failures.push(`publish: ${body}`)),
            (error: Error) => void failures.push(`publish: ${error.message}`),
          ),
          getWithHost(front, "alpha.localhost", { timeoutMs: 5000 }).then(
            (answer) => void (answer.body === "A\n" || failures.push(`shared: ${answer.status}`)),
            (error: Error) => void failures.push(`shared: ${error.message}`),
          ),
        ]);
        await sleep(5);
      }
    })();
    process.kill(door.pid, "SIGKILL");
    assert.ok(await waitForExit(door.pid, 3000));
    const back = await ensureFrontDoor({ dir, engine: "haproxy" });
    assert.notEqual(back.pid, door.pid);
    // The reload the new door makes is over once its HAProxy has one worker again.
    await sleep(500);
    probing = false;
    await probes;
    assert.deepEqual(failures, []);
    assert.equal((await back.status()).apps.alpha?.publish, app.publish);
  });

  it("journals a HAProxy restart its door died before journaling, once", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const dir = doorDir("restart-window");
    const door = await ensureFrontDoor({ dir, engine: "haproxy" });
    const recordFile = join(dir, "haproxy", "master.json");
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as { pid: number; startTime?: string };
    process.kill(door.pid, "SIGKILL");
    assert.ok(await waitForExit(door.pid, 3000));
    // What a door killed between starting HAProxy again (its record written) and its journal entry leaves.
    writeFileSync(recordFile, JSON.stringify({ ...record, replaced: 4_000_001 }));
    const engineRestarts = () =>
      openRestartJournal(dir)
        .pending()
        .filter((r) => r.what === "engine");
    assert.deepEqual(engineRestarts(), []);
    const back = await ensureFrontDoor({ dir, engine: "haproxy" });
    assert.deepEqual(
      engineRestarts().map((r) => [r.previous, r.pid]),
      [[4_000_001, record.pid]],
      "the next door journals it",
    );
    assert.equal((JSON.parse(readFileSync(recordFile, "utf8")) as { replaced?: number }).replaced, undefined);
    process.kill(back.pid, "SIGKILL");
    assert.ok(await waitForExit(back.pid, 3000));
    await ensureFrontDoor({ dir, engine: "haproxy" });
    assert.equal(engineRestarts().length, 1, "and no later door again");
  });
});
