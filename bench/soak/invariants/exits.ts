import type { ExitRecord, InvariantResult } from "../types.js";

/** The server and the agent exited only when the soak killed or stopped them. */
export function checkExits(exits: readonly ExitRecord[]): InvariantResult {
  const unexpected = exits.filter((e) => !e.injected && !e.stopped);
  return {
    name: "the server and the agents exited only when killed or stopped",
    ok: unexpected.length === 0,
    summary: `${exits.filter((e) => e.injected).length} injected kills, ${unexpected.length} exits of their own`,
    details: unexpected.map(
      (e) =>
        `${e.name} pid ${e.pid} exited ${e.signal ?? `with code ${e.code}`} at ${new Date(e.at).toISOString()}: ${e.lastLines.join(" | ").slice(0, 600)}`,
    ),
  };
}
