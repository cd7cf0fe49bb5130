import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";

/** `app:` of skiff.yml in `dir`, read without loading the whole config (a broken file just names no app). */
export function appOfConfig(dir: string): string | undefined {
  const file = join(dir, "skiff.yml");
  if (!existsSync(file)) return undefined;
  return /^app:\s*["']?([a-z][a-z0-9-]{0,62})["']?\s*(?:#.*)?$/m.exec(readFileSync(file, "utf8"))?.[1];
}

/** The app a command is about: the argument, -a/--app, or the current directory's skiff.yml. */
export function chooseApp(
  positional: string | undefined,
  options: { app?: string },
  cwd = process.cwd(),
): string {
  const app = positional ?? options.app ?? appOfConfig(cwd);
  if (app !== undefined) return app;
  throw new SkiffError("ERR_SKIFF_USAGE", "which app? none was named", {
    hint: "pass it (skiff logs hello), use -a hello, or run in the app's directory (its skiff.yml names it)",
  });
}
