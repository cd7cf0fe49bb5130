import { closeSync, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { join, relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { SkiffError } from "../errors/index.js";
import { describeIssue } from "./describe-issue.js";
import { SkiffConfigSchema, type SkiffConfig } from "./schema.js";
import {
  checkAliases,
  checkDepth,
  checkShape,
  checkUniqueKeys,
  tooManyAliases,
  YAML_LIMITS,
} from "./yaml-limits.js";

export const CONFIG_FILE = "skiff.yml";
/** The largest skiff.yml skiff reads (a real one is a few hundred bytes). */
export const CONFIG_MAX_BYTES = 256 * 1024;

const MAX_ISSUES_SHOWN = 10;

export interface LoadConfigOptions {
  /** How to name the file in messages (defaults to its path relative to the cwd). */
  displayName?: string;
}

/** Reads and validates `<dir>/skiff.yml`. */
export function loadConfig(dir: string, options: LoadConfigOptions = {}): SkiffConfig {
  const path = join(dir, CONFIG_FILE);
  const fileName = options.displayName ?? (relative(process.cwd(), path) || path);
  return parseConfig(readConfigText(path, dir, fileName), fileName);
}

/**
 * The text of skiff.yml, bounded before it is read: a regular file (not a link to /dev/zero or to
 * a file outside the repository) of at most CONFIG_MAX_BYTES.
 */
export function readConfigText(path: string, dir: string, fileName: string): string {
  let link;
  try {
    link = lstatSync(path);
  } catch {
    throw new SkiffError("ERR_SKIFF_CONFIG_NOT_FOUND", `no ${CONFIG_FILE} in ${dir}`, {
      hint: `create ${CONFIG_FILE} at the root of your app's repository (see examples/hello/skiff.yml)`,
    });
  }
  if (!link.isFile()) {
    throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", `${fileName} is not a regular file`, {
      hint: `commit ${CONFIG_FILE} itself, not a link or a folder`,
      data: { file: fileName },
    });
  }
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > CONFIG_MAX_BYTES) throw tooLarge(fileName, size);
    const buffer = Buffer.alloc(Math.min(size, CONFIG_MAX_BYTES) + 1);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    if (read > CONFIG_MAX_BYTES) throw tooLarge(fileName, read);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Parses skiff.yml text; every error names file:line:col and the key path. */
export function parseConfig(text: string, fileName = CONFIG_FILE): SkiffConfig {
  if (Buffer.byteLength(text) > CONFIG_MAX_BYTES) throw tooLarge(fileName, Buffer.byteLength(text));
  checkShape(text, fileName);
  const lineCounter = new LineCounter();
  // uniqueKeys: checkUniqueKeys does it in linear time.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new SkiffError(
      "ERR_SKIFF_CONFIG_SYNTAX",
      `${fileName}:${pos.line}:${pos.col}: ${first.message.split("\n")[0]}`,
      { hint: "fix the YAML syntax at that line", data: { file: fileName, line: pos.line, col: pos.col } },
    );
  }
  checkUniqueKeys(doc, lineCounter, fileName);
  checkDepth(doc, lineCounter, fileName);
  checkAliases(doc, lineCounter, fileName);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.aliases });
  } catch (error) {
    // yaml's throw here once checkAliases passed: aliases expanding past maxAliasCount.
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) throw tooManyAliases(fileName);
    throw error;
  }
  const result = SkiffConfigSchema.safeParse(data ?? {});
  if (result.success) return result.data;
  const { issues } = result.error;
  const messages = issues
    .slice(0, MAX_ISSUES_SHOWN)
    .map((issue) => describeIssue(issue, { doc, lineCounter, data: data ?? {}, fileName }));
  const first = messages[0]!;
  const more = issues.length > MAX_ISSUES_SHOWN ? [`… and ${issues.length - MAX_ISSUES_SHOWN} more`] : [];
  throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", [...messages.map((m) => m.text), ...more].join("\n"), {
    hint: "see docs/configuration.md for every key of skiff.yml",
    data: { file: fileName, line: first.line, col: first.col, path: first.path, issues: issues.length },
  });
}

function tooLarge(fileName: string, size: number): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_CONFIG_TOO_LARGE",
    `${fileName} is ${size} bytes; skiff reads at most ${CONFIG_MAX_BYTES}`,
    {
      hint: "skiff.yml holds settings only: move data into files of the repository",
      data: { file: fileName, size },
    },
  );
}
