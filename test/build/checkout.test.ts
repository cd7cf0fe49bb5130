import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { checkoutCommit } from "../../src/git/index.js";
import { gitSync } from "../support/app-repo.js";
import { REPO_ROOT } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { tracedGitProcesses } from "../support/trace.js";

/** A work tree with two commits, the first tagged v1.0, and uncommitted changes on top. */
function workTree(root: string): { dir: string; first: string; second: string } {
  const dir = join(root, "app");
  mkdirSync(join(dir, "src"), { recursive: true });
  gitSync(root, ["init", "-q", "-b", "main", dir]);
  writeFileSync(join(dir, "src", "main.ml"), 'let () = print_endline "one"\n');
  writeFileSync(join(dir, "build.sh"), "#!/bin/sh\necho built\n", { mode: 0o755 });
  gitSync(dir, ["add", "-A"]);
  gitSync(dir, ["commit", "-qm", "one"]);
  gitSync(dir, ["tag", "-a", "v1.0", "-m", "first"]);
  const first = gitSync(dir, ["rev-parse", "HEAD"]);
  writeFileSync(join(dir, "src", "main.ml"), 'let () = print_endline "two"\n');
  gitSync(dir, ["commit", "-qam", "two"]);
  const second = gitSync(dir, ["rev-parse", "HEAD"]);
  writeFileSync(join(dir, "src", "main.ml"), "uncommitted\n");
  writeFileSync(join(dir, "untracked.txt"), "not in any commit\n");
  return { dir, first, second };
}

function assertCheckoutOf(dest: string, commit: string, text: string): void {
  assert.equal(readFileSync(join(dest, "src", "main.ml"), "utf8"), `let () = print_endline "${text}"\n`);
  assert.equal(existsSync(join(dest, "untracked.txt")), false);
  assert.equal(gitSync(dest, ["rev-parse", "HEAD"]), commit);
  assert.equal(gitSync(dest, ["status", "--porcelain"]), "", "a clean work tree");
  assert.notEqual(statSync(join(dest, "build.sh")).mode & 0o111, 0, "modes are checked out");
}

test("a checkout of a work tree is the commit's files only, clean, with its tags (git describe)", async () => {
  const root = tempDir();
  const { dir, first, second } = workTree(root);
  const dest = join(root, "checkout");
  await checkoutCommit({ repo: dir, bare: false }, second, dest);
  assertCheckoutOf(dest, second, "two");
  assert.equal(gitSync(dest, ["describe", "--tags"]), `v1.0-1-g${second.slice(0, 7)}`);
  // History is borrowed, not copied: the first commit is readable through the source's objects.
  assert.equal(gitSync(dest, ["rev-parse", "v1.0^{commit}"]), first);
  assert.equal(existsSync(join(dest, ".git", "objects", "pack")), false);
});

test("a checkout of a bare repository takes one git process", () => {
  const root = tempDir();
  const { dir, second } = workTree(root);
  const bare = join(root, "app.git");
  gitSync(root, ["clone", "-q", "--bare", dir, bare]);
  const dest = join(root, "checkout");
  const trace = join(root, "trace.jsonl");
  // In a child process: the trace file is read when the process module loads.
  const module = pathToFileURL(join(REPO_ROOT, "dist", "src", "git", "checkout.js")).href;
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { checkoutCommit } = await import(${JSON.stringify(module)});
       await checkoutCommit({ repo: ${JSON.stringify(bare)}, bare: true }, ${JSON.stringify(second)}, ${JSON.stringify(dest)});`,
    ],
    { env: { ...process.env, SKIFF_TRACE_PROCESSES: trace } },
  );
  assertCheckoutOf(dest, second, "two");
  assert.equal(gitSync(dest, ["describe", "--tags"]), `v1.0-1-g${second.slice(0, 7)}`);
  const processes = tracedGitProcesses(trace);
  assert.equal(processes.length, 1, processes.join("\n"));
});

test("a linked work tree (a .git file) is checked out too", async () => {
  const root = tempDir();
  const { dir, first } = workTree(root);
  const linked = join(root, "linked");
  gitSync(dir, ["worktree", "add", "-q", "--detach", linked, first]);
  const dest = join(root, "checkout");
  await checkoutCommit({ repo: linked, bare: false }, first, dest);
  assertCheckoutOf(dest, first, "one");
  assert.equal(gitSync(dest, ["describe", "--tags"]), "v1.0");
});
