import { SkiffError, serializeError } from "../errors/index.js";
import { createProcessReader, type ObjectReader, type TreeEntry } from "../git/index.js";
import { isRegularFile } from "./app-state.js";
import {
  POINTER_MAX_BYTES,
  appNames,
  parsePointer,
  parseSequence,
  pointerPath,
  releaseNumbers,
  tombstonePath,
} from "./layout.js";
import type { AppPointers } from "./types.js";

/** Every app at `commit` with what current and staging name; a broken pointer is that app's error, not a crash. */
export async function readPointers(options: {
  mirror: string;
  commit: string;
  /** How objects are read (the agent's batch session); default one git process per read. */
  reader?: ObjectReader;
}): Promise<AppPointers[]> {
  const reader = options.reader ?? createProcessReader(options.mirror);
  const entries = await reader.listTree(options.commit);
  const result: AppPointers[] = [];
  for (const app of appNames(entries)) {
    const appEntries = entries.filter((entry) => entry.path.startsWith(`${app}/`));
    result.push(await readAppPointers(reader, app, appEntries));
  }
  return result;
}

async function readAppPointers(
  reader: ObjectReader,
  app: string,
  entries: readonly TreeEntry[],
): Promise<AppPointers> {
  const releases = releaseNumbers(entries, app);
  // The entry's own blob: the same bytes as <commit>:<path>, read without resolving the path again.
  const read = async (path: string): Promise<string | undefined> => {
    const entry = entries.find((e) => e.path === path);
    if (!entry || !isRegularFile(entry) || (entry.size ?? Infinity) > POINTER_MAX_BYTES) return undefined;
    return (await reader.readBlobBytes(entry.object, POINTER_MAX_BYTES)).toString("utf8");
  };
  const sequenceText = await read(pointerPath(app, "sequence"));
  const pointers: AppPointers = { app };
  if (sequenceText !== undefined) pointers.sequence = parseSequence(sequenceText);
  // A tombstone wins over whatever pointer is left: the app was destroyed (skiff apps:destroy).
  if (entries.some((entry) => entry.path === tombstonePath(app))) {
    pointers.destroyed = true;
    return pointers;
  }
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
