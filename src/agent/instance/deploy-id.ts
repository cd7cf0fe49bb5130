import { randomBytes } from "node:crypto";

/** Id of one deploy attempt, shared by all its events: `d-` and 8 hex chars. */
export function createDeployId(): string {
  return `d-${randomBytes(4).toString("hex")}`;
}
