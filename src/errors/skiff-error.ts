import type { ErrorCode } from "./codes.js";

export interface SkiffErrorOptions {
  /** What the user should run or change next. */
  hint?: string;
  cause?: unknown;
  /** Machine-readable details; must never contain a secret. */
  data?: Record<string, unknown>;
}

export interface SerializedError {
  code: string;
  message: string;
  hint?: string;
  data?: Record<string, unknown>;
}

/** A known, user-facing failure: printed without a stack, serialised intact to events and the API. */
export class SkiffError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SkiffErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SkiffError";
    this.code = code;
    this.hint = options.hint;
    this.data = options.data;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }
}

export function isSkiffError(error: unknown): error is SkiffError {
  return error instanceof SkiffError;
}
