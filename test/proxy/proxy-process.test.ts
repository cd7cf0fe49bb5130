import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isSkiffError } from "../../src/errors/index.js";
import { isAlive, waitForExit } from "../../src/process/index.js";
import { ensureProxy, formatAddress, readProxyRecord, stopProxy } from "../../src/proxy/index.js";
import { requestControl } from "../../src/proxy/control-client.js";
import { freePort } from "../support/http.js";
import { REPO_ROOT } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { getFresh, startHttpBackend, type Backend } from "./backends.js";

const dirs: string[] = [];
const backends: Backend[] = [];
// The proxies are stopped while their directories exist: tempDir removes them only when the file exits.
after(async () => {
  for (const dir of dirs) await stopProxy(dir);
  for (const backend of backends) await backend.close();
});
const root = tempDir("skiff-proxy-");

async function backend(name: string): Promise<Backend> {
  const started = await startHttpBackend(name);
  backends.push(started);
  return started;
}

function proxyDir(name: string): string {
  const dir = join(root, name);
  dirs.push(dir);
  return dir;
}

describe("proxy process", () => {
  it("starts detached, serves the backend, reports status and is adopted by the next ensureProxy", async () => {
    const [a, b] = [await backend("A"), await backend("B")];
    const dir = proxyDir("adopt");
    const port = await freePort();
    const proxy = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: a.address });
    assert.notEqual(proxy.pid, process.pid);
    assert.equal(await getFresh(`http://127.0.0.1:${port}/`), "A\n");
    const status = await proxy.status();
    assert.equal(status.pid, proxy.pid);
    assert.equal(status.listen, `127.0.0.1:${port}`);
    assert.equal(status.backend, formatAddress(a.address));
    const again = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: b.address });
    assert.equal(again.pid, proxy.pid, "the running proxy is adopted, not replaced");
    assert.equal(
      (await again.status()).backend,
      formatAddress(b.address),
      "an adopted proxy is told the backend",
    );
    assert.equal(await getFresh(`http://127.0.0.1:${port}/`), "B\n");
  });

  it("outlives the process that started it", async () => {
    const a = await backend("A");
    const dir = proxyDir("orphan");
    const port = await freePort();
    const entry = join(REPO_ROOT, "dist", "src", "proxy", "index.js");
    const script = `import { ensureProxy } from ${JSON.stringify(entry)};
const proxy = await ensureProxy({ app: "hello", listen: "127.0.0.1:${port}", dir: ${JSON.stringify(dir)}, backend: ${JSON.stringify(a.address)} });
console.log(proxy.pid);`;
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => parent.on("close", resolve));
    assert.equal(code, 0, "the parent exits by itself: nothing of the proxy keeps it alive");
    const pid = Number(out.trim());
    assert.ok(isAlive(pid));
    assert.equal(await getFresh(`http://127.0.0.1:${port}/`), "A\n");
    const adopted = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir });
    assert.equal(adopted.pid, pid);
  });

  it("is re-created after a crash and told the backend again", async () => {
    const a = await backend("A");
    const dir = proxyDir("crash");
    const port = await freePort();
    const first = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: a.address });
    process.kill(first.pid, "SIGKILL");
    assert.ok(await waitForExit(first.pid, 3000));
    const second = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: a.address });
    assert.notEqual(second.pid, first.pid);
    assert.equal(await getFresh(`http://127.0.0.1:${port}/`), "A\n");
  });

  it("fails with ERR_SKIFF_PORT_IN_USE when another program holds the public address", async () => {
    const holder = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const dir = proxyDir("taken");
      await assert.rejects(
        ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir }),
        (error: unknown) => {
          assert.ok(isSkiffError(error));
          assert.equal(error.code, "ERR_SKIFF_PORT_IN_USE");
          assert.match(error.hint ?? "", /deploy\.publish/);
          return true;
        },
      );
      assert.equal(readProxyRecord(dir), undefined, "a proxy that failed to start leaves no record");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it("answers bad control requests with a 4xx and a reason, and keeps serving", async () => {
    const a = await backend("A");
    const dir = proxyDir("bad-input");
    const port = await freePort();
    await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: a.address });
    const bad = await requestControl(dir, {
      method: "PUT",
      path: "/backend",
      body: { host: "127.0.0.1", port: "x" },
    });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /port/);
    assert.equal((await requestControl(dir, { method: "GET", path: "/nope" })).status, 404);
    assert.equal(await getFresh(`http://127.0.0.1:${port}/`), "A\n");
  });

  it("exits by itself when its control socket is removed, since nothing could adopt or stop it", async () => {
    const dir = proxyDir("orphaned-socket");
    const proxy = await ensureProxy({ app: "hello", listen: `127.0.0.1:${await freePort()}`, dir });
    rmSync(join(dir, "control.sock"));
    assert.ok(await waitForExit(proxy.pid, 5000));
  });

  it("stopProxy ends the process and frees the public address", async () => {
    const dir = proxyDir("stop");
    const port = await freePort();
    const proxy = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir });
    assert.equal(await stopProxy(dir), true);
    assert.equal(isAlive(proxy.pid), false);
    assert.equal(existsSync(join(dir, "control.sock")), false);
    await assert.rejects(getFresh(`http://127.0.0.1:${port}/`, 1000));
    assert.equal(await stopProxy(dir), false, "stopping twice is a no-op");
  });
});
