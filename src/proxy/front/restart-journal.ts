import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFile } from "../proxy-files.js";

/**
 * A process of the front door that died and was started again: HAProxy (by the door) or the door
 * itself (found dead by its successor). Kept until an agent has reported it (front.restored), so a
 * death while no agent watches is still reported when one starts.
 */
export const RestartSchema = z.object({
  id: z.string(),
  at: z.string(),
  /** engine: the door started its HAProxy again; door: this door replaced a dead one. */
  what: z.enum(["engine", "door"]),
  engine: z.string(),
  pid: z.number().int(),
  previous: z.number().int(),
});
export type Restart = z.infer<typeof RestartSchema>;

const JournalSchema = z.object({ version: z.literal(1), restarts: z.array(RestartSchema) });
/** Kept at most (a door that dies in a loop must not grow the file for ever). */
const KEEP = 50;

export interface RestartJournal {
  add(restart: Omit<Restart, "id" | "at">): Restart;
  pending(): Restart[];
  /** An agent reported it: forgotten. False when it was not pending. */
  reported(id: string): boolean;
}

/** `<door dir>/restarts.json`; a write that fails (a full disk) keeps the entry in memory. */
export function openRestartJournal(dir: string): RestartJournal {
  const path = join(dir, "restarts.json");
  let restarts = readJsonFile(path, JournalSchema)?.restarts ?? [];
  const save = (): void => {
    try {
      writeJsonFile(path, { version: 1, restarts });
    } catch {
      // In memory still: reported to a watcher of this door; lost only if the door dies before a save works.
    }
  };
  return {
    add(restart) {
      const entry = { ...restart, id: randomBytes(6).toString("hex"), at: new Date().toISOString() };
      restarts = [...restarts, entry].slice(-KEEP);
      save();
      return entry;
    },
    pending: () => [...restarts],
    reported(id) {
      const before = restarts.length;
      restarts = restarts.filter((r) => r.id !== id);
      if (restarts.length === before) return false;
      save();
      return true;
    },
  };
}
