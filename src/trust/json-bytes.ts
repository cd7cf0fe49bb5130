import { SkiffError, type ErrorCode } from "../errors/index.js";

/** Strict UTF-8 decode and JSON.parse of a bounded input; any failure is the caller's code. */
export function parseJsonBytes(bytes: Uint8Array, options: { code: ErrorCode; what: string }): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new SkiffError(options.code, `${options.what} is not valid UTF-8 JSON`, {
      hint: "the file is corrupt or was not written by skiff; store the release again",
    });
  }
}
