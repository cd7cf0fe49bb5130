import type { Socket } from "node:net";
import type { Impairment } from "./impairment.js";
import { scheduleChunk, type Link } from "./link.js";

/** Past this many queued bytes the source is paused, so a slow link holds memory bounded. */
const HIGH_WATER = 256 * 1024;

export interface PipeStats {
  bytes: number;
  stalledChunks: number;
}

export interface ImpairedPipeOptions {
  from: Socket;
  to: Socket;
  impairment: Impairment;
  link: Link;
  random: () => number;
  stats: PipeStats;
  /** Called with the first chunk; returning true drops it (the connection is being reset). */
  onFirstChunk?: () => boolean;
}

/**
 * Copies `from` to `to` through the emulated network: every chunk waits until its scheduled time, in
 * order; `from`'s end is passed on after the last chunk. Closing on errors is the caller's job.
 */
export function pipeImpaired(options: ImpairedPipeOptions): { cancel: () => void } {
  const { from, to, stats } = options;
  const queue: { chunk: Buffer; at: number }[] = [];
  let queued = 0;
  let last = 0;
  let ended = false;
  let first = true;
  let blocked = false;
  let timer: NodeJS.Timeout | undefined;

  const maybeResume = (): void => {
    if (!blocked && queued < HIGH_WATER && from.isPaused()) from.resume();
  };
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now + 0.5) {
      const { chunk } = queue.shift()!;
      queued -= chunk.length;
      stats.bytes += chunk.length;
      if (!to.destroyed && !to.write(chunk) && !blocked) {
        blocked = true;
        to.once("drain", () => {
          blocked = false;
          maybeResume();
        });
      }
    }
    maybeResume();
    arm();
  };
  const arm = (): void => {
    if (timer !== undefined) return;
    if (queue.length === 0) {
      if (ended && !to.destroyed) to.end();
      return;
    }
    timer = setTimeout(flush, Math.max(0, queue[0]!.at - performance.now()));
  };

  from.on("data", (chunk: Buffer) => {
    if (first) {
      first = false;
      if (options.onFirstChunk?.()) return;
    }
    const timing = scheduleChunk({ ...options, bytes: chunk.length, now: performance.now(), after: last });
    if (timing.stalled) stats.stalledChunks += 1;
    last = timing.deliverAt;
    queue.push({ chunk, at: timing.deliverAt });
    queued += chunk.length;
    if (queued >= HIGH_WATER) from.pause();
    arm();
  });
  from.on("end", () => {
    ended = true;
    arm();
  });
  return {
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
    },
  };
}
