import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./run-dir.js";
import { runCommand } from "./run-command.js";
import type { ChangeKind } from "./types.js";
import { SLEEPY_IDLE_MS, SLEEPY_WAKE_TIMEOUT_MS } from "./wake.js";

export type VersionKind = Exclude<ChangeKind, "rollback" | "wake">;

/** An app repository made from examples/hello, and what each of its commits serves. */
export interface FixtureApp {
  name: string;
  dir: string;
  /** deploy.proxy.replay (GETs may be sent again by the front door). */
  replay: boolean;
  /** deploy.scale.min: 0 (the wake action's app): it may be stopped when idle and woken by a request. */
  sleepy: boolean;
  /** commit → the version label it serves and the kind of version it is. */
  commits: Map<string, { label: string; kind: VersionKind }>;
  count: number;
}

/** skiff.yml of one version: a broken kind fails its build, its health check or its boot. */
function skiffYml(app: FixtureApp, kind: VersionKind, port: number): string {
  const health =
    kind === "unhealthy"
      ? "{ http: /health, timeout: 2s, interval: 100ms }"
      : "{ http: /, timeout: 10s, interval: 100ms }";
  // hello exits at once on a host it cannot parse: a release that dies at boot.
  const args = kind === "crash" ? `\n  args: ["host=not-an-address"]` : "";
  const scale = app.sleepy
    ? `\n  scale: { min: 0, max: 1, idle: ${SLEEPY_IDLE_MS / 1000}s, wake_timeout: ${SLEEPY_WAKE_TIMEOUT_MS / 1000}s }`
    : "";
  return `# A fixture app of the soak (bench/soak): ${kind} version.
app: ${app.name}
build:
  command: sh ./soak-build.sh ${app.name}
  test: test -x _build/hello
  timeout: 1m
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
deploy:
  driver: unix
  # The server holds this port, so each host gives the app a free loopback port of its own.
  port: ${port}
  health: ${health}
  confirm: 2s
  drain_timeout: 3s
  stop_timeout: 2s
  proxy: { replay: ${app.replay} }${args}${scale}
`;
}

async function git(dir: string, args: string[]): Promise<string> {
  const run = await runCommand("git", ["-c", "user.name=soak", "-c", "user.email=soak@localhost", ...args], {
    cwd: dir,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    timeoutMs: 30_000,
  });
  if (run.code !== 0) throw new Error(`git ${args.join(" ")} failed in ${dir}: ${run.stderr}`);
  return run.stdout.trim();
}

export async function makeFixtureApp(
  root: string,
  name: string,
  options: { replay: boolean; sleepy: boolean },
): Promise<FixtureApp> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of ["hello.c", "Makefile"])
    copyFileSync(join(REPO_ROOT, "examples", "hello", file), join(dir, file));
  copyFileSync(join(REPO_ROOT, "bench", "soak", "fixture", "soak-build.sh"), join(dir, "soak-build.sh"));
  writeFileSync(join(dir, ".gitignore"), "_build/\n");
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  return { name, dir, ...options, commits: new Map(), count: 0 };
}

/** Commits the next version of the app, of `kind`; resolves with its label and commit. */
export async function commitVersion(
  app: FixtureApp,
  kind: VersionKind,
  port: number,
): Promise<{ label: string; commit: string }> {
  app.count += 1;
  const label = kind === "good" ? `${app.name}-${app.count}` : `${app.name}-${app.count}-${kind}`;
  writeFileSync(join(app.dir, "skiff.yml"), skiffYml(app, kind, port));
  writeFileSync(join(app.dir, "VERSION"), `${label}\n`);
  if (kind === "broken-build") writeFileSync(join(app.dir, "BROKEN"), "on purpose\n");
  else rmSync(join(app.dir, "BROKEN"), { force: true });
  await git(app.dir, ["add", "-A"]);
  await git(app.dir, ["commit", "--quiet", "-m", label]);
  const commit = await git(app.dir, ["rev-parse", "HEAD"]);
  app.commits.set(commit, { label, kind });
  return { label, commit };
}
