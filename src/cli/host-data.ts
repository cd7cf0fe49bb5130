import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";

/** A server's data dir holds its agent's in agent/ and its deployment repository in deploy.git. */
function isServerData(dir: string): boolean {
  return existsSync(join(dir, "deploy.git")) && existsSync(join(dir, "agent"));
}

function requireDir(dir: string, given: string): void {
  if (existsSync(dir) && statSync(dir).isDirectory()) return;
  throw new SkiffError("ERR_SKIFF_DATA_DIR_MISSING", `there is no data dir at ${given}`, {
    hint: "pass the --data of skiff agent, or of skiff server (its agent is in DIR/agent); to talk to a server from here: skiff login URL",
  });
}

/**
 * `--data` of a host command: an agent's data dir, or a skiff server's (then its agent's, DIR/agent).
 * A dir that does not exist, or holds neither, is an error: never an empty table.
 */
export function agentDataOf(given: string): string {
  const dir = resolve(given);
  requireDir(dir, given);
  if (isServerData(dir)) return join(dir, "agent");
  if (existsSync(join(dir, "state.json")) || existsSync(join(dir, "events.jsonl"))) return dir;
  throw new SkiffError("ERR_SKIFF_DATA_DIR_MISSING", `${given} holds no agent or server data`, {
    hint: "pass the --data of skiff agent or skiff server (an agent writes state.json there once it runs)",
  });
}

/** `--repo`, or the deployment repository of the skiff server whose `--data` was given; undefined: neither (remote). */
export function deployRepoOf(options: { repo?: string; data?: string }): string | undefined {
  if (options.repo !== undefined) return options.repo;
  if (options.data === undefined) return undefined;
  const dir = resolve(options.data);
  requireDir(dir, options.data);
  if (existsSync(join(dir, "deploy.git"))) return join(dir, "deploy.git");
  throw new SkiffError(
    "ERR_SKIFF_DATA_DIR_MISSING",
    `${options.data} is not a skiff server's data dir (no deploy.git)`,
    {
      hint: "give a deployment repository with --repo, or the --data dir of skiff server",
    },
  );
}
