import { fileURLToPath } from "node:url";
import { SkiffError } from "../errors/index.js";
import { redactUrl } from "../git/index.js";

/**
 * Where `--notify` sends deploy events:
 * - `file:/path/events.jsonl` (or file:///path): one JSON line per event;
 * - `slack+https://…`, or any https URL on hooks.slack.com: a Slack-compatible POST (blocks + text);
 * - any other http(s) URL: the event itself as a JSON POST, signed when the agent has a notify secret.
 * Any of them may end with `#events=deploy.*,release.refused`: the event types (or `*` patterns)
 * this target gets instead of the default ones. The fragment is never sent (browsers and HTTP
 * clients keep it local), so it cannot clash with the receiver's own URL.
 */
export type NotifyTarget = ({ kind: "file"; path: string } | { kind: "webhook" | "slack"; url: string }) & {
  /** Event types or `*` patterns; undefined: the default types (NOTIFY_EVENT_TYPES). */
  events?: string[];
};

const SLACK_HOSTS = new Set(["hooks.slack.com"]);
const EVENT_PATTERN = /^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*$/;
const USAGE_HINT =
  "use an http(s) URL, slack+https://hooks.slack.com/…, or file:/path/events.jsonl, each optionally ending in #events=deploy.*,release.refused";

export function parseNotifyTarget(spec: string): NotifyTarget {
  const { target, events } = splitOptions(spec);
  const filter = events === undefined ? {} : { events };
  if (target.startsWith("file:")) {
    const path = target.startsWith("file://") ? fileURLToPath(target) : target.slice("file:".length);
    if (path.length > 0) return { kind: "file", path, ...filter };
  }
  const slack = target.startsWith("slack+");
  const text = slack ? target.slice("slack+".length) : target;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `--notify ${describeNotifyTarget(spec)} is not a notification target`,
      { hint: USAGE_HINT },
    );
  }
  return { kind: slack || SLACK_HOSTS.has(url.hostname) ? "slack" : "webhook", url: text, ...filter };
}

/** `…#events=a,b` → the target without its fragment, and the event patterns. */
function splitOptions(spec: string): { target: string; events?: string[] } {
  const hash = spec.indexOf("#");
  if (hash < 0) return { target: spec };
  const target = spec.slice(0, hash);
  const fragment = spec.slice(hash + 1);
  const match = /^events=(.*)$/.exec(fragment);
  if (match === null) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `--notify ${describeNotifyTarget(target)}: #${fragment.split("=")[0]} is not a target option`,
      { hint: "the only option is #events=TYPE[,TYPE…], e.g. #events=deploy.*,release.refused" },
    );
  }
  const events = match[1]!.split(",").map((type) => type.trim());
  const bad = events.find((type) => !EVENT_PATTERN.test(type));
  if (bad !== undefined) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `--notify ${describeNotifyTarget(target)}: ${JSON.stringify(bad)} is not an event type`,
      {
        hint: "event types are dotted lower-case names, * matches any part: #events=deploy.*,release.refused",
      },
    );
  }
  return { target, events };
}

/** A target as it may appear in logs: credentials, path and query hidden (webhook URLs carry tokens there). */
export function describeNotifyTarget(spec: string): string {
  if (spec.startsWith("file:")) return spec;
  try {
    const url = new URL(spec.replace(/^slack\+/, ""));
    const hidden = url.pathname.length > 1 || url.search.length > 0 ? "/[hidden]" : "";
    return `${url.protocol}//${url.host}${hidden}`;
  } catch {
    return redactUrl(spec).replace(/[?#].*$/, "");
  }
}
