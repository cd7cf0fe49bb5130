import { setTimeout as sleep } from "node:timers/promises";
import { injectFault, type FaultContext } from "./faults/index.js";
import type { FaultKind, FaultRecord } from "./types.js";

export interface InjectorOptions {
  ctx: FaultContext;
  kinds: FaultKind[];
  gapSeconds: [number, number];
  /** No fault starts after this time. */
  until: number;
  records: FaultRecord[];
  /** Told of each fault as it is injected (progress on stderr). */
  onFault?: (fault: FaultRecord) => void;
}

/**
 * One fault at a time, at random moments: rounds in which every kind comes once, in a shuffled
 * order (so a short run still sees each kind), separated by random pauses. Faults do not overlap,
 * so each failure of the load is explained by at most one of them.
 */
export async function runInjector(options: InjectorOptions): Promise<void> {
  const { ctx } = options;
  const [min, max] = options.gapSeconds;
  const pause = (): Promise<void> =>
    sleep(ctx.random.int(min * 1000, max * 1000), undefined, { signal: ctx.signal }).catch(() => undefined);
  let round: FaultKind[] = [];
  await pause();
  while (Date.now() < options.until && !ctx.signal.aborted) {
    if (round.length === 0) round = ctx.random.shuffle(options.kinds);
    const kind = round.shift()!;
    const outcome = await injectFault(kind, ctx);
    const record: FaultRecord = { id: options.records.length + 1, ...outcome };
    options.records.push(record);
    options.onFault?.(record);
    await pause();
  }
}
