import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { SkiffError } from "../errors/index.js";

const CredentialsSchema = z.object({
  /** The server commands talk to when SKIFF_URL is not set. */
  default: z.string().optional(),
  servers: z.record(z.string(), z.object({ token: z.string(), name: z.string().optional() })).default({}),
});

export type Credentials = z.output<typeof CredentialsSchema>;

/** `$XDG_CONFIG_HOME/skiff/credentials.json`, else `~/.config/skiff/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(config, "skiff", "credentials.json");
}

export function readCredentials(path = credentialsPath()): Credentials {
  if (!existsSync(path)) return { servers: {} };
  let parsed;
  try {
    parsed = CredentialsSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${path} is not a skiff credentials file`, {
      hint: `remove it and log in again: rm ${path} && skiff login URL`,
    });
  }
  return parsed.data;
}

/** Writes the file whole (temp + rename), mode 600 in a folder of mode 700: it holds tokens. */
export function writeCredentials(credentials: Credentials, path = credentialsPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** Stores `token` for `url` and makes it the default server. */
export function saveLogin(
  url: string,
  token: string,
  name: string | undefined,
  path = credentialsPath(),
): void {
  const credentials = readCredentials(path);
  credentials.servers[url] = { token, ...(name ? { name } : {}) };
  credentials.default = url;
  writeCredentials(credentials, path);
}

/** Forgets the token of `url` (the default server when none is given); true when there was one. */
export function forgetLogin(url: string | undefined, path = credentialsPath()): string | undefined {
  const credentials = readCredentials(path);
  const which = url ?? credentials.default;
  if (which === undefined || credentials.servers[which] === undefined) return undefined;
  delete credentials.servers[which];
  if (credentials.default === which) delete credentials.default;
  if (Object.keys(credentials.servers).length === 0) rmSync(path, { force: true });
  else writeCredentials(credentials, path);
  return which;
}
