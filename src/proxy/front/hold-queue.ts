import type { Socket } from "node:net";
import type { ClientHead } from "../forward-connection.js";
import { answerUnavailable } from "./answer-client.js";
import { holdClient, type HeldClient } from "./held-client.js";

/** The bytes a held client may send before the door stops reading it (enough to see an HTTP request line). */
const HELD_READ_BYTES = 64 * 1024;
/** Further wake requests of one burst are sent together, this often at most. */
const WAKE_COALESCE_MS = 20;

export interface HeldEntry {
  client: HeldClient;
  /** performance.now() when the client was accepted: the first-byte time includes the wait. */
  acceptedAt: number;
}

export interface HoldQueueOptions {
  /** Read at every hold: the app's current settings. */
  limits: () => { maxHeld: number; wakeTimeoutMs: number };
  /** A wake request: no ready backend and this many connections wait (sent at the first, then coalesced). */
  onWake: (held: number) => void;
  /** Held connections were answered (503 or reset): by the wake timeout, a failed wake, or the limit. */
  onAnswered: (how: "503" | "reset", why: "timeout" | "failed" | "full" | "closed") => void;
}

export interface HoldQueue {
  size(): number;
  hold(socket: Socket, options: { head?: ClientHead; http?: boolean; acceptedAt: number }): void;
  /** Takes every held client, oldest first, for forwarding. */
  takeAll(): { entry: HeldEntry; head: ClientHead }[];
  /** Answers every held client at once (503 or reset); returns how many. */
  answerAll(why: "failed" | "closed"): number;
}

export function createHoldQueue(options: HoldQueueOptions): HoldQueue {
  const held = new Map<HeldEntry, NodeJS.Timeout>();
  let wakeTimer: NodeJS.Timeout | undefined;
  let lastWake = 0;

  const requestWake = (): void => {
    // The first held connection asks at once (a cold start waits on it); a burst's growth is batched.
    if (lastWake === 0 && wakeTimer === undefined) {
      lastWake = held.size;
      options.onWake(held.size);
      return;
    }
    wakeTimer ??= setTimeout(() => {
      wakeTimer = undefined;
      if (held.size > lastWake) options.onWake(held.size);
      lastWake = held.size;
    }, WAKE_COALESCE_MS);
  };

  const answer = (entry: HeldEntry, why: "timeout" | "failed" | "closed"): void => {
    clearTimeout(held.get(entry));
    held.delete(entry);
    if (held.size === 0) lastWake = 0;
    const http = entry.client.http();
    entry.client.take();
    options.onAnswered(answerUnavailable(entry.client.socket, http), why);
  };

  return {
    size: () => held.size,
    hold(socket, hold) {
      const { maxHeld, wakeTimeoutMs } = options.limits();
      if (held.size >= maxHeld) {
        options.onAnswered(answerUnavailable(socket, hold.http ?? false), "full");
        return;
      }
      const entry: HeldEntry = {
        acceptedAt: hold.acceptedAt,
        client: holdClient(socket, {
          head: hold.head,
          http: hold.http,
          maxBytes: HELD_READ_BYTES,
          onGone: () => {
            clearTimeout(held.get(entry));
            held.delete(entry);
            if (held.size === 0) lastWake = 0;
          },
        }),
      };
      held.set(
        entry,
        setTimeout(() => answer(entry, "timeout"), wakeTimeoutMs),
      );
      requestWake();
    },
    takeAll() {
      const taken = [...held.keys()].map((entry) => {
        clearTimeout(held.get(entry));
        return { entry, head: entry.client.take() };
      });
      held.clear();
      lastWake = 0;
      return taken;
    },
    answerAll(why) {
      const entries = [...held.keys()];
      for (const entry of entries) answer(entry, why);
      return entries.length;
    },
  };
}
