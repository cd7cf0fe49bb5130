import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { commitAll, gitSync, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGetFresh, waitForBody } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { runSkiff, skiffOk, type SkiffRun } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { gitPush, makeServedApp, serverSandbox, type RunningServer } from "./server-harness.js";

/** Another user's machine: a HOME and a working directory of its own, no server named in the environment. */
interface Laptop {
  home: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function laptop(): Laptop {
  const home = tempDir("skiff-home-");
  const cwd = tempDir("skiff-cwd-");
  return {
    home,
    cwd,
    env: { HOME: home, XDG_CONFIG_HOME: "", SKIFF_URL: "", SKIFF_TOKEN: "", SKIFF_DATA: "" },
  };
}

function skiffOn(machine: Laptop, args: readonly string[]): Promise<SkiffRun> {
  return skiffOk(args, { cwd: machine.cwd, env: machine.env });
}

/** A long-running CLI command (logs --tail), ended with Ctrl-C. */
function startSkiff(machine: Laptop, args: readonly string[]) {
  const child = spawn(process.execPath, [SKIFF_BIN, ...args], {
    cwd: machine.cwd,
    env: { ...process.env, SKIFF_LOG_LEVEL: "silent", ...machine.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = async (what: () => boolean, label: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!what() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(what(), `${label}; stdout: ${stdout}; stderr: ${stderr}`);
  };
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor,
    interrupt: async (): Promise<number | null> => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("the CLI against a running skiff server, from another HOME and directory", () => {
  let server: RunningServer;
  let port: number;
  let app: string;
  const me = laptop();
  const sandbox = serverSandbox();

  before(async () => {
    server = await sandbox.start();
    const served = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    ({ port } = served);
    app = `http://127.0.0.1:${port}/`;
    {
      const pushed = await gitPush(served.dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    writeFixture(served.dir, "serve", "v2");
    commitAll(served.dir, "v2");
    {
      const pushed = await gitPush(served.dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
  });

  it("without a login, a server command says how to log in", async () => {
    const run = await runSkiff(["releases", "hello"], { cwd: me.cwd, env: me.env });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERR_SKIFF_NOT_LOGGED_IN/);
    assert.match(run.stderr, /hint: skiff login http/);
    // apps has a local mode too: without a login it looks for a server's data dir here, and says both.
    const apps = await runSkiff(["apps"], { cwd: me.cwd, env: me.env });
    assert.match(apps.stderr, /ERR_SKIFF_DATA_DIR_MISSING.*\nhint: .*skiff login/);
  });

  it("skiff login checks the token with the server and stores it with mode 600; a wrong token is refused", async () => {
    const wrong = join(me.home, "wrong-token");
    writeFileSync(wrong, "skf_not-a-token\n");
    const refused = await runSkiff(["login", server.url, "--token-file", wrong], {
      cwd: me.cwd,
      env: me.env,
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_SKIFF_AUTH/);
    const file = join(me.home, "token");
    writeFileSync(file, `${server.token}\n`);
    const run = await skiffOn(me, ["login", server.url, "--token-file", file]);
    assert.match(run.stderr, /logged in to http:\/\/127\.0\.0\.1:\d+ with token "push"/);
    assert.ok(!run.stderr.includes(server.token) && !run.stdout.includes(server.token));
    const stored = join(me.home, ".config", "skiff", "credentials.json");
    assert.equal(statSync(stored).mode & 0o777, 0o600);
  });

  it("skiff apps, apps:info, releases, ps and config show the server's app; --json gives the API's answer", async () => {
    const apps = await skiffOn(me, ["apps"]);
    assert.match(apps.stdout, /^APP\s+RELEASE\s+CURRENT\s+STATUS\s+URL\n/);
    assert.match(
      apps.stdout,
      new RegExp(`hello\\s+2\\s+2\\s+(running|confirming)\\s+http://127\\.0\\.0\\.1:${port}`),
    );
    const json = JSON.parse((await skiffOn(me, ["apps", "--json"])).stdout) as { apps: { app: string }[] };
    assert.deepEqual(
      json.apps.map((a) => a.app),
      ["hello"],
    );
    const info = await skiffOn(me, ["apps:info", "-a", "hello"]);
    assert.match(info.stdout, /git:\s+http:\/\/127\.0\.0\.1:\d+\/hello\.git/);
    const releases = await skiffOn(me, ["releases", "hello"]);
    assert.match(releases.stdout, /^2 .* current$/m);
    const ps = await skiffOn(me, ["ps", "hello"]);
    assert.match(ps.stdout, /hello-2-\w{4}\s+2\s+unix/);
    // The app named by the current directory's skiff.yml, as in the app's own repository.
    writeFileSync(join(me.cwd, "skiff.yml"), "app: hello\n");
    const config = await skiffOn(me, ["config"]);
    assert.match(config.stderr, /hello release 2/);
  });

  it("a rollback and a config:set from the laptop are live within 2 s", async () => {
    const rollback = await skiffOn(me, ["rollback", "hello", "--no-wait"]);
    assert.match(rollback.stderr, /rolled back hello: current is release 1 \(was 2\)/);
    assert.equal(await waitForBody(app, "v1 hello", 2000, { fresh: true }), "v1 hello\n");
    const set = await skiffOn(me, ["config:set", "GREETING=hi", "-a", "hello", "--no-wait"]);
    assert.match(set.stderr, /hello: release 3 \(image of release 1\) is current/);
    assert.equal(await waitForBody(app, "v1 hi", 2000, { fresh: true }), "v1 hi\n");
    // Waiting (the default) reports where the release serves.
    const unset = await skiffOn(me, ["config:unset", "GREETING", "-a", "hello"]);
    assert.match(unset.stderr, new RegExp(`hello release 4 serves at http://127\\.0\\.0\\.1:${port}`));
  });

  it("logs --tail receives the lines printed after it started, across a restart; --release reads a stopped instance's log", async () => {
    const tail = startSkiff(me, ["logs", "hello", "--tail"]);
    await tail.waitFor(() => tail.stderr().includes("following the log of hello"), "the tail started");
    assert.equal(tail.stdout(), "", "only lines printed after the tail started");
    await skiffOn(me, ["restart", "hello"]);
    await tail.waitFor(
      () => /serving v1 on \d+/.test(tail.stdout()),
      "the new instance's first line arrived",
    );
    assert.equal(await tail.interrupt(), 0);
    const old = await skiffOn(me, ["logs", "hello", "--release", "2"]);
    assert.match(old.stdout, /serving v2 on \d+\nstopping\n/);
  });

  it("a rollback of an app scaled to zero says that the release passed and sleeps; restart says nothing runs; logs show its last instance's lines", async () => {
    const dir = makeAppRepo(join(sandbox.root, "sleepy"), {
      app: "sleepy",
      version: "v1",
      deployExtra: `  publish: 127.0.0.1:${await freePort()}\n  scale: { min: 0, idle: 30s }\n`,
    });
    for (const version of ["v1", "v2"]) {
      if (version !== "v1") {
        writeFixture(dir, "serve", version);
        commitAll(dir, version);
      }
      const pushed = await gitPush(dir, server.gitUrl("sleepy"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    const rollback = await skiffOn(me, ["rollback", "sleepy"]);
    assert.match(
      rollback.stderr,
      /sleepy release 1 passed its health check and sleeps until a connection arrives at http:\/\/127\.0\.0\.1:\d+/,
    );
    // Nothing runs to restart: said at once, not only in the events.
    const restart = await runSkiff(["restart", "sleepy"], { cwd: me.cwd, env: me.env });
    assert.equal(restart.code, 1);
    assert.match(
      restart.stderr,
      /ERR_SKIFF_NOT_RUNNING: sleepy has no running instance on the server to restart \(asleep\)/,
    );
    // Nothing runs: the log is the one of the instance that passed the health check.
    const logs = await skiffOn(me, ["logs", "sleepy"]);
    assert.match(logs.stdout, /serving v1 on \d+/);
    // Destroyed while asleep, so the last test finds hello alone.
    const destroyed = await skiffOn(me, ["apps:destroy", "sleepy", "--confirm", "sleepy"]);
    assert.match(destroyed.stderr, /destroyed sleepy/);
  });

  it("events lists what the server's agent did", async () => {
    const events = await skiffOn(me, ["events", "-a", "hello", "-n", "200"]);
    assert.match(events.stdout, /deploy\.succeeded\s+hello v1: release 1 serves/);
    assert.match(events.stdout, /proxy\.switched/);
  });

  it("SKIFF_URL and SKIFF_TOKEN work without a login; a read-only token cannot change anything", async () => {
    const other = laptop();
    const created = await skiffOk([
      "server",
      "token",
      "create",
      "--data",
      server.data,
      "--read-only",
      "--json",
    ]);
    const readOnly = (JSON.parse(created.stdout) as { token: string }).token;
    other.env = { ...other.env, SKIFF_URL: server.url, SKIFF_TOKEN: readOnly };
    assert.match((await skiffOn(other, ["apps"])).stdout, /hello/);
    const refused = await runSkiff(["rollback", "hello"], { cwd: other.cwd, env: other.env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_SKIFF_FORBIDDEN/);
    assert.ok(!refused.stderr.includes(readOnly));
  });

  it("status --data finds a server's agent; a data dir that does not exist is an error, not an empty table", async () => {
    const status = await skiffOn(me, ["status", "--data", server.data]);
    assert.match(status.stdout, /^hello\s+4\s+unix/m);
    const missing = await runSkiff(["status", "--data", join(me.cwd, "nope")], { cwd: me.cwd, env: me.env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ERR_SKIFF_DATA_DIR_MISSING/);
    const releases = await skiffOn(me, ["releases", "hello", "--data", server.data]);
    assert.match(releases.stdout, /^4 .* current$/m);
  });

  it("apps:destroy stops the instance, frees the public address and leaves a tombstone; the releases stay", async () => {
    const refused = await runSkiff(["apps:destroy", "hello"], { cwd: me.cwd, env: me.env });
    assert.match(refused.stderr, /needs --confirm hello/);
    const destroyed = await skiffOn(me, ["apps:destroy", "hello", "--confirm", "hello"]);
    assert.match(destroyed.stderr, /destroyed hello \(stopped hello-4-\w{4}\)/);
    await assert.rejects(httpGetFresh(app, 1000));
    assert.equal(await isPortFree(port), true);
    const deploy = join(server.data, "deploy.git");
    assert.match(gitSync(deploy, ["show", "main:hello/destroyed"]), /"destroyed":/);
    assert.match(gitSync(deploy, ["ls-tree", "--name-only", "main:hello/releases"]), /^1\n2\n3\n4$/);
    const apps = await skiffOn(me, ["apps"]);
    assert.match(apps.stderr, /no apps yet/);
  });
});
