import { SkiffError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";
import type { FrontEngine } from "./engine.js";
import { createHaproxyEngine, findHaproxy } from "./haproxy/index.js";
import { createNodeEngine } from "./node-engine.js";

export type EngineName = "auto" | "node" | "haproxy";

/**
 * The data path to run: HAProxy when asked for, or when installed (auto); else the door's own. Asked
 * for and missing is an error; auto and missing falls back, and the status says why (docs/decisions.md).
 */
export async function chooseEngine(options: {
  dir: string;
  engine: EngineName;
  log: Logger;
}): Promise<{ engine: FrontEngine; fallback?: string }> {
  if (options.engine === "node") return { engine: createNodeEngine() };
  const found = await findHaproxy();
  if (found.found)
    return {
      engine: await createHaproxyEngine({
        dir: options.dir,
        binary: found.binary,
        version: found.version,
        log: options.log,
      }),
    };
  if (options.engine === "haproxy") {
    throw new SkiffError("ERR_SKIFF_FRONT_ENGINE", `the front door cannot use HAProxy: ${found.reason}`, {
      hint: "Install it (apt-get install haproxy, 2.4 or newer), or let the front door use its own data path (engine auto or node).",
    });
  }
  const fallback = `${found.reason}; install it (apt-get install haproxy) for the faster data path`;
  options.log.warn({ fallback }, "front door runs its own data path");
  return { engine: createNodeEngine(), fallback };
}
