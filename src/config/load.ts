import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { LineCounter, isMap, isScalar, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { SkiffError } from "../errors/index.js";
import { SkiffConfigSchema, type SkiffConfig } from "./schema.js";

export const CONFIG_FILE = "skiff.yml";

export interface LoadConfigOptions {
  /** How to name the file in messages (defaults to its path relative to the cwd). */
  displayName?: string;
}

/** Reads and validates `<dir>/skiff.yml`. */
export function loadConfig(dir: string, options: LoadConfigOptions = {}): SkiffConfig {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new SkiffError("ERR_SKIFF_CONFIG_NOT_FOUND", `no ${CONFIG_FILE} in ${dir}`, {
      hint: `create ${CONFIG_FILE} at the root of your app's repository (see examples/hello/skiff.yml)`,
    });
  }
  return parseConfig(text, options.displayName ?? (relative(process.cwd(), path) || path));
}

/** Parses skiff.yml text; every error names file:line:col and the key path. */
export function parseConfig(text: string, fileName = CONFIG_FILE): SkiffConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new SkiffError(
      "ERR_SKIFF_CONFIG_SYNTAX",
      `${fileName}:${pos.line}:${pos.col}: ${first.message.split("\n")[0]}`,
      { hint: "fix the YAML syntax at that line", data: { file: fileName, line: pos.line, col: pos.col } },
    );
  }
  const result = SkiffConfigSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => describeIssue(issue, doc, lineCounter, fileName));
  const first = messages[0]!;
  throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", messages.map((m) => m.text).join("\n"), {
    hint: "see docs/configuration.md for every key of skiff.yml",
    data: { file: fileName, line: first.line, col: first.col, path: first.path, issues: messages.length },
  });
}

interface IssueMessage {
  text: string;
  line: number;
  col: number;
  path: string;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineCounter: LineCounter,
  fileName: string,
): IssueMessage {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  let offset = nodeOffset(doc, path);
  let keyPath = formatPath(path);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    offset = keyOffset(doc, path, key) ?? offset;
    keyPath = formatPath([...path, key]);
    message =
      `unknown key "${key}"` + (issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : "");
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    message = `missing required key (expected ${issue.expected})`;
  }
  const pos = lineCounter.linePos(offset);
  return {
    text: `${fileName}:${pos.line}:${pos.col}: ${keyPath || "(document)"}: ${message}`,
    line: pos.line,
    col: pos.col,
    path: keyPath,
  };
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Offset of the deepest node along `path` that exists (a missing key points at its parent). */
function nodeOffset(doc: Document, path: readonly (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: readonly (string | number)[], key: string): number | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isScalar(item.key) && item.key.value === key) return item.key.range?.[0];
  }
  return undefined;
}
