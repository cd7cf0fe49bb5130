import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { APP_NAME_PATTERN } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { initBare, setRepoConfig } from "../git/index.js";
import { hooksDir, writeHooks } from "./hook-script.js";

/** Names that would clash with the server's own paths (/deploy.git). */
const RESERVED_APP_NAMES = new Set(["deploy"]);

export function appsDir(data: string): string {
  return join(data, "apps");
}

export function appRepoPath(data: string, app: string): string {
  return join(appsDir(data), `${app}.git`);
}

export function isValidAppName(name: string): boolean {
  return APP_NAME_PATTERN.test(name) && !RESERVED_APP_NAMES.has(name);
}

export function assertAppName(name: string): void {
  if (isValidAppName(name)) return;
  throw new SkiffError("ERR_SKIFF_APP_NAME_INVALID", `"${name}" is not a valid app name`, {
    hint: RESERVED_APP_NAMES.has(name)
      ? `"${name}" is reserved by skiff server; pick another name`
      : "an app name is a-z, 0-9 and -, starts with a letter, and is at most 63 characters",
  });
}

export function appExists(data: string, app: string): boolean {
  return isValidAppName(app) && existsSync(appRepoPath(data, app));
}

/** Every app with a repository on this server, sorted by name. */
export function listApps(data: string): string[] {
  if (!existsSync(appsDir(data))) return [];
  return readdirSync(appsDir(data))
    .filter((entry) => entry.endsWith(".git"))
    .map((entry) => entry.slice(0, -4))
    .filter(isValidAppName)
    .sort();
}

export interface CreateAppOptions {
  data: string;
  name: string;
  /** Succeed when the app already exists (the first push creates it). */
  existingOk?: boolean;
}

/** Creates the bare repository of an app, whose pre-receive hook runs the push pipeline. */
export async function createApp(options: CreateAppOptions): Promise<string> {
  assertAppName(options.name);
  const repo = appRepoPath(options.data, options.name);
  if (existsSync(repo)) {
    if (options.existingOk) return repo;
    throw new SkiffError("ERR_SKIFF_APP_EXISTS", `app ${options.name} already exists`, {
      hint: `push to it: git push http://git:TOKEN@HOST/${options.name}.git main`,
    });
  }
  writeHooks(options.data);
  await initBare(repo);
  // One shared hooks directory: upgrading skiff updates the hook of every app at once.
  await setRepoConfig(repo, "core.hooksPath", hooksDir(options.data));
  // git http-backend only allows pushes when this is set (we authenticate before it runs).
  await setRepoConfig(repo, "http.receivepack", "true");
  return repo;
}
