import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/index.js";
import type { StoreInput } from "../../src/store/index.js";
import { defaultSkiffYml, gitSync } from "../support/app-repo.js";

export interface InputOptions {
  app?: string;
  /** The artifact's bytes. */
  content?: string | Buffer;
  /** skiff.yml text; defaults to the test support's unix app. */
  skiffYml?: string;
}

/** A StoreInput (what the build part hands to store) with a real artifact file in `dir`. */
export function makeStoreInput(dir: string, options: InputOptions = {}): StoreInput {
  const app = options.app ?? "hello";
  const content = options.content ?? `#!/bin/sh\necho ${app}\n`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, app);
  writeFileSync(path, content);
  chmodSync(path, 0o755);
  const bytes = Buffer.from(content);
  return {
    buildId: `build-${Math.random().toString(36).slice(2, 8)}`,
    app,
    commit: createHash("sha1").update(bytes).digest("hex"),
    repository: "https://example.test/hello.git",
    branch: "main",
    status: "succeeded",
    durationMs: 1234,
    config: parseConfig(options.skiffYml ?? defaultSkiffYml(app)),
    targets: [
      {
        target: "unix",
        deploy: true,
        artifacts: [{ name: app, path, size: bytes.length, sha256: sha256(bytes), mode: 0o755 }],
      },
    ],
  };
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** main's commit and full tree listing: equal snapshots mean the repository did not change. */
export function snapshot(repo: string): string {
  const tryGit = (args: string[]): string => {
    try {
      return gitSync(repo, args);
    } catch {
      return "(none)";
    }
  };
  return [["rev-parse", "--verify", "refs/heads/main"], ["ls-tree", "-r", "main"], ["for-each-ref"]]
    .map(tryGit)
    .join("\n");
}

export function show(repo: string, path: string): string {
  return gitSync(repo, ["show", `main:${path}`]);
}

/** Paths in main under `prefix`. */
export function paths(repo: string, prefix = ""): string[] {
  const out = gitSync(repo, ["ls-tree", "-r", "--name-only", "main", ...(prefix ? ["--", prefix] : [])]);
  return out.split("\n").filter(Boolean);
}

/** Changes the deployment repository through a work-tree clone (what a hand edit or an attacker does), then pushes. */
export function editRepo(repo: string, work: string, edit: (dir: string) => void, message = "edit"): void {
  gitSync(repo, ["clone", "--quiet", repo, work]);
  edit(work);
  gitSync(work, ["add", "-A"]);
  gitSync(work, ["commit", "--quiet", "-m", message]);
  gitSync(work, ["push", "--quiet", "origin", "HEAD:refs/heads/main"]);
}
