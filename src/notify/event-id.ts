import { createHash } from "node:crypto";
import type { SkiffEvent } from "../events/index.js";

/**
 * A notification's id (`Skiff-Event-Id` and the body's `id`): the same for every attempt and every
 * sink that sends this event, so a receiver drops the copies it has seen. Derived from the event
 * itself (time to the millisecond, type, app, release, deploy, message …): no id to store.
 */
export function eventId(event: SkiffEvent): string {
  return "ev_" + createHash("sha256").update(JSON.stringify(event)).digest("hex").slice(0, 32);
}
