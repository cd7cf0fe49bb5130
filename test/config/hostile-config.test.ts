import assert from "node:assert/strict";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig, loadConfigInWorker, parseConfig } from "../../src/config/index.js";
import { isSkiffError, type SkiffError } from "../../src/errors/index.js";
import { tempDir } from "../support/temp.js";

const VALID = `app: hello
build:
  command: make
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
`;

/** A billion laughs: ten aliases of ten aliases of … (10^9 strings once expanded). */
function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const previous = String.fromCharCode(96 + i);
    text += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(",")}]\n`;
  }
  return VALID + text;
}

const HOSTILE: Record<string, { text: string; code: string; line?: number }> = {
  "billion laughs": { text: billionLaughs(), code: "ERR_SKIFF_CONFIG_TOO_COMPLEX" },
  "100 000 nested flow lists": {
    text: `${VALID}deploy:\n  args: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
    code: "ERR_SKIFF_CONFIG_TOO_COMPLEX",
    line: 9,
  },
  "40 nested mappings": {
    text: VALID + Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " x\n",
    code: "ERR_SKIFF_CONFIG_TOO_COMPLEX",
  },
  "a 10 MB file": { text: VALID + `# ${"x".repeat(10 * 1024 * 1024)}\n`, code: "ERR_SKIFF_CONFIG_TOO_LARGE" },
  "15 000 keys": {
    text: VALID + `deploy:\n  env:\n${Array.from({ length: 15_000 }, (_, i) => `    K${i}: v`).join("\n")}\n`,
    code: "ERR_SKIFF_CONFIG_TOO_COMPLEX",
  },
  "250 KiB of flow lists": {
    text: `${VALID}deploy:\n  args:\n${"    - [a, b]\n".repeat(19_000)}`,
    code: "ERR_SKIFF_CONFIG_TOO_COMPLEX",
  },
  // yaml's own duplicate-key check compares every key with every other: seconds for 20 000 of them.
  "a key twice among 3 000": {
    text:
      VALID +
      `deploy:\n  env:\n${Array.from({ length: 3000 }, (_, i) => `    K${i}: v`).join("\n")}\n    K7: again\n`,
    code: "ERR_SKIFF_CONFIG_SYNTAX",
    line: 3010,
  },
};

function writeConfig(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, "skiff.yml"), text);
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<SkiffError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSkiffError(error), `not a SkiffError: ${String(error)}`);
    return error;
  }
  assert.fail("the config was accepted");
}

describe("hostile skiff.yml", () => {
  for (const [name, hostile] of Object.entries(HOSTILE)) {
    it(`refuses ${name} with ${hostile.code}, naming the file`, async () => {
      const error = await refusal(
        loadConfigInWorker(writeConfig(hostile.text), { displayName: "skiff.yml" }),
      );
      assert.equal(error.code, hostile.code, error.message);
      assert.match(error.message, /^skiff\.yml/);
      if (hostile.line !== undefined) assert.equal(error.data?.line, hostile.line, error.message);
    });
  }

  it("keeps the event loop's delay under 100 ms while every hostile file is loaded", async () => {
    const dirs = Object.values(HOSTILE).map((hostile) => writeConfig(hostile.text));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    // The histogram measures between two of its timer's turns: let the first one happen.
    await sleep(50);
    for (const dir of dirs) await loadConfigInWorker(dir).catch(() => undefined);
    // One more turn of the loop: a block is recorded by the first timer that runs after it.
    await sleep(50);
    delay.disable();
    const maxMs = delay.max / 1e6;
    assert.ok(maxMs < 100, `the event loop was blocked for ${maxMs.toFixed(0)} ms`);
  });

  it("does not read a skiff.yml that is a link (to /dev/zero, or out of the repository)", () => {
    const dir = tempDir();
    symlinkSync("/dev/zero", join(dir, "skiff.yml"));
    assert.throws(
      () => loadConfig(dir, { displayName: "skiff.yml" }),
      (error: unknown) => {
        assert.ok(isSkiffError(error));
        assert.equal(error.code, "ERR_SKIFF_CONFIG_INVALID");
        assert.match(error.message, /skiff\.yml is not a regular file/);
        return true;
      },
    );
  });

  it("refuses a file that takes the parser too long, ending its worker", async () => {
    // Under every limit, and slow to parse: 9 000 flow lists.
    const dir = writeConfig(`${VALID}deploy:\n  args:\n${"    - [a]\n".repeat(3000)}`);
    const error = await refusal(loadConfigInWorker(dir, { timeoutMs: 20 }));
    assert.equal(error.code, "ERR_SKIFF_CONFIG_TOO_COMPLEX");
    assert.match(error.message, /took longer than/);
  });
});

