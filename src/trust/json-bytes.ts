import { createHash } from "node:crypto";
import { SkiffError, type ErrorCode } from "../errors/index.js";

/** Deeper JSON than this is refused: skiff's own records nest a few levels, and checks recurse. */
export const MAX_JSON_DEPTH = 32;

/** Strict UTF-8 decode and JSON.parse of a bounded input; any failure is the caller's code. */
export function parseJsonBytes(bytes: Uint8Array, options: { code: ErrorCode; what: string }): unknown {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new SkiffError(options.code, `${options.what} is not valid UTF-8 JSON`, {
      hint: "the file is corrupt or was not written by skiff; store the release again",
    });
  }
  if (depthOf(value) > MAX_JSON_DEPTH) {
    throw new SkiffError(options.code, `${options.what} nests deeper than ${MAX_JSON_DEPTH} levels`, {
      hint: "the file was not written by skiff; refusing it before any recursive check",
    });
  }
  return value;
}

/** Nesting depth without recursion (a hostile input must not exhaust the stack here either). */
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
