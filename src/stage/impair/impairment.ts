import { parseDuration, type NetworkProfile } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";

/** A network profile in numbers: what the impairment proxy applies to each connection. */
export interface Impairment {
  /** Added to every chunk, each direction. */
  delayMs: number;
  /** Each chunk's delay varies by up to ± this (never below 0, never reordering bytes). */
  jitterMs: number;
  /** Bytes per second per direction, shared by all connections; undefined: no cap. */
  bandwidthBytesPerSec?: number;
  /** Probability that a chunk stalls for `stallMs` (userspace stand-in for packet loss). */
  loss: number;
  /** Probability that a new connection is closed at once, before any byte reaches the instance. */
  connectionLoss: number;
  /** Probability that a connection is reset (RST) when the first answer bytes arrive. */
  reset: number;
  /** How long a "lost" chunk stalls: TCP's minimum retransmission timeout. */
  stallMs: number;
}

/** Linux's minimum RTO (200 ms): what one lost segment costs a TCP stream at least. */
export const LOSS_STALL_MS = 200;

const UNITS: Record<string, number> = {
  bps: 1 / 8,
  kbps: 1000 / 8,
  mbps: 1_000_000 / 8,
  gbps: 1_000_000_000 / 8,
  "kb/s": 1000,
  "mb/s": 1_000_000,
  "gb/s": 1_000_000_000,
};

/** "1mbps" → 125000 bytes/s; "512kbps", "2MB/s" (decimal units, as network links are sold). */
export function parseBandwidth(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(bps|kbps|mbps|gbps|[kmg]b\/s)$/i.exec(text.trim());
  const factor = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined || Number(match[1]) <= 0) {
    throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", `"${text}" is not a bandwidth`, {
      hint: "write a rate such as 1mbps, 512kbps or 2MB/s",
    });
  }
  return Number(match[1]) * factor;
}

/** The numbers of a skiff.yml network profile (pure). */
export function toImpairment(profile: NetworkProfile): Impairment {
  return {
    delayMs: profile.delay === undefined ? 0 : parseDuration(profile.delay),
    jitterMs: profile.jitter === undefined ? 0 : parseDuration(profile.jitter),
    ...(profile.bandwidth === undefined ? {} : { bandwidthBytesPerSec: parseBandwidth(profile.bandwidth) }),
    loss: profile.loss ?? 0,
    connectionLoss: profile.connection_loss ?? 0,
    reset: profile.reset ?? 0,
    stallMs: LOSS_STALL_MS,
  };
}
