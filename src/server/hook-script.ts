import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Marks the last line of the server's answer to the hook: the exit code the hook must return. */
export const HOOK_EXIT_MARKER = "::skiff-exit::";

/** Where the shared hooks of every hosted app repository live (core.hooksPath). */
export function hooksDir(data: string): string {
  return join(data, "hooks");
}

/**
 * The pre-receive hook: a tiny node script that hands the push to the running server (URL and
 * secret come from the environment the server gave git http-backend) and relays its output,
 * which git shows the pusher as `remote:` lines.
 */
function renderPreReceive(nodePath: string): string {
  return `#!${nodePath}
// Written by skiff server. The pipeline runs in the server; this only relays it.
import { readFileSync } from "node:fs";
const marker = ${JSON.stringify(HOOK_EXIT_MARKER)};
const url = process.env.SKIFF_HOOK_URL;
const secret = process.env.SKIFF_HOOK_SECRET;
if (!url || !secret) {
  process.stdout.write("skiff: this repository deploys through skiff server; push to its http URL\\n");
  process.exit(1);
}
const body = JSON.stringify({
  app: process.env.SKIFF_APP ?? "",
  user: process.env.REMOTE_USER ?? "",
  updates: readFileSync(0, "utf8"),
  gitDir: process.cwd(),
  objectDir: process.env.GIT_OBJECT_DIRECTORY ?? "",
  alternates: process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES ?? "",
});
let code = 1;
try {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: "Bearer " + secret, "content-type": "application/json" },
    body,
  });
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    pending += decoder.decode(chunk, { stream: true });
    const cut = pending.lastIndexOf("\\n");
    if (cut < 0) continue;
    for (const line of pending.slice(0, cut).split("\\n")) {
      if (line.startsWith(marker)) code = Number(line.slice(marker.length));
      else process.stdout.write(line + "\\n");
    }
    pending = pending.slice(cut + 1);
  }
  if (pending) process.stdout.write(pending + "\\n");
} catch (error) {
  process.stdout.write("skiff: the server did not answer the hook: " + error.message + "\\n");
}
process.exit(code);
`;
}

/** Writes the shared hooks (again on every server start, so they follow the installed node). */
export function writeHooks(data: string, nodePath = process.execPath): string {
  const dir = hooksDir(data);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "pre-receive");
  writeFileSync(file, renderPreReceive(nodePath));
  chmodSync(file, 0o755);
  return dir;
}