describe("skiff.yml errors name the real problem", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a mapping given a number",
      "app: hello\nbuild: 3\n",
      /^skiff\.yml:2:8: build: expected a mapping .*, got a number \(3\)$/,
    ],
    ["an empty value", "app: hello\nbuild:\n", /build: expected a mapping .*, got an empty value/],
    [
      "a missing key",
      "build:\n  command: make\n  matrix: [{ target: unix, artifact: a }]\n",
      /^skiff\.yml:1:1: app: missing required key \(expected a string\)$/,
    ],
    [
      "a number for a string",
      VALID.replace("command: make", "command: 3"),
      /build\.command: expected a string, got a number \(3\)/,
    ],
    [
      "a number for a string or a list",
      VALID.replace("artifact: _build/hello", "artifact: 3"),
      /artifact: expected a string or a list, got a number \(3\)/,
    ],
    [
      "a list for a boolean",
      VALID.replace("deploy: true", "deploy: [yes]"),
      /matrix\[0\]\.deploy: expected true or false, got a list/,
    ],
    [
      "a bad env name",
      VALID + "deploy:\n  env: { bad-name: x }\n",
      /deploy\.env\.bad-name: key "bad-name": an environment name/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, () => {
      assert.throws(
        () => parseConfig(text),
        (error: unknown) => {
          assert.ok(isSkiffError(error));
          assert.equal(error.code, "ERR_SKIFF_CONFIG_INVALID");
          assert.match(error.message, pattern);
          return true;
        },
      );
    });
  }
});

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "",
  " ",
  "\n",
  "\t",
  ":",
  "- ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "#",
  "&a ",
  "*a",
  "!!binary ",
  "!!map ",
  "!!set ",
  "? ",
  "|",
  ">",
  "'",
  '"',
  "%YAML 1.1\n",
  "---\n",
  "...\n",
  "<<: *a\n",
  "~",
  "null",
  "1e999",
  "-0",
  "0x1F",
  ".nan",
  "true",
  "@",
  "`",
  "\\",
  "\u0000",
  "\uFEFF",
  "é",
  "deploy:\n",
  "  ",
  "build: ",
];
const FULL = `${VALID}deploy:
  driver: unix
  port: 8080
  args: ["--port=8080"]
  env: &env { MODE: x }
  health: { http: /, timeout: 30s }
  scale: { min: 0, max: 4 }
  rollout: { max_parallel: "25%" }
stage:
  tests: ["./smoke.sh", *env]
  load: { duration: 10s, thresholds: { p99: 50ms } }
  network: { slow: { delay: 100ms } }
`;

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const token = TOKENS[Math.floor(next() * TOKENS.length)]!;
    const kind = Math.floor(next() * 5);
    if (kind === 0) out = out.slice(0, at) + token + out.slice(at);
    else if (kind === 4) {
      // A short run of the text, many times over: deep brackets, alias storms, long lines.
      const piece = out.slice(at, at + 1 + Math.floor(next() * 12)) || token;
      out = out.slice(0, at) + piece.repeat(20 + Math.floor(next() * 200)) + out.slice(at);
    } else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 8));
    else if (kind === 2) out = out.slice(0, at) + token + out.slice(at + 1);
    else {
      const lines = out.split("\n");
      const line = Math.floor(next() * lines.length);
      lines.splice(Math.floor(next() * lines.length), 0, lines[line] ?? "");
      out = lines.join("\n");
    }
  }
  return out;
}

describe("skiff.yml fuzzed", () => {
  it("answers 3000 mutated files with a config, or a config error that names the file; never a bug", () => {
    const next = random(16);
    const known = new Set([
      "ERR_SKIFF_CONFIG_SYNTAX",
      "ERR_SKIFF_CONFIG_INVALID",
      "ERR_SKIFF_CONFIG_TOO_COMPLEX",
    ]);
    for (let i = 0; i < 3000; i++) {
      const text = mutate(
        i % 2 === 0 ? VALID : FULL.replace("*env]", i % 4 === 1 ? "*env]" : "*env, *env]"),
        next,
      );
      try {
        parseConfig(text);
      } catch (error) {
        const what = `input ${i}: ${JSON.stringify(text)}\n${String((error as Error).stack)}`;
        assert.ok(isSkiffError(error) && known.has(error.code), what);
        assert.match(error.message, /^skiff\.yml(:\d+)?/, what);
      }
    }
  });
});
