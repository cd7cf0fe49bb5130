import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadPrivateKey, openSealed } from "../../src/trust/index.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";

const SECRET = "pa55-w0rd-that-must-not-leak";

describe("skiff secrets encrypt", () => {
  it("seals NAME=VALUE and NAME=- (stdin) for a host.pub file or its PEM text; the host opens them", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--host", "--out", dir]);
    const hostKey = loadPrivateKey(join(dir, "host.key"), "x25519");
    const pem = readFileSync(join(dir, "host.pub"), "utf8");

    const run = await skiffOk(
      ["secrets", "encrypt", "--to", join(dir, "host.pub"), "DB_URL=postgres://x", "API_TOKEN=-"],
      {
        input: SECRET + "\n",
      },
    );
    assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET));
    const lines = Object.fromEntries(
      run.stdout
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    assert.equal(openSealed(lines.API_TOKEN!, { name: "API_TOKEN", hostPrivateKey: hostKey }), SECRET);
    assert.equal(openSealed(lines.DB_URL!, { name: "DB_URL", hostPrivateKey: hostKey }), "postgres://x");

    const json = await skiffOk(["secrets", "encrypt", "--json", "--to", pem, `API_TOKEN=${SECRET}`]);
    const sealed = JSON.parse(json.stdout) as Record<string, string>;
    assert.equal(openSealed(sealed.API_TOKEN!, { name: "API_TOKEN", hostPrivateKey: hostKey }), SECRET);
  });

  it("prints no secret value when it fails", async () => {
    const dir = tempDir();
    await skiffOk(["keys", "generate", "--out", dir]);
    await skiffOk(["keys", "generate", "--host", "--out", dir]);
    const host = join(dir, "host.pub");
    const cases: [string[], string][] = [
      [["--to", join(dir, "skiff.pub"), `API_TOKEN=${SECRET}`], "ERR_SKIFF_KEY_INVALID"],
      [["--to", join(dir, "missing.pub"), `API_TOKEN=${SECRET}`], "ERR_SKIFF_KEY_INVALID"],
      [["--to", join(dir, "host.key"), `API_TOKEN=${SECRET}`], "ERR_SKIFF_KEY_INVALID"],
      [["--to", host, SECRET], "ERR_SKIFF_USAGE"],
      [["--to", host, `=${SECRET}`], "ERR_SKIFF_USAGE"],
      [["--to", host, `BAD NAME=${SECRET}`], "ERR_SKIFF_USAGE"],
      [["--to", host, `A=${SECRET}`, `A=${SECRET}`], "ERR_SKIFF_USAGE"],
      [["--to", host, "A=-", "B=-"], "ERR_SKIFF_USAGE"],
    ];
    for (const [args, code] of cases) {
      const run = await runSkiff(["secrets", "encrypt", ...args]);
      assert.equal(run.code, 1, args.join(" "));
      assert.match(run.stderr, new RegExp(code));
      assert.ok(!run.stderr.includes(SECRET) && !run.stdout.includes(SECRET), `leaked in: ${run.stderr}`);
    }
  });
});
