import type { Supervised } from "../supervise.js";
import type { FaultKind } from "../types.js";
import type { FaultOutcome } from "./context.js";

/** How long a restarted server or agent gets to answer again before the fault is called unrecovered. */
const RECOVER_WITHIN_MS = 60_000;

/** SIGKILL of the server or the follower agent; its supervisor starts it again 1 s later. */
export async function killSupervised(
  kind: FaultKind,
  process: Supervised,
  host: "server" | "follower",
): Promise<FaultOutcome> {
  const pid = process.killInjected();
  const at = Date.now();
  if (pid === undefined)
    return { kind, at, host, target: `${process.name}`, skipped: `${process.name} was not running` };
  const recoveredAt = await process.waitUp(RECOVER_WITHIN_MS);
  return {
    kind,
    at,
    host,
    pid,
    target: `${process.name} pid ${pid}`,
    ...(recoveredAt === undefined ? {} : { recoveredAt }),
  };
}
