import { link, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** A private object directory inside a repository's own, where new objects wait until they are wanted. */
export interface Quarantine {
  dir: string;
  /** The repository's object directory the quarantine's objects move into. */
  objects: string;
  /** git writes new objects into the quarantine and still reads every object of the repository. */
  env: NodeJS.ProcessEnv;
}

/**
 * Creates a quarantine in `objects` (the same file system, so moving an object is a link), named
 * like git's own receive quarantine: `git gc` removes one that a killed process left behind.
 */
export async function createQuarantine(objects: string): Promise<Quarantine> {
  const dir = await mkdtemp(join(objects, "tmp_objdir-skiff-"));
  return { dir, objects, env: { GIT_OBJECT_DIRECTORY: dir, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects } };
}

/**
 * Moves every object of the quarantine into the repository, as git's tmp_objdir_migrate does: an
 * object that already exists there is kept; pack indexes come after their packs.
 */
export async function migrateQuarantine(quarantine: Quarantine): Promise<void> {
  for (const name of await readdir(quarantine.dir)) {
    if (!/^[0-9a-f]{2}$/.test(name) && name !== "pack") continue;
    // tmp_ files are objects git had not finished writing; none are left once its process exited.
    // A .keep (receive-pack's index-pack) only guards a pack until git's own ref update: not ours to keep.
    const files = (await readdir(join(quarantine.dir, name)))
      .filter((file) => !file.startsWith("tmp_") && !file.endsWith(".keep"))
      .sort((a, b) => Number(a.endsWith(".idx")) - Number(b.endsWith(".idx")));
    if (files.length === 0) continue;
    await mkdir(join(quarantine.objects, name), { recursive: true });
    for (const file of files) {
      await link(join(quarantine.dir, name, file), join(quarantine.objects, name, file)).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "EEXIST") throw error;
        },
      );
    }
  }
}

/** Removes the quarantine and whatever is still in it. */
export async function removeQuarantine(quarantine: Quarantine): Promise<void> {
  await rm(quarantine.dir, { recursive: true, force: true });
}
