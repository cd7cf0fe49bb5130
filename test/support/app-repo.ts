import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FIXTURES } from "./paths.js";

export function gitSync(cwd: string, args: readonly string[]): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

export interface AppRepoOptions {
  app?: string;
  /** Which fake unikernel to ship: serve, crash, hang, slow. */
  fixture?: string;
  /** Text the fixture serves. */
  version?: string;
  /** skiff.yml text; defaults to a unix app that copies the fixture to _build/<app>. */
  skiffYml?: string;
  /** Extra lines appended to the default skiff.yml's deploy section. */
  deployExtra?: string;
}

/** The `app:` and `build:` sections of a test app whose build copies server.mjs to _build/<app>. */
export function fixtureBuildYml(app: string, test?: string): string {
  return `app: ${app}
build:
  command: mkdir -p _build && cp server.mjs _build/${app} && chmod +x _build/${app}
${test === undefined ? "" : `  test: ${test}\n`}  timeout: 1m
  matrix:
    - target: unix
      artifact: _build/${app}
      deploy: true
`;
}

export function defaultSkiffYml(app: string, deployExtra = ""): string {
  return `${fixtureBuildYml(app, `test -x _build/${app}`)}deploy:
  driver: unix
  port: 8080
  health: { http: /, timeout: 10s }
${deployExtra}`;
}

/** A committed app repository in `dir` whose build copies a fixture unikernel. */
export function makeAppRepo(dir: string, options: AppRepoOptions = {}): string {
  const app = options.app ?? "hello";
  mkdirSync(dir, { recursive: true });
  gitSync(dir, ["init", "--quiet", "--initial-branch=main"]);
  writeFileSync(join(dir, "skiff.yml"), options.skiffYml ?? defaultSkiffYml(app, options.deployExtra));
  writeFixture(dir, options.fixture ?? "serve", options.version ?? "v1");
  commitAll(dir, "initial");
  return dir;
}

/** Replaces server.mjs with a fixture serving `version`. */
export function writeFixture(dir: string, fixture: string, version: string): void {
  const source = readFileSync(join(FIXTURES, "unikernels", `${fixture}.mjs`), "utf8");
  writeFileSync(join(dir, "server.mjs"), source.replaceAll("__VERSION__", version));
  chmodSync(join(dir, "server.mjs"), 0o755);
}

export function commitAll(dir: string, message: string): string {
  gitSync(dir, ["add", "-A"]);
  gitSync(dir, ["commit", "--quiet", "--allow-empty", "-m", message]);
  return gitSync(dir, ["rev-parse", "HEAD"]);
}

export function writeAndCommit(dir: string, file: string, text: string, message: string): string {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
  return commitAll(dir, message);
}

export { copyFileSync };
