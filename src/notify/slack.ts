import type { SkiffEvent } from "../events/index.js";

type TextObject = { type: "mrkdwn"; text: string };
export type SlackBlock =
  { type: "section"; text: TextObject; fields?: TextObject[] } | { type: "context"; elements: TextObject[] };

export interface SlackMessage {
  /** The fallback: notifications, screen readers and clients that do not show blocks. */
  text: string;
  blocks: SlackBlock[];
}

const VERDICTS: Record<string, { verb: string; emoji: string }> = {
  "deploy.succeeded": { verb: "deployed", emoji: ":white_check_mark:" },
  "deploy.failed": { verb: "failed", emoji: ":x:" },
  "release.refused": { verb: "refused", emoji: ":no_entry:" },
  "release.unsupported": { verb: "not runnable here", emoji: ":warning:" },
  "instance.crash_loop": { verb: "crash-looping, left stopped", emoji: ":rotating_light:" },
  "stage.passed": { verb: "passed staging", emoji: ":white_check_mark:" },
  "stage.failed": { verb: "failed staging", emoji: ":x:" },
};

// Slack refuses a section text over 3000 characters and a field over 2000.
const MAX_TEXT = 1900;

/** Slack wants &, < and > escaped in mrkdwn; everything else in an event is shown as written. */
function escape(text: string): string {
  const clipped = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  return clipped.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Slack-compatible incoming-webhook body: blocks for people, a one-line text for everything else. */
export function formatSlackMessage(event: SkiffEvent): SlackMessage {
  const verdict = VERDICTS[event.type] ?? { verb: event.type, emoji: ":information_source:" };
  const release = event.release === undefined ? undefined : `release ${event.release}`;
  const where = event.host === undefined ? "" : ` on ${event.host}`;
  const reason = event.error === undefined ? "" : `: ${event.error.code} ${event.error.message}`;
  const subject = [event.app, release].filter(Boolean).join(" ");
  const text = `skiff: ${subject} ${verdict.verb}${where}${reason}`;

  const headline = [
    verdict.emoji,
    event.app === undefined ? undefined : `*${escape(event.app)}*`,
    release,
    verdict.verb,
  ]
    .filter(Boolean)
    .join(" ");
  const fields: TextObject[] = [
    ...(event.host === undefined ? [] : [mrkdwn(`*Host*\n${escape(event.host)}`)]),
    ...(event.error === undefined
      ? []
      : [
          mrkdwn(`*Error*\n\`${escape(event.error.code)}\``),
          mrkdwn(`*Why*\n${escape(event.error.message)}`),
        ]),
    ...(event.error?.hint === undefined ? [] : [mrkdwn(`*Next*\n${escape(event.error.hint)}`)]),
  ];
  const context = [event.type, event.time, event.deploy === undefined ? undefined : `deploy ${event.deploy}`]
    .filter((part): part is string => part !== undefined)
    .map(escape)
    .join(" · ");
  return {
    text,
    blocks: [
      { type: "section", text: mrkdwn(headline), ...(fields.length > 0 ? { fields } : {}) },
      ...(event.message ? [{ type: "section" as const, text: mrkdwn(escape(event.message)) }] : []),
      { type: "context", elements: [mrkdwn(context)] },
    ],
  };
}

function mrkdwn(text: string): TextObject {
  return { type: "mrkdwn", text };
}
