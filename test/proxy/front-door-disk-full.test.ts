import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ensureFrontDoor, stopFrontDoor } from "../../src/proxy/index.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import { startHttpBackend, getFresh } from "./backends.js";

test("a front door on a full disk switches backends though it cannot save its state", async (t) => {
  const disk = mountTmpfs(t, "8m");
  if (disk === undefined) return;
  const dir = join(disk, "front");
  const a = await startHttpBackend("A");
  const b = await startHttpBackend("B");
  try {
    const door = await ensureFrontDoor({ dir, engine: "node" });
    const app = await door.setApp("alpha", {
      publish: "127.0.0.1:0",
      backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
    });
    const filler = fillDisk(disk, 0);
    // Neither the log line nor the saved state can be written: the switch happens anyway.
    await door.setApp("alpha", {
      publish: app.publish,
      backends: [{ id: "alpha-2-bbbb", address: b.address, state: "ready" }],
    });
    assert.equal(await getFresh(`http://${app.publish}/`), "B\n");
    rmSync(filler);
    assert.equal(await getFresh(`http://${app.publish}/`), "B\n");
  } finally {
    await stopFrontDoor(dir);
    await a.close();
    await b.close();
    unmountTmpfs(disk);
  }
});
