import { isAbsolute, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";

/** How an option's value is made fit for a unit: kept, made absolute, or checked for secrets. */
export type OptionKind =
  | "value"
  /** A file or directory: made absolute. */
  | "path"
  /** A git location: a path made absolute, or a URL that must carry no password. */
  | "location"
  /** NAME=FILE: FILE made absolute. */
  | "assignment-path"
  /** A file, or a value given inline (a public key's text): a file is made absolute. */
  | "file-or-text"
  /** A URL that must carry no password or secret path. */
  | "url";

export interface GivenOption {
  /** The long flag, e.g. --data. */
  flag: string;
  value: string | boolean | readonly string[];
}

export interface ServiceArgvInput {
  /** The program, its node flags and its script, absolute: [node, ...SERVICE_NODE_FLAGS, .../bin/skiff.js]. */
  program: readonly string[];
  /** The command's words, e.g. ["agent"]. */
  command: readonly string[];
  /** The options given on the command line (values as parsed). */
  options: readonly GivenOption[];
  kinds: Readonly<Record<string, OptionKind>>;
  /** Flags that make no sense in a service (--once, --json): refused. */
  refused: readonly string[];
  cwd: string;
  /** Whether a path names a file (for file-or-text values). */
  isFile(path: string): boolean;
}

/** The command line a unit runs (pure): the same command and options, paths absolute, no secret. */
export function planServiceArgv(input: ServiceArgvInput): string[] {
  const argv = [...input.program, ...input.command];
  for (const option of input.options) {
    if (input.refused.includes(option.flag)) {
      throw new SkiffError(
        "ERR_SKIFF_USAGE",
        `${option.flag} makes no sense for a service that runs until stopped`,
        {
          hint: `drop ${option.flag} from the install command`,
        },
      );
    }
    if (option.value === false) continue;
    if (option.value === true) {
      argv.push(option.flag);
      continue;
    }
    const values = typeof option.value === "string" ? [option.value] : option.value;
    for (const value of values) argv.push(option.flag, fitValue(option.flag, value, input));
  }
  return argv;
}

function fitValue(flag: string, value: string, input: ServiceArgvInput): string {
  switch (input.kinds[flag] ?? "value") {
    case "path":
      return resolve(input.cwd, value);
    case "location":
      return isUrlLike(value) ? checkUrl(flag, value) : resolve(input.cwd, value);
    case "assignment-path": {
      const at = value.indexOf("=");
      return at < 0 ? value : `${value.slice(0, at + 1)}${resolve(input.cwd, value.slice(at + 1))}`;
    }
    case "file-or-text": {
      const path = resolve(input.cwd, value);
      return input.isFile(path) ? path : value;
    }
    case "url":
      return checkUrl(flag, value);
    case "value":
      return value;
  }
}

/** scheme://… or user@host:path (scp-like): a remote location, not a path. */
function isUrlLike(value: string): boolean {
  if (isAbsolute(value)) return false;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^[^/\s]+@[^/\s]+:/.test(value);
}

/** Refuses a URL carrying a secret: a password (a token) or a Slack webhook's secret path. */
function checkUrl(flag: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.replace(/^slack\+/, ""));
  } catch {
    return value;
  }
  if (url.password !== "") {
    throw new SkiffError(
      "ERR_SKIFF_SECRET_IN_UNIT",
      `${flag} carries a password or token in its URL; a unit file is readable by every user`,
      {
        hint:
          flag === "--repo"
            ? "put the token in a file (chmod 600) and give --repo-token-file FILE with the URL without it"
            : `give ${flag} a URL without credentials`,
      },
    );
  }
  if (url.hostname === "hooks.slack.com") {
    throw new SkiffError(
      "ERR_SKIFF_SECRET_IN_UNIT",
      `${flag} is a Slack webhook URL, whose path is its secret`,
      {
        hint: "a unit cannot keep it secret yet: run the agent with it by other means (docs/agent.md), or notify a webhook that takes --notify-secret-file",
      },
    );
  }
  return value;
}
