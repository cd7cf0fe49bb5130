import { setPriority } from "node:os";

/**
 * The worker process of loadConfigInWorker: loads each skiff.yml it is sent and answers with the
 * config or the error. It runs niced and in a session of its own (detached): on a busy host the
 * CPU a hostile file costs comes out of the parse, never out of the server's event loop.
 */
try {
  setPriority(19);
} catch {
  // Not allowed here: the parse runs at the priority it was given.
}
// Loaded after the priority is set: importing zod and yaml is most of a small file's cost.
const { isSkiffError } = await import("../errors/index.js");
const { loadConfig } = await import("./load.js");

interface Job {
  id: number;
  dir: string;
  displayName?: string;
}

process.on("message", ({ id, dir, displayName }: Job) => {
  let answer: unknown;
  try {
    answer = { id, ok: true, config: loadConfig(dir, displayName === undefined ? {} : { displayName }) };
  } catch (error) {
    answer = isSkiffError(error)
      ? { id, ok: false, known: true, error: error.toJSON() }
      : {
          id,
          ok: false,
          known: false,
          message: String((error as Error).message),
          stack: (error as Error).stack,
        };
  }
  process.send?.(answer);
});
// When the server goes away its channel closes, and with nothing left to wait for so does this process.
