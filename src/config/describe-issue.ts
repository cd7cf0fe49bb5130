import { isMap, isScalar, type Document, type LineCounter } from "yaml";
import type { z } from "zod";

export interface IssueMessage {
  text: string;
  line: number;
  col: number;
  path: string;
}

type Path = readonly (string | number)[];

/** One schema issue as `file:line:col: key.path: what is wrong`, telling a missing key from a wrong type. */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: { doc: Document; lineCounter: LineCounter; data: unknown; fileName: string },
): IssueMessage {
  const { doc, lineCounter, data, fileName } = input;
  const path: Path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  let offset = nodeOffset(doc, path);
  let keyPath = formatPath(path);
  let message = issue.message;
  const found = valueAt(data, path);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    offset = keyOffset(doc, path, key) ?? offset;
    keyPath = formatPath([...path, key]);
    message =
      `unknown key "${key}"` + (issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : "");
  } else if (issue.code === "invalid_type") {
    message = found.present
      ? `expected ${nameOf(issue.expected)}, got ${describeValue(found.value)}`
      : `missing required key (expected ${nameOf(issue.expected)})`;
  } else if (issue.code === "invalid_union") {
    const expected = issue.errors
      .flatMap((branch) => branch.filter((i) => i.code === "invalid_type" && i.path.length === 0))
      .map((i) => nameOf((i as z.core.$ZodIssueInvalidType).expected));
    if (expected.length > 0 && found.present)
      message = `expected ${expected.join(" or ")}, got ${describeValue(found.value)}`;
  } else if (issue.code === "invalid_key") {
    message = `key "${String(path[path.length - 1])}": ${issue.issues[0]?.message ?? issue.message}`;
  }
  const pos = lineCounter.linePos(offset);
  return {
    text: `${fileName}:${pos.line}:${pos.col}: ${keyPath || "(document)"}: ${message}`,
    line: pos.line,
    col: pos.col,
    path: keyPath,
  };
}

const NAMES: Record<string, string> = {
  object: "a mapping (key: value lines)",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function nameOf(expected: string): string {
  return NAMES[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  const text = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return `${typeof value === "string" ? "a string" : `a ${typeof value}`} (${text})`;
}

/** Whether the key at `path` is in the parsed data at all, and its value. */
function valueAt(data: unknown, path: Path): { present: boolean; value?: unknown } {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return { present: false };
    node = (node as Record<string | number, unknown>)[key];
  }
  return { present: true, value: node };
}

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Offset of the deepest node along `path` that exists (a missing key points at its parent). */
function nodeOffset(doc: Document, path: Path): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: Path, key: string): number | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isScalar(item.key) && item.key.value === key) return item.key.range?.[0];
  }
  return undefined;
}
