import type { SkiffEvent } from "../events/index.js";

/** A Slack-compatible incoming-webhook body: one line naming app, release, outcome and host. */
export function formatSlackMessage(event: SkiffEvent): { text: string } {
  const subject = [event.app, event.release === undefined ? undefined : `release ${event.release}`]
    .filter(Boolean)
    .join(" ");
  const where = event.host === undefined ? "" : ` on ${event.host}`;
  const verdict =
    event.type === "deploy.succeeded" ? "deployed" : event.type === "release.refused" ? "refused" : "failed";
  const reason = event.error === undefined ? "" : `: ${event.error.code} ${event.error.message}`;
  return { text: `skiff: ${subject} ${verdict}${where}${reason}` };
}
