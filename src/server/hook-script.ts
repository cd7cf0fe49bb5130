import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownFile } from "../process/index.js";

/** Marks the last line of the server's answer to the hook: the exit code the hook must return. */
export const HOOK_EXIT_MARKER = "::skiff-exit::";

/** The hook's source, shipped beside dist/ (a bash script: see its header for why). */
const PRE_RECEIVE_SOURCE = ownFile("hooks/pre-receive.bash");

/** Where the shared hooks of every hosted app repository live (core.hooksPath). */
export function hooksDir(data: string): string {
  return join(data, "hooks");
}

/** Writes the shared hooks (again on every server start, so an upgrade replaces them). */
export function writeHooks(data: string): string {
  const dir = hooksDir(data);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "pre-receive");
  const script = readFileSync(PRE_RECEIVE_SOURCE, "utf8").replaceAll("@HOOK_EXIT_MARKER@", HOOK_EXIT_MARKER);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return dir;
}
