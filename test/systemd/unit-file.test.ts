import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SERVICE_NODE_FLAGS } from "../../src/process/index.js";
import { quoteExecArg } from "../../src/systemd/index.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { SKIFF_BIN } from "../support/paths.js";
import { readUnit, splitExecStart, unitValue } from "../support/systemd-unit.js";
import { tempDir } from "../support/temp.js";

describe("skiff agent install / skiff server install", () => {
  it("writes a unit whose ExecStart is the same command with absolute paths, Restart=always, the data dir", async () => {
    const root = tempDir();
    mkdirSync(join(root, "keys"));
    writeFileSync(join(root, "keys", "ci.pub"), "not read by install\n");
    writeFileSync(join(root, "token"), "s3cret-token\n");
    const units = join(root, "units");
    const run = await skiffOk(
      [
        "agent",
        "install",
        "--repo",
        "http://server.example:7070/deploy.git",
        "--repo-token-file",
        "token",
        "--data",
        "host data",
        "--poll",
        "10s",
        "--trust",
        "keys/ci.pub",
        "--notify",
        "https://hooks.example/skiff?x=100%",
        "--unit-dir",
        units,
      ],
      { cwd: root },
    );
    assert.match(run.stderr, /systemctl daemon-reload && systemctl enable --now skiff-agent\.service/);
    const unit = readUnit(join(units, "skiff-agent.service"));
    assert.deepEqual(splitExecStart(unitValue(unit, "Service", "ExecStart")), [
      process.execPath,
      "--max-semi-space-size=1",
      "--heap-growing-percent=50",
      SKIFF_BIN,
      "agent",
      "--repo",
      "http://server.example:7070/deploy.git",
      "--data",
      join(root, "host data"),
      "--poll",
      "10s",
      "--notify",
      "https://hooks.example/skiff?x=100%",
      "--trust",
      join(root, "keys", "ci.pub"),
      "--repo-token-file",
      join(root, "token"),
    ]);
    assert.equal(unitValue(unit, "Service", "Restart"), "always");
    assert.match(unitValue(unit, "Service", "RestartSec"), /^\d+$/);
    assert.equal(splitExecStart(unitValue(unit, "Service", "WorkingDirectory"))[0], join(root, "host data"));
    assert.equal(unitValue(unit, "Service", "KillMode"), "process");
    assert.equal(unitValue(unit, "Install", "WantedBy"), "multi-user.target");
    // The token stays in its file.
    assert.doesNotMatch(JSON.stringify(unit), /s3cret/);
  });

  it("server install: --data always, absolute, even when left to its default; --print writes nothing", async () => {
    const root = tempDir();
    const run = await skiffOk(
      ["server", "install", "--listen", "0.0.0.0:7070", "--print", "--unit-dir", join(root, "units")],
      { cwd: root, env: { SKIFF_DATA: "" } },
    );
    const file = join(root, "printed.service");
    writeFileSync(file, run.stdout);
    const argv = splitExecStart(unitValue(readUnit(file), "Service", "ExecStart"));
    assert.deepEqual(argv.slice(2 + SERVICE_NODE_FLAGS.length), [
      "server",
      "--data",
      join(root, ".skiff/server"),
      "--listen",
      "0.0.0.0:7070",
    ]);
    assert.match(run.stderr, /systemctl enable --now skiff-server\.service/);
    assert.equal((await runSkiff(["server", "install", "--print"], { cwd: root })).code, 0);
    const listed = await import("node:fs").then((fs) => fs.existsSync(join(root, "units")));
    assert.equal(listed, false);
  });

  it("refuses a secret on the command line, and options a service cannot have", async () => {
    const root = tempDir();
    const cases: [string[], string][] = [
      [
        ["agent", "install", "--repo", "http://git:tok@h/deploy.git", "--data", "d"],
        "ERR_SKIFF_SECRET_IN_UNIT",
      ],
      [
        [
          "agent",
          "install",
          "--repo",
          "r",
          "--data",
          "d",
          "--notify",
          "https://hooks.slack.com/services/T/B/X",
        ],
        "ERR_SKIFF_SECRET_IN_UNIT",
      ],
      [["server", "install", "--follower", "http://u:p@agent:9000"], "ERR_SKIFF_SECRET_IN_UNIT"],
      [["agent", "install", "--repo", "r", "--data", "d", "--once"], "ERR_SKIFF_USAGE"],
      [
        ["agent", "install", "--repo", "r", "--data", "d", "--trust", "line one\nline two"],
        "ERR_SKIFF_UNSAFE_VALUE",
      ],
    ];
    for (const [args, code] of cases) {
      const run = await runSkiff([...args, "--unit-dir", join(root, "units")], { cwd: root });
      assert.equal(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`^error ${code}: `), args.join(" "));
      assert.doesNotMatch(run.stderr, /tok@|u:p@|T\/B\/X/, "the error does not repeat the secret");
    }
  });

  it("quotes what systemd would expand or split", () => {
    for (const arg of ["plain/path", "with space", 'a "quote"', "back\\slash", "100%", "$HOME", "${X}", ""]) {
      assert.deepEqual(splitExecStart(`/bin/x ${quoteExecArg(arg)}`), ["/bin/x", arg], arg);
    }
  });
});
