import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/**
 * The absolute path of an executable: `name` itself when absolute, else the first match on
 * env.PATH, then in `alsoIn` (e.g. the sbin directories a non-root PATH often lacks).
 */
export function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  alsoIn: readonly string[] = [],
): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : [...(env.PATH ?? "").split(delimiter), ...alsoIn].filter(Boolean).map((dir) => join(dir, name));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
