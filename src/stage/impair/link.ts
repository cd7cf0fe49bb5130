import type { Impairment } from "./impairment.js";

/** One direction of the emulated network, shared by every connection: its bandwidth is one queue. */
export interface Link {
  /** When the link is free to send the next byte (performance.now() ms). */
  freeAt: number;
}

export interface ChunkTiming {
  /** When the chunk may be written on, in performance.now() ms. */
  deliverAt: number;
  /** The chunk stalled as if a segment had been lost. */
  stalled: boolean;
}

/**
 * When a chunk that arrives `now` leaves the emulated network (pure but for `random`): queued behind
 * earlier bytes on the shared link, then delayed ± jitter, plus a stall with probability `loss`;
 * never before the previous chunk of the same stream, because TCP never reorders.
 */
export function scheduleChunk(options: {
  impairment: Impairment;
  link: Link;
  bytes: number;
  now: number;
  /** The previous chunk's deliverAt in this stream. */
  after: number;
  random: () => number;
}): ChunkTiming {
  const { impairment, link, now, random } = options;
  let departure = now;
  if (impairment.bandwidthBytesPerSec !== undefined) {
    departure = Math.max(now, link.freeAt) + (options.bytes / impairment.bandwidthBytesPerSec) * 1000;
    link.freeAt = departure;
  }
  const jitter = impairment.jitterMs === 0 ? 0 : (random() * 2 - 1) * impairment.jitterMs;
  const stalled = impairment.loss > 0 && random() < impairment.loss;
  const delay = Math.max(0, impairment.delayMs + jitter) + (stalled ? impairment.stallMs : 0);
  return { deliverAt: Math.max(options.after, departure + delay), stalled };
}
