import { SkiffError, serializeError } from "../errors/index.js";
import { listTree, type TreeEntry } from "../git/index.js";
import { readSmallFile } from "./app-state.js";
import {
  POINTER_MAX_BYTES,
  appNames,
  parsePointer,
  parseSequence,
  pointerPath,
  releaseNumbers,
} from "./layout.js";
import type { AppPointers } from "./types.js";

/** Every app at `commit` with what current and staging name; a broken pointer is that app's error, not a crash. */
export async function readPointers(options: { mirror: string; commit: string }): Promise<AppPointers[]> {
  const entries = await listTree(options.mirror, options.commit);
  const result: AppPointers[] = [];
  for (const app of appNames(entries)) {
    const appEntries = entries.filter((entry) => entry.path.startsWith(`${app}/`));
    result.push(await readAppPointers(options.mirror, options.commit, app, appEntries));
  }
  return result;
}

async function readAppPointers(
  repo: string,
  rev: string,
  app: string,
  entries: readonly TreeEntry[],
): Promise<AppPointers> {
  const releases = releaseNumbers(entries, app);
  const read = (path: string): Promise<string | undefined> =>
    readSmallFile({ repo, rev, entries, path, maxBytes: POINTER_MAX_BYTES });
  const sequenceText = await read(pointerPath(app, "sequence"));
  const pointers: AppPointers = { app };
  if (sequenceText !== undefined) pointers.sequence = parseSequence(sequenceText);
  try {
    for (const name of ["current", "staging"] as const) {
      const path = pointerPath(app, name);
      if (!entries.some((entry) => entry.path === path)) continue;
      const text = await read(path);
      const release = text === undefined ? undefined : parsePointer(text);
      if (release === undefined) {
        throw new SkiffError("ERR_SKIFF_CURRENT_INVALID", `${path} does not hold a release number`, {
          hint: `fix it with skiff rollback ${app} --to N --repo R`,
          data: { app, pointer: name },
        });
      }
      if (!releases.includes(release)) {
        throw new SkiffError(
          "ERR_SKIFF_CURRENT_INVALID",
          `${path} names release ${release}, which does not exist`,
          {
            hint: `fix it with skiff rollback ${app} --to N --repo R`,
            data: { app, pointer: name, release },
          },
        );
      }
      pointers[name] = release;
    }
  } catch (error) {
    pointers.error = serializeError(error);
  }
  return pointers;
}
