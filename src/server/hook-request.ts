import { isAbsolute, resolve } from "node:path";

export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
}

/** A push as the pre-receive hook reports it, with its objects still in quarantine. */
export interface ReceivedPush {
  app: string;
  /** Name of the token that pushed (never the token). */
  user: string;
  updates: RefUpdate[];
  gitDir: string;
  /** Where git can read the pushed objects from: the quarantine first, then the repository's store. */
  objectDirs: string[];
  /** The git receive-pack that runs the hook (the hook's parent): git moves the ref once the hook accepts. */
  receivePack?: number;
  /** The server's id of the receive-pack request (receive-tracker.ts). */
  pushId?: string;
}

/** The most a hook request may carry (ref updates of one push). */
export const HOOK_REQUEST_MAX_BYTES = 1_000_000;

const FIELDS = ["app", "user", "git-dir", "object-dir", "alternates"] as const;
type Field = (typeof FIELDS)[number];

/**
 * Parses what hooks/pre-receive.bash sends: `name value` lines, a blank line, then git's ref
 * update lines (`old new ref`). Undefined when a field is missing or the text is not that shape.
 */
export function parseHookRequest(text: string): ReceivedPush | undefined {
  if (text.length > HOOK_REQUEST_MAX_BYTES) return undefined;
  const cut = text.indexOf("\n\n");
  if (cut < 0) return undefined;
  const fields = new Map<string, string>();
  for (const line of text.slice(0, cut).split("\n")) {
    const space = line.indexOf(" ");
    const name = space < 0 ? line : line.slice(0, space);
    fields.set(name, space < 0 ? "" : line.slice(space + 1));
  }
  if (!FIELDS.every((name) => fields.has(name))) return undefined;
  const receivePack = Number(fields.get("receive-pack"));
  const pushId = fields.get("push-id") ?? "";
  const field = (name: Field): string => fields.get(name) ?? "";
  const gitDir = field("git-dir");
  if (!isAbsolute(gitDir)) return undefined;
  // git gives the hook paths relative to the repository (its working directory).
  const absolute = (dir: string): string => (isAbsolute(dir) ? dir : resolve(gitDir, dir));
  const objectDirs = [field("object-dir"), ...field("alternates").split(":"), "objects"]
    .filter((dir) => dir.length > 0)
    .map(absolute);
  return {
    app: field("app"),
    user: field("user"),
    updates: parseUpdates(text.slice(cut + 2)),
    gitDir,
    objectDirs,
    ...(Number.isSafeInteger(receivePack) && receivePack > 1 ? { receivePack } : {}),
    ...(/^[0-9a-f]{16}$/.test(pushId) ? { pushId } : {}),
  };
}

function parseUpdates(text: string): RefUpdate[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(" "))
    .filter((parts): parts is [string, string, string] => parts.length === 3)
    .map(([old, next, ref]) => ({ ref, old, new: next }));
}
