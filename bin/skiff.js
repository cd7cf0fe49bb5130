#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=50
// The flags are SERVICE_NODE_FLAGS of src/process (a small heap for the agent and the server).
// The entry point stays tiny: turn on Node's compile cache (node 22.1+; absent on node 20, a no-op),
// then load the CLI (its bundle, scripts/bundle.ts), whose commands import their part only when they run.
import module from "node:module";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/** The user's cache dir (XDG_CACHE_HOME, ~/.cache, or the temp dir without a home), never the repository. */
function compileCacheDir() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : tmpdir());
  return join(base, "skiff", "node-compile-cache");
}

if (typeof module.enableCompileCache === "function") {
  try {
    // NODE_COMPILE_CACHE, when set, names the directory instead; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    module.enableCompileCache(process.env.NODE_COMPILE_CACHE || compileCacheDir());
  } catch {
    // A cache that cannot be written (read-only home) costs speed, never the command.
  }
}

await import("../dist/bundle/cli/main.js");
