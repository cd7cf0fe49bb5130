import { fileURLToPath } from "node:url";
import { SkiffError } from "../errors/index.js";
import { redactUrl } from "../git/index.js";

/**
 * Where `--notify` sends deploy events:
 * - `file:/path/events.jsonl` (or file:///path): one JSON line per event;
 * - `slack+https://…`, or any https URL on hooks.slack.com: a Slack-compatible `{text}` POST;
 * - any other http(s) URL: the event itself as a JSON POST.
 */
export type NotifyTarget = { kind: "file"; path: string } | { kind: "webhook" | "slack"; url: string };

const SLACK_HOSTS = new Set(["hooks.slack.com"]);

export function parseNotifyTarget(spec: string): NotifyTarget {
  if (spec.startsWith("file:")) {
    const path = spec.startsWith("file://") ? fileURLToPath(spec) : spec.slice("file:".length);
    if (path.length > 0) return { kind: "file", path };
  }
  const slack = spec.startsWith("slack+");
  const text = slack ? spec.slice("slack+".length) : spec;
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
      {
        hint: "use an http(s) URL, slack+https://hooks.slack.com/…, or file:/path/events.jsonl",
      },
    );
  }
  return { kind: slack || SLACK_HOSTS.has(url.hostname) ? "slack" : "webhook", url: text };
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
